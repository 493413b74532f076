"""Remembering which file a deck tree was last imported from, byte for byte.

Re-importing a package that did not change took several times Anki's own re-import,
because every note was read and compared again. With a digest of the file and of the
tree's cards as that import left them kept on the deck, a re-import of the same bytes
into a tree that nobody changed since is known to change nothing without reading it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deck") as batch:
        batch.add_column(sa.Column("import_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deck") as batch:
        batch.drop_column("import_digest")
