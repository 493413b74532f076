"""An Anki user brings a whole collection with subdecks, suspended, buried, learning and
scheduled cards and an image, studies in Parley, and takes it back to Anki (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anki_trees import PNG_BYTES, AnkiTree, build_anki_tree

from app.cli.main import main


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> AnkiTree:
    return build_anki_tree(tmp_path_factory.mktemp("anki-tree"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def cards_by_tag(
    capsys: pytest.CaptureFixture[str], data: str, deck: str
) -> dict[str, dict[str, Any]]:
    out = run(capsys, "cards", "--deck", deck, "--json", "--data-dir", data)
    return {card["tags"][0]: card for card in json.loads(out)}


def test_every_deck_of_the_tree_is_listed_by_its_full_name(
    tree: AnkiTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    summary = json.loads(
        run(capsys, "import", str(tree.package), "--with-scheduling", "--json", "--data-dir", data)
    )
    names = {d["name"] for d in json.loads(run(capsys, "decks", "--json", "--data-dir", data))}

    assert {"Networking", "Networking::Transport", "Networking::Apps", "Spanish"} <= names
    assert set(summary["decks"]) >= {"Networking::Transport", "Networking::Apps", "Spanish"}
    assert summary["added"] == 8
    assert summary["suspended"] == 1
    assert cards_by_tag(capsys, data, "Networking::Apps").keys() == {"apps", "buried"}
    assert cards_by_tag(capsys, data, "Networking") == {}  # a parent holds no cards itself


def test_suspended_buried_learning_and_review_cards_keep_their_state(
    tree: AnkiTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    run(capsys, "import", str(tree.package), "--with-scheduling", "--data-dir", data)
    spanish = cards_by_tag(capsys, data, "Spanish")
    transport = cards_by_tag(capsys, data, "Networking::Transport")
    apps = cards_by_tag(capsys, data, "Networking::Apps")

    assert (spanish["suspended"]["suspended"], spanish["ipa"]["suspended"]) == (True, False)
    assert (apps["buried"]["buried"], apps["apps"]["buried"]) == (True, False)
    assert transport["learning"]["state"] == "learning"
    assert transport["review"]["state"] == "review"
    assert transport["transport"]["state"] == "new"


def test_without_scheduling_cards_are_new_but_suspension_is_kept(
    tree: AnkiTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    run(capsys, "import", str(tree.package), "--data-dir", data)
    transport = cards_by_tag(capsys, data, "Networking::Transport")
    spanish = cards_by_tag(capsys, data, "Spanish")

    assert {c["state"] for c in transport.values()} == {"new"}
    assert spanish["suspended"]["suspended"] is True


def test_a_round_trip_to_a_fresh_anki_keeps_decks_media_suspension_and_schedule(
    tree: AnkiTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    data = str(tmp_path / "data")
    run(capsys, "import", str(tree.package), "--with-scheduling", "--data-dir", data)
    packages = []
    for top in ("Networking", "Spanish"):
        packages.append(tmp_path / f"{top}.apkg")
        run(capsys, "export", "--deck", top, "-o", str(packages[-1]), "--with-scheduling",
            "--data-dir", data)  # fmt: skip
    (tmp_path / "fresh").mkdir()

    col = Collection(str(tmp_path / "fresh" / "fresh.anki2"))
    try:
        for package in packages:
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=str(package),
                    options=ImportAnkiPackageOptions(with_scheduling=True),
                )
            )
        by_role = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            card = note.cards()[0]
            by_role[note.tags[0]] = (note, card, col.decks.name(card.did))
        media = Path(col.media.dir())

        assert by_role["transport"][2] == "Networking::Transport"
        assert by_role["apps"][2] == "Networking::Apps"
        assert by_role["ipa"][2] == "Spanish"
        ipa_type = by_role["ipa"][0].note_type()
        assert ipa_type is not None and ipa_type["type"] == 0  # standard, not made a cloze
        assert list(by_role["ipa"][0].fields) == ["[ˈagwa]", "agua, water"]
        assert by_role["suspended"][1].queue == -1
        assert by_role["image"][0]["Front"] == 'What is this? <img src="diagram.png">'
        assert (media / "diagram.png").read_bytes() == PNG_BYTES
        review = by_role["review"][1]
        assert (review.type, review.ivl) == (2, 12)
        assert review.due - col.sched.today in (4, 5, 6)
        assert by_role["learning"][1].type == 1
    finally:
        col.close()


def test_a_round_trip_into_the_original_collection_updates_its_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    tree = build_anki_tree(tmp_path / "anki")
    data = str(tmp_path / "data")
    run(capsys, "import", str(tree.package), "--with-scheduling", "--data-dir", data)
    out = tmp_path / "Networking.apkg"
    run(capsys, "export", "--deck", "Networking", "-o", str(out), "--data-dir", data)

    col = Collection(str(tree.source))
    try:
        before = len(col.find_notes(""))
        response = col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(out), options=ImportAnkiPackageOptions())
        )
        log = response.log

        assert len(col.find_notes("")) == before
        assert len(log.conflicting) == 0
        assert len(log.new) == 0
        assert len(log.updated) + len(log.duplicate) == 5  # the Networking notes
    finally:
        col.close()


def test_re_importing_the_same_package_is_unchanged_until_the_tree_changes(
    tree: AnkiTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    data = str(tmp_path / "data")
    run(capsys, "import", str(tree.package), "--data-dir", data)
    package = tmp_path / "networking.apkg"  # one tree: Parley can tell it is the same file
    run(capsys, "export", "--deck", "Networking", "-o", str(package), "--data-dir", data)
    data = str(tmp_path / "other")
    args = ("import", str(package), "--json", "--data-dir", data)
    first = json.loads(run(capsys, *args))
    again = json.loads(run(capsys, *args))
    conn = sqlite3.connect(Path(data) / "collection.sqlite3")
    with conn:
        conn.execute("UPDATE card SET deck_id = (SELECT id FROM deck WHERE name = "
                     "'Networking::Transport') WHERE guid = ?", (tree.guids["apps"],))  # fmt: skip
    conn.close()
    after_a_move = json.loads(run(capsys, *args))

    assert (first["added"], first["same_file"]) == (5, False)
    assert (again["unchanged"], again["added"], again["same_file"]) == (5, 0, True)
    assert (after_a_move["updated"], after_a_move["same_file"]) == (1, False)
    assert cards_by_tag(capsys, data, "Networking::Apps").keys() == {"apps", "buried"}


def test_a_csv_with_a_deck_column_fills_the_tree_and_says_what_it_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    path = tmp_path / "anki-notes.txt"
    path.write_text(
        "#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#tags column:5\n"
        "Basic\tNetworking::Transport\tTCP?\tOrdered delivery\tnet\n"
        "Basic (and reversed card)\tSpanish\tagua\twater\tes\n"
        "Basic\tNetworking::Apps\tPort of HTTPS\t\tnet\n",
        encoding="utf-8",
    )

    summary = json.loads(run(capsys, "import", str(path), "--json", "--data-dir", data))
    names = {d["name"] for d in json.loads(run(capsys, "decks", "--json", "--data-dir", data))}

    assert summary["added"] == 3
    assert set(summary["decks"]) == {"Networking", "Networking::Transport", "Spanish"}
    assert summary["left_out"] == [
        {"reason": "card with an empty back", "count": 1, "where": ["line 8"]}
    ]
    assert {"Networking", "Networking::Transport", "Spanish"} <= names
    assert "Networking::Apps" not in names
    text = run(capsys, "import", str(path), "--data-dir", str(tmp_path / "other"))
    assert "  decks: Networking, Networking::Transport, Spanish\n" in text
    assert "  1 skipped: card with an empty back (line 8)\n" in text
