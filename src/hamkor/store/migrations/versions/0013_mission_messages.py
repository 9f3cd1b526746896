"""organisers' messages to a group of a mission's participants (`mission_message`), and which message an outbox
row is a copy of (`outbox.message_id`); whether a company registering takes part online
(`mission_registration.online`); a mission's revision, counted up with every change to it (`mission.revision`)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mission_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mission_id", sa.Integer(), sa.ForeignKey("mission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("bodies", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("side", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_mission_message_mission_id"), "mission_message", ["mission_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_outbox_message_id_mission_message"), "mission_message", ["message_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_index(batch.f("ix_outbox_message_id"), ["message_id"])
    with op.batch_alter_table("mission_registration") as batch:
        batch.add_column(sa.Column("online", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("mission") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("mission_registration") as batch:
        batch.drop_column("online")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_message_id"))
        batch.drop_constraint(batch.f("fk_outbox_message_id_mission_message"), type_="foreignkey")
        batch.drop_column("message_id")
    op.drop_index(op.f("ix_mission_message_mission_id"), table_name="mission_message")
    op.drop_table("mission_message")
