"""Benchmark: train the neural renderer of a brush made from a scanned stroke, within a CPU budget.

Makes the brush from docs/scanned-brush/stroke.jpg in a scratch user folder, runs `paint train-renderer`
on one torch thread under `nice` (the machine is shared) for at most --minutes of wall time, then
scores the weights it left (the final ones, or the last checkpoint if time ran out) on 2000 held-out
strokes, and writes benchmarks/scanned_brush.md. CPU time is the training process's and its pool
filler's (resource.RUSAGE_CHILDREN), measured, not wall time.

    PYTHONPATH=. .venv/bin/python benchmarks/scanned_brush.py --minutes 45
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path, and its renderers.py would shadow the package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
SAMPLE = ROOT / "docs" / "scanned-brush" / "stroke.jpg"
NAME = "scan"


def child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=45.0, help="wall-clock limit of the training (45)")
    parser.add_argument("--steps", type=int, default=10_000, help="optimiser steps asked for (10000)")
    parser.add_argument("--home", default=str(ROOT / ".cache" / "bench-home"), help="scratch user folder")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "scanned_brush.md"))
    args = parser.parse_args()
    os.environ["PAINT_HOME"] = args.home
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}

    from painter.brush_maker import make_brush, save_brush

    brush = make_brush(NAME, SAMPLE, like="oilpaint", two_colour=True)
    save_brush(brush, str(SAMPLE.relative_to(ROOT)), replace=True)
    load = os.getloadavg()[0]
    command = ["nice", "-n", "19", sys.executable, "-m", "painter", "train-renderer", "--brush", NAME]
    command += ["--steps", str(args.steps), "--threads", "1", "--cache", str(ROOT / ".cache" / "renderers")]
    began, cpu0 = time.perf_counter(), child_cpu_seconds()
    try:
        subprocess.run(command, env=env, cwd=ROOT, timeout=args.minutes * 60, check=True)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False  # the last checkpoint (every 1000 steps) is what is scored
    wall, cpu = time.perf_counter() - began, child_cpu_seconds() - cpu0
    print(f"training: wall {wall / 60:.1f} min, CPU {cpu / 60:.1f} min", flush=True)

    import torch

    from renderers import load_renderer
    from renderers.checkpoint import load_checkpoint, user_weights
    from renderers.train import evaluate

    torch.set_num_threads(1)
    weights = user_weights(brush)
    step = load_checkpoint(weights, brush)["step"]
    held_out = evaluate(load_renderer(brush, "trained"), brush)
    lines = [
        "# Neural renderer of a brush made from a scanned stroke",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, shared; "
        f"load average when started: {load:.1f}; torch {torch.__version__}, one thread, nice 19",
        f"- brush: made from {SAMPLE.relative_to(ROOT)} (--like oilpaint --two-colour)",
        f"- training: {step} of {args.steps} steps ({'finished' if finished else 'stopped at the time limit'}), "
        f"wall {wall / 60:.1f} min, CPU {cpu / 60:.1f} min (training and pool filler, time.process_time-like "
        "rusage of the child processes)",
        f"- held-out PSNR (`paint eval-renderer`, 2000 strokes on mid-grey): {held_out:.2f} dB",
        f"- weights: {weights.stat().st_size / 1e6:.1f} MB",
        "",
        "Target (issue 22): >= 30 dB held-out in <= 45 CPU minutes.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
