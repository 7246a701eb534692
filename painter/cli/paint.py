"""`paint PHOTO`: paint one photo (several, a folder or a video go on to painter.cli.many).

Check everything first (settings, the output place, the photo), then paint, then write the outputs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from painter.cli import many
from painter.cli.common import (
    Stoppable,
    UsageError,
    UserError,
    checking,
    number,
    output_given,
    positive_int,
    settings_from_args,
)
from painter.cli.progress import MODES, Reporter
from painter.leftovers import scratch_folder
from painter.settings import (
    ANIMATIONS,
    DEVICES,
    FOCUS,
    QUALITIES,
    RENDERERS,
    STYLE_MODES,
    defaults,
)

STDOUT_KINDS = {"-": ".png", **{f"{kind}:-": f".{kind}" for kind in ("png", "jpg", "webp", "svg", "json", "gif")}}


def output_target(args: argparse.Namespace, brush: str) -> tuple[str, Path]:
    """('folder' | 'file' | 'stdout', path) of where the painting goes; checked before painting."""
    target = output_given(args)
    if target in STDOUT_KINDS:
        return "stdout", Path("painting" + STDOUT_KINDS[target])
    if target is not None and args.out is None and target.endswith(":-"):
        kinds = ", ".join(STDOUT_KINDS)
        raise UsageError(f"unknown kind {target[:-2][:40]!r} for standard output; use one of {kinds}")
    from painter.output_folder import SINGLE_FILES, check_folder, check_single

    with checking():
        suffix = Path(target).suffix.lower() if target is not None and args.out is None else ""
        if suffix in SINGLE_FILES and suffix:
            inputs = (None if args.photo == "-" else args.photo, args.style)
            return "file", check_single(target, inputs)
        if suffix and not target.endswith(("/", os.sep)) and not Path(target).is_dir():
            # A name like painting.bmp is meant as a file of a kind paint does not write, not as a folder.
            raise UsageError(
                f"unknown output type {suffix!r} for {target}; use one of {', '.join(SINGLE_FILES)} (or end a "
                "folder's name with /)"
            )
        stem = "stdin" if args.photo == "-" else Path(args.photo).stem
        folder = Path(target) if target is not None else Path("outputs") / f"{stem}-{brush}"
        return "folder", check_folder(folder, None if args.photo == "-" else args.photo)


def read_stdin_photo() -> bytes:
    """The photo piped to standard input."""
    data = sys.stdin.buffer.read()
    if not data:
        raise UserError("standard input is empty; pipe a photo into 'paint -'")
    return data


def run_paint(args: argparse.Namespace) -> int:
    """Paint a photo: check everything first, then optimise, then write the outputs."""
    if many.wants_many(args):  # several photos, a folder, a video or a cluster
        return many.run_many(args)
    if args.quiet and args.progress not in (None, "none"):
        raise UsageError(f"give either --quiet or --progress {args.progress}, not both")
    settings = settings_from_args(args)
    kind, target = output_target(args, settings.brush)
    from painter.job import PaintJob

    with checking():
        photo = read_stdin_photo() if args.photo == "-" else args.photo
        job = PaintJob(photo, settings, name="standard input" if args.photo == "-" else None)
    for note in job.notes:
        print(f"paint: note: {note}", file=sys.stderr)
    if job.style is not None and job.style.extractor == "random":
        print(
            "paint: note: no VGG weights, so the style comes from a random network; VGG weights give better "
            "results: --vgg-weights vgg16-397923af.pth (torchvision's ImageNet file) or set PAINT_VGG_WEIGHTS",
            file=sys.stderr,
        )
    reporter = Reporter(job, "none" if args.quiet else args.progress or "auto")
    with Stoppable() as stop:
        try:
            for progress in job.run():
                reporter.update(progress)
        finally:
            reporter.close()
    if stop.reason:
        print("paint: stopped; writing the strokes painted so far", file=sys.stderr)
    result = job.finish(interrupted=stop.reason is not None)
    # Writing a large painting takes minutes (50,000 strokes: SVGs of tens of MB): Ctrl-C or SIGTERM now
    # stops it at once, and a folder then gets the strokes alone, so nothing painted is lost.
    with Stoppable() as again, checking():  # checking: a full disk or a folder taken away meanwhile
        if kind == "folder":
            result.save(target)
        elif kind == "file":
            result.write(target)
        else:
            with scratch_folder() as scratch:  # the writers write files
                sys.stdout.buffer.write(result.write(Path(scratch) / target.name).read_bytes())
            sys.stdout.buffer.flush()
    if again.reason:
        if kind == "folder":
            from painter.output_folder import save_strokes_only

            with checking():
                save_strokes_only(result, target)
            print(f"paint: stopped writing; kept {target}/strokes.json ('paint render' draws it)", file=sys.stderr)
        else:
            print(f"paint: stopped writing; {target} was not written", file=sys.stderr)
        return again.code
    if not args.quiet:
        print_summary(result.metrics, {"folder": f"{target}/", "file": str(target), "stdout": "standard output"}[kind])
    return stop.code


def print_summary(m: dict, where: str) -> None:
    """One line of what was written and how close it came; on stderr when the painting went to stdout."""
    ssim = f", SSIM {m['ssim']:.3f}" if m["ssim"] is not None else ""
    print(
        f"wrote {where}: {m['strokes']} strokes, PSNR {m['psnr']:.2f} dB{ssim}, {m['seconds']:.1f} s",
        file=sys.stderr if where == "standard output" else sys.stdout,
    )
    if "style_loss" in m:
        loss = m["style_loss"]
        print(f"style loss {loss['photo']:.3g} (photo) -> {loss['painting']:.3g} (painting)", file=sys.stderr)


def add_parser(sub) -> None:
    """`paint PHOTO [options]`: one flag per PaintSettings field; each help line shows the field's default."""
    p = sub.add_parser(
        "photo",
        prog="paint",
        usage="paint PHOTO [options]   (or: paint COMMAND ..., see below)",
        description="Turn a photo into a painting made of brush strokes: painting.png, painting.svg, strokes.json, "
        "process.gif and metrics.json.",
        help="paint a photo (the default: 'paint PHOTO' means 'paint photo PHOTO')",
    )
    d = defaults()
    p.add_argument(
        "photo",
        help="the photo: JPEG, PNG, WebP, TIFF (alpha on white or the --canvas colour); - reads stdin",
    )
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
        "--animation", choices=ANIMATIONS, help=f"the making of it: process.gif, process.mp4 ({d['animation']})"
    )
    out.add_argument("--no-animation", dest="animation", action="store_const", const="none", help="no animation")
    out.add_argument("--quiet", action="store_true", help="print nothing but errors: no progress, no summary")
    out.add_argument(
        "--progress",
        choices=MODES,
        help="on stderr: a bar, a line per stage, one JSON object per step (stage, step, steps, strokes, loss, "
        "elapsed, eta) for scripts, or none (auto: a bar on a terminal, else a line per stage)",
    )
    g = p.add_argument_group("painting")
    g.add_argument("--brush", help=f"a brush; 'paint brushes' lists them ({d['brush']})")
    g.add_argument("--strokes", type=positive_int, metavar="N", help=f"stroke budget ({d['strokes']})")
    g.add_argument("--quality", choices=QUALITIES, help=f"optimiser effort per stroke ({d['quality']})")
    g.add_argument(
        "--focus",
        choices=FOCUS,
        help=f"strokes go first where people look (faces, detail) or where the miss is largest ({d['focus']})",
    )
    g.add_argument("--size", type=positive_int, metavar="PX", help=f"long side the strokes are fitted at ({d['size']})")
    g.add_argument(
        "--canvas",
        metavar="COLOUR",
        help=f"the ground: auto (toned to the photo's mean colour; white under a palette), white, black or #rrggbb "
        f"({d['canvas']})",
    )
    g.add_argument("--seed", type=number(int), help=f"the same seed gives the same strokes ({d['seed']})")
    g.add_argument("--opaque", action="store_const", const=True, help="fix opacity at 1, for physical paint")
    g.add_argument("--steps", type=positive_int, help="optimiser steps per level (the quality preset's)")
    g.add_argument("--device", choices=DEVICES, help=f"where to optimise ({d['device']})")
    g.add_argument("--renderer", choices=RENDERERS, help=f"optimise through ({d['renderer']})")
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
        type=number(float, 0),  # PaintSettings says the upper limit
        metavar="W",
        help=f"strength: at W a painting as far from the style as the photo pays W, against a pixel loss of about "
        f"0.1 ({d['style_weight']})",
    )
    st.add_argument("--style-mode", choices=STYLE_MODES, help=f"all stroke values, or only colour ({d['style_mode']})")
    st.add_argument(
        "--vgg-weights", metavar="FILE", help="torchvision vgg16/vgg19 state dict ($PAINT_VGG_WEIGHTS, else random)"
    )
    st.add_argument("--preserve-colour", action="store_const", const=True, help="keep the photo's colours")
    many.add_options(p)
    p.set_defaults(run=run_paint)
