"""`paint` for several photos, a folder, a video, `--workers` and `--ray` (painter.cli.paint hands these
over): it builds the plan, calls the library, shows progress, writes summary.json and prints the summary
table."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from painter.cli.common import (
    FAILED,
    Stoppable,
    UsageError,
    checking,
    number,
    output_given,
    positive_int,
    settings_from_args,
)
from painter.many.inputs import is_video

VIDEO_FLAGS = ("fps", "max_frames", "start", "end", "refine_steps", "reseed", "independent")


def add_options(p: argparse.ArgumentParser) -> None:
    """More photos after the first, and the batch, worker, cluster and video flags."""
    from painter.many.video import VideoOptions

    v = VideoOptions()
    p.add_argument("more", nargs="*", metavar="PHOTO", help="more photos or folders: each photo gets its own folder")
    g = p.add_argument_group("many photos, videos and clusters")
    g.add_argument("--workers", type=positive_int, metavar="N", help="paint N photos (or video chunks) at once (1)")
    g.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="paint on a Ray cluster: auto, host:port or ray://host:port; without ADDRESS, a Ray instance "
        "started here (needs pip install 'paint-strokes[ray]')",
    )
    g.add_argument(
        "--fps", type=number(float, 0, above=True), help="video: frames per second of painting.mp4 (the clip's)"
    )
    g.add_argument("--max-frames", type=positive_int, metavar="N", help="video: paint at most N frames (all)")
    g.add_argument(
        "--start", type=number(float, 0, what="seconds"), metavar="S", help="video: start S seconds into the clip (0)"
    )
    g.add_argument(
        "--end",
        type=number(float, 0, what="seconds"),
        metavar="S",
        help="video: stop S seconds into the clip (its end)",
    )
    g.add_argument(
        "--refine-steps",
        type=positive_int,
        metavar="N",
        help=f"video: steps refining each frame from the previous frame's strokes ({v.refine_steps})",
    )
    g.add_argument(
        "--reseed",
        type=number(float, 0, 1, what="a share between 0 and 1"),
        metavar="SHARE",
        help=f"video: share of strokes moved each frame to where the painting is furthest off ({v.reseed})",
    )
    g.add_argument(
        "--independent", action="store_const", const=True, help="video: paint every frame afresh (flickers; to compare)"
    )


def wants_many(args: argparse.Namespace) -> bool:
    """Whether this `paint` command is for several photos, a folder, a video or a cluster."""
    given = [args.photo, *getattr(args, "more", [])]
    video_flags = any(getattr(args, name, None) is not None for name in VIDEO_FLAGS)
    return len(given) > 1 or Path(args.photo).is_dir() or is_video(args.photo) or args.ray is not None or video_flags


def make_runner(args: argparse.Namespace):
    """Where the tasks run: a Ray cluster (--ray), N local processes (--workers N), or this process."""
    from painter.many.pool import InlineRunner, ProcessRunner

    if args.ray is not None:
        from painter.many.cluster import RayRunner, connect

        connect(None if args.ray == "local" else args.ray)
        return RayRunner(args.workers)
    if args.workers and args.workers > 1:
        return ProcessRunner(args.workers)
    return InlineRunner()


def _target(args: argparse.Namespace) -> str | None:
    target = output_given(args)
    if target is not None and (target == "-" or target.endswith(":-") or Path(target).suffix):
        raise UsageError(f"{target!r}: several photos or a video go into a folder; give --out DIR")
    return target


def run_many(args: argparse.Namespace) -> int:
    """`paint PHOTO... | DIR | VIDEO`: check everything, then paint, then report."""
    import brushes

    given = [args.photo, *args.more]
    if "-" in given:
        raise UsageError("standard input (-) is for one photo alone")
    video = [g for g in given if is_video(g)]
    if not video:
        named = [f"--{name.replace('_', '-')}" for name in VIDEO_FLAGS if getattr(args, name) is not None]
        if named:
            raise UsageError(f"{named[0]} is for a video")
    settings = settings_from_args(args)
    with checking():
        brushes.get_brush(settings.brush)  # an unknown brush is one error now, not one per photo
    target = _target(args)
    if video:
        if len(given) > 1:
            raise UsageError(f"{video[0]} is a video; paint a video on its own")
        if settings.palette is not None or settings.pens is not None:  # later frames are refined freely
            raise UsageError("--palette, --palette-file and --pens are for photos, not yet for a video")
        return run_video(args, settings, target)
    return run_photos(args, settings, given, target)


def run_photos(args: argparse.Namespace, settings, given: list[str], target: str | None) -> int:
    from painter.many.batch import BatchItem, check_batch, plan_batch
    from painter.many.inputs import find_photos

    with checking():
        photos = find_photos(given)
        if len(given) == 1 and not Path(given[0]).is_dir():  # one photo (on a cluster): its folder, as `paint PHOTO`
            parent = None
            items = [BatchItem(photos[0], Path(target or Path("outputs") / f"{photos[0].stem}-{settings.brush}"))]
        else:
            parent = Path(target or "outputs")
            items = plan_batch(photos, parent, settings.brush)
        check_batch(items)
        runner = make_runner(args)  # an unreachable cluster is found here, before anything is written
    started = time.perf_counter()
    outcomes, stopped = paint_batch(items, settings, runner, quiet=args.quiet)
    if parent is not None:
        from painter.files import json_text, write_bytes_atomic
        from painter.many.batch import summary

        report = summary(outcomes, settings, time.perf_counter() - started)
        with checking():
            write_bytes_atomic(parent / "summary.json", json_text(report, indent=1).encode("utf-8"))
    if not args.quiet:
        print_table(outcomes)
        if parent is not None:
            print(f"wrote {parent / 'summary.json'}")
    if stopped.reason:
        return stopped.code
    return FAILED if any(o.status == "failed" for o in outcomes) else 0


def paint_batch(items, settings, runner, quiet: bool):
    """Run the batch under one progress bar (photos done, and how far the ones being painted are).
    Returns every item's Outcome in the items' order, and the Stoppable that says whether it was stopped."""
    from tqdm import tqdm

    from painter.many.batch import Outcome, run_batch

    bar = tqdm(total=len(items), unit="photo", dynamic_ncols=True, disable=quiet, bar_format=BAR)
    partial: dict[int, float] = {}  # item index -> share of its steps done
    finished: dict[str, Outcome] = {}
    index_of = {str(item.photo): i for i, item in enumerate(items)}

    def show() -> None:
        bar.set_postfix_str(", ".join(items[i].photo.name for i in partial), refresh=False)
        bar.update(round(len(finished) + sum(partial.values()), 2) - bar.n)  # redraws at most every 0.1 s

    def progress(index: int, done: int, total: int) -> None:
        partial[index] = done / max(1, total)
        show()

    outcomes = run_batch(items, settings, runner, progress, threads=runner.threads)  # the same on every runner
    with Stoppable() as stopped:
        try:
            for outcome in outcomes:
                finished[outcome.photo] = outcome
                partial.pop(index_of[outcome.photo], None)
                if outcome.status == "failed":
                    tqdm.write(f"paint: {outcome.photo}: {outcome.error}", file=sys.stderr)
                show()
        finally:
            outcomes.close()  # stops the workers
            bar.close()
    if stopped.reason:
        print("paint: stopped; finished photos are saved: run the same command again to go on", file=sys.stderr)
    result = [finished.get(str(it.photo)) or Outcome(str(it.photo), str(it.folder), "not painted") for it in items]
    return result, stopped


BAR = "{desc}{percentage:3.0f}%|{bar}| {n:.1f}/{total_fmt} photos [{elapsed}<{remaining}{postfix}]"


def print_table(outcomes) -> None:
    """The summary table: one row per photo."""
    rows = [("photo", "status", "strokes", "PSNR", "seconds", "error")]
    for o in outcomes:
        rows.append(
            (
                o.photo,
                o.status,
                "-" if o.strokes is None else str(o.strokes),
                "-" if o.psnr is None else f"{o.psnr:.2f}",
                "-" if o.seconds is None else f"{o.seconds:.1f}",
                o.error or "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths, strict=True)) + "  " + row[5])
    counts = {s: sum(o.status == s for o in outcomes) for s in ("painted", "skipped", "failed", "not painted")}
    print(", ".join(f"{n} {s}" for s, n in counts.items() if n))


def run_video(args: argparse.Namespace, settings, target: str | None) -> int:
    """`paint clip.mp4`: read the frames, paint them (in chunks with --workers / --ray), write the folder."""
    from tqdm import tqdm

    from painter.many.pool import InlineRunner
    from painter.many.video import (
        ClipReader,
        VideoOptions,
        check_video_folder,
        paint_clip,
        paint_streamed,
        save_streamed,
    )

    given = {name: getattr(args, name) for name in VIDEO_FLAGS if getattr(args, name) is not None}
    path = Path(args.photo)
    long_side = max(settings.size, settings.output_size)
    with checking():
        options = VideoOptions(**given)
        folder = check_video_folder(Path(target) if target else Path("outputs") / f"{path.stem}-{settings.brush}")
        reader = ClipReader(path, options, long_side)  # decodes up to the first frame: a bad clip is found now
        runner = make_runner(args)  # an unreachable cluster is found here, before anything is written
    started = time.perf_counter()
    if isinstance(runner, InlineRunner):
        # In this process the frames are painted as they are decoded: memory does not grow with the clip's
        # length, and the bar moves from the first frame (its total is not known until the clip ends).
        bar = tqdm(unit="frame", dynamic_ncols=True, disable=args.quiet)
        try:
            strokes, seconds = paint_streamed(reader, settings, options, lambda done: bar.update(done - bar.n))
        finally:
            bar.close()
        with checking():  # a full disk or a folder taken away meanwhile
            metrics = save_streamed(folder, reader, strokes, seconds, settings, options, started)
    else:  # chunks go to workers, which decode their own frames
        bar = tqdm(unit="frame", dynamic_ncols=True, disable=args.quiet)

        def progress(frames_done: int, total: int) -> None:
            bar.total, bar.n = total, frames_done
            bar.refresh()

        try:
            strokes, seconds = paint_clip(reader, settings, options, runner, runner.workers, progress)
        finally:
            bar.close()
        with checking():  # a full disk or a folder taken away meanwhile
            metrics = save_streamed(folder, reader, strokes, seconds, settings, options, started, runner.workers)
    if not args.quiet:
        flick = "-" if metrics["flicker"] is None else f"{metrics['flicker']:.2f}"
        print(
            f"wrote {folder}/: {len(strokes)} frames at {reader.fps:g} fps, PSNR {metrics['psnr']:.2f} dB, "
            f"flicker {flick} (painted change / clip change), {metrics['seconds']:.1f} s"
        )
    return 0
