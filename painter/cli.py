"""The `paint` command line. A thin layer: it parses options, calls the library and writes files.

Every user error (bad file, bad option value) ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

import imageio.v3 as iio

import brushes
from painter import exporters
from painter.files import atomic_path, to_uint8
from painter.strokes import load_painting


class UsageError(Exception):
    """A bad command line; reported in one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# ---- commands ------------------------------------------------------------------------------------
def run_render(args: argparse.Namespace) -> int:
    painting = load_painting(args.strokes)
    exporters.write(painting, args.output, args.size)
    print(f"wrote {args.output}")
    return 0


def run_brushes(args: argparse.Namespace) -> int:
    if args.preview:
        from painter.preview import brush_sheet

        if not args.preview.lower().endswith(".png"):
            raise ValueError(f"the preview sheet is a PNG; got {args.preview!r}")
        with atomic_path(args.preview) as tmp:
            iio.imwrite(tmp, to_uint8(brush_sheet(brushes.all_brushes())), extension=".png")
        print(f"wrote {args.preview}")
        return 0
    if args.json:
        print(json.dumps({b.name: b.describe() for b in brushes.all_brushes()}, indent=1))
        return 0
    for brush in brushes.all_brushes():
        print(f"{brush.name} ({brush.size} values): {brush.description}")
        for p in brush.params:
            print(f"  {p.name:<13} {p.group:<7} {p.meaning}")
    return 0


# ---- parser --------------------------------------------------------------------------------------
def build_parser() -> Parser:
    parser = Parser(prog="paint", description="Turn a photo into a painting made of brush strokes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("render", help="draw a stroke file as PNG, SVG or GIF at any size")
    p.add_argument("strokes", help="a strokes.json file")
    p.add_argument("-o", "--output", required=True, help="output file: .png, .svg or .gif (stroke by stroke)")
    p.add_argument("--size", type=positive_int, help="longer side in pixels (default: the file's own size)")
    p.set_defaults(run=run_render)

    p = sub.add_parser("brushes", help="list the brushes and their parameters")
    p.add_argument("--json", action="store_true", help="print the brushes' parameter specs as JSON")
    p.add_argument("--preview", metavar="PNG", help="draw a sheet of sample strokes of every brush")
    p.set_defaults(run=run_brushes)
    return parser


ERRORS: tuple[type[BaseException], ...] = (UsageError, ValueError, FileNotFoundError, OSError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except ERRORS as err:
        print(f"paint: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("paint: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
