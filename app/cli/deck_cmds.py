"""``parley decks|cards|import|export``: decks in and out of the collection."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.context import CliContext
from app.cli.outputs import check_output, one_line_errors, shown
from app.core.clock import utcnow
from app.model.deckdata import IMPORT_MODES
from app.model.settings import Settings


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("decks", parents=[common], help="list decks with card and due counts")
    p.add_argument("--json", action="store_true", help="print JSON (see README)")
    p.set_defaults(func=cmd_decks)

    p = sub.add_parser("cards", parents=[common], help="list a deck's cards")
    p.add_argument("--deck", required=True, metavar="NAME")
    p.add_argument("--kind", choices=["flashcard", "roleplay"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cards)

    p = sub.add_parser("import", parents=[common], help="import a deck file")
    p.add_argument("path", metavar="PATH", help=".toml (native), .apkg, .csv/.tsv")
    p.add_argument("--deck", metavar="NAME", help="import into this deck (default: the file's)")
    p.add_argument(
        "--mode",
        choices=IMPORT_MODES,
        default="update",
        help="cards already present (same id): update them, skip them, or add duplicates",
    )
    p.add_argument("--with-scheduling", action="store_true", help="keep the file's review schedule")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", parents=[common], help="export a deck to a file")
    p.add_argument("--deck", required=True, metavar="NAME")
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    p.add_argument(
        "--format",
        choices=["native", "csv", "apkg"],
        help="default: from the file extension (.toml, .csv/.tsv, .apkg)",
    )
    p.add_argument(
        "--with-scheduling",
        action="store_true",
        help="carry each card's state, due date and interval (Anki packages)",
    )
    p.set_defaults(func=cmd_export)


def cmd_decks(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    settings = Settings.load(ctx.data_dir)
    with ctx.store().session() as s:
        flash, plays = settings.limits("flashcard"), settings.limits("roleplay")
        decks = services.list_decks(s, utcnow(), flash.new, flash.reviews, roleplays=plays)
    if args.json:
        ctx.emit_json([d.to_json() for d in decks])
        return 0
    for d in decks:
        print(
            f"{d.name}: {d.flashcards} flashcards, {d.roleplays} role-plays, "
            f"{d.new_available} new, {d.review_due} due"
        )
    return 0


def cmd_cards(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    with ctx.store().session() as s:
        cards = services.list_cards(s, args.deck, args.kind)
    if args.json:
        ctx.emit_json([c.to_json() for c in cards])
        return 0
    for c in cards:
        text = c.front if c.kind == "flashcard" else f"[{c.persona}] {c.question}"
        print(f"{c.id:>6}  {c.kind:<9}  {text}")
    return 0


def cmd_import(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.importing import import_path

    with one_line_errors(ctx.data_dir):
        summary = import_path(
            ctx.store(),
            Path(args.path),
            deck_name=args.deck,
            mode=args.mode,
            with_scheduling=args.with_scheduling,
            backup=True,  # as the GUI's import does: one step can change hundreds of cards
        )
    if args.json:
        ctx.emit_json(summary.to_json())
    else:
        print(
            f"{shown(args.path)}: into {summary.deck!r}: {summary.added} added, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.skipped} skipped"
        )
        if summary.backup is not None:
            print(f"  backup first: {shown(summary.backup)}")
        for line in summary.details():
            print(f"  {line}")
    return 0


def cmd_export(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core.exporting import export_to_file
    from app.model.paths import media_dir

    out = check_output(Path(args.output))
    with one_line_errors(ctx.data_dir), ctx.store().session() as s:
        count = export_to_file(
            s,
            args.deck,
            out,
            args.format,
            media_dir(ctx.data_dir),
            with_scheduling=args.with_scheduling,
        )
    print(f"{shown(out)}: exported {count} cards from {args.deck!r}")
    return 0
