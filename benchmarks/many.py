"""Batch, worker and video benchmark: photos per minute for 1 and 2 local workers and for a local Ray
instance with 2 CPUs (Ray's overhead against the local pool), and seconds per video frame and flicker,
warm-started against independent frames.

Photos are scikit-image's bundled ones (cycled to --photos); the clip is made here: a window panning
across the astronaut photo while a square crosses it. Results are appended to benchmarks/many.md with
the date, the machine and its load.

    python benchmarks/many.py                                   # the full run: 8 photos, 24 frames, 256 px
    python benchmarks/many.py --photos 3 --frames 6 --size 48 --strokes 16 --renderer exact --steps 3   # small
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from painter.omp import use_paint_threads  # noqa: E402

use_paint_threads()  # as the paint command does, before numpy or torch load OpenMP

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from painter import PaintSettings  # noqa: E402
from painter.many.batch import plan_batch, run_batch  # noqa: E402
from painter.many.pool import InlineRunner, ProcessRunner  # noqa: E402
from painter.many.video import Clip, VideoOptions, flicker, paint_frames, render_frames  # noqa: E402

HERE = Path(__file__).resolve().parent
SOURCES = ("astronaut", "chelsea", "coffee", "rocket", "cat")


def machine() -> str:
    name = "unknown CPU"
    try:
        name = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{name}, {os.cpu_count()} cores, load average {load:.1f} at the start"


def make_photos(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        name = SOURCES[i % len(SOURCES)]
        path = folder / f"{i:02d}-{name}.png"
        Image.fromarray(getattr(data, name)()).convert("RGB").save(path)
        paths.append(path)
    return paths


def batch_rate(photos: list[Path], settings: PaintSettings, runner, out: Path) -> tuple[float, float]:
    """(photos per minute, seconds) of a whole batch through `runner`, worker start-up included."""
    started = time.perf_counter()
    outcomes = list(run_batch(plan_batch(photos, out, settings.brush), settings, runner))
    seconds = time.perf_counter() - started
    assert all(o.status == "painted" for o in outcomes), [o.error for o in outcomes if o.error]
    return len(photos) / seconds * 60, seconds


def panning_clip(frames: int, side: int) -> Clip:
    """A window panning across the astronaut photo while a yellow square crosses it, `side` px wide."""
    photo = np.asarray(Image.fromarray(data.astronaut()).resize((side * 2, side * 3 // 2)))
    h, w = side * 3 // 4, side
    out = []
    for t in range(frames):
        x = round(t * (photo.shape[1] - w) / max(1, frames - 1) / 4)
        frame = photo[side // 4 : side // 4 + h, x : x + w].copy()
        s, left = side // 6, round(t * (w - side // 6) / max(1, frames - 1))
        frame[h // 3 : h // 3 + s, left : left + s] = (250, 230, 40)
        out.append(frame)
    return Clip(out, 12.0, "synthetic pan")


def video_rows(clip: Clip, settings: PaintSettings, refine_steps: int) -> list[tuple[str, float, dict]]:
    rows = []
    for independent in (False, True):
        options = VideoOptions(refine_steps=refine_steps, independent=independent)
        started = time.perf_counter()
        strokes = [f.strokes for f in paint_frames(clip.frames, settings, options)]
        per_frame = (time.perf_counter() - started) / len(clip.frames)
        h, w = clip.frames[0].shape[:2]
        scale = settings.size / max(h, w)
        painted = render_frames(strokes, settings, round(w * scale), round(h * scale))
        rows.append(("independent" if independent else f"warm-started ({refine_steps} steps)", per_frame,
                     flicker(painted, clip.frames)))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--strokes", type=int, default=200)
    parser.add_argument("--brush", default="rectangle")
    parser.add_argument("--renderer", default="neural", choices=["neural", "exact"])
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--refine-steps", type=int, default=VideoOptions().refine_steps)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray row")
    parser.add_argument("--out", default=str(HERE / "many.md"))
    args = parser.parse_args()
    settings = PaintSettings(
        brush=args.brush, strokes=args.strokes, size=args.size, renderer=args.renderer, steps=args.steps,
        animation="none", device="cpu",
    )  # fmt: skip
    header = machine()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "in").mkdir()
        photos = make_photos(folder / "in", args.photos)
        for name, make in (("1 worker (this process)", InlineRunner), ("2 local workers", lambda: ProcessRunner(2))):
            rate, seconds = batch_rate(photos, settings, make(), folder / f"out-{len(rows)}")
            rows.append((name, rate, seconds))
            print(f"{name}: {rate:.1f} photos/min ({seconds:.1f} s)", flush=True)
        if not args.no_ray:
            from painter.many.cluster import RayRunner, connect, disconnect

            started = time.perf_counter()
            connect(None, cpus=2)
            start_up = time.perf_counter() - started
            try:
                rate, seconds = batch_rate(photos, settings, RayRunner(), folder / "out-ray")
            finally:
                disconnect()
            rows.append((f"local Ray, 2 CPUs (+{start_up:.1f} s to start Ray)", rate, seconds))
            print(f"Ray: {rate:.1f} photos/min ({seconds:.1f} s, Ray start {start_up:.1f} s)", flush=True)
    video = video_rows(panning_clip(args.frames, max(64, args.size)), settings, args.refine_steps)
    for name, per_frame, f in video:
        print(f"video {name}: {per_frame:.2f} s/frame, flicker {f['flicker']}", flush=True)
    lines = [
        f"\n## {datetime.date.today()}: {header}\n",
        f"`python benchmarks/many.py {' '.join(sys.argv[1:])}`: {args.photos} photos, {args.brush}, "
        f"{args.strokes} strokes at {args.size} px, {args.renderer} renderer, steps {args.steps or 'preset'}.\n",
        "| runner | photos per minute | seconds |",
        "|---|---|---|",
        *[f"| {name} | {rate:.1f} | {seconds:.1f} |" for name, rate, seconds in rows],
        "",
        f"Video: {args.frames} frames of a synthetic pan, {max(64, args.size)} px; flicker = mean change between "
        "consecutive painted frames / the same for the clip (1 = as much change as the clip).\n",
        "| frames | seconds per frame | painted change | clip change | flicker |",
        "|---|---|---|---|---|",
        *[f"| {n} | {s:.2f} | {f['painted_change']} | {f['source_change']} | {f['flicker']} |" for n, s, f in video],
    ]
    with open(args.out, "a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    print(f"appended to {args.out}")


if __name__ == "__main__":
    main()
