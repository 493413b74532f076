"""Suspended and buried cards.

A suspended card stays out of every study queue until the user unsuspends it; a buried
card stays out until ``buried_until`` (the start of the next day, usually). Anki decks
bring both, and the card browser sets them. Existing cards are neither.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.add_column(
            sa.Column("suspended", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("buried_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.drop_column("buried_until")
        batch.drop_column("suspended")
