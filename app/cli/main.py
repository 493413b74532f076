"""``parley`` entry point: parses arguments and dispatches to command modules.

Each command module exposes ``register(subparsers)`` and sets ``func(ctx, args) -> int``
on its parsers. Known errors become one line on stderr and exit status 1; nothing else
is printed for them.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from app import __version__
from app.cli.context import CliContext
from app.model.errors import KnownError

COMMAND_MODULES = (
    "app.cli.deck_cmds",
    "app.cli.card_cmds",
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
        code = int(args.func(ctx, args) or 0)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except KnownError as err:
        # A file name that is not UTF-8 still prints (as U+FFFD), whatever stderr's errors.
        message = str(err).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        print(f"parley: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


def run() -> NoReturn:
    """``parley`` as a program (the console script, ``python -m app``, the bundle): the
    command, then the exit. At exit Python makes one last cycle collection over every
    object the loaded modules hold (SQLAlchemy's, for an import) and finds next to
    nothing: 0.12 s of CPU after an import on the bench machine. Frozen objects are
    skipped. Reference counting still frees them and atexit handlers still run; the
    store is closed, its work committed, before ``main`` returns, so nothing that
    matters waits on the collector."""
    try:
        code = main()
    finally:
        gc.freeze()
    sys.exit(code)


def _reader_gone() -> int:
    """``parley cards | head``: the reader closed the pipe. Stop quietly, as a tool that
    SIGPIPE ends does; stdout goes to /dev/null so that Python's final flush is quiet."""
    with contextlib.suppress(OSError, ValueError):  # stdout is not a file (tests capture it)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


if __name__ == "__main__":
    run()
