"""what the NLU made of each customer message; editors' inbox decisions and edit log

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("intent", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("response_key", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("response_confidence", sa.Float(), nullable=True))
    op.create_table(
        "inbox_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_key", sa.String(length=300), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=True),
        sa.Column("example", sa.Text(), nullable=True),
        sa.Column("editor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbox_decisions_group_key", "inbox_decisions", ["group_key"])
    op.create_table(
        "edit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("editor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file", sa.String(length=200), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("edit_log")
    op.drop_index("ix_inbox_decisions_group_key", table_name="inbox_decisions")
    op.drop_table("inbox_decisions")
    with op.batch_alter_table("messages") as batch:
        for column in ("response_confidence", "response_key", "confidence", "intent"):
            batch.drop_column(column)
