"""An unconfirmed registration holds nothing: a company a registration made stays `company.provisional` until its
address is confirmed (another registrant of the same tax ID is not refused meanwhile), and one company may have
several registrations for a mission (each registrant's own, the organizers decide) but one approved

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

APPROVED = sa.text("status = 'approved'")


def upgrade() -> None:
    with op.batch_alter_table("company") as batch:
        batch.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("mission_registration") as batch:
        batch.drop_constraint("uq_mission_registration_company", type_="unique")
    op.create_index("uq_mission_registration_approved", "mission_registration", ["mission_id", "company_id"],
                    unique=True, sqlite_where=APPROVED, postgresql_where=APPROVED)


def downgrade() -> None:
    op.drop_index("uq_mission_registration_approved", table_name="mission_registration")
    with op.batch_alter_table("mission_registration") as batch:
        batch.create_unique_constraint("uq_mission_registration_company", ["mission_id", "company_id"])
    with op.batch_alter_table("company") as batch:
        batch.drop_column("provisional")
