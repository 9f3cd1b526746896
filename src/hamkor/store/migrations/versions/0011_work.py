"""a service that runs for a year: jobs as data in a queue any worker claims (what to run, who holds it, when
it last showed life), mail claimed for sending outside a transaction, sign-in and form throttles shared by every
process, and one row per timed notice so that two workers never send it twice

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("queue", sa.String(16), nullable=False, server_default="other"))
        batch.add_column(sa.Column("worker", sa.String(80), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_job_queue_status", "job", ["queue", "status", "id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(80), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "worker_seen",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "throttle_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_throttle_event_key", "throttle_event", ["bucket", "key", "at"])
    op.create_table(
        "mission_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mission_id", sa.Integer(), sa.ForeignKey("mission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("mission_id", "kind", "recipient", name="uq_mission_notice"),
    )
    # the timed notices already in the outbox were sent (or wait to be): the upgrade does not send them again
    op.execute(sa.text(
        "INSERT INTO mission_notice (mission_id, kind, recipient, at) "
        "SELECT mission_id, kind, recipient, min(created_at) FROM outbox "
        "WHERE mission_id IS NOT NULL AND kind IN ('deadline-near', 'agenda-tomorrow', 'followup-1', 'followup-6') "
        "GROUP BY mission_id, kind, recipient"))


def downgrade() -> None:
    op.drop_table("mission_notice")
    op.drop_index("ix_throttle_event_key", "throttle_event")
    op.drop_table("throttle_event")
    op.drop_table("worker_seen")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
    op.drop_index("ix_job_queue_status", "job")
    with op.batch_alter_table("job") as batch:
        for column in ("started_at", "attempts", "heartbeat_at", "worker", "queue", "params"):
            batch.drop_column(column)
