"""the organizer's side of a mission: a schedule drafted before it is published (`mission.draft`), and the
invitations sent to registry companies, with when each was opened and reminded

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("draft", sa.JSON(), nullable=True))
    op.create_table(
        "mission_invitation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mission_id", sa.Integer(), sa.ForeignKey("mission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("company.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("mission_id", "company_id", name="uq_mission_invitation_company"),
        sa.UniqueConstraint("token", name="uq_mission_invitation_token"),
    )


def downgrade() -> None:
    op.drop_table("mission_invitation")
    with op.batch_alter_table("mission") as batch:
        batch.drop_column("draft")
