"""login attempts counted in the database (one count for all replicas), known devices and addresses of
agents, and the failed logins an agent is told about at the next sign-in

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_counts",
        sa.Column("counter_key", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("counter_key"),
    )
    op.create_index("ix_login_counts_username", "login_counts", ["username"])
    op.create_index("ix_login_counts_window_start", "login_counts", ["window_start"])
    op.create_table(
        "known_logins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "kind", "digest", name="uq_known_logins"),
    )
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_failed_login_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("last_failed_login_at")
        batch.drop_column("failed_logins")
    op.drop_table("known_logins")
    op.drop_index("ix_login_counts_window_start", table_name="login_counts")
    op.drop_index("ix_login_counts_username", table_name="login_counts")
    op.drop_table("login_counts")
