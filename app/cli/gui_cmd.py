"""``parley gui`` (also plain ``parley``): open the desktop app."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("gui", parents=[common], help="open the desktop app (the default)")
    p.add_argument(
        "--quit-after-start",
        action="store_true",
        help="show the home window, then exit (smoke tests, benchmarks)",
    )
    p.add_argument(
        "--report-startup",
        action="store_true",
        help="print 'startup window-shown' and 'startup decks-shown' as they happen",
    )
    p.set_defaults(func=cmd_gui)


def cmd_gui(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.ui.application import run_app

    return run_app(
        ctx.data_dir,
        quit_after_start=args.quit_after_start,
        report_startup=args.report_startup,
    )
