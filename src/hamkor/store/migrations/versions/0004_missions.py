"""business missions: participants, meeting requests, meetings with outcomes, enterprise visits

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "mission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("host_territory", sa.String(length=10), nullable=False),
        sa.Column("visiting_territory", sa.String(length=10), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("interpreters", sa.JSON(), nullable=False),
        sa.Column("request_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("certificate", sa.JSON(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission")),
    )
    op.create_table(
        "mission_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("available", sa.JSON(), nullable=True),
        sa.Column("joins_visits", sa.Boolean(), nullable=False),
        sa.Column("absent", sa.Boolean(), nullable=False),
        _fk("mission_participant", "mission_id", "mission", "CASCADE"),
        _fk("mission_participant", "company_id", "company", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_participant")),
        sa.UniqueConstraint("mission_id", "company_id", name="uq_mission_participant_company"),
    )
    op.create_table(
        "mission_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _fk("mission_request", "mission_id", "mission", "CASCADE"),
        _fk("mission_request", "requester_id", "mission_participant", "CASCADE"),
        _fk("mission_request", "target_id", "mission_participant", "CASCADE"),
        _fk("mission_request", "created_by", "app_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_request")),
    )
    op.create_table(
        "mission_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=20), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("interpreter", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=12), nullable=True),
        sa.Column("hs_code", sa.String(length=10), nullable=True),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("mission_meeting", "mission_id", "mission", "CASCADE"),
        _fk("mission_meeting", "request_id", "mission_request", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_meeting")),
        sa.UniqueConstraint("request_id", name=op.f("uq_mission_meeting_request_id")),
    )
    op.create_table(
        "mission_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("opens", sa.String(length=5), nullable=False),
        sa.Column("closes", sa.String(length=5), nullable=False),
        sa.Column("visit_minutes", sa.Integer(), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("planned_date", sa.String(length=10), nullable=True),
        sa.Column("arrive", sa.Integer(), nullable=True),
        sa.Column("leave", sa.Integer(), nullable=True),
        _fk("mission_visit", "mission_id", "mission", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_visit")),
    )
    for table, columns in (("mission_participant", ["mission_id", "company_id"]),
                           ("mission_request", ["mission_id", "requester_id", "target_id", "status"]),
                           ("mission_meeting", ["mission_id"]), ("mission_visit", ["mission_id"])):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.create_index(batch.f(f"ix_{table}_{column}"), [column])


def downgrade() -> None:
    for table in ("mission_visit", "mission_meeting", "mission_request", "mission_participant", "mission"):
        op.drop_table(table)
