"""reference updates: the rate tables received by sync or file, and the region code changes applied

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_tables",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("effective_from", sa.String(7), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "region_changes",
        sa.Column("old_code", sa.String(10), primary_key=True),
        sa.Column("new_code", sa.String(10), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("regions_version", sa.String(64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("region_changes")
    op.drop_table("rate_tables")
