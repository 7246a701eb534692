"""Path order within a layer, to cut pen-up travel, and trips to the paint well for brush robots.

Paths are (K, 2) polylines in mm. A layer is drawn starting from and returning to `home` (the machine
parks there at each colour change), so layers can be ordered and measured independently.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from painter.plotter.paths import polyline_length

Point = tuple[float, float]


def pen_down_distance(paths: list[np.ndarray]) -> float:
    """Total drawn length (mm)."""
    return sum(polyline_length(p) for p in paths)


def pen_up_distance(paths: list[np.ndarray], home: Point, well: Point | None = None, dips: Sequence[int] = ()) -> float:
    """Pen-up travel (mm) from home through the paths in order and back home; before each path whose
    index is in `dips`, the trip goes by way of the well."""
    position = np.asarray(home, dtype=np.float64)
    total = 0.0
    dipping = set(dips)
    for i, path in enumerate(paths):
        if i in dipping:
            assert well is not None, "dips need a well"
            total += float(np.hypot(*(np.asarray(well) - position)))
            position = np.asarray(well, dtype=np.float64)
        total += float(np.hypot(*(path[0] - position)))
        position = path[-1]
    return total + float(np.hypot(*(np.asarray(home) - position)))


def nearest_neighbour(paths: list[np.ndarray], home: Point, reverse: bool = True) -> list[np.ndarray]:
    """Greedy order: from home, always go to the nearest path start (or end, drawn backwards, when
    `reverse`). A k-d tree of the undrawn paths' ends finds the nearest; it is rebuilt whenever
    drawn paths make up half of it, so a layer of n paths takes about n log n, not n^2."""
    if not paths:
        return []
    ends = [np.array([p[0] for p in paths])] + ([np.array([p[-1] for p in paths])] if reverse else [])
    points = np.concatenate(ends)  # (N or 2N, 2): every start, then every end
    owner = np.tile(np.arange(len(paths)), len(ends))  # which path each point belongs to
    backwards = np.repeat(np.arange(len(ends)) == 1, len(paths))  # whether reaching it means drawing backwards
    left = np.ones(len(paths), dtype=bool)
    live = np.arange(len(points))  # the points in the tree
    tree = cKDTree(points)
    position = np.asarray(home, dtype=np.float64)
    ordered = []
    for _ in range(len(paths)):
        k = 8
        while True:
            _, found = tree.query(position, k=min(k, len(live)))
            found = live[np.atleast_1d(found)]
            free = found[left[owner[found]]]
            if len(free) or k >= len(live):
                break
            k *= 4
        point = int(free[0])  # query answers nearest first
        path = paths[owner[point]]
        ordered.append(path[::-1].copy() if backwards[point] else path)
        left[owner[point]] = False
        position = ordered[-1][-1]
        if left.sum() and left[owner[live]].sum() * 2 <= len(live):  # half the tree is drawn: rebuild
            live = live[left[owner[live]]]
            tree = cKDTree(points[live])
    return ordered


def order_paths(paths: list[np.ndarray], home: Point, reverse: bool = True) -> list[np.ndarray]:
    """The nearest-neighbour order, or the given order where that is already shorter (greedy tours
    are not always better), so ordering never adds pen-up travel."""
    greedy = nearest_neighbour(paths, home, reverse)
    return greedy if pen_up_distance(greedy, home) <= pen_up_distance(paths, home) else list(paths)


def join_paths(paths: list[np.ndarray], gap: float) -> list[np.ndarray]:
    """Consecutive paths whose gap (end to next start) is at most `gap` mm become one path: the
    tool stays down across the gap, saving a lift and a lowering (hatch passes sit a tool width apart)."""
    if not gap >= 0:
        raise ValueError(f"the join distance must be zero or more millimetres, got {gap}")
    joined: list[np.ndarray] = []
    for path in paths:
        if joined and float(np.hypot(*(path[0] - joined[-1][-1]))) <= gap:
            joined[-1] = np.vstack([joined[-1], path])
        else:
            joined.append(path)
    return joined


def split_at(path: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """A polyline cut `distance` mm along it, 0 < distance < its length: the head and the tail."""
    steps = np.hypot(*np.diff(path, axis=0).T)
    reached = np.concatenate([[0.0], np.cumsum(steps)])  # (K,) distance at each vertex
    i = int(np.searchsorted(reached, distance, side="right")) - 1  # cut lies in segment i
    i = min(max(i, 0), len(steps) - 1)
    t = (distance - reached[i]) / steps[i] if steps[i] > 0 else 0.0
    cut = path[i] + t * (path[i + 1] - path[i])
    return np.vstack([path[: i + 1], cut]), np.vstack([cut, path[i + 1 :]])


def insert_redips(paths: list[np.ndarray], every: float) -> tuple[list[np.ndarray], list[int]]:
    """Cut the paths so that a trip to the paint well comes first and then after each `every` mm
    painted. Returns the cut paths and the indices of the paths each trip comes before."""
    if not every > 0:
        raise ValueError(f"the redip distance must be a positive number of millimetres, got {every}")
    out: list[np.ndarray] = []
    dips: list[int] = []
    painted = every  # as if the brush were dry, so the layer starts with a dip
    for path in paths:
        rest = path
        while True:
            if painted >= every - 1e-9:
                dips.append(len(out))
                painted = 0.0
            length = polyline_length(rest)
            if painted + length <= every + 1e-9:
                out.append(rest)
                painted += length
                break
            head, rest = split_at(rest, every - painted)
            out.append(head)
            painted = every
    return out, dips
