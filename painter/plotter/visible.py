"""Hidden parts removed: a pen cannot paint over ink, so where later strokes cover a stroke in the
painting, the machine should not draw it at all. Drawing it anyway is what made a plot cover the
paper several times over and lose its subject under the mixed inks.

Coverage comes from the brushes' own raster renderers, in painting order: at a point, the share of a
stroke that still shows is the product of (1 - alpha) of every stroke painted after it. A path is kept
where at least SHOWS of it shows; a path partly hidden is cut into pieces, and pieces shorter than
the tool is wide are dropped (a dot the size of the pen is not worth a pen lift).
"""

from __future__ import annotations

import numpy as np
import torch

from painter.plotter.layout import Layout
from painter.plotter.paths import polyline_length
from painter.strokes import Painting

SHOWS = 0.25  # a stroke's share of the colour below which a point is hidden: a median (0.79) dab on top hides it
CELLS_PER_TOOL = 2  # coverage is measured on a grid of half a tool width: finer than any pass spacing


def shown_through(painting: Painting, height: int, width: int) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """For each stroke, the window it paints (y0, x0, h, w) on a height x width grid of the canvas, and
    how much of it shows there through the strokes painted after it, (h, w) in [0, 1]."""
    brush, strokes = painting.brush, painting.strokes.double()
    bounds = brush.extent(strokes, height, width).floor().long()  # (N, 4) x0, y0, x1, y1
    bounds[:, 0::2] = bounds[:, 0::2].clamp(0, width)
    bounds[:, 1::2] = bounds[:, 1::2].clamp(0, height)
    above = torch.ones(height, width, dtype=torch.float64)  # (H, W): transmittance of the strokes above
    out: list[tuple[tuple[int, int, int, int], np.ndarray]] = [((0, 0, 0, 0), np.zeros((0, 0)))] * len(strokes)
    for i in range(len(strokes) - 1, -1, -1):  # last painted first: it lies on top
        x0, y0, x1, y1 = bounds[i].tolist()
        x1, y1 = min(x1 + 1, width), min(y1 + 1, height)
        if x1 <= x0 or y1 <= y0:
            continue
        window = (y0, x0, y1 - y0, x1 - x0)
        _, alpha = brush.render(strokes[i : i + 1], height, width, window=window)  # (1, 1, h, w)
        out[i] = (window, above[y0:y1, x0:x1].numpy().copy())
        above[y0:y1, x0:x1] *= 1 - alpha[0, 0]
    return out


def visible_pieces(path: np.ndarray, visible, step: float) -> list[np.ndarray]:
    """The parts of a (K, 2) polyline where `visible(points (M, 2)) -> (M,) bool` holds, tested every
    `step` or less along it. Each part is its two ends and the polyline's own vertices between them."""
    segments = np.diff(path, axis=0)  # (K - 1, 2)
    counts = np.maximum(1, np.ceil(np.hypot(segments[:, 0], segments[:, 1]) / step)).astype(int)
    points, corner = [path[:1]], [True]
    for a, d, n in zip(path[:-1], segments, counts, strict=True):
        points.append(a + (np.arange(1, n + 1) / n)[:, None] * d)  # (n, 2), ending on the next vertex
        corner += [False] * (n - 1) + [True]
    samples = np.concatenate(points)  # (M, 2)
    seen = np.asarray(visible(samples), dtype=int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], seen, [0]])))  # where visible runs start and stop
    pieces = []
    for first, stop in zip(edges[0::2], edges[1::2], strict=True):  # samples first .. stop - 1
        if stop - first >= 2:
            inner = [k for k in range(first + 1, stop - 1) if corner[k]]
            pieces.append(samples[[first, *inner, stop - 1]])
    return pieces


def hide_covered(
    painting: Painting, layout: Layout, per_stroke: list[list[np.ndarray]], tool_width: float
) -> list[list[np.ndarray]]:
    """Each stroke's paths (mm on paper) cut to where the stroke shows in the painting (see the module
    docstring); pieces cut shorter than `tool_width` mm are dropped."""
    cell = tool_width / CELLS_PER_TOOL  # mm
    long_side = max(1, round(max(painting.width, painting.height) * layout.scale / cell))
    height, width = painting.size_at(long_side)
    to_grid = np.array([width / painting.width, height / painting.height]) / layout.scale  # mm -> grid cells
    origin = np.array([layout.left, layout.top])
    shows = shown_through(painting, height, width)
    out = []
    for paths, ((y0, x0, h, w), through) in zip(per_stroke, shows, strict=True):
        if not paths:
            out.append([])
            continue

        def visible(points: np.ndarray, y0=y0, x0=x0, h=h, w=w, through=through) -> np.ndarray:
            cells = np.floor((points - origin) * to_grid).astype(int)  # (M, 2) x, y
            col, row = cells[:, 0] - x0, cells[:, 1] - y0
            inside = (col >= 0) & (col < w) & (row >= 0) & (row < h)
            result = np.zeros(len(points), dtype=bool)
            result[inside] = through[row[inside], col[inside]] >= SHOWS
            return result

        kept = []
        for path in paths:
            pieces = visible_pieces(path, visible, cell / 2)
            if len(pieces) == 1 and len(pieces[0]) == len(path) and np.array_equal(pieces[0], path):
                kept.append(path)  # wholly visible: kept as it is, however short
            else:
                kept += [piece for piece in pieces if polyline_length(piece) >= tool_width]
        out.append(kept)
    return out
