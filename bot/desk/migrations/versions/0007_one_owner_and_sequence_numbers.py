"""explicit customer sub-state, per-conversation message sequence numbers, idempotent customer
messages, routing lock and leases for several desk replicas

Revision ID: 0007
Revises: 0006
"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("awaiting", sa.String(length=24), nullable=False, server_default="nothing"))
        batch.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
    # Number the existing messages 1, 2, 3 ... per conversation, in the order they were stored.
    op.execute("""
        UPDATE messages SET seq = (SELECT COUNT(*) FROM messages AS earlier
                                   WHERE earlier.conversation_id = messages.conversation_id
                                     AND earlier.id <= messages.id)""")
    op.execute("""
        UPDATE conversations SET last_seq = COALESCE((SELECT MAX(seq) FROM messages
                                                      WHERE messages.conversation_id = conversations.id), 0)""")
    # Customers who were asked a satisfaction or callback question keep their place in that flow.
    op.execute("""UPDATE conversations SET awaiting = 'solved'
                  WHERE state = 'closed' AND CAST(offered_payloads AS TEXT) LIKE '%/solved_yes%'""")
    op.execute("""UPDATE conversations SET awaiting = 'score'
                  WHERE state = 'closed' AND CAST(offered_payloads AS TEXT) LIKE '%/score_1%'""")
    op.execute("""UPDATE conversations SET awaiting = 'comment'
                  WHERE state = 'closed' AND CAST(offered_payloads AS TEXT) LIKE '%/no_comment%'""")
    with op.batch_alter_table("messages") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_messages_conversation", table_name="messages")
    op.create_index("ix_messages_conversation_seq", "messages", ["conversation_id", "seq"], unique=True)
    op.create_index("ix_messages_client_key", "messages", ["conversation_id", "client_key"], unique=True)
    locks = op.create_table(
        "desk_locks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(locks, [{"name": "routing", "taken_at": None}])
    leases = op.create_table(
        "desk_leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(leases, [{"name": "periodic", "holder": "", "expires_at": datetime(2000, 1, 1)}])


def downgrade() -> None:
    op.drop_table("desk_leases")
    op.drop_table("desk_locks")
    op.drop_index("ix_messages_client_key", table_name="messages")
    op.drop_index("ix_messages_conversation_seq", table_name="messages")
    op.create_index("ix_messages_conversation", "messages", ["conversation_id", "id"])
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("client_key")
        batch.drop_column("seq")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("last_seq")
        batch.drop_column("awaiting")
