"""The smaller `paint` commands: render, brushes, serve, train-renderer and eval-renderer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from painter.cli import brushes as user_brushes
from painter.cli.common import Stoppable, UsageError, check_png_name, checking, number, positive_int
from painter.settings import DEVICES


def run_render(args: argparse.Namespace) -> int:
    from painter import animation, exporters
    from painter.strokes import load_painting

    animated = args.animated or Path(args.output).suffix.lower() == ".mp4"
    if animated and Path(args.output).suffix.lower() not in animation.ANIMATION_WRITERS:
        raise UsageError(f"--animated needs an .svg, .mp4 or .gif output, got {args.output!r}")
    with checking():
        painting = load_painting(args.strokes)
        (animation.write_animation if animated else exporters.write)(painting, args.output, args.size)
    print(f"wrote {args.output}")
    return 0


def run_brushes(args: argparse.Namespace) -> int:
    import brushes

    if args.preview:
        import imageio.v3 as iio

        from painter.brush_sheet import brush_sheet
        from painter.files import atomic_path, to_uint8

        check_png_name(args.preview, "preview sheet")
        with checking(), atomic_path(args.preview) as tmp:
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


def run_serve(args: argparse.Namespace) -> int:
    """Serve the web page until Ctrl-C or SIGTERM; paintings under way keep their strokes so far."""
    from painter.web import WebServer

    with checking():  # a port in use, a folder that cannot be made
        server = WebServer(args.host, args.port, workers=args.workers, folder=args.folder)
    print(f"paint: serving on {server.url}  (Ctrl-C stops)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"paint: note: listening on {args.host}: anyone who can reach this machine can use the page")
    if args.folder is None:
        print(
            "paint: uploads and paintings are kept in a temporary folder until the server stops; use the page's "
            "downloads, or --folder DIR to keep them"
        )
    try:
        with Stoppable():
            server.serve_forever()
        print("paint: stopping", file=sys.stderr)
    finally:
        server.close()
    return 0


def run_train_renderer(args: argparse.Namespace) -> int:
    import torch

    import brushes
    from renderers import resolve_weights
    from renderers.checkpoint import TRAINED, load_checkpoint
    from renderers.model import pick_device
    from renderers.train import TrainConfig, resumable_checkpoint, train_renderer

    with checking():  # everything the user gave, checked before any training data is drawn
        brush = brushes.get_brush(args.brush)
        out = resolve_weights(brush, args.out or TRAINED)
        config = TrainConfig(steps=args.steps, batch=args.batch, **({"lr": args.lr} if args.lr else {}))
        pick_device(args.device)
        if args.resume:
            resumable_checkpoint(out, brush)
        start_from = resolve_weights(brush, args.start_from) if args.start_from else None
        if start_from is not None:
            load_checkpoint(start_from, brush, same_spec=False)
    if args.threads:
        torch.set_num_threads(args.threads)
    summary = train_renderer(
        brush, out, config, device=args.device, resume=args.resume, cache=args.cache, start_from=start_from
    )
    print(
        f"wrote {out}: {summary['step']} steps, validation PSNR {summary['valid_psnr']:.2f} dB, "
        f"{summary['seconds'] / 60:.1f} min in all"
    )
    return 0


def run_eval_renderer(args: argparse.Namespace) -> int:
    import brushes
    from renderers import load_renderer
    from renderers.train import evaluate

    with checking():
        brush = brushes.get_brush(args.brush)
        net = load_renderer(brush, args.weights)
    print(f"{brush.name}: network vs procedural renderer, 2000 held-out strokes on mid-grey at {net.resolution} px")
    print(f"PSNR {evaluate(net, brush):.2f} dB")
    return 0


def add_parsers(sub) -> None:
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
        help="list the brushes; 'paint brushes new|remove' makes or removes your own",
        description="List the brushes. 'paint brushes new NAME --texture IMAGE' makes a brush from an image of "
        "one real stroke; 'paint brushes remove NAME' removes one you made.",
    )
    p.add_argument("--json", action="store_true", help="print the brushes' parameter specs as JSON")
    p.add_argument("--preview", metavar="PNG", help="draw a sheet of sample strokes of every brush")
    p.set_defaults(run=run_brushes)
    user_brushes.add_parsers(p, type(p))

    p = sub.add_parser("serve", help="a web page on this machine: drop a photo and watch it being painted")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; only this machine by default (127.0.0.1)")
    p.add_argument("--port", type=number(int, 0, 65535), default=8000, help="port; 0 picks a free one (8000)")
    p.add_argument("--workers", type=positive_int, default=1, help="paintings made at the same time (1)")
    p.add_argument("--folder", metavar="DIR", help="keep uploads and paintings here (a temporary folder)")
    p.set_defaults(run=run_serve)

    p = sub.add_parser("train-renderer", help="train the neural renderer that imitates a brush")
    p.add_argument("--brush", required=True, help="brush name (see 'paint brushes')")
    p.add_argument("--steps", type=positive_int, default=10_000, help="total optimiser steps (default: 10000)")
    p.add_argument("--batch", type=positive_int, default=64, help="strokes per step (default: 64)")
    p.add_argument("--device", default="auto", choices=DEVICES, help="where to train (default: auto)")
    p.add_argument(
        "--out",
        metavar="WEIGHTS",
        help="a name, kept in your user folder as renderers/<brush>-<name>.pt (default: trained), or a file path",
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument(
        "--start-from",
        metavar="WEIGHTS",
        help="start from these weights of the brush (shipped, a name or a file), even of an earlier version "
        "of it: a changed brush is learnt again in far fewer steps",
    )
    p.add_argument(
        "--lr",
        type=number(float, 0, 1, above=True),
        help="peak learning rate (default: 0.002; 0.0005 to start from weights)",
    )
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
