"""Strokes -> machine paths: each stroke's plot paths from its brush, clipped to the canvas and laid
on the paper (mm). The brush spec says which values are colour and alpha; no brush is named here."""

from __future__ import annotations

import numpy as np

from painter.plotter.layout import Layout
from painter.strokes import Painting


def stroke_colours(painting: Painting) -> np.ndarray:
    """One colour per stroke, the mean of its colour values (a gradient's two ends). (N, 3) in [0, 1]."""
    values = painting.strokes.double().numpy()[:, painting.brush.indices("colour")]  # (N, 3 * C)
    assert values.shape[1] % 3 == 0 and values.shape[1] > 0, values.shape
    return values.reshape(len(values), values.shape[1] // 3, 3).mean(axis=1)  # (N, C, 3) -> (N, 3)


def polyline_length(points: np.ndarray) -> float:
    """Length of a (K, 2) polyline."""
    steps = np.diff(points, axis=0)
    return float(np.hypot(steps[:, 0], steps[:, 1]).sum())


def clip_polyline(points: np.ndarray, box: tuple[float, float, float, float]) -> list[np.ndarray]:
    """The parts of a (K, 2) polyline inside box (x0, y0, x1, y1), each (M, 2) with M >= 2
    (Liang-Barsky per segment; consecutive inside parts stay one piece)."""
    x0, y0, x1, y1 = box
    inside = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    if inside.all():
        return [points]
    pieces: list[list[np.ndarray]] = []
    current: list[np.ndarray] = []
    for a, b in zip(points[:-1], points[1:], strict=True):
        d = b - a
        t0, t1 = 0.0, 1.0
        for p, q in ((-d[0], a[0] - x0), (d[0], x1 - a[0]), (-d[1], a[1] - y0), (d[1], y1 - a[1])):
            if p == 0:
                if q < 0:
                    t0, t1 = 1.0, 0.0  # parallel to this edge and outside it
            elif p < 0:
                t0 = max(t0, q / p)
            else:
                t1 = min(t1, q / p)
        if t0 > t1:
            if current:
                pieces.append(current)
                current = []
            continue
        if t0 > 0 or not current:
            if current:
                pieces.append(current)
            current = [a + t0 * d]
        current.append(a + t1 * d)
        if t1 < 1:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    out = [np.array(piece) for piece in pieces if len(piece) >= 2]
    return [piece for piece in out if polyline_length(piece) > 1e-9]


def stroke_paths(painting: Painting, layout: Layout, tool_width: float) -> list[list[np.ndarray]]:
    """Every stroke's machine paths on paper: one list per stroke, each path (K, 2) in mm, clipped to
    where the canvas lies. tool_width: mm."""
    if not tool_width > 0:
        raise ValueError(f"tool width must be a positive number of millimetres, got {tool_width}")
    tool_px = layout.to_canvas(tool_width)
    canvas = (0.0, 0.0, float(painting.width), float(painting.height))
    out = []
    for stroke in painting.strokes.double().numpy():
        paths = painting.brush.plot_paths(stroke, painting.height, painting.width, tool_px)
        clipped = [piece for path in paths for piece in clip_polyline(path, canvas)]
        out.append([layout.to_paper(path) for path in clipped])
    return out
