"""organisations people act for (`organisation`, `app_user.organisation_id`) and the organisations co-organising
a mission with their role and side there (`mission_organiser`); each participant's check-in code and arrival,
and whether they take part online

Revision ID: 0012
Revises: 0011
"""

import secrets

import sqlalchemy as sa
from alembic import op

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as missions/checkin.py: no 0/O, 1/I to misread

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("territory", sa.String(10), nullable=False),
        sa.Column("name_ru", sa.String(300), nullable=True),
        sa.Column("name_uz", sa.String(300), nullable=True),
        sa.Column("name_en", sa.String(300), nullable=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("company.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_organisation_territory"), "organisation", ["territory"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_app_user_organisation_id_organisation"), "organisation",
                                 ["organisation_id"],
                                 ["id"], ondelete="SET NULL")
    op.create_table(
        "mission_organiser",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mission_id", sa.Integer(), sa.ForeignKey("mission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("invited_by", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("mission_id", "organisation_id", name="uq_mission_organiser_organisation"),
    )
    op.create_index(op.f("ix_mission_organiser_mission_id"), "mission_organiser", ["mission_id"])
    op.create_index(op.f("ix_mission_organiser_organisation_id"), "mission_organiser", ["organisation_id"])
    with op.batch_alter_table("mission_participant") as batch:
        batch.add_column(sa.Column("checkin_code", sa.String(16), nullable=True))
        batch.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("online", sa.Boolean(), nullable=False, server_default=sa.false()))
    participants = sa.table("mission_participant", sa.column("id", sa.Integer), sa.column("checkin_code", sa.String))
    connection = op.get_bind()
    for (participant_id,) in connection.execute(sa.select(participants.c.id)).all():
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        connection.execute(participants.update().where(participants.c.id == participant_id)
                           .values(checkin_code=code))


def downgrade() -> None:
    with op.batch_alter_table("mission_participant") as batch:
        batch.drop_column("online")
        batch.drop_column("arrived_at")
        batch.drop_column("checkin_code")
    op.drop_table("mission_organiser")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(batch.f("fk_app_user_organisation_id_organisation"), type_="foreignkey")
        batch.drop_column("organisation_id")
    op.drop_index(op.f("ix_organisation_territory"), "organisation")
    op.drop_table("organisation")
