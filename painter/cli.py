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
# (benchmarks/renderers.md), so they sleep; but waking them for every one of the thousands of small
# operations of the exact whole-canvas steps made those 2.2x slower (chelsea, 500 oil strokes: 9.6 s
# against 4.4 s), so they first spin briefly (libgomp's count; its default is 300,000). Must be set
# before torch loads OpenMP, so before the imports below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import signal  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import fields  # noqa: E402

import imageio.v3 as iio  # noqa: E402

import brushes  # noqa: E402
from painter import brush_command, exporters  # noqa: E402
from painter.animation import ANIMATIONS  # noqa: E402
from painter.files import atomic_path, to_uint8  # noqa: E402
from painter.settings import QUALITIES, STYLE_MODES, SettingsError, defaults  # noqa: E402
from painter.strokes import load_painting  # noqa: E402
from painter.style_loss import VGG_WEIGHTS_ENV  # noqa: E402


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


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# ---- painting a photo ----------------------------------------------------------------------------
class Terminated(Exception):
    """SIGTERM, turned into an exception so a killed run stops like Ctrl-C: strokes so far are kept."""


def _terminate(signum, frame):
    raise Terminated


def flag(field: str) -> str:
    """The command-line flag of a PaintSettings field."""
    return "--" + field.replace("_", "-")


def settings_from_args(args: argparse.Namespace):
    """PaintSettings from the flags given; the fields of flags not given keep their defaults."""
    from painter.settings import PaintSettings

    given = {f.name: getattr(args, f.name) for f in fields(PaintSettings) if getattr(args, f.name, None) is not None}
    if getattr(args, "palette_file", None) is not None:
        from painter.palette import read_palette_file

        given["palette"] = read_palette_file(args.palette_file)
    return PaintSettings(**given)


STDOUT_KINDS = {"-": ".png", **{f"{kind}:-": f".{kind}" for kind in ("png", "jpg", "webp", "svg", "json", "gif")}}


def output_target(args: argparse.Namespace, brush: str) -> tuple[str, Path]:
    """('folder' | 'file' | 'stdout', path) of where the painting goes; checked before painting."""
    from painter.output_folder import SINGLE_FILES, check_folder, check_single

    if args.output is not None and args.out is not None:
        raise UsageError("give either -o/--output or --out, not both")
    target = args.output if args.output is not None else args.out
    if target is not None and not target.strip():
        raise UsageError("the output name is empty")
    if target in STDOUT_KINDS:
        return "stdout", Path("painting" + STDOUT_KINDS[target])
    if target is not None and args.out is None and Path(target).suffix.lower() in SINGLE_FILES:
        return "file", check_single(target)
    stem = "stdin" if args.photo == "-" else Path(args.photo).stem
    folder = Path(target) if target is not None else Path("outputs") / f"{stem}-{brush}"
    return "folder", check_folder(folder, None if args.photo == "-" else args.photo)


def read_stdin_photo(folder: Path) -> Path:
    """The photo piped to standard input, kept in `folder` while it is painted."""
    data = sys.stdin.buffer.read()
    if not data:
        raise ValueError("standard input is empty; pipe a photo into 'paint -'")
    path = folder / "stdin-photo"
    path.write_bytes(data)
    return path


def run_paint(args: argparse.Namespace) -> int:
    """Paint a photo: check everything first, then optimise, then write the outputs."""
    from painter.job import PaintJob
    from painter.many.command import run_many, wants_many

    if wants_many(args):  # several photos, a folder, a video or a cluster
        return run_many(args)

    settings = settings_from_args(args)
    kind, target = output_target(args, settings.brush)
    with tempfile.TemporaryDirectory(prefix="paint-") as scratch:
        photo = read_stdin_photo(Path(scratch)) if args.photo == "-" else args.photo
        job = PaintJob(photo, settings)
        for note in job.notes:
            print(f"paint: note: {note}", file=sys.stderr)
        if job.style is not None and job.style.extractor == "random":
            print(
                "paint: note: no VGG weights, so the style comes from a random network; VGG weights give better "
                "results: --vgg-weights vgg16-397923af.pth (torchvision's ImageNet file) or set PAINT_VGG_WEIGHTS",
                file=sys.stderr,
            )
        stopped = paint_with_progress(job, quiet=args.quiet)
        result = job.finish(interrupted=stopped is not None)
        if kind == "folder":
            result.save(target)
        elif kind == "file":
            result.write(target)
        else:
            sys.stdout.buffer.write(result.write(Path(scratch) / target.name).read_bytes())
            sys.stdout.buffer.flush()
    if not args.quiet:
        m = result.metrics
        where = {"folder": f"{target}/", "file": str(target), "stdout": "standard output"}[kind]
        ssim = f", SSIM {m['ssim']:.3f}" if m["ssim"] is not None else ""
        print(
            f"wrote {where}: {m['strokes']} strokes, PSNR {m['psnr']:.2f} dB{ssim}, {m['seconds']:.1f} s",
            file=sys.stderr if kind == "stdout" else sys.stdout,
        )
        if "style_loss" in m:
            loss = m["style_loss"]
            print(f"style loss {loss['photo']:.3g} (photo) -> {loss['painting']:.3g} (painting)", file=sys.stderr)
    return {None: 0, "interrupt": 130, "terminate": 143}[stopped]


