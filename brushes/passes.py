"""Machine passes for plotters and painting robots: the polylines a tool of a given width follows to
lay down a stroke's ink.

Shared by the brushes' `plot_paths`. Everything is in canvas pixels; every polyline is a (K, 2) array
of (x, y) points with K >= 2 (a dab is the same point twice). Passes are returned in boustrophedon
order: each pass runs the opposite way to the one before, so the tool hops only across, not back.
"""

from __future__ import annotations

import math

import numpy as np

# Below this opacity a stroke changes no 8-bit pixel, so a machine has nothing to paint.
INVISIBLE_ALPHA = 0.5 / 255
# A stroke thinner or shorter than this (pixels) in every direction leaves no visible ink.
INVISIBLE_SIZE = 1e-3


def _boustrophedon(passes: list[np.ndarray]) -> list[np.ndarray]:
    """Reverse every second pass, so consecutive passes start where the previous one ended."""
    return [p[::-1].copy() if i % 2 else p for i, p in enumerate(passes)]


def curve_passes(points: np.ndarray, radii: np.ndarray, tool_width: float) -> list[np.ndarray]:
    """Passes along a band of varying half-width around a polyline: its centre line, plus passes
    offset along the normals at tool-width spacing wherever the band is wider than the tool.
    Offset passes are carried round the round caps at the ends, so the tool fills them too.

    points: (K, 2) centre line; radii: (K,) half-width there; both in pixels. tool_width: pixels.
    """
    assert points.ndim == 2 and points.shape[1] == 2 and radii.shape == (len(points),), (points.shape, radii.shape)
    if tool_width <= 0:
        raise ValueError(f"tool width must be positive, got {tool_width}")
    if radii.max() < INVISIBLE_SIZE:
        return []
    steps = np.diff(points, axis=0)
    if np.hypot(steps[:, 0], steps[:, 1]).sum() < INVISIBLE_SIZE:  # a dab: the curve has no length
        return [np.stack([points[0], points[0]])]
    tangents = np.gradient(points, axis=0)  # (K, 2); central differences keep offsets smooth
    norms = np.hypot(tangents[:, 0], tangents[:, 1])
    # A quadratic Bezier can stop and turn back (zero speed at one point): borrow the chord there.
    chord = points[-1] - points[0]
    fallback = chord / np.hypot(*chord) if np.hypot(*chord) > INVISIBLE_SIZE else np.array([1.0, 0.0])
    tangents = np.where(norms[:, None] > 1e-9, tangents / np.maximum(norms, 1e-9)[:, None], fallback)
    normals = np.stack([-tangents[:, 1], tangents[:, 0]], axis=1)
    half = tool_width / 2
    reach = radii - half  # how far from the centre line the tool's centre may go and keep its ink inside
    count = max(0, math.floor(reach.max() / tool_width + 1e-9))
    passes = []
    for k in range(-count, count + 1):
        offset = k * tool_width
        inside = reach >= abs(offset) - 1e-9
        if k == 0:
            inside[:] = True  # the centre line is always drawn, even where the stroke is thinner than the tool
        if inside.sum() < 2:
            continue
        run = points[inside] + normals[inside] * offset  # radii are linear along the curve, so one run
        pieces = [run]
        for index, sign in ((0, -1.0), (-1, 1.0)):
            # How far past the end point the round cap (a disc of radius r) still holds the whole tool.
            extra = math.sqrt(max(0.0, radii[index] ** 2 - offset**2)) - half
            if inside[index] and extra > 1e-6:
                cap = run[index] + sign * tangents[index] * extra
                pieces.insert(0 if index == 0 else len(pieces), cap[None])
        passes.append(np.concatenate(pieces))
    return _boustrophedon(passes)


def box_passes(
    cx: float, cy: float, theta: float, rects: list[tuple[float, float, float, float]], tool_width: float
) -> list[np.ndarray]:
    """Parallel passes filling a union of rectangles laid in a rotated frame, along its long axis at
    up to tool-width spacing, the tool's whole width kept inside the shape.

    cx, cy: frame origin (pixels); theta: frame angle (radians, y down); rects: (u_centre, u_half,
    v_centre, v_half) in pixels, u along theta and v across it. The union must have no gaps across.
    """
    if tool_width <= 0:
        raise ValueError(f"tool width must be positive, got {tool_width}")
    table = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    u_lo, u_hi = (table[:, 0] - table[:, 1]).min(), (table[:, 0] + table[:, 1]).max()
    v_lo, v_hi = (table[:, 2] - table[:, 3]).min(), (table[:, 2] + table[:, 3]).max()
    if min(u_hi - u_lo, v_hi - v_lo) < INVISIBLE_SIZE:
        return []
    along_u = u_hi - u_lo >= v_hi - v_lo
    # Columns: centre and half-size along the passes, then across them.
    table = table if along_u else table[:, [2, 3, 0, 1]]
    lo, hi = (v_lo, v_hi) if along_u else (u_lo, u_hi)
    half = tool_width / 2
    if hi - lo <= tool_width:
        offsets = np.array([(lo + hi) / 2])
    else:
        offsets = np.linspace(lo + half, hi - half, math.ceil((hi - lo - tool_width) / tool_width - 1e-9) + 1)
    c, s = math.cos(theta), math.sin(theta)
    passes = []
    for offset in offsets:
        hit = np.abs(offset - table[:, 2]) <= table[:, 3] + 1e-9
        if not hit.any():
            continue
        start, end = (table[hit, 0] - table[hit, 1]).min(), (table[hit, 0] + table[hit, 1]).max()
        if end - start <= tool_width:
            start = end = (start + end) / 2
        else:
            start, end = start + half, end - half
        along = np.array([start, end])
        u, v = (along, np.full(2, offset)) if along_u else (np.full(2, offset), along)
        passes.append(np.stack([cx + u * c - v * s, cy + u * s + v * c], axis=1))
    return _boustrophedon(passes)
