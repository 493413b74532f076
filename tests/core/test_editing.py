"""A user changes their collection: edits, adds, moves, tags, resets and deletes cards,
renames and deletes decks, and undoes what they regret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core import services
from app.core.editing import CardFields, clean_deck_name, format_key_points, parse_key_points
from app.core.store import Store
from app.model.deckdata import CardData, DeckData, KeyPoint, PersonaData
from app.model.errors import KnownError

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _import(store: Store, name: str = "Practice", n: int = 3) -> list[int]:
    deck = DeckData(
        name=name,
        personas=[PersonaData("pm", "Priya", "Product manager")],
        cards=[
            *(
                CardData(guid=f"c{i}", kind="flashcard", front=f"Q{i}", back=f"A{i}", tags=["t"])
                for i in range(n)
            ),
            CardData(
                guid="r1",
                kind="roleplay",
                persona="pm",
                question="Why RAG?",
                model_answer="Fresh facts.",
                key_points=[KeyPoint("fresh facts", ["up to date"], ["stale"])],
            ),
        ],
    )
    with store.session() as s:
        services.import_deck(s, deck)
        return [c.id for c in services.list_cards(s, name)]


def test_editing_a_back_shows_in_the_card_and_undo_brings_the_old_one(store: Store) -> None:
    ids = _import(store)
    with store.session() as s:
        change = services.edit_card(s, ids[0], CardFields(back="A better answer"), NOW)
    with store.session() as s:
        assert services.get_card(s, ids[0]).back == "A better answer"
        services.undo(s, change)
    with store.session() as s:
        card = services.get_card(s, ids[0])
        assert card.back == "A0" and card.tags == ["t"]


def test_editing_key_points_keeps_what_the_user_rejected_for_a_kept_label(store: Store) -> None:
    ids = _import(store)
    points = parse_key_points("fresh facts | current data\nno retraining | no fine-tune")
    with store.session() as s:
        services.edit_card(s, ids[3], CardFields(key_points=points, persona="cto"), NOW)
    with store.session() as s:
        card = services.get_card(s, ids[3])
    assert [(k.label, k.alternatives, k.rejected) for k in card.key_points] == [
        ("fresh facts", ["current data"], ["stale"]),
        ("no retraining", ["no fine-tune"], []),
    ]
    assert card.persona == "cto"
    assert (
        format_key_points(card.key_points)
        == "fresh facts | current data\nno retraining | no fine-tune"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (CardFields(front="  "), "a flashcard needs a front"),
        (CardFields(key_points=[KeyPoint("x")]), "only role-plays have key points"),
        (CardFields(tags=["two words"]), "a tag is one word"),
    ],
)
def test_a_bad_edit_says_what_is_wrong_and_changes_nothing(
    store: Store, fields: CardFields, message: str
) -> None:
    ids = _import(store)
    with pytest.raises(KnownError, match=message), store.session() as s:
        services.edit_card(s, ids[0], fields, NOW)
    with store.session() as s:
        card = services.get_card(s, ids[0])
        assert (card.front, card.back, card.tags) == ("Q0", "A0", ["t"])


def test_a_key_point_line_without_a_label_is_refused() -> None:
    with pytest.raises(KnownError, match="no label"):
        parse_key_points("| only an alternative")


def test_an_added_card_joins_the_end_of_the_deck_and_is_due_as_new(store: Store) -> None:
    _import(store)
    with store.session() as s:
        card_id = services.add_card(
            s, "Practice", "flashcard", CardFields(front="New Q", back="New A", tags=["x"]), NOW
        )
    with store.session() as s:
        deck = services.find_deck(s, "Practice")
        queue = services.due_queue(s, deck.id, NOW, new_per_day=20)
        assert queue[-1] == card_id
        assert services.get_card(s, card_id).tags == ["x"]


def test_deleting_cards_and_undoing_brings_back_their_reviews(store: Store) -> None:
    ids = _import(store)
    with store.session() as s:
        services.review_card(s, ids[1], 3, NOW)
    with store.session() as s:
        change = services.delete_cards(s, ids[:2])
    assert change.description == "delete 2 cards"
    with store.session() as s:
        assert [c.id for c in services.list_cards(s, "Practice")] == ids[2:]
        services.undo(s, change)
    with store.session() as s:
        card = services.get_card(s, ids[1])
        assert not card.is_new and card.tags == ["t"]
        deck = services.find_deck(s, "Practice")
        # The review is back too: today's allowance of new cards is one smaller.
        assert services.queue_counts(s, deck.id, NOW, new_per_day=3).new == 2


def test_a_reset_card_is_new_again(store: Store) -> None:
    ids = _import(store)
    with store.session() as s:
        services.review_card(s, ids[0], 3, NOW)
    with store.session() as s:
        change = services.reset_cards(s, [ids[0]])
    with store.session() as s:
        assert services.get_card(s, ids[0]).is_new
        services.undo(s, change)
    with store.session() as s:
        assert not services.get_card(s, ids[0]).is_new


def test_tags_are_added_and_removed_across_cards(store: Store) -> None:
    ids = _import(store)
    with store.session() as s:
        services.change_tags(s, ids[:2], add=["exam"], remove=["t"])
    with store.session() as s:
        assert [c.tags for c in services.get_cards(s, ids[:3])] == [["exam"], ["exam"], ["t"]]


def test_a_moved_role_play_takes_its_persona_and_undo_takes_it_back(store: Store) -> None:
    ids = _import(store)
    _import(store, "Other", n=1)
    with store.session() as s:
        other = services.find_deck(s, "Other")
        s.delete(other.personas[0])  # the target has no "pm" of its own
    with store.session() as s:
        change = services.move_cards(s, [ids[0], ids[3]], "Other")
    with store.session() as s:
        moved = services.get_card(s, ids[3])
        assert moved.deck == "Other" and moved.persona_info is not None
        assert moved.persona_info.name == "Priya"
        # c0 already existed in Other: the moved one gets an id of its own.
        assert services.get_card(s, ids[0]).guid == "c0#2"
        services.undo(s, change)
    with store.session() as s:
        assert services.get_card(s, ids[3]).deck == "Practice"
        assert services.find_deck(s, "Other").personas == []


def test_renaming_a_parent_renames_its_nested_decks(store: Store) -> None:
    _import(store, "Work::AI")
    _import(store, "Work", n=1)
    with store.session() as s:
        services.rename_deck(s, "Work", "Job")
    with store.session() as s:
        names = {d.name for d in services.list_decks(s, NOW)}
    assert {"Job", "Job::AI"} <= names and not names & {"Work", "Work::AI"}


@pytest.mark.parametrize(
    ("new", "message"),
    [("", "needs a name"), ("A:: ", "every part"), ("Taken", "already a deck named 'Taken'")],
)
def test_a_deck_cannot_be_renamed_to_nothing_or_to_a_name_in_use(
    store: Store, new: str, message: str
) -> None:
    _import(store, "Mine", n=1)
    _import(store, "Taken", n=1)
    with pytest.raises(KnownError, match=message), store.session() as s:
        services.rename_deck(s, "Mine", new)
    with store.session() as s:
        assert services.find_deck(s, "Mine")


def test_deleting_a_deck_names_the_loss_and_undo_restores_all_of_it(store: Store) -> None:
    ids = _import(store, "Gone")
    _import(store, "Gone::Child", n=1)
    with store.session() as s:
        services.review_card(s, ids[0], 3, NOW)
    with store.session() as s:
        loss = services.deck_loss(s, "Gone")
    assert loss.describe() == (
        "4 flashcards, 2 role-plays and 1 nested deck, with 1 review and 0 recorded answers"
    )
    with store.session() as s:
        change = services.delete_deck_with_undo(s, "Gone")
    with store.session() as s:
        names = [d.name for d in services.list_decks(s, NOW)]
        assert "Gone" not in names and "Gone::Child" not in names
        services.undo(s, change)
    with store.session() as s:
        assert len(services.list_cards(s, "Gone")) == 4
        assert len(services.list_cards(s, "Gone::Child")) == 2
        assert not services.get_card(s, ids[0]).is_new
        assert services.get_card(s, ids[3]).persona_info is not None


def test_searching_finds_cards_by_text_deck_tag_kind_and_state(store: Store) -> None:
    ids = _import(store)
    _import(store, "Other", n=1)
    with store.session() as s:
        services.set_suspended(s, [ids[2]], True)
        services.review_card(s, ids[1], 3, NOW - timedelta(days=30))

    def found(text: str) -> list[int]:
        with store.session() as s:
            return [c.id for c in services.find_cards(s, text, NOW)]

    assert found('deck:Practice "why rag"') == [ids[3]]
    assert found("deck:Practice fresh") == [ids[3]]  # a key point's label
    assert found("deck:Practice kind:roleplay") == [ids[3]]
    assert found("deck:Practice is:suspended") == [ids[2]]
    assert found("deck:Practice is:due") == [ids[1]]
    assert len(found("tag:t")) == 4
    assert found("q0 deck:Other") != [] and found("nothing-like-this") == []


@pytest.mark.parametrize("text", ['deck:"open', "is:sleeping", "kind:essay", "tag:"])
def test_a_bad_search_says_what_is_wrong(store: Store, text: str) -> None:
    with pytest.raises(KnownError, match="search"), store.session() as s:
        services.find_cards(s, text, NOW)


def test_deck_names_are_trimmed_around_the_nesting_separator() -> None:
    assert clean_deck_name(" Work :: AI ") == "Work::AI"
