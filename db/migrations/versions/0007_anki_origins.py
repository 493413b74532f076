"""What Anki decks bring beyond text: images, and the note each card came from.

``card.images`` lists the image files a card shows (from the media folder, like its
sounds). ``card.origin`` remembers the Anki note a card was read from — note type,
template ordinal and the note's fields as HTML — and ``anki_notetype`` keeps those note
types, so that exporting the deck gives Anki back the same notes, which it then updates
instead of reporting as conflicts. Deck hierarchy needs no column: a deck's name is its
full ``Parent::Child`` path, as in Anki.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.add_column(sa.Column("images", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("origin", sa.JSON(), nullable=True))
    op.create_table(
        "anki_notetype",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anki_notetype")),
    )


def downgrade() -> None:
    op.drop_table("anki_notetype")
    with op.batch_alter_table("card") as batch:
        batch.drop_column("origin")
        batch.drop_column("images")
