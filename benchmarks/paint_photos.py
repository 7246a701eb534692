"""Painter benchmark: paints scikit-image's bundled photos with each brush and prints a table, side by
side with fogleman/primitive when its binary is found ($PRIMITIVE, or `primitive` on PATH).

Each painting runs as its own `paint` process (2 CPU threads), so seconds and peak memory are that
run's alone. primitive runs on the same photo and budget just before paint's runs of it (rotated
rectangles fitted at 256 px, drawn at the painting's size, 2 workers), so both see the same machine
load; the table gives paint's PSNR minus primitive's (dB) and paint's time over primitive's. Results
are appended to benchmarks/paint_photos.md with the date and the machine.

    python benchmarks/paint_photos.py                       # everything: 4 photos x 4 brushes x 2 budgets
    python benchmarks/paint_photos.py --photos astronaut --brushes rectangle --budgets 300
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

import brushes
from painter.images import load_photo
from painter.metrics import similarity

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
BUDGETS = (300, 1000)
HERE = Path(__file__).resolve().parent


def machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Run cmd; (wall seconds, its peak resident memory in MB). ValueError naming a failed command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise ValueError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def paint(photo: Path, brush: str, budget: int, size: int, out: Path, extra: list[str]) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    cmd = [sys.executable, "-m", "painter.cli", str(photo), "--brush", brush, "--strokes", str(budget)]
    cmd += ["--size", str(size), "--out", str(out), "--quiet", "--no-animation", *extra]
    seconds, peak = timed(cmd, env)
    metrics = json.loads((out / "metrics.json").read_text())
    return {**metrics, "wall": seconds, "peak_mb": peak}


def find_primitive() -> str | None:
    """The primitive binary: $PRIMITIVE if set, else `primitive` on PATH, else None."""
    given = os.environ.get("PRIMITIVE")
    if given:
        if not Path(given).is_file():
            raise ValueError(f"PRIMITIVE={given} is not a file")
        return given
    return shutil.which("primitive")


def primitive(binary: str, photo: Path, budget: int, size: int, out: Path) -> dict:
    """primitive's rotated rectangles (mode 5), fitted at 256 px, drawn at `size`; its PSNR measured as paint's."""
    cmd = [binary, "-i", str(photo), "-o", str(out), "-n", str(budget), "-m", "5", "-r", "256", "-s", str(size)]
    seconds, peak = timed([*cmd, "-j", "2"], dict(os.environ))
    picture = load_photo(out)
    return {**similarity(picture, load_photo(photo)), "wall": seconds, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS), choices=PHOTOS)
    parser.add_argument("--brushes", nargs="+", default=brushes.brush_names())
    parser.add_argument("--budgets", nargs="+", type=int, default=list(BUDGETS))
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--extra", default="", help="more options for paint, e.g. '--renderer exact'")
    parser.add_argument("--no-primitive", action="store_true", help="do not run primitive even when it is found")
    parser.add_argument("--no-save", action="store_true", help="print only; do not append to paint_photos.md")
    args = parser.parse_args()
    binary = None if args.no_primitive else find_primitive()
    if binary is None:
        print("primitive not found ($PRIMITIVE or PATH): paint alone", file=sys.stderr)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.photos:
            photo = Path(tmp) / f"{name}.png"
            Image.fromarray(np.asarray(getattr(data, name)())).save(photo)
            for budget in args.budgets:
                peer = (
                    primitive(binary, photo, budget, args.size, Path(tmp) / f"{name}-{budget}.png") if binary else None
                )
                if peer:
                    print(f"{name:<10} {'primitive':<11} {budget:>5} PSNR {peer['psnr']:6.2f} {peer['wall']:7.1f} s")
                for brush in args.brushes:
                    out = Path(tmp) / f"{name}-{brush}-{budget}"
                    m = paint(photo, brush, budget, args.size, out, args.extra.split())
                    versus = (m["psnr"] - peer["psnr"], m["wall"] / peer["wall"]) if peer else None
                    rows.append((name, brush, budget, m, peer, versus))
                    print(
                        f"{name:<10} {brush:<11} {budget:>5} strokes={m['strokes']:<5} PSNR {m['psnr']:6.2f} "
                        f"SSIM {m['ssim']:.3f} {m['wall']:7.1f} s {m['peak_mb']:7.0f} MB"
                        + (f"  vs primitive {versus[0]:+.2f} dB, {versus[1]:.2f}x time" if versus else ""),
                        flush=True,
                    )

    columns = ["photo", "brush", "budget", "strokes", "PSNR dB", "SSIM", "seconds", "peak RSS MB"]
    columns += ["primitive PSNR dB", "primitive s", "PSNR diff dB", "time ratio"] if binary else []
    table = "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|\n"
    for photo, brush, budget, m, peer, versus in rows:
        cells = [photo, brush, budget, m["strokes"], f"{m['psnr']:.2f}", f"{m['ssim']:.3f}", f"{m['wall']:.1f}"]
        cells += [f"{m['peak_mb']:.0f}"]
        if peer:
            cells += [f"{peer['psnr']:.2f}", f"{peer['wall']:.1f}", f"{versus[0]:+.2f}", f"{versus[1]:.2f}"]
        table += "| " + " | ".join(str(c) for c in cells) + " |\n"
    print(table)
    if not args.no_save:
        stamp = datetime.date.today().isoformat()
        note = f"\n## {stamp}, {machine()}, {args.size} px, options: `{args.extra or 'defaults'}`\n\n"
        if binary:
            note += f"primitive: `-m 5 -r 256 -s {args.size} -j 2`, run just before paint on each photo and budget.\n\n"
        with open(HERE / "paint_photos.md", "a", encoding="utf-8") as f:
            f.write(note + table)


if __name__ == "__main__":
    main()
