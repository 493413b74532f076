"""How long importing a big Anki deck takes in Parley, next to Anki itself.

Builds a current-format (.apkg with collection.anki21b) package of N notes with the
``anki`` library, then in the same run times:

  (a) Anki's own import of it into a fresh collection;
  (b) Parley reading it (``read_apkg``), and — when the store exists — the whole
      Parley import (``app.core.importing.import_path``: read, one transaction, media)
      into a fresh store.

The target is Parley <= 2x Anki. Run from the repo root:

    .venv/bin/python -m bench.bench_import [--notes 10000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGET_RATIO = 2.0


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
        deck_id = col.decks.id("Bench Deck")
        basic = col.models.by_name("Basic")
        reversed_ = col.models.by_name("Basic (and reversed card)")
        cloze = col.models.by_name("Cloze")
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


def anki_import(package: Path) -> Callable[[Path], object]:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    def run(scratch: Path) -> object:
        col = Collection(str(scratch / "target.anki2"))
        try:
            request = ImportAnkiPackageRequest(
                package_path=str(package), options=ImportAnkiPackageOptions()
            )
            return col.import_anki_package(request)
        finally:
            col.close()

    return run


def parley_read(package: Path) -> Callable[[Path], object]:
    from app.formats.apkg import read_apkg

    return lambda scratch: read_apkg(package, staging_dir=scratch / "staging")


def parley_full_import(package: Path) -> Callable[[Path], object] | None:
    try:
        from app.core.importing import import_path
        from app.core.store import Store
    except ImportError:
        return None

    def run(scratch: Path) -> object:
        store = Store.open(scratch / "data", seed=False)
        try:
            return import_path(store, package)
        finally:
            store.close()

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for each timing")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

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
        anki = best_of(args.repeat, anki_import(package), folder / "anki")
        read = best_of(args.repeat, parley_read(package), folder / "read")
        results["anki_import_seconds"] = round(anki, 3)
        results["parley_read_seconds"] = round(read, 3)
        results["read_ratio"] = round(read / anki, 2)
        full_run = parley_full_import(package)
        if full_run is not None:
            full = best_of(args.repeat, full_run, folder / "full")
            results["parley_import_seconds"] = round(full, 3)
            results["import_ratio"] = round(full / anki, 2)
        ratio = results.get("import_ratio", results["read_ratio"])
        assert isinstance(ratio, float)
        results["target_ratio"] = TARGET_RATIO
        results["meets_target"] = ratio <= TARGET_RATIO

    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print(
            f"{args.notes} notes, package {results['package_bytes']:,} bytes "
            f"(built in {build_seconds:.1f} s)"
        )
        print(f"  Anki import into a fresh collection: {anki:8.3f} s")
        print(
            f"  Parley read_apkg:                    {read:8.3f} s  ({results['read_ratio']}x Anki)"
        )
        if "parley_import_seconds" in results:
            print(
                f"  Parley full import into a store:     "
                f"{results['parley_import_seconds']:8.3f} s  ({results['import_ratio']}x Anki)"
            )
        else:
            print("  Parley full import: app.core.store/importing not available; read only")
        verdict = "meets" if results["meets_target"] else "MISSES"
        print(f"  {verdict} the target of <= {TARGET_RATIO}x Anki")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
