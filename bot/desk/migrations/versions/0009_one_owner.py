"""one owner: the agent of a conversation is the agent of its assigned handoff, kept in one place

Conversations kept a copy (conversations.agent_id) that code had to keep in step with the handoff; the copy
goes. Nothing is lost: every conversation with an agent has its assigned handoff with that agent.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("agent_id")


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id", name="fk_conversations_agent_id"),
                                   nullable=True))
    op.execute("""
        UPDATE conversations SET agent_id = (SELECT handoffs.agent_id FROM handoffs
                                             WHERE handoffs.conversation_id = conversations.id
                                               AND handoffs.status = 'assigned')
        WHERE state = 'agent'""")
