"""Pen changes that keep a painting's layering: for opaque paint, a stroke must go down after every
differently coloured stroke beneath it, which one layer per colour does not guarantee."""

from __future__ import annotations

import numpy as np

OVERLAP_ROWS = 512  # rows of the pairwise overlap test at a time: 512 x N booleans stays small


def stroke_boxes(per_stroke: list[list[np.ndarray]], tool_width: float) -> np.ndarray:
    """Bounds of each stroke's paths widened by half the tool (what it paints), (N, 4) x0, y0, x1, y1
    in mm. Every stroke must have at least one path."""
    boxes = []
    for paths in per_stroke:
        points = np.concatenate(paths)
        boxes.append([*(points.min(axis=0) - tool_width / 2), *(points.max(axis=0) + tool_width / 2)])
    return np.array(boxes, dtype=np.float64).reshape(-1, 4)


def pen_runs(boxes: np.ndarray, pens: np.ndarray, preference: list[int]) -> list[tuple[int, list[int]]]:
    """Group strokes (in painting order) into runs of one pen each, so that whenever stroke j was
    painted after stroke i, in another colour, and their boxes overlap, i's run comes before j's.
    Greedy: keep the current pen while any of its strokes is free to go; then switch to the pen with
    the most free strokes (ties: earlier in `preference`). boxes (N, 4), pens (N,) pen numbers.
    Returns (pen number, stroke indices in painting order) per run."""
    n = len(boxes)
    waiting = np.zeros(n, dtype=int)  # how many strokes beneath each one are not drawn yet
    above: list[np.ndarray] = [np.zeros(0, dtype=int)] * n
    for start in range(0, n, OVERLAP_ROWS):
        rows = slice(start, min(start + OVERLAP_ROWS, n))
        i = np.arange(n)[rows, None]  # (R, 1)
        j = np.arange(n)[None, :]  # (1, N)
        overlap = (
            (boxes[rows, None, 0] <= boxes[None, :, 2])
            & (boxes[None, :, 0] <= boxes[rows, None, 2])
            & (boxes[rows, None, 1] <= boxes[None, :, 3])
            & (boxes[None, :, 1] <= boxes[rows, None, 3])
            & (j > i)
            & (pens[rows, None] != pens[None, :])
        )  # (R, N): stroke i lies beneath stroke j
        waiting += overlap.sum(axis=0)
        for r, row in enumerate(overlap):
            above[start + r] = np.flatnonzero(row)
    free: dict[int, list[int]] = {int(p): [] for p in np.unique(pens)}
    for k in np.flatnonzero(waiting == 0):
        free[int(pens[k])].append(int(k))
    rank = {p: preference.index(p) if p in preference else len(preference) for p in free}
    runs: list[tuple[int, list[int]]] = []
    while any(free.values()):
        pen = max(free, key=lambda p: (len(free[p]), -rank[p]))
        run: list[int] = []
        while free[pen]:  # drawing a stroke may free more strokes of the same pen
            k = free[pen].pop()
            run.append(k)
            for m in above[k]:
                waiting[m] -= 1
                if waiting[m] == 0:
                    free[int(pens[m])].append(int(m))
        runs.append((pen, sorted(run)))
    assert sum(len(r) for _, r in runs) == n, "every stroke is drawn once"
    return runs
