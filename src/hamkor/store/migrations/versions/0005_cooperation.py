"""cooperation registry: organisations, people and positions, events, agreements, commitments, audit history

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coop_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("name_uz", sa.String(length=300), nullable=True),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("territory", sa.String(length=10), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_organisation")),
    )
    with op.batch_alter_table("coop_organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coop_organisation_territory"), ["territory"], unique=False)

    op.create_table(
        "coop_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_latin", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_person")),
    )
    op.create_table(
        "coop_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("organisations", sa.JSON(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mission.id"], name=op.f("fk_coop_event_mission_id_mission"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_event")),
    )
    with op.batch_alter_table("coop_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coop_event_start_date"), ["start_date"], unique=False)

    op.create_table(
        "coop_position",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["coop_organisation.id"],
            name=op.f("fk_coop_position_organisation_id_coop_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["coop_person.id"], name=op.f("fk_coop_position_person_id_coop_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_position")),
    )
    with op.batch_alter_table("coop_position", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coop_position_person_id"), ["person_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=320), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_audit_entry_user_id_app_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_entity"), ["entity"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_record_id"), ["record_id"], unique=False)

    op.create_table(
        "coop_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("document_name", sa.String(length=300), nullable=True),
        sa.Column("document_file", sa.String(length=300), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["coop_event.id"], name=op.f("fk_coop_agreement_event_id_coop_event"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_agreement")),
    )
    with op.batch_alter_table("coop_agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coop_agreement_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "coop_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["coop_agreement.id"],
            name=op.f("fk_coop_commitment_agreement_id_coop_agreement"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["coop_event.id"], name=op.f("fk_coop_commitment_event_id_coop_event"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mission.id"], name=op.f("fk_coop_commitment_mission_id_mission"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["coop_organisation.id"],
            name=op.f("fk_coop_commitment_organisation_id_coop_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["coop_person.id"],
            name=op.f("fk_coop_commitment_person_id_coop_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_commitment")),
    )
    with op.batch_alter_table("coop_commitment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coop_commitment_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_coop_commitment_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coop_commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coop_commitment_status"))
        batch_op.drop_index(batch_op.f("ix_coop_commitment_due_date"))

    op.drop_table("coop_commitment")
    with op.batch_alter_table("coop_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coop_agreement_valid_until"))

    op.drop_table("coop_agreement")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_record_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("coop_position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coop_position_person_id"))

    op.drop_table("coop_position")
    with op.batch_alter_table("coop_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coop_event_start_date"))

    op.drop_table("coop_event")
    op.drop_table("coop_person")
    with op.batch_alter_table("coop_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coop_organisation_territory"))

    op.drop_table("coop_organisation")
