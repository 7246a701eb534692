"""`paint brushes new` and `paint brushes remove`: make a brush from an image of one real stroke, or remove
one made so. A thin layer over painter.brush_maker; `paint brushes` itself (list, --json, --preview) is in
painter.cli.tools and lists these brushes too."""

from __future__ import annotations

import argparse

from painter.cli.common import checking

LIKE = ("oilpaint", "markerpen")  # brushes.scanned.LIKE, kept here so `--help` needs no torch (a test checks)


def run_new(args: argparse.Namespace) -> int:
    from painter.brush_maker import make_brush, save_brush

    with checking():
        brush = make_brush(args.name, args.texture, like=args.like, two_colour=args.two_colour)
        folder = save_brush(brush, args.texture)
    print(f"made brush {brush.name!r} in {folder}: {brush.description}, {brush.aspect:.2f} as thick as long")
    print(f"paint with it: paint photo.jpg --brush {brush.name}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from painter.brush_maker import remove_brush

    with checking():
        folder = remove_brush(args.name)
    print(f"removed brush {args.name!r} ({folder})")
    return 0


def add_parsers(brushes_parser: argparse.ArgumentParser, parser_class: type) -> None:
    """`new` and `remove` under `paint brushes`, which without them lists the brushes."""
    sub = brushes_parser.add_subparsers(dest="brush_command", metavar="new|remove", parser_class=parser_class)
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
        "--like", choices=LIKE, default="oilpaint", help="opaque like oil paint or translucent like a marker (oilpaint)"
    )
    p.add_argument("--two-colour", action="store_true", help="colour each stroke by two colours along its length")
    p.set_defaults(run=run_new)
    p = sub.add_parser("remove", help="remove a brush you made (never a built-in one)")
    p.add_argument("name", help="the brush's name")
    p.set_defaults(run=run_remove)
