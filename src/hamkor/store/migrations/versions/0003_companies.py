"""companies, their contacts, meeting requests; users may speak for a company

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("name_uz", sa.String(length=300), nullable=True),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("tax_id", sa.String(length=12), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("export_experience", sa.Text(), nullable=True),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("offers_text", sa.Text(), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("needs_text", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )
    with op.batch_alter_table("company") as batch:
        batch.create_index(batch.f("ix_company_tax_id"), ["tax_id"])
        batch.create_index(batch.f("ix_company_country"), ["country"])
        batch.create_index(batch.f("ix_company_region"), ["region"])
    op.create_table(
        "company_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=60), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], name=op.f("fk_company_contact_company_id_company"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_contact")),
    )
    with op.batch_alter_table("company_contact") as batch:
        batch.create_index(batch.f("ix_company_contact_company_id"), ["company_id"])
    op.create_table(
        "meeting_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_a", sa.Integer(), nullable=False),
        sa.Column("company_b", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_a"], ["company.id"], name=op.f("fk_meeting_request_company_a_company"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["company_b"], ["company.id"], name=op.f("fk_meeting_request_company_b_company"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_meeting_request_created_by_app_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_request")),
    )
    with op.batch_alter_table("meeting_request") as batch:
        batch.create_index(batch.f("ix_meeting_request_company_a"), ["company_a"])
        batch.create_index(batch.f("ix_meeting_request_company_b"), ["company_b"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("company_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_app_user_company_id_company"), "company", ["company_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(batch.f("fk_app_user_company_id_company"), type_="foreignkey")
        batch.drop_column("company_id")
    op.drop_table("meeting_request")
    op.drop_table("company_contact")
    op.drop_table("company")
