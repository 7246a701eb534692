"""The `paint` command line. A thin layer: it parses options, calls the library and writes files.

Every user error (bad file, bad option value) ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

# Threads that spin while they wait for a busy CPU made torch 10x slower on a shared 2-core machine
# (benchmarks/renderers.md); sleeping ones lose at most a little on an idle machine. Must be set
# before torch loads OpenMP, so before the imports below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import imageio.v3 as iio  # noqa: E402
from tqdm import tqdm  # noqa: E402

import brushes  # noqa: E402
from painter import exporters  # noqa: E402
from painter.files import atomic_path, to_uint8  # noqa: E402
from painter.strokes import load_painting  # noqa: E402
from painter.style import VGG_WEIGHTS_ENV  # noqa: E402
from painter.stylise import DEFAULT_STYLE_WEIGHT, STYLE_MODES  # noqa: E402


class UsageError(Exception):
    """A bad command line; reported in one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of at least 0, got {text}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# ---- commands ------------------------------------------------------------------------------------
def run_paint(args: argparse.Namespace) -> int:
    """Paint a photo: validate everything first, then optimise, then write all outputs."""
    from painter.session import PaintJob

    job = PaintJob.prepare(
        photo=args.photo,
        brush=args.brush,
        strokes=args.strokes,
        size=args.size,
        render_size=args.render_size,
        canvas=args.canvas,
        seed=args.seed,
        device=args.device,
        renderer=args.renderer,
        steps=args.steps,
        opaque=args.opaque,
        style=args.style,
        style_weight=args.style_weight,
        style_mode=args.style_mode,
        vgg_weights=args.vgg_weights,
        preserve_colour=args.preserve_colour,
    )
    if job.style is not None and job.settings["style"]["extractor"] == "random":
        print(
            "paint: note: no VGG weights, so the style comes from a random network; VGG weights give better results: "
            f"--vgg-weights vgg16-397923af.pth (torchvision's ImageNet file) or set {VGG_WEIGHTS_ENV}",
            file=sys.stderr,
        )
    out = Path(args.out) if args.out else Path("outputs") / f"{Path(args.photo).stem}-{job.brush.name}"
    interrupted = False
    bar = tqdm(total=job.total_steps, unit="step", dynamic_ncols=True, disable=args.quiet)
    try:
        for progress in job.run():
            stage = "refine" if progress.stage == "refine" else f"level {progress.level}/{progress.levels}"
            bar.set_description(stage)
            bar.set_postfix(strokes=progress.strokes, loss=f"{progress.loss:.4f}", refresh=False)
            bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    if interrupted:
        print("paint: interrupted; writing the strokes painted so far", file=sys.stderr)
    metrics = job.finish(out, animation=not args.no_animation)
    if not args.quiet:
        print(
            f"wrote {out}/: {metrics['strokes']} strokes, PSNR {metrics['psnr']:.2f} dB, SSIM {metrics['ssim']:.3f}, "
            f"{metrics['seconds']:.1f} s"
        )
        if "style_loss" in metrics:
            loss = metrics["style_loss"]
            print(f"style loss {loss['photo']:.3g} (photo) -> {loss['painting']:.3g} (painting)")
    return 130 if interrupted else 0


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
        keep_order=args.keep_order,
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
    joined = f" ({s.pen_down / 1000:.2f} m with joins)" if args.join > 0 else ""
    print(f"  {s.layers} layers, {s.paths} paths, pen down {s.pen_down_before / 1000:.2f} m{joined}")
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


def run_train_renderer(args: argparse.Namespace) -> int:
    import torch

    from renderers import shipped_weights
    from renderers.train import TrainConfig, train_renderer

    brush = brushes.get_brush(args.brush)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = args.out or shipped_weights(brush)
    config = TrainConfig(steps=args.steps, batch=args.batch)
    summary = train_renderer(brush, out, config, device=args.device, resume=args.resume, cache=args.cache)
    print(
        f"wrote {out}: {summary['step']} steps, validation PSNR {summary['valid_psnr']:.2f} dB, "
        f"{summary['seconds'] / 60:.1f} min in all"
    )
    return 0


def run_eval_renderer(args: argparse.Namespace) -> int:
    from renderers import load_renderer
    from renderers.train import evaluate

    brush = brushes.get_brush(args.brush)
    net = load_renderer(brush, args.weights)
    print(f"{brush.name}: network vs procedural renderer, 2000 held-out strokes on mid-grey at {net.resolution} px")
    print(f"PSNR {evaluate(net, brush):.2f} dB")
    return 0


