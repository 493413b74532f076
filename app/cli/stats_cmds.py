"""``parley stats`` and ``parley backup list|create|restore|check``.

The backup commands work on the file, not through the store, so they still help when
the collection is too damaged to open.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from app.cli.context import CliContext
from app.core import backups
from app.core.clock import utcnow
from app.model.errors import CorruptCollectionError, KnownError
from app.model.paths import DB_FILENAME, backups_dir

MAX_DAYS = 3650


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("stats", parents=[common], help="a deck's review and role-play figures")
    p.add_argument("--deck", required=True, metavar="NAME")
    p.add_argument("--days", type=int, default=30, metavar="N", help="window (default: 30)")
    p.add_argument("--json", action="store_true", help="print every figure as JSON")
    p.set_defaults(func=cmd_stats)

    backup = sub.add_parser("backup", help="list, make or restore backups")
    bsub = backup.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    p = bsub.add_parser("list", parents=[common], help="backups, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = bsub.add_parser("create", parents=[common], help="back up the collection now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_create)
    p = bsub.add_parser("restore", parents=[common], help="replace the collection by a backup")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("path", nargs="?", metavar="PATH", help="a file from `backup list`")
    which.add_argument(
        "--latest-good", action="store_true", help="the newest backup that passes the check"
    )
    p.set_defaults(func=cmd_restore)
    p = bsub.add_parser("check", parents=[common], help="run SQLite's integrity check")
    p.set_defaults(func=cmd_check)


def _when(dt: datetime) -> str:
    return f"{dt.astimezone():%Y-%m-%d %H:%M:%S}"


def cmd_stats(ctx: CliContext, args: argparse.Namespace) -> int:
    if not 1 <= args.days <= MAX_DAYS:
        raise KnownError(f"--days must be from 1 to {MAX_DAYS} (ten years), not {args.days}")
    from app.core import stats  # SQLAlchemy: only when the command runs

    with ctx.store().session() as s:
        figures = stats.deck_stats(s, args.deck, utcnow(), days=args.days)
    if args.json:
        ctx.emit_json(figures.to_json())
    else:
        print("\n".join(stats.summary_lines(figures)))
    return 0


def cmd_list(ctx: CliContext, args: argparse.Namespace) -> int:
    found = backups.list_backups(ctx.data_dir)
    if args.json:
        ctx.emit_json([b.to_json() for b in found])
        return 0
    if not found:
        print(f"No backups yet in {backups_dir(ctx.data_dir)}")
    for b in found:
        cards = "unreadable" if b.cards is None else f"{b.cards} cards"
        print(f"{_when(b.created)}  {b.size / 1e6:6.1f} MB  {cards:>12}  {b.path}")
    return 0


def cmd_create(ctx: CliContext, args: argparse.Namespace) -> int:
    store = ctx.store()  # creates and migrates the collection, refuses a damaged one
    backups.ensure_intact(store.db_path, quick=False)
    now = utcnow()
    path = backups.create_backup(store.db_path, store.data_dir, now)
    backups.prune(store.data_dir, now)
    info = next((b for b in backups.list_backups(ctx.data_dir) if b.path == path), None)
    if args.json:
        ctx.emit_json(info.to_json() if info else {"path": str(path)})
    else:
        print(f"Backed up to {path}")
    return 0


def cmd_restore(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.close()  # nothing may hold the collection open while it is replaced
    if args.latest_good:
        chosen, kept = backups.restore_latest_good(ctx.data_dir)
        source = chosen.path
    else:
        source = Path(args.path)
        kept = backups.restore(ctx.data_dir, source)
    print(f"Restored {source} as {ctx.data_dir / DB_FILENAME}")
    if kept is not None:
        print(f"The previous collection was kept as {kept}")
    return 0


def cmd_check(ctx: CliContext, args: argparse.Namespace) -> int:
    db_path = ctx.data_dir / DB_FILENAME
    problem = backups.check_integrity(db_path)
    if problem is not None:
        raise CorruptCollectionError(db_path, problem)
    print(f"{db_path}: ok")
    return 0
