"""The one import site for the CLI and the GUI: every operation on the collection.

Functions take an open ``Session`` (one transaction) so the caller decides which thread
and which unit of work they run in.
"""

from app.core.attempts import AttemptData, attempts_for_card, record_attempt, set_attempt_rating
from app.core.cardstate import bury, set_suspended, unbury
from app.core.deckdata import IMPORT_MODES, ImportMode
from app.core.decks import (
    delete_deck,
    export_deck,
    find_deck,
    get_card,
    get_cards,
    import_deck,
    list_cards,
    list_decks,
)
from app.core.reviews import due_queue, next_due, queue_counts, review_card, undo_review
from app.core.views import CardView, DeckSummary, ImportSummary

__all__ = [
    "IMPORT_MODES",
    "AttemptData",
    "CardView",
    "DeckSummary",
    "ImportMode",
    "ImportSummary",
    "attempts_for_card",
    "bury",
    "delete_deck",
    "due_queue",
    "export_deck",
    "find_deck",
    "get_card",
    "get_cards",
    "import_deck",
    "list_cards",
    "list_decks",
    "next_due",
    "queue_counts",
    "record_attempt",
    "review_card",
    "set_attempt_rating",
    "set_suspended",
    "unbury",
    "undo_review",
]