# ---- parser --------------------------------------------------------------------------------------
def build_parser() -> Parser:
    parser = Parser(prog="paint", description="Turn a photo into a painting made of brush strokes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("photo", help="paint a photo (the default command: 'paint PHOTO' means 'paint photo PHOTO')")
    p.add_argument("photo", help="the photo to paint: JPEG, PNG (alpha is composited on the canvas), grayscale, 16-bit")
    p.add_argument("--brush", default="oilpaint", help="brush name (see 'paint brushes'; default: oilpaint)")
    p.add_argument("--strokes", type=positive_int, default=500, help="stroke budget (default: 500)")
    p.add_argument("--size", type=positive_int, default=512, help="long side in pixels the strokes are fitted at")
    p.add_argument("--render-size", type=positive_int, help="long side of the final PNG and SVG (default: --size)")
    p.add_argument("--out", help="output folder (default: outputs/<photo>-<brush>/)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same strokes")
    p.add_argument("--canvas", default="white", help="canvas colour: white, black or #rrggbb (default: white)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to optimise")
    p.add_argument(
        "--renderer",
        default="neural",
        choices=["neural", "exact"],
        help="optimise through the trained network (fast) or the brush's exact renderer",
    )
    p.add_argument("--steps", type=positive_int, help="optimiser steps per level (default: the painter's)")
    p.add_argument("--opaque", action="store_true", help="fix opacity at 1 (for physical paint, see 'paint export')")
    p.add_argument("--no-animation", action="store_true", help="skip process.gif")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--style", metavar="IMAGE", help="paint in the style of this image (its textures and colours)")
    p.add_argument(
        "--style-weight",
        type=non_negative_float,
        metavar="W",
        help="strength of the style; at W a painting as far from the style as the photo pays W, against a pixel loss "
        f"of about 0.1 (default: {DEFAULT_STYLE_WEIGHT})",
    )
    p.add_argument(
        "--style-mode",
        choices=list(STYLE_MODES),
        help="what the style may change: 'all' stroke parameters, or only stroke 'colour's (default: all)",
    )
    p.add_argument(
        "--vgg-weights",
        metavar="FILE",
        help=f"torchvision vgg16/vgg19 ImageNet state dict for the style loss (default: ${VGG_WEIGHTS_ENV}, "
        "else a random network)",
    )
    p.add_argument(
        "--preserve-colour",
        action="store_true",
        help="keep the photo's colours: match the style image's colours to the photo first",
    )
    p.set_defaults(run=run_paint)

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
    side.add_argument("--landscape", dest="orientation", action="store_const", const="landscape", help="turn the paper")
    side.add_argument("--portrait", dest="orientation", action="store_const", const="portrait", help="(default: auto)")
    p.set_defaults(orientation="auto")
    colours = p.add_mutually_exclusive_group()
    colours.add_argument("--pens", type=positive_int, default=4, help="quantise colours to N pens (default: 4)")
    colours.add_argument("--palette", metavar="HEXES", help='your own colours, e.g. "#000000,#c03020,#2050a0"')
    p.add_argument("--dark-first", action="store_true", help="plot dark colours first (default: light first)")
    p.add_argument(
        "--keep-order",
        action="store_true",
        help="keep which stroke lies on top (for opaque paint): change pens as often as the layering needs",
    )
    p.add_argument("--tool-width", type=millimetres, default=1.0, metavar="MM", help="pen or brush width (1)")
    p.add_argument("--no-reverse", action="store_true", help="never draw a path backwards when ordering")
    p.add_argument("--join", type=millimetres, default=0.0, metavar="MM", help="stay down across gaps up to MM (0)")
    p.add_argument("--redip-every", type=millimetres, metavar="MM", help="go to the paint well after this much paint")
    p.add_argument(
        "--paint-well",
        type=point_mm,
        metavar="X,Y",
        help="the well, mm from the paper's bottom-left corner; write --paint-well=-20,10 for negative X",
    )
    p.add_argument("--pen-up", type=float, metavar="Z", help="G-code pen-up Z (5), or servo S value (default: M5)")
    p.add_argument("--pen-down", type=float, metavar="Z", help="G-code pen-down Z (0), or servo S value (1000)")
    p.add_argument("--servo", action="store_true", help="G-code: lift the pen with M3 S.. / M5 instead of Z")
    p.add_argument("--feed", type=float, default=1500.0, metavar="MM/MIN", help="G-code drawing speed (1500)")
    p.add_argument("--preview", metavar="PNG", help="also draw what the machine will draw")
    p.set_defaults(run=run_export)
    p = sub.add_parser("train-renderer", help="train the neural renderer that imitates a brush")
    p.add_argument("--brush", required=True, help="brush name (see 'paint brushes')")
    p.add_argument("--steps", type=positive_int, default=10_000, help="total optimiser steps (default: 10000)")
    p.add_argument("--batch", type=positive_int, default=64, help="strokes per step (default: 64)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to train (default: auto)")
    p.add_argument("--out", help="checkpoint file (default: the weights shipped in the package, which it replaces)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--threads", type=positive_int, help="CPU threads for torch; 1 is fastest on a busy machine")
    p.add_argument("--cache", default=".cache/renderers", help="folder for pre-rendered training strokes")
    p.set_defaults(run=run_train_renderer)

    p = sub.add_parser("eval-renderer", help="PSNR of a brush's neural renderer against the brush itself")
    p.add_argument("--brush", required=True, help="brush name (see 'paint brushes')")
    p.add_argument("--weights", help="checkpoint file (default: the shipped weights)")
    p.set_defaults(run=run_eval_renderer)
    return parser


def _command_names(parser: Parser) -> set[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices) if actions else set()


ERRORS: tuple[type[BaseException], ...] = (UsageError, ValueError, FileNotFoundError, OSError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if argv and not argv[0].startswith("-") and argv[0] not in _command_names(parser):
        argv = ["photo", *argv]  # `paint PHOTO ...` is the main job
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
