"""public registration is a claim: a company it creates is unlisted until approved, and a registration
for a company the registry knew already is a claim the organizer approves

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("company") as batch:
        batch.add_column(sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("mission_registration") as batch:
        batch.add_column(sa.Column("claim", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("mission_registration") as batch:
        batch.drop_column("claim")
    with op.batch_alter_table("company") as batch:
        batch.drop_column("listed")
