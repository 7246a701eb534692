"""`paint export strokes.json --to gcode|hpgl|svg`: a stroke file into plotter or painting-robot paths."""

from __future__ import annotations

import argparse
import sys

from painter.cli.common import UserError, check_png_name, checking, number, positive_int

# Millimetres are checked by PlotSettings, which names each limit (the paper's side, the well); here they
# only have to be numbers.
millimetres = number(float, what="millimetres")
any_number = number(float)  # plotter.Machine names the limits of the pen heights and the feed


def point_mm(text: str) -> tuple[float, float]:
    """X,Y in millimetres."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected X,Y in millimetres, got {text!r}")
    return millimetres(parts[0]), millimetres(parts[1])


def run_export(args: argparse.Namespace) -> int:
    from painter import plotter
    from painter.strokes import load_painting

    if args.preview:
        check_png_name(args.preview, "preview")
    with checking():
        fmt = plotter.check_format(args.to)
        settings = plotter.PlotSettings(
            paper=args.paper,
            margin=args.margin,
            orientation=args.orientation,
            tool_width=args.tool_width,
            pens=args.pens,
            palette=args.palette,
            dark_first=args.dark_first,
            keep_order=args.keep_order,
            reverse=not args.no_reverse,
            join=args.join,
            redip_every=args.redip_every,
            paint_well=args.paint_well,
            origin=plotter.ORIGINS[fmt],
            hide_covered=not args.keep_hidden,
        )
        machine = plotter.Machine(pen_up=args.pen_up, pen_down=args.pen_down, servo=args.servo, feed=args.feed)
        painting = load_painting(args.strokes)
    if args.device is not None and fmt != "hpgl":
        raise UserError(f"--device is for --to hpgl (vpype's plotter profiles); got --to {fmt}")
    with checking():
        plot = plotter.plan_plot(painting, settings)
    text = None
    if args.device is not None:
        try:  # vpype is an optional extra: imported only when asked for
            from painter.vpype_plugin import device_hpgl
        except ImportError:
            raise UserError("--device needs vpype: pip install 'paint-strokes[vpype]'") from None
        with checking():
            text = device_hpgl(plot, args.device, args.paper).encode("ascii")
    with checking():
        plotter.write_plot(plot, fmt, args.output, machine, args.preview, text=text)
    s = plot.stats
    print(f"wrote {args.output}" + (f" and {args.preview}" if args.preview else ""))
    joined = f" ({s.pen_down / 1000:.2f} m with joins)" if s.pen_down != s.pen_down_before else ""
    print(f"  {s.layers} layers, {s.paths} paths, pen down {s.pen_down_before / 1000:.2f} m{joined}")
    print(f"  pen up {s.pen_up_before / 1000:.2f} m in painting order, {s.pen_up_after / 1000:.2f} m after ordering")
    if args.redip_every is not None:
        print(f"  {s.redips} trips to the paint well; pen up {s.pen_up_final / 1000:.2f} m with them")
    print_plot_report(painting, plot, args.feed)
    return 0


def print_plot_report(painting, plot, feed: float) -> None:
    """The plot's time estimate and coverage; a warning on stderr when strokes are translucent."""
    from painter.plotter.estimate import OPAQUE, Pace, plot_report

    r = plot_report(painting, plot, Pace(draw=feed))
    print(f"  about {r.minutes:.0f} minutes at {feed:g} mm/min: {r.lifts} pen lifts, the pens cover the paper "
          f"{r.overdraw:.1f} times")  # fmt: skip
    if r.translucent:
        print(
            f"paint: warning: {r.translucent} of {r.strokes} strokes are translucent (alpha below {OPAQUE:g}) and "
            "a pen lays them down opaque; paint with --opaque for plotting",
            file=sys.stderr,
        )


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="turn a stroke file into plotter or painting-robot paths")
    p.add_argument("strokes", help="a strokes.json file")
    p.add_argument("--to", required=True, metavar="FORMAT", help="gcode, hpgl or svg (Inkscape layers, AxiDraw)")
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument("--paper", default="a4", help="a4, a3, letter or WxHmm, e.g. 300x200mm (default: a4)")
    p.add_argument("--margin", type=millimetres, default=10.0, metavar="MM", help="blank border (default: 10)")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--landscape", dest="orientation", action="store_const", const="landscape", help="turn the paper")
    side.add_argument("--portrait", dest="orientation", action="store_const", const="portrait", help="(default: auto)")
    p.set_defaults(orientation="auto")
    colours = p.add_mutually_exclusive_group()
    colours.add_argument(
        "--pens",
        type=positive_int,
        help="quantise colours to N pens (default: the painting's own if painted with --palette or --pens, else 4)",
    )
    colours.add_argument("--palette", metavar="HEXES", help='your own colours, e.g. "#000000,#c03020,#2050a0"')
    p.add_argument("--dark-first", action="store_true", help="plot dark colours first (default: light first)")
    p.add_argument(
        "--keep-order",
        action="store_true",
        help="keep which stroke lies on top (for opaque paint): change pens as often as the layering needs",
    )
    p.add_argument("--tool-width", type=millimetres, default=1.0, metavar="MM", help="pen or brush width (1)")
    p.add_argument("--no-reverse", action="store_true", help="never draw a path backwards when ordering")
    p.add_argument("--join", type=millimetres, metavar="MM", help="stay down across gaps up to MM (1.5 tool widths)")
    p.add_argument("--keep-hidden", action="store_true", help="also draw what later strokes cover in the painting")
    p.add_argument("--redip-every", type=millimetres, metavar="MM", help="go to the paint well after this much paint")
    p.add_argument(
        "--device",
        metavar="NAME",
        help="with --to hpgl: HPGL for this plotter (vpype's device profiles, e.g. hp7475a; needs the vpype extra)",
    )
    p.add_argument(
        "--paint-well",
        type=point_mm,
        metavar="X,Y",
        help="the well, mm from the paper's bottom-left corner; write --paint-well=-20,10 for negative X",
    )
    p.add_argument("--pen-up", type=any_number, metavar="Z", help="G-code pen-up Z (5), or servo S value (default: M5)")
    p.add_argument("--pen-down", type=any_number, metavar="Z", help="G-code pen-down Z (0), or servo S value (1000)")
    p.add_argument("--servo", action="store_true", help="G-code: lift the pen with M3 S.. / M5 instead of Z")
    p.add_argument("--feed", type=any_number, default=1500.0, metavar="MM/MIN", help="G-code drawing speed (1500)")
    p.add_argument("--preview", metavar="PNG", help="also draw what the machine will draw")
    p.set_defaults(run=run_export)
