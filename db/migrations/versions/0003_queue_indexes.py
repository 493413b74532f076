"""Indexes for the study queue, so it stays within milliseconds with 100,000 cards.

Without them the new-card query, the due and new counts and the "introduced / reviewed
today" counts read every card of the deck (bench/bench_db.py: about a second each with
100,000 cards). The two partial indexes on card match the queue's own conditions
(``last_review IS NULL`` for new cards in deck order, ``IS NOT NULL`` for reviews by due
date) and hold every column those queries read; the review_log index answers "how many
new cards / reviews today" from today's rows alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_card_new_queue",
        "card",
        ["deck_id", "position", "id", "kind"],
        sqlite_where=sa.text("last_review IS NULL"),
    )
    op.create_index(
        "ix_card_review_queue",
        "card",
        ["deck_id", "due", "kind"],
        sqlite_where=sa.text("last_review IS NOT NULL"),
    )
    op.create_index("ix_review_log_day", "review_log", ["was_new", "reviewed_at", "card_id"])


def downgrade() -> None:
    op.drop_index("ix_review_log_day", table_name="review_log")
    op.drop_index("ix_card_review_queue", table_name="card")
    op.drop_index("ix_card_new_queue", table_name="card")
