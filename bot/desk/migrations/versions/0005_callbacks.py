"""callbacks, and when a handoff's customer was offered one

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=32), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoffs.id"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=True),
        sa.Column("slot_start", sa.DateTime(), nullable=True),
        sa.Column("slot_end", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("booked_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_callbacks_due", "callbacks", ["status", "slot_start"])
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("callback_offered_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("callback_offered_at")
    op.drop_index("ix_callbacks_due", table_name="callbacks")
    op.drop_table("callbacks")
