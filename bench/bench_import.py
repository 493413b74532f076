"""How long importing a big Anki deck takes in Parley, next to Anki itself.

Builds a current-format (.apkg with collection.anki21b) package of N notes (about 1.1
cards a note: some reversed and cloze) with the ``anki`` library, then in the same run
times, each as its own process from start to exit:

  (a) Anki's own import of it into a fresh collection, then again into that collection
      (nothing changed: Anki finds every note already there);
  (b) ``parley import`` of it into a data dir that exists (migrated, built-in deck
      seeded), then again (every card unchanged).

With ``--repeat N`` each of N rounds runs (a) then (b), and the best of each is kept;
wall times are the targets, CPU times are printed beside them. Both sides run with
compiled bytecode, as installed programs do: pip compiled the ``anki`` library when it
installed it, and an installed Parley has its ``.pyc`` files too, but this work tree has
no ``__pycache__`` and the environment may set ``PYTHONDONTWRITEBYTECODE``, which made
every Parley run compile its own modules again (about 0.09 s of CPU). So the timed
processes read and write bytecode under a folder of the bench's own
(``PYTHONPYCACHEPREFIX``), filled by one untimed run of each side first. Also times Parley's
reader (``read_apkg``) in this process, for the profile. Targets: first import <= 1.5x
Anki, re-import <= 2x. Run from the repo root:

    .venv/bin/python -m bench.bench_import [--notes 22000] [--repeat 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import time_process

FIRST_RATIO = 1.5
REIMPORT_RATIO = 2.0
TARGET_RATIO = FIRST_RATIO  # kept for callers of the older single figure


def build_package(folder: Path, notes: int) -> Path:
    """A deck shaped like real ones: mostly Basic, some reversed and cloze, tags, sounds."""
    from anki.collection import (
        AddNoteRequest,
        Collection,
        DeckIdLimit,
        ExportAnkiPackageOptions,
    )

    col = Collection(str(folder / "source.anki2"))
    try:
        media = Path(col.media.dir())
        for i in range(20):
            (media / f"clip{i}.mp3").write_bytes(b"ID3" + bytes(2000 + i))
        deck_id = col.decks.id("Bench Deck", create=True)
        basic = col.models.by_name("Basic")
        reversed_ = col.models.by_name("Basic (and reversed card)")
        cloze = col.models.by_name("Cloze")
        if deck_id is None or basic is None or reversed_ is None or cloze is None:
            raise RuntimeError("a fresh Anki collection lacks its stock deck or note types")
        requests = []
        for i in range(notes):
            if i % 20 == 0:
                note = col.new_note(cloze)
                note["Text"] = f"Note {i}: {{{{c1::TCP}}}} is reliable, {{{{c2::UDP::proto}}}} not"
            else:
                note = col.new_note(reversed_ if i % 10 == 0 else basic)
                note["Front"] = f"Question <b>{i}</b> about port {i % 1000}?"
                note["Back"] = f"Answer {i}<br>with a second line &amp; an entity"
                if i % 50 == 0:
                    note["Front"] += f"[sound:clip{i % 20}.mp3]"
            note.tags = [f"topic{i % 7}", "bench"]
            requests.append(AddNoteRequest(note=note, deck_id=deck_id))
        col.add_notes(requests)
        out = folder / "bench.apkg"
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
        )
        col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck_id))
    finally:
        col.close()
    return out


def best_of(repeat: int, run: Callable[[Path], object], folder: Path) -> float:
    times = []
    for attempt in range(repeat):
        scratch = folder / f"run-{attempt}"
        scratch.mkdir(parents=True)
        start = time.perf_counter()
        run(scratch)
        times.append(time.perf_counter() - start)
    return min(times)


def anki_import_once(package: Path, collection: Path) -> None:
    """What the Anki process runs: open (or make) the collection, import, close."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(collection))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()
        )
        col.import_anki_package(request)
    finally:
        col.close()


def parley_read(package: Path) -> Callable[[Path], object]:
    from app.formats.apkg import read_apkg

    return lambda scratch: read_apkg(package, staging_dir=scratch / "staging")


def _anki_cmd(package: Path, collection: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.bench_import",
        "--anki-import",
        str(package),
        str(collection),
    ]


def _parley_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "app", *args]


Timing = tuple[float, float, float, float]


