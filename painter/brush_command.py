"""`paint brushes new` and `paint brushes remove`: make a brush from an image of one real stroke, or
remove one made so. A thin layer over painter.brush_maker; `paint brushes` itself (list, --json,
--preview) stays with the other commands and lists these brushes too.

Every user error ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from brushes.scanned import LIKE

COMMANDS = ("new", "remove")


class UsageError(Exception):
    """A bad command line; reported in one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> Parser:
    parser = Parser(prog="paint brushes", description="Make or remove your own brushes.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    p = sub.add_parser(
        "new",
        help="make a brush from an image of one real stroke",
        description="Make a brush from a scan or photo of one stroke on paper (any angle; the paint is what "
        "differs from the paper). It is kept in your user folder ($PAINT_HOME) and paints with "
        "'paint photo.jpg --brush NAME'.",
    )
    p.add_argument("name", help="the new brush's name: a lower-case letter, then letters, digits, - or _")
    p.add_argument("--texture", required=True, metavar="IMAGE", help="the image of the stroke (PNG, JPEG, ...)")
    p.add_argument(
        "--like",
        choices=list(LIKE),
        default="oilpaint",
        help="opaque like oil paint or translucent like a marker (default: oilpaint)",
    )
    p.add_argument("--two-colour", action="store_true", help="colour each stroke by two colours along its length")
    p.set_defaults(run=run_new)
    p = sub.add_parser("remove", help="remove a brush you made (never a built-in one)")
    p.add_argument("name", help="the brush's name")
    p.set_defaults(run=run_remove)
    return parser


def run_new(args: argparse.Namespace) -> int:
    from painter.brush_maker import make_brush, save_brush

    brush = make_brush(args.name, args.texture, like=args.like, two_colour=args.two_colour)
    folder = save_brush(brush, args.texture)
    print(f"made brush {brush.name!r} in {folder}: {brush.description}, {brush.aspect:.2f} as thick as long")
    print(f"paint with it: paint photo.jpg --brush {brush.name}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from painter.brush_maker import remove_brush

    folder = remove_brush(args.name)
    print(f"removed brush {args.name!r} ({folder})")
    return 0


def wants(argv: list[str]) -> bool:
    """Whether `paint ARGV` is one of these commands (`paint brushes new ...`, `paint brushes remove ...`)."""
    return len(argv) >= 2 and argv[0] == "brushes" and argv[1] in COMMANDS


def main(argv: list[str]) -> int:
    """Run `paint brushes new|remove ...`; argv without the leading 'brushes'. Returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, ValueError, FileNotFoundError) as err:
        print(f"paint: error: {err}", file=sys.stderr)
        return 2
