"""The `paint` command line. A thin layer: it parses options, calls the library and writes files.

A user's mistake (a bad file, a bad option value) ends in one line on stderr and exit code 2; anything
else is a bug, shown with its traceback and exit code 1 (see painter.cli.common). The modules here import
nothing heavy until a command runs, so `paint --help`, `--version` and a mistyped option answer at once.
"""

from __future__ import annotations

import argparse
import sys
import traceback

from painter.cli import export, paint, tools
from painter.cli.common import FAILED, INTERRUPTED, OK, REPORT_BUG, USER_ERROR, Parser, Terminated, UserError

__all__ = ["build_parser", "main"]


def build_parser() -> Parser:
    parser = Parser(prog="paint", description="Turn a photo into a painting made of brush strokes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    paint.add_parser(sub)
    tools.add_parsers(sub)
    export.add_parser(sub)
    return parser


def _subparsers(parser: Parser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("paint-strokes")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main_help(parser: Parser) -> str:
    """`paint --help`: the painting options, which are what people come for, then the other commands."""
    photo = _subparsers(parser).choices["photo"]
    others = [f"  paint {a.dest:<15} {a.help}" for a in _subparsers(parser)._choices_actions if a.dest != "photo"]
    return photo.format_help() + "\nother commands (paint COMMAND --help):\n" + "\n".join(others) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run `paint` with `argv` (sys.argv[1:] by default); returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--version"]:
        print(f"paint {version()}")
        return OK
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        print(main_help(parser), end="")
        return OK if argv else USER_ERROR
    if argv[0] not in _subparsers(parser).choices:
        argv = ["photo", *argv]  # `paint [OPTIONS] PHOTO [OPTIONS]` is the main job
    from painter.omp import use_paint_threads

    use_paint_threads()  # before any command loads torch
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except UserError as err:
        print(f"paint: error: {err}", file=sys.stderr)
        return USER_ERROR
    except (KeyboardInterrupt, Terminated):
        print("paint: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception:  # noqa: BLE001 - not the user's mistake: say so, with what a fix needs
        traceback.print_exc()
        print(REPORT_BUG, file=sys.stderr)
        return FAILED
