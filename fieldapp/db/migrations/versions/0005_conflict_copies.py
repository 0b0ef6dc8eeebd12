"""conflicts: the server's copy of a record that came back as ``conflict``, shown beside the laptop's

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conflict_copies",
        sa.Column("participant_uuid", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("conflict_copies")
