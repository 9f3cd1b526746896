"""cooperation records in each language: an event's, agreement's and commitment's title (and an event's
summary) may be written in Uzbek and English beside the original, so that a brief is not half Russian

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TITLED = ("coop_event", "coop_agreement", "coop_commitment")


def upgrade() -> None:
    for table in TITLED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("title_uz", sa.String(400), nullable=True))
            batch.add_column(sa.Column("title_en", sa.String(400), nullable=True))
    with op.batch_alter_table("coop_event") as batch:
        batch.add_column(sa.Column("summary_uz", sa.Text(), nullable=True))
        batch.add_column(sa.Column("summary_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coop_event") as batch:
        batch.drop_column("summary_en")
        batch.drop_column("summary_uz")
    for table in reversed(TITLED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("title_en")
            batch.drop_column("title_uz")
