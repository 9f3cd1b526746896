"""participants take part themselves: the mail outbox, single-use links, mission registrations,
missions named in three languages

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_outbox_user_id_app_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"], name=op.f("fk_outbox_mission_id_mission"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.create_index(batch.f("ix_outbox_status"), ["status"])
    op.create_table(
        "signed_link",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_signed_link_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_link")),
    )
    op.create_table(
        "mission_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=True),
        sa.Column("available", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"], name=op.f("fk_mission_registration_mission_id_mission"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], name=op.f("fk_mission_registration_company_id_company"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_mission_registration_user_id_app_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"],
                                name=op.f("fk_mission_registration_decided_by_app_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_registration")),
        sa.UniqueConstraint("mission_id", "company_id", name="uq_mission_registration_company"),
    )
    op.create_table(
        "meeting_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=12), nullable=True),
        sa.Column("hs_code", sa.String(length=10), nullable=True),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["mission_meeting.id"],
                                name=op.f("fk_meeting_feedback_meeting_id_mission_meeting"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["mission_participant.id"],
                                name=op.f("fk_meeting_feedback_participant_id_mission_participant"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_feedback")),
        sa.UniqueConstraint("meeting_id", "participant_id", name="uq_meeting_feedback_side"),
    )
    op.create_table(
        "space_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_space_seen_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"], name=op.f("fk_space_seen_mission_id_mission"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "mission_id", name=op.f("pk_space_seen")),
    )
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("registration_open", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("same_side_meetings", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("names", sa.JSON(), nullable=True))  # {"name": {"uz": …}, "venue": {…}, …}
        batch.add_column(sa.Column("programme", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sectors", sa.JSON(), nullable=True))
    with op.batch_alter_table("mission_visit") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), nullable=True))  # {"uz": …, "en": …}
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("mail_digest", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("mail_digest")
    with op.batch_alter_table("mission_visit") as batch:
        batch.drop_column("names")
    with op.batch_alter_table("mission") as batch:
        for column in ("sectors", "programme", "names", "same_side_meetings", "registration_open"):
            batch.drop_column(column)
    op.drop_table("space_seen")
    op.drop_table("meeting_feedback")
    op.drop_table("mission_registration")
    op.drop_table("signed_link")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_status"))
    op.drop_table("outbox")
