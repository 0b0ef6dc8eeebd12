"""sync: keep each batch's exact payload (a resend must be byte-for-byte the same) and the server's
enrolled-NIK digests for the offline duplicate check

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_batches") as batch_op:
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "enrolled_digests",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("village_code", sa.String(10), nullable=False, index=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("server_uuid", sa.String(36), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("enrolled_digests")
    with op.batch_alter_table("sync_batches") as batch_op:
        batch_op.drop_column("payload")
