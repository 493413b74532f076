"""``parley`` entry point: parses arguments and dispatches to command modules.

Each command module exposes ``register(subparsers)`` and sets ``func(ctx, args) -> int``
on its parsers. Known errors become one line on stderr and exit status 1; nothing else
is printed for them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app import __version__
from app.cli.context import CliContext
from app.core.errors import KnownError

COMMAND_MODULES = (
    "app.cli.deck_cmds",
    "app.cli.speech_cmds",
    "app.cli.gui_cmd",
    "app.cli.stats_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    def data_dir_option(parser: argparse.ArgumentParser, default: object) -> None:
        parser.add_argument(
            "--data-dir",
            metavar="DIR",
            default=default,
            help="where the collection lives (default: $PARLEY_DATA_DIR or the user data dir)",
        )

    # ``--data-dir`` works before or after the command. The copy on each command must not
    # overwrite a value given before it, so it leaves the attribute alone when absent.
    common = argparse.ArgumentParser(add_help=False)
    data_dir_option(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="parley",
        description="Rehearse spoken technical explanations, offline.",
    )
    data_dir_option(parser, None)
    parser.add_argument("--version", action="version", version=f"parley {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        if args.command is None:
            args = parser.parse_args(["gui", *(argv or sys.argv[1:])])
        else:
            parser.print_help()
            return 2
    ctx = CliContext(data_dir_option=args.data_dir)
    try:
        ctx.check_data_dir()
        return int(args.func(ctx, args) or 0)
    except KnownError as err:
        print(f"parley: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
