"""Benchmark the shipped neural renderers: speed of forward+backward, size and accuracy per brush.

Usage: `.venv/bin/python benchmarks/renderers.py > benchmarks/renderers.md`. Prints a Markdown table.

Speed is what the painter pays per optimiser step: a forward and a backward pass (to the strokes; the
weights are frozen) for 256 strokes, median of several runs. On a shared machine wall time includes
waiting for the CPU, so the CPU time of the one-thread run is printed too: it is what the work costs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

# This file shares its name with the package it measures: run as a script, its own folder would come first
# on sys.path and `import renderers` would import this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import torch  # noqa: E402

import brushes  # noqa: E402
from renderers import load_renderer  # noqa: E402
from renderers.model import parameter_count  # noqa: E402
from renderers.train import evaluate  # noqa: E402


def machine() -> str:
    """The CPU's model name from lscpu, else what platform knows."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in text.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or platform.machine()


def forward_backward(net: torch.nn.Module, strokes: torch.Tensor, threads: int, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (ms) of one forward+backward pass to the strokes."""
    torch.set_num_threads(threads)
    walls, cpus = [], []
    for i in range(runs + 2):
        x = strokes.clone().requires_grad_(True)
        wall, cpu = time.perf_counter(), time.process_time()
        colour, alpha = net(x)
        (colour * alpha + 0.5 * (1 - alpha)).square().mean().backward()
        if i >= 2:  # the first runs build oneDNN's kernels
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=256, help="strokes per forward+backward")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per setting")
    parser.add_argument("--eval", type=int, default=2000, help="held-out strokes for the PSNR")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    print("# Neural renderer benchmark\n")
    print(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- machine: {machine()}, {os.cpu_count()} cores; torch {torch.__version__}")
    print(f"- load average when started: {load:.1f} (the CPU is shared; wall times include waiting for it)")
    print(f"- OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")
    print(f"- forward+backward of {args.strokes} strokes to the stroke parameters, median of {args.runs} runs")
    print(f"- PSNR: `paint eval-renderer`, {args.eval} held-out strokes composited on mid-grey\n")
    print("| brush | R | parameters | fwd+bwd 2 threads, ms wall | 1 thread, ms wall | 1 thread, ms CPU | PSNR dB |")
    print("|---|---|---|---|---|---|---|")
    for brush in brushes.all_brushes():
        net = load_renderer(brush)
        strokes = brush.sample(args.strokes, torch.Generator().manual_seed(0))
        wall2, _ = forward_backward(net, strokes, 2, args.runs)
        wall1, cpu1 = forward_backward(net, strokes, 1, args.runs)
        psnr = evaluate(net, brush, strokes=args.eval)
        print(
            f"| {brush.name} | {net.resolution} | {parameter_count(net):,} | {wall2:.0f} | {wall1:.0f} | {cpu1:.0f} "
            f"| {psnr:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