def paint_with_progress(job, quiet: bool) -> str | None:
    """Run the job under a progress bar. Returns None when it finished, or 'interrupt' / 'terminate' when
    Ctrl-C or SIGTERM stopped it (the strokes so far are kept)."""
    from tqdm import tqdm

    previous = signal.signal(signal.SIGTERM, _terminate)
    bar = tqdm(total=job.total_steps, unit="step", dynamic_ncols=True, disable=quiet)
    stopped = None
    try:
        for progress in job.run():
            stage = progress.stage if progress.stage != "level" else f"level {progress.level}/{progress.levels}"
            bar.set_description(stage)
            bar.set_postfix(strokes=progress.strokes, loss=f"{progress.loss:.4f}", refresh=False)
            bar.update(1)
    except KeyboardInterrupt:
        stopped = "interrupt"
    except Terminated:
        stopped = "terminate"
    finally:
        bar.close()
        signal.signal(signal.SIGTERM, previous)
    if stopped:
        print("paint: stopped; writing the strokes painted so far", file=sys.stderr)
    return stopped


# ---- other commands --------------------------------------------------------------------------------
def run_render(args: argparse.Namespace) -> int:
    from painter import animation

    animated = args.animated or Path(args.output).suffix.lower() == ".mp4"
    if animated and Path(args.output).suffix.lower() not in animation.ANIMATION_WRITERS:
        raise UsageError(f"--animated needs an .svg, .mp4 or .gif output, got {args.output!r}")
    painting = load_painting(args.strokes)
    (animation.write_animation if animated else exporters.write)(painting, args.output, args.size)
    print(f"wrote {args.output}")
    return 0


def run_brushes(args: argparse.Namespace) -> int:
    if args.preview:
        from painter.brush_sheet import brush_sheet

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
        hide_covered=not args.keep_hidden,
    )
    machine = plotter.Machine(pen_up=args.pen_up, pen_down=args.pen_down, servo=args.servo, feed=args.feed)
    painting = load_painting(args.strokes)
    if args.device is not None and fmt != "hpgl":
        raise ValueError(f"--device is for --to hpgl (vpype's plotter profiles); got --to {fmt}")
    plot = plotter.plan_plot(painting, settings)
    if args.device is not None:
        try:  # vpype is an optional extra: imported only when asked for
            from painter.vpype_plugin import device_hpgl
        except ImportError:
            raise ValueError("--device needs vpype: pip install 'paint-strokes[vpype]'") from None
        text = device_hpgl(plot, args.device, args.paper)
        plotter.write_plot(plot, fmt, args.output, machine, args.preview, text=text.encode("ascii"))
    else:
        plotter.write_plot(plot, fmt, args.output, machine, args.preview)
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


