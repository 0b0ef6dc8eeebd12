"""counts by sync state and per village read one covering index instead of the whole table

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 07:00:00

"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_participants_village", table_name="participants")
    op.create_index("ix_participants_active_village", "participants", ["active", "village_code", "sync_state"])


def downgrade() -> None:
    op.drop_index("ix_participants_active_village", table_name="participants")
    op.create_index("ix_participants_village", "participants", ["village_code", "sync_state"])