def bytecode_env(cache: Path) -> dict[str, str]:
    """The environment for the timed processes: bytecode kept under ``cache``, written
    when missing. The prefix puts every module's bytecode there, the site-packages'
    too, so neither side reads what the other's warm-up run wrote."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def timed_pairs(
    runs: Sequence[tuple[list[str], Callable[[], None]]],
    repeat: int,
    env: dict[str, str] | None = None,
) -> list[Timing]:
    """For each (command, reset): the best wall time of its first run (after the reset)
    and of the run right after it, over ``repeat`` rounds, then the best CPU time of each.
    Every round runs every command in turn, so a load that comes and goes on the shared
    machine falls on both sides instead of on one. The targets are wall times; CPU time,
    which waiting for a core does not inflate, tells a busy machine from a slow program
    when the wall times swing from run to run."""
    samples: list[tuple[list[tuple[float, float]], list[tuple[float, float]]]] = [
        ([], []) for _ in runs
    ]
    for _ in range(repeat):
        for (cmd, reset), (firsts, agains) in zip(runs, samples, strict=True):
            reset()
            firsts.append(time_process(cmd, env))
            agains.append(time_process(cmd, env))
    return [
        (
            min(w for w, _ in firsts),
            min(w for w, _ in agains),
            min(c for _, c in firsts),
            min(c for _, c in agains),
        )
        for firsts, agains in samples
    ]


_BENCH_CARDS = "SELECT count(*) FROM card JOIN deck ON deck.id = card.deck_id WHERE deck.name = ?"


def count_cards(data_dir: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(data_dir / "collection.sqlite3")
    try:
        return int(conn.execute(_BENCH_CARDS, ("Bench Deck",)).fetchone()[0])
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=22_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for each timing")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--anki-import", nargs=2, metavar=("PACKAGE", "COLLECTION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.anki_import:
        anki_import_once(Path(args.anki_import[0]), Path(args.anki_import[1]))
        return 0

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        package = build_package(folder, args.notes)
        build_seconds = time.perf_counter() - start
        results: dict[str, object] = {
            "notes": args.notes,
            "package_bytes": package.stat().st_size,
            "build_seconds": round(build_seconds, 3),
        }
        anki_dir = folder / "anki"
        collection = anki_dir / "target.anki2"

        def fresh_anki() -> None:
            shutil.rmtree(anki_dir, ignore_errors=True)
            anki_dir.mkdir()

        data = folder / "parley"
        env = bytecode_env(folder / "pycache")

        def fresh_parley() -> None:
            shutil.rmtree(data, ignore_errors=True)
            time_process(_parley_cmd("decks", "--data-dir", str(data)), env)  # migrate, seed

        runs = [
            (_anki_cmd(package, collection), fresh_anki),
            (_parley_cmd("import", str(package), "--data-dir", str(data)), fresh_parley),
        ]
        for cmd, reset in runs:  # untimed: compiles what each side imports
            reset()
            time_process(cmd, env)
        load_before = os.getloadavg()[0]
        anki, parley = timed_pairs(runs, args.repeat, env)
        results["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        anki_first, anki_again, anki_first_cpu, anki_again_cpu = anki
        parley_first, parley_again, parley_first_cpu, parley_again_cpu = parley
        results["cards"] = count_cards(data)
        read = best_of(args.repeat, parley_read(package), folder / "read")
        results.update(
            {
                "anki_import_seconds": round(anki_first, 3),
                "anki_reimport_seconds": round(anki_again, 3),
                "parley_import_seconds": round(parley_first, 3),
                "parley_reimport_seconds": round(parley_again, 3),
                "parley_read_seconds": round(read, 3),
                "import_ratio": round(parley_first / anki_first, 2),
                "reimport_ratio": round(parley_again / anki_again, 2),
                "read_ratio": round(read / anki_first, 2),
                "anki_import_cpu_seconds": round(anki_first_cpu, 3),
                "anki_reimport_cpu_seconds": round(anki_again_cpu, 3),
                "parley_import_cpu_seconds": round(parley_first_cpu, 3),
                "parley_reimport_cpu_seconds": round(parley_again_cpu, 3),
                "import_cpu_ratio": round(parley_first_cpu / anki_first_cpu, 2),
                "reimport_cpu_ratio": round(parley_again_cpu / anki_again_cpu, 2),
                "first_ratio_target": FIRST_RATIO,
                "reimport_ratio_target": REIMPORT_RATIO,
            }
        )
        results["meets_target"] = (
            parley_first <= FIRST_RATIO * anki_first and parley_again <= REIMPORT_RATIO * anki_again
        )

    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print(
            f"{args.notes} notes ({results['cards']} cards), package "
            f"{results['package_bytes']:,} bytes (built in {build_seconds:.1f} s); each a process"
        )
        print(
            f"  first import  Anki {anki_first:7.2f} s  Parley {parley_first:7.2f} s  "
            f"{results['import_ratio']}x (target <= {FIRST_RATIO}x)"
        )
        print(
            f"  re-import     Anki {anki_again:7.2f} s  Parley {parley_again:7.2f} s  "
            f"{results['reimport_ratio']}x (target <= {REIMPORT_RATIO}x)"
        )
        print(
            f"  CPU (user + system): first import Anki {anki_first_cpu:.2f} s, Parley "
            f"{parley_first_cpu:.2f} s, {results['import_cpu_ratio']}x; re-import Anki "
            f"{anki_again_cpu:.2f} s, Parley {parley_again_cpu:.2f} s, "
            f"{results['reimport_cpu_ratio']}x"
        )
        print(f"  Parley read_apkg in-process: {read:.2f} s")
        print(f"  load average (1 min) before and after the timed runs: {results['load_average']}")
        print(f"  {'meets' if results['meets_target'] else 'MISSES'} the targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
