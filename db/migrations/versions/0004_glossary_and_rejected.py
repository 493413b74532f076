"""A deck's glossary, and the phrases a user rejected for a key point.

The glossary (terms, acronyms, mishearings, the options a deck weighs) moved out of the
scoring code into each deck; the rejected phrases are what a user said did not make a
key point, so the scorer stops counting them. Both are JSON and start empty, so existing
rows need no conversion.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deck") as batch:
        batch.add_column(sa.Column("glossary", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("key_point") as batch:
        batch.add_column(sa.Column("rejected", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("key_point") as batch:
        batch.drop_column("rejected")
    with op.batch_alter_table("deck") as batch:
        batch.drop_column("glossary")
