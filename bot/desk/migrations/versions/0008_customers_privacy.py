"""logged-in customers, legal hold, and the privacy log (erasure, export, retention) without personal data

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("customer_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("customer_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("customer_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "privacy_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.String(length=120), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("privacy_log")
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        for column in ("legal_hold", "customer_name", "customer_email", "customer_id"):
            batch.drop_column(column)
