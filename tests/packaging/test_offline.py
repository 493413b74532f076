"""Parley works with the network gone: a first run with only the built-in Whisper model, studying,
importing and exporting never open a connection or look up a host name.

The GUI rehearsal flow is covered by the UI's tests with the same ``no_network`` fixture.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from app.cli.main import build_parser, main

from no_network import NetworkAttempts, NetworkBlocked, install

DECK = "RAG vs Fine-Tuning"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def commands() -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return set(sub.choices or ())


def test_the_guard_records_and_refuses_every_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = install(monkeypatch)
    with pytest.raises(OSError):  # urllib wraps it in URLError, an OSError too
        urllib.request.urlopen("http://example.invalid/model.zip", timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(OSError):
        s.connect(("127.0.0.1", 9))
    with pytest.raises(OSError):
        socket.getaddrinfo("alphacephei.com", 443)
    kinds = [what for what, _target in seen.attempts]
    assert kinds == [
        "socket.create_connection",  # urlopen
        "socket.create_connection",
        "socket.connect",
        "socket.getaddrinfo",
    ]


def test_local_ipc_is_not_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = install(monkeypatch)
    path = str(tmp_path / "ipc.sock")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen(1)
        client.connect(path)
    assert seen.attempts == []


def test_first_run_lists_studies_and_round_trips_decks_offline(
    no_network: NetworkAttempts,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PARLEY_VOSK_MODEL", raising=False)
    decks = json.loads(run(capsys, "decks", "--json"))
    assert DECK in [d["name"] for d in decks]
    cards = json.loads(run(capsys, "cards", "--deck", DECK, "--json"))
    assert cards

    for ext in ("toml", "csv", "apkg"):
        out = tmp_path / f"deck.{ext}"
        run(capsys, "export", "--deck", DECK, "-o", str(out))
        assert out.stat().st_size > 0
        run(capsys, "import", str(out), "--deck", f"Copy from {ext}", "--json")

    names = {d["name"] for d in json.loads(run(capsys, "decks", "--json"))}
    assert {"Copy from toml", "Copy from csv", "Copy from apkg"} <= names
    assert no_network.attempts == []


@pytest.mark.slow
def test_speech_without_a_vosk_model_stays_offline(
    no_network: NetworkAttempts,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not {"transcribe", "score", "models"} <= commands():
        pytest.skip("the speech commands (app/cli/speech_cmds.py) are not registered")
    if shutil.which("flite") is None:
        pytest.skip("flite is needed to synthesise an answer (scripts/dev setup installs it)")
    monkeypatch.delenv("PARLEY_VOSK_MODEL", raising=False)
    wav = tmp_path / "answer.wav"
    subprocess.run(
        ["flite", "-voice", "rms", "-t", "Retrieval keeps answers grounded.", "-o", str(wav)],
        check=True,
        timeout=60,
    )
    run(capsys, "models", "list", "--json")
    transcript = json.loads(run(capsys, "transcribe", str(wav), "--json"))
    assert transcript["text"]
    cards = json.loads(run(capsys, "cards", "--deck", DECK, "--json"))
    card = next(c for c in cards if c["kind"] == "roleplay")  # only role-plays are scored
    scored = json.loads(
        run(capsys, "score", str(card["id"]), "--text", "retrieval grounds answers", "--json")
    )
    assert "coverage" in scored
    assert no_network.attempts == []
