"""``parley card add|edit|find|suspend|delete`` and ``parley deck rename|delete``: the
browser's operations for scripts, JSON in (``--from-json FILE`` or ``-``) and out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.outputs import one_line_errors, shown
from app.core.clock import utcnow
from app.model.errors import KnownError
from app.model.settings import Settings

if TYPE_CHECKING:  # editing loads SQLAlchemy, which other commands (import) do without
    from app.core.editing import CardFields

TEXT_FIELDS = ("front", "back", "persona", "question", "model_answer")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    card = sub.add_parser("card", parents=[common], help="add, edit, find, suspend or delete cards")
    cs = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)

    def fields(p: argparse.ArgumentParser) -> None:
        for name in TEXT_FIELDS:
            p.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT")
        p.add_argument("--tags", metavar="A,B", help="comma-separated; replaces the card's tags")
        p.add_argument(
            "--from-json",
            metavar="FILE",
            help="the card's fields as a JSON object, as `parley cards --json` prints them "
            "(- reads stdin)",
        )
        p.add_argument("--json", action="store_true", help="print the card as JSON")

    p = cs.add_parser("add", parents=[common], help="add a card to a deck")
    p.add_argument("--deck", required=True, metavar="NAME")
    p.add_argument("--kind", choices=["flashcard", "roleplay"], default="flashcard")
    fields(p)
    p.set_defaults(func=cmd_add)

    p = cs.add_parser("edit", parents=[common], help="change a card's fields")
    p.add_argument("id", type=int, metavar="ID")
    fields(p)
    p.set_defaults(func=cmd_edit)

    p = cs.add_parser("find", parents=[common], help="search every deck (deck:, tag:, is:due …)")
    p.add_argument("query", nargs="?", default="", metavar="SEARCH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_find)

    p = cs.add_parser("suspend", parents=[common], help="take cards out of the study queue")
    p.add_argument("ids", type=int, nargs="+", metavar="ID")
    p.add_argument("--off", action="store_true", help="unsuspend instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_suspend)

    p = cs.add_parser("delete", parents=[common], help="delete cards and their history")
    p.add_argument("ids", type=int, nargs="+", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_delete)

    deck = sub.add_parser("deck", parents=[common], help="rename or delete a deck")
    ds = deck.add_subparsers(dest="deck_command", metavar="ACTION", required=True)
    p = ds.add_parser("rename", parents=[common], help="rename a deck (and decks nested in it)")
    p.add_argument("old", metavar="NAME")
    p.add_argument("new", metavar="NEW_NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rename)
    p = ds.add_parser("delete", parents=[common], help="delete a deck after backing up")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--yes", action="store_true", help="really delete (a backup is made first)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_deck_delete)


def _read_fields(args: argparse.Namespace) -> CardFields:
    from app.core.editing import CardFields, clean_tags

    if args.from_json:
        where = "stdin" if args.from_json == "-" else shown(args.from_json)
        try:
            text = (
                sys.stdin.read()
                if args.from_json == "-"
                else Path(args.from_json).read_text("utf-8")
            )
            raw: Any = json.loads(text)
        except OSError as err:
            raise KnownError(f"{where}: cannot be read ({err.strerror or err})") from None
        except ValueError as err:
            raise KnownError(f"{where}: not JSON ({err})") from None
        out = CardFields.from_json(raw, where)
    else:
        out = CardFields()
    for name in TEXT_FIELDS:
        if getattr(args, name) is not None:
            setattr(out, name, getattr(args, name))
    if args.tags is not None:
        out.tags = clean_tags(args.tags.split(","))
    return out


def _print_card(ctx: CliContext, card_id: int, as_json: bool, verb: str) -> None:
    from app.core import services

    with ctx.store().session() as s:
        card = services.get_card(s, card_id)
    if as_json:
        ctx.emit_json(card.to_json())
    else:
        print(f"{verb} card {card.id} in {card.deck!r}")


def cmd_add(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    fields = _read_fields(args)
    with one_line_errors(ctx.data_dir), ctx.store().session() as s:
        card_id = services.add_card(s, args.deck, args.kind, fields, utcnow())
    _print_card(ctx, card_id, args.json, "added")
    return 0


def cmd_edit(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    fields = _read_fields(args)
    with one_line_errors(ctx.data_dir), ctx.store().session() as s:
        services.edit_card(s, args.id, fields, utcnow())
    _print_card(ctx, args.id, args.json, "edited")
    return 0


def cmd_find(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    with ctx.store().session() as s:
        cards = services.find_cards(s, args.query, utcnow())
    if args.json:
        ctx.emit_json([c.to_json() for c in cards])
        return 0
    for c in cards:
        text = c.front if c.kind == "flashcard" else f"[{c.persona}] {c.question}"
        print(f"{c.id:>6}  {c.deck}  {c.kind:<9}  {text}")
    return 0


def cmd_suspend(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    with one_line_errors(ctx.data_dir), ctx.store().session() as s:
        missing = sorted(set(args.ids) - {c.id for c in services.get_cards(s, args.ids)})
        if missing:
            raise KnownError(f"no card with id {missing[0]}; nothing was changed")
        changed = services.set_suspended(s, args.ids, not args.off)
    if args.json:
        ctx.emit_json({"changed": changed, "suspended": not args.off})
    else:
        verb = "unsuspended" if args.off else "suspended"
        print(f"{verb} {changed} card{'s' if changed != 1 else ''}")
    return 0


def cmd_delete(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    with one_line_errors(ctx.data_dir), ctx.store().session() as s:
        change = services.delete_cards(s, args.ids)
    if args.json:
        ctx.emit_json({"deleted": list(change.card_ids)})
    else:
        print(f"deleted {len(change.card_ids)} card{'s' if len(change.card_ids) != 1 else ''}")
    return 0


def cmd_rename(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import services

    with one_line_errors(ctx.data_dir), ctx.store().session() as s:
        name = services.rename_deck(s, args.old, args.new)
    if args.json:
        ctx.emit_json({"old": args.old, "name": name})
    else:
        print(f"renamed {args.old!r} to {name!r}")
    return 0


def cmd_deck_delete(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.core import backups, services

    store = ctx.store()
    with store.session() as s:
        loss = services.deck_loss(s, args.name)
    if not args.yes:
        raise KnownError(
            f"deck {args.name!r} holds {loss.describe()}; pass --yes to delete it "
            "(a backup is made first)"
        )
    with one_line_errors(ctx.data_dir):
        backup = backups.create_backup(store.db_path, store.data_dir, utcnow(), tag="before-delete")
        with store.session() as s:
            change = services.delete_deck_with_undo(s, args.name)
        settings = Settings.load(ctx.data_dir)
        from app.core.editing import remember_removed

        if remember_removed(settings, change):
            settings.save(ctx.data_dir)
    if args.json:
        ctx.emit_json({"deleted": loss.to_json(), "backup": str(backup)})
    else:
        print(f"deleted {args.name!r} ({loss.describe()}); backup: {shown(backup)}")
    return 0
