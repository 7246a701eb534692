"""The OpenMP thread policy the painter is tuned for, applied where painting runs (the `paint` command,
its batch workers, `paint serve`) and available to library users: call `use_paint_threads()` first thing,
before anything imports torch.

Threads that spin while they wait for a busy CPU made torch 10x slower on a shared 2-core machine
(benchmarks/renderers.md), so they sleep; but waking them for every one of the thousands of small
operations of the exact whole-canvas steps made those 2.2x slower (chelsea, 500 oil strokes: 9.6 s
against 4.4 s), so they first spin briefly (libgomp's count; its default is 300,000).
"""

from __future__ import annotations

import os
import sys

PAINT_THREADS = {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "10000"}


def use_paint_threads() -> bool:
    """Set the variables of PAINT_THREADS that the environment does not already set (a user's own values
    win). OpenMP reads them once, when torch loads it, so they reach this process only if torch is not yet
    imported (returns whether they did); processes started later (workers) get them either way."""
    for name, value in PAINT_THREADS.items():
        os.environ.setdefault(name, value)
    return "torch" not in sys.modules
