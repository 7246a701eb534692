"""Painter benchmark: paints scikit-image's bundled photos with each brush and prints a table.

Each painting runs as its own `paint` process (2 CPU threads), so seconds and peak memory are that
run's alone. Results are appended to benchmarks/paint_photos.md with the date and the machine.

    python benchmarks/paint_photos.py                       # everything: 3 photos x 4 brushes x 2 budgets
    python benchmarks/paint_photos.py --photos astronaut --brushes rectangle --budgets 300
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

import brushes

PHOTOS = ("astronaut", "chelsea", "coffee")
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


def paint(photo: Path, brush: str, budget: int, size: int, out: Path, extra: list[str]) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    cmd = [
        sys.executable,
        "-m",
        "painter.cli",
        str(photo),
        "--brush",
        brush,
        "--strokes",
        str(budget),
        "--size",
        str(size),
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]
    subprocess.run(cmd, check=True, env=env)
    return json.loads((out / "metrics.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS), choices=PHOTOS)
    parser.add_argument("--brushes", nargs="+", default=brushes.brush_names())
    parser.add_argument("--budgets", nargs="+", type=int, default=list(BUDGETS))
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--extra", default="", help="more options for paint, e.g. '--renderer exact'")
    parser.add_argument("--no-save", action="store_true", help="print only; do not append to paint_photos.md")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.photos:
            photo = Path(tmp) / f"{name}.png"
            Image.fromarray(np.asarray(getattr(data, name)())).save(photo)
            for brush in args.brushes:
                for budget in args.budgets:
                    m = paint(
                        photo, brush, budget, args.size, Path(tmp) / f"{name}-{brush}-{budget}", args.extra.split()
                    )
                    rows.append(
                        (name, brush, budget, m["strokes"], m["psnr"], m["ssim"], m["seconds"], m["peak_memory_mb"])
                    )
                    print(
                        f"{name:<10} {brush:<11} {budget:>5} strokes={m['strokes']:<5} PSNR {m['psnr']:6.2f} "
                        f"SSIM {m['ssim']:.3f} {m['seconds']:7.1f} s {m['peak_memory_mb']:7.0f} MB",
                        flush=True,
                    )

    header = "| photo | brush | budget | strokes | PSNR dB | SSIM | seconds | peak RSS MB |\n" + "|---" * 8 + "|\n"
    table = header + "".join(
        f"| {p} | {b} | {n} | {s} | {q:.2f} | {ss:.3f} | {t:.1f} | {mem:.0f} |\n" for p, b, n, s, q, ss, t, mem in rows
    )
    print(table)
    if not args.no_save:
        stamp = datetime.date.today().isoformat()
        note = f"\n## {stamp}, {machine()}, {args.size} px, options: `{args.extra or 'defaults'}`\n\n"
        with open(HERE / "paint_photos.md", "a", encoding="utf-8") as f:
            f.write(note + table)


if __name__ == "__main__":
    main()
