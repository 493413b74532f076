"""Attempt stats columns: the rating the user finally gave, words per minute and the
filler count, so statistics can chart delivery without parsing every result JSON.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("wpm", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("filler_count", sa.Integer(), nullable=False, server_default="0")
        )
    # Older attempts already carry delivery in their result JSON: lift it into the columns.
    op.execute(
        "UPDATE attempt SET wpm = json_extract(result, '$.delivery.wpm'), "
        "filler_count = COALESCE((SELECT SUM(value) FROM json_each(attempt.result, "
        "'$.delivery.fillers')), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("filler_count")
        batch_op.drop_column("wpm")
        batch_op.drop_column("rating")
