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


def run_export(args: argparse.Namespace) -> int:
    from painter import plotter

    fmt = plotter.check_format(args.to)
    if args.preview and not args.preview.lower().endswith(".png"):
        raise ValueError(f"the preview is a PNG; got {args.preview!r}")
    settings = plotter.PlotSettings(
        paper=args.paper,
        margin=args.margin,
        orientation=args.orientation,
        tool_width=args.tool_width,
        pens=args.pens,
        palette=args.palette,
        dark_first=args.dark_first,
        reverse=not args.no_reverse,
        join=args.join,
        redip_every=args.redip_every,
        paint_well=args.paint_well,
        origin=plotter.ORIGINS[fmt],
    )
    machine = plotter.Machine(pen_up=args.pen_up, pen_down=args.pen_down, servo=args.servo, feed=args.feed)
    plot = plotter.plan_plot(load_painting(args.strokes), settings)
    plotter.WRITERS[fmt](plot, args.output, machine)
    if args.preview:
        plotter.write_preview(plot, args.preview)
    s = plot.stats
    print(f"wrote {args.output}" + (f" and {args.preview}" if args.preview else ""))
    print(f"  {s.layers} layers, {s.paths} paths, pen down {s.pen_down / 1000:.2f} m")
    print(f"  pen up {s.pen_up_before / 1000:.2f} m in painting order, {s.pen_up_after / 1000:.2f} m after ordering")
    if args.redip_every is not None:
        print(f"  {s.redips} trips to the paint well; pen up {s.pen_up_final / 1000:.2f} m with them")
    return 0


def millimetres(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected millimetres, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be zero or more millimetres, got {text!r}")
    return value


def point_mm(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in millimetres, got {text!r}") from None
    return x, y


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

    p = sub.add_parser("export", help="turn a stroke file into plotter or painting-robot paths")
    p.add_argument("strokes", help="a strokes.json file")
    p.add_argument("--to", required=True, metavar="FORMAT", help="gcode, hpgl or svg (Inkscape layers, AxiDraw)")
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument("--paper", default="a4", help="a4, a3, letter or WxHmm, e.g. 300x200mm (default: a4)")
    p.add_argument("--margin", type=millimetres, default=10.0, metavar="MM", help="blank border (default: 10)")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--landscape", dest="orientation", action="store_const", const="landscape")
    side.add_argument("--portrait", dest="orientation", action="store_const", const="portrait")
    p.set_defaults(orientation="auto")
    colours = p.add_mutually_exclusive_group()
    colours.add_argument("--pens", type=positive_int, default=4, help="quantise colours to N pens (default: 4)")
    colours.add_argument("--palette", metavar="HEXES", help='your own colours, e.g. "#000000,#c03020,#2050a0"')
    p.add_argument("--dark-first", action="store_true", help="plot dark colours first (default: light first)")
    p.add_argument("--tool-width", type=millimetres, default=1.0, metavar="MM", help="pen or brush width (1)")
    p.add_argument("--no-reverse", action="store_true", help="never draw a path backwards when ordering")
    p.add_argument("--join", type=millimetres, default=0.0, metavar="MM", help="stay down across gaps up to MM (0)")
    p.add_argument("--redip-every", type=millimetres, metavar="MM", help="go to the paint well after this much paint")
    p.add_argument("--paint-well", type=point_mm, metavar="X,Y", help="the well, mm from the bottom-left corner")
    p.add_argument("--pen-up", type=float, metavar="Z", help="G-code pen-up Z (5), or servo S value (default: M5)")
    p.add_argument("--pen-down", type=float, metavar="Z", help="G-code pen-down Z (0), or servo S value (1000)")
    p.add_argument("--servo", action="store_true", help="G-code: lift the pen with M3 S.. / M5 instead of Z")
    p.add_argument("--feed", type=float, default=1500.0, metavar="MM/MIN", help="G-code drawing speed (1500)")
    p.add_argument("--preview", metavar="PNG", help="also draw what the machine will draw")
    p.set_defaults(run=run_export)
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
