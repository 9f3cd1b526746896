"""server-side sessions; API tokens with an expiry, a scope and revocation; calendar feed secrets

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_web_session_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session") as batch:
        batch.create_index(batch.f("ix_web_session_user_id"), ["user_id"])
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=8), nullable=False, server_default="write"))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("feed_secret_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(batch.f("uq_app_user_feed_secret_hash"), ["feed_secret_hash"])


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(batch.f("uq_app_user_feed_secret_hash"), type_="unique")
        batch.drop_column("password_changed_at")
        batch.drop_column("feed_secret_hash")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
        batch.drop_column("scope")
    with op.batch_alter_table("web_session") as batch:
        batch.drop_index(batch.f("ix_web_session_user_id"))
    op.drop_table("web_session")
