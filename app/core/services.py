"""The operations on decks, cards, reviews and attempts that the CLI and the GUI call,
gathered in one place so neither reaches into the modules behind them.

Work that is not one transaction has its own module, called directly: ``backups``
(files beside the collection), ``importing`` and ``exporting`` (files, then one
transaction), ``stats``. The functions here take an open ``Session`` (one transaction)
so the caller decides which thread and which unit of work they run in.
"""

from app.core.attempts import AttemptData, attempts_for_card, record_attempt, set_attempt_rating
from app.core.browse import find_cards
from app.core.cardstate import bury, set_suspended, unbury
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
from app.core.editing import (
    CardFields,
    DeckLoss,
    Undo,
    add_card,
    change_tags,
    deck_loss,
    delete_cards,
    edit_card,
    move_cards,
    rename_deck,
    reset_cards,
    snapshot_cards,
    undo,
)
from app.core.editing import delete_deck as delete_deck_with_undo
from app.core.reviews import due_queue, next_due, queue_counts, review_card, undo_review
from app.core.views import CardView, DeckSummary, ImportSummary, QueueCounts
from app.model.deckdata import IMPORT_MODES, ImportMode
from app.model.settings import DailyLimits

__all__ = [
    "IMPORT_MODES",
    "AttemptData",
    "CardFields",
    "CardView",
    "DailyLimits",
    "DeckLoss",
    "DeckSummary",
    "ImportMode",
    "ImportSummary",
    "QueueCounts",
    "Undo",
    "add_card",
    "attempts_for_card",
    "bury",
    "change_tags",
    "deck_loss",
    "delete_cards",
    "delete_deck",
    "delete_deck_with_undo",
    "due_queue",
    "edit_card",
    "export_deck",
    "find_cards",
    "find_deck",
    "get_card",
    "get_cards",
    "import_deck",
    "list_cards",
    "list_decks",
    "move_cards",
    "next_due",
    "queue_counts",
    "record_attempt",
    "rename_deck",
    "reset_cards",
    "review_card",
    "set_attempt_rating",
    "set_suspended",
    "snapshot_cards",
    "unbury",
    "undo",
    "undo_review",
]