def run_serve(args: argparse.Namespace) -> int:
    """Serve the web page until Ctrl-C or SIGTERM; paintings under way keep their strokes so far."""
    from painter.web import WebServer

    server = WebServer(args.host, args.port, workers=args.workers, folder=args.folder)
    previous = signal.signal(signal.SIGTERM, _terminate)
    print(f"paint: serving on {server.url}  (Ctrl-C stops)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"paint: note: listening on {args.host}: anyone who can reach this machine can use the page")
    if args.folder is None:
        print(
            "paint: uploads and paintings are kept in a temporary folder until the server stops; use the page's "
            "downloads, or --folder DIR to keep them"
        )
    try:
        server.serve_forever()
    except (KeyboardInterrupt, Terminated):
        print("paint: stopping", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
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

    from renderers import resolve_weights
    from renderers.checkpoint import TRAINED
    from renderers.train import TrainConfig, train_renderer

    brush = brushes.get_brush(args.brush)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = resolve_weights(brush, args.out or TRAINED)
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
def add_paint_options(p: argparse.ArgumentParser) -> None:
    """The painting flags, one per PaintSettings field; each help line shows the field's default."""
    d = defaults()
    p.add_argument("photo", help="the photo: JPEG, PNG, WebP, TIFF (alpha composited on the canvas); - reads stdin")
    out = p.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="a folder for the whole set, or one file by its extension (.png .jpg .webp .svg .json .gif); "
        "- writes a PNG to stdout (svg:-, json:- ... other kinds) (default: outputs/<photo>-<brush>/)",
    )
    out.add_argument("--out", metavar="DIR", help="the output folder (same as -o DIR)")
    out.add_argument("--render-size", type=positive_int, metavar="PX", help="long side of the PNG and SVG (--size)")
    out.add_argument(
        "--animation", choices=ANIMATIONS, help=f"the painting being made: process.gif, process.mp4 ({d['animation']})"
    )
    out.add_argument("--no-animation", dest="animation", action="store_const", const="none", help="no animation")
    out.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    g = p.add_argument_group("painting")
    g.add_argument("--brush", help=f"oilpaint, markerpen, watercolor or rectangle; see 'paint brushes' ({d['brush']})")
    g.add_argument("--strokes", type=positive_int, metavar="N", help=f"stroke budget ({d['strokes']})")
    g.add_argument("--quality", choices=QUALITIES, help=f"optimiser effort per stroke ({d['quality']})")
    g.add_argument("--size", type=positive_int, metavar="PX", help=f"long side the strokes are fitted at ({d['size']})")
    g.add_argument("--canvas", metavar="COLOUR", help=f"white, black or #rrggbb ({d['canvas']})")
    g.add_argument("--seed", type=whole_number, help=f"the same seed gives the same strokes ({d['seed']})")
    g.add_argument("--opaque", action="store_const", const=True, help="fix opacity at 1, for physical paint")
    g.add_argument("--steps", type=positive_int, help="optimiser steps per level (the quality preset's)")
    g.add_argument("--device", choices=["auto", "cpu", "cuda"], help=f"where to optimise ({d['device']})")
    g.add_argument("--renderer", choices=["neural", "exact"], help=f"optimise through ({d['renderer']})")
    g.add_argument("--renderer-weights", metavar="FILE", help="a renderer you trained (the shipped one)")
    pal = p.add_argument_group("your own paints (every stroke in one of a few colours; none: any colour)")
    paints = pal.add_mutually_exclusive_group()
    paints.add_argument("--palette", metavar="HEXES", help='paint only in these, e.g. "#1b1b1b,#c03020,#f4f0e6"')
    paints.add_argument(
        "--palette-file",
        metavar="FILE",
        help="the colours from a file, one a line ('#c03020 cadmium red'; lines starting '# ' are comments)",
    )
    paints.add_argument("--pens", type=positive_int, metavar="N", help="paint only in N colours picked from the photo")
    st = p.add_argument_group("style transfer")
    st.add_argument("--style", metavar="IMAGE", help="paint in the style of this image (its textures and colours)")
    st.add_argument(
        "--style-weight",
        type=non_negative_float,
        metavar="W",
        help=f"strength: at W a painting as far from the style as the photo pays W, against a pixel loss of about "
        f"0.1 ({d['style_weight']})",
    )
    st.add_argument("--style-mode", choices=STYLE_MODES, help=f"all stroke values, or only colour ({d['style_mode']})")
    st.add_argument(
        "--vgg-weights", metavar="FILE", help=f"torchvision vgg16/vgg19 state dict (${VGG_WEIGHTS_ENV}, else random)"
    )
    st.add_argument("--preserve-colour", action="store_const", const=True, help="keep the photo's colours")
    from painter.many.command import add_many_options

    add_many_options(p)
    p.set_defaults(run=run_paint)


def build_parser() -> Parser:
    parser = Parser(prog="paint", description="Turn a photo into a painting made of brush strokes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser(
        "photo",
        prog="paint",
        usage="paint PHOTO [options]   (or: paint COMMAND ..., see below)",
        description="Turn a photo into a painting made of brush strokes: painting.png, painting.svg, strokes.json, "
        "process.gif and metrics.json.",
        help="paint a photo (the default: 'paint PHOTO' means 'paint photo PHOTO')",
    )
    add_paint_options(p)

    p = sub.add_parser("render", help="draw a stroke file as PNG, SVG, GIF or MP4 at any size")
    p.add_argument("strokes", help="a strokes.json file")
    p.add_argument(
        "-o", "--output", required=True, help="output file: .png, .svg, .gif or .mp4 (the last two stroke by stroke)"
    )
    p.add_argument("--size", type=positive_int, help="longer side in pixels (default: the file's own size; MP4: 720)")
    p.add_argument("--animated", action="store_true", help="an .svg in which the strokes appear one after another")
    p.set_defaults(run=run_render)

    p = sub.add_parser(
        "brushes",
        help="list the brushes and their parameters; 'paint brushes new|remove' makes or removes your own",
        description="List the brushes. 'paint brushes new NAME --texture IMAGE' makes a brush from an image of "
        "one real stroke; 'paint brushes remove NAME' removes one you made.",
    )
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
    p.add_argument("--pen-up", type=float, metavar="Z", help="G-code pen-up Z (5), or servo S value (default: M5)")
    p.add_argument("--pen-down", type=float, metavar="Z", help="G-code pen-down Z (0), or servo S value (1000)")
    p.add_argument("--servo", action="store_true", help="G-code: lift the pen with M3 S.. / M5 instead of Z")
    p.add_argument("--feed", type=float, default=1500.0, metavar="MM/MIN", help="G-code drawing speed (1500)")
    p.add_argument("--preview", metavar="PNG", help="also draw what the machine will draw")
    p.set_defaults(run=run_export)

    p = sub.add_parser("serve", help="a web page on this machine: drop a photo and watch it being painted")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; only this machine by default (127.0.0.1)")
    p.add_argument("--port", type=whole_number, default=8000, help="port; 0 picks a free one (8000)")
    p.add_argument("--workers", type=positive_int, default=1, help="paintings made at the same time (1)")
    p.add_argument("--folder", metavar="DIR", help="keep uploads and paintings here (a temporary folder)")
    p.set_defaults(run=run_serve)

    p = sub.add_parser("train-renderer", help="train the neural renderer that imitates a brush")
    p.add_argument("--brush", required=True, help="brush name (see 'paint brushes')")
    p.add_argument("--steps", type=positive_int, default=10_000, help="total optimiser steps (default: 10000)")
    p.add_argument("--batch", type=positive_int, default=64, help="strokes per step (default: 64)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to train (default: auto)")
    p.add_argument(
        "--out",
        metavar="WEIGHTS",
        help="a name, kept in your user folder as renderers/<brush>-<name>.pt (default: trained), or a file path",
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--threads", type=positive_int, help="CPU threads for torch; 1 is fastest on a busy machine")
    p.add_argument("--cache", default=".cache/renderers", help="folder for pre-rendered training strokes")
    p.set_defaults(run=run_train_renderer)

    p = sub.add_parser("eval-renderer", help="PSNR of a brush's neural renderer against the brush itself")
    p.add_argument("--brush", required=True, help="brush name (see 'paint brushes')")
    p.add_argument(
        "--weights",
        metavar="WEIGHTS",
        help="shipped (the default), the name of weights you trained (e.g. trained), or a file path",
    )
    p.set_defaults(run=run_eval_renderer)
    return parser


def _subparsers(parser: Parser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _command_names(parser: Parser) -> set[str]:
    return set(_subparsers(parser).choices)


ERRORS: tuple[type[BaseException], ...] = (UsageError, ValueError, FileNotFoundError, OSError)


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
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        print(main_help(parser), end="")
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"paint {version()}")
        return 0
    if brush_command.wants(argv):  # `paint brushes new|remove`: its own small parser
        return brush_command.main(argv[1:])
    if argv[0] not in _command_names(parser):
        argv = ["photo", *argv]  # `paint [OPTIONS] PHOTO [OPTIONS]` is the main job
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except SettingsError as err:
        print(f"paint: error: {err.named(flag)}", file=sys.stderr)
        return 2
    except ERRORS as err:
        print(f"paint: error: {err}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated):
        print("paint: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
