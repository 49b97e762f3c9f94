"""agents.status and agents.max_chats: routing by availability and capacity

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="offline"))
        batch.add_column(sa.Column("max_chats", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("max_chats")
        batch.drop_column("status")
