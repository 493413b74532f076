"""A user writes a deck tree by hand in TOML, imports it, exports it and imports it
again: every card stays in its subdeck (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import services
from app.core.clock import utcnow
from app.core.exporting import export_to_file
from app.core.importing import import_path
from app.core.store import Store
from app.model.errors import DeckFormatError

TREE = """\
format = "parley-deck"
version = 1

[deck]
name = "Networking"

[[cards]]
id = "net-osi"
kind = "flashcard"
front = "How many OSI layers?"
back = "Seven"

[[cards]]
id = "net-tcp"
kind = "flashcard"
deck = "Networking::Transport"
front = "What does TCP guarantee?"
back = "Ordered delivery"

[[cards]]
id = "net-quic"
kind = "flashcard"
deck = " Networking :: Transport :: QUIC "
front = "QUIC runs over?"
back = "UDP"

[[cards]]
id = "net-https"
kind = "flashcard"
deck = "Networking::Apps"
front = "Port of HTTPS"
back = "443"
"""


def layout(store: Store, top: str) -> dict[str, list[str]]:
    """Each deck of the tree ``top`` -> the ids of its cards."""
    with store.session() as s:
        every = [d.name for d in services.list_decks(s, utcnow())]
        names = [name for name in every if name == top or name.startswith(top + "::")]
        return {name: sorted(c.guid for c in services.list_cards(s, name)) for name in names}


def test_a_hand_written_tree_fills_every_subdeck(tmp_path: Path, store: Store) -> None:
    deck = tmp_path / "networking.toml"
    deck.write_text(TREE, encoding="utf-8")

    summary = import_path(store, deck)

    assert summary.added == 4
    assert layout(store, "Networking") == {
        "Networking": ["net-osi"],
        "Networking::Apps": ["net-https"],
        "Networking::Transport": ["net-tcp"],
        "Networking::Transport::QUIC": ["net-quic"],
    }


def test_the_tree_survives_an_export_and_a_re_import_elsewhere(
    tmp_path: Path, store: Store
) -> None:
    source = tmp_path / "networking.toml"
    source.write_text(TREE, encoding="utf-8")
    import_path(store, source)
    out = tmp_path / "out" / "exported.toml"
    out.parent.mkdir()
    with store.session() as s:
        export_to_file(s, "Networking", out)
    text = out.read_text(encoding="utf-8")
    assert 'deck = "Networking::Transport::QUIC"' in text
    assert text.count("deck = ") == 3  # the top deck's own card needs none

    other = Store.open(tmp_path / "other")
    try:
        import_path(other, out)
        assert layout(other, "Networking") == layout(store, "Networking")
        # Under another name the whole tree moves along.
        import_path(other, out, deck_name="Study::Net")
        assert layout(other, "Study::Net") == {
            "Study::Net": ["net-osi"],
            "Study::Net::Apps": ["net-https"],
            "Study::Net::Transport": ["net-tcp"],
            "Study::Net::Transport::QUIC": ["net-quic"],
        }
    finally:
        other.close()


def test_a_deck_path_with_an_empty_level_is_refused_naming_the_card(
    tmp_path: Path, store: Store
) -> None:
    deck = tmp_path / "broken.toml"
    deck.write_text(TREE.replace('"Networking::Apps"', '"Networking::::Apps"'), encoding="utf-8")

    with pytest.raises(DeckFormatError) as caught:
        import_path(store, deck)

    message = str(caught.value)
    assert "broken.toml" in message and "'net-https'" in message and "line 27" in message
    assert "empty level" in message and "\n" not in message
    assert layout(store, "Networking") == {}
