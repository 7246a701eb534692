"""Rectangle (tape art): a crisp, filled, rotated rectangle of one colour."""

from __future__ import annotations

import numpy as np
import svgwrite
import torch

from brushes.base import Brush, Param, check_strokes
from brushes.geometry import (
    ANGLE_SCALE,
    box_extent,
    box_placement,
    degrees,
    interval_coverage,
    long_side,
    pixel_grid,
    rotate_into,
    to_hex,
)
from brushes.passes import INVISIBLE_ALPHA, box_passes


class Rectangle(Brush):
    name = "rectangle"
    description = "crisp rotated rectangles of one colour, like strips of tape"
    cheap_raster = True  # one box per stroke: drawing 1,000 of them exactly takes milliseconds
    params = (
        Param("x", "shape", "centre x, fraction of the canvas width", "x"),
        Param("y", "shape", "centre y, fraction of the canvas height", "y"),
        Param("width", "shape", "size along the angle, fraction of the longer side", "size"),
        Param("height", "shape", "size across the angle, fraction of the longer side", "size"),
        Param("angle", "shape", "rotation, 0..1 maps to 0..180 degrees (clockwise, y down)", "angle"),
        Param("r", "colour", "red"),
        Param("g", "colour", "green"),
        Param("b", "colour", "blue"),
        Param("alpha", "alpha", "opacity"),
    )

    def _geometry(self, strokes: torch.Tensor, height: int, width: int):
        side = long_side(height, width)
        s = strokes
        return s[:, 0] * width, s[:, 1] * height, s[:, 2] * side, s[:, 3] * side, s[:, 4] * ANGLE_SCALE

    def place(self, xy, rgb, size, height, width, generator=None):
        shape = box_placement(xy, size, (0.3, 1.0), generator)
        return torch.cat([shape, rgb, torch.ones(len(xy), 1)], dim=1).clamp(0, 1)

    def render(self, strokes, height, width, window=None):
        check_strokes(self, strokes)
        xs, ys = pixel_grid(height, width, window, strokes)
        cx, cy, w, h, theta = (t.view(-1, 1, 1) for t in self._geometry(strokes, height, width))
        u, v = rotate_into(xs, ys, cx, cy, theta)
        alpha = (interval_coverage(u, w / 2) * interval_coverage(v, h / 2)).unsqueeze(1)  # (N, 1, h, w)
        colour = strokes[:, 5:8, None, None].expand(-1, -1, alpha.shape[2], alpha.shape[3])
        return colour, alpha * strokes[:, 8, None, None, None]

    def extent(self, strokes, height, width):
        return box_extent(*self._geometry(strokes, height, width))

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        cx, cy, w, h, _ = (float(t) for t in self._geometry(torch.as_tensor(stroke)[None], height, width))
        rect = drawing.rect(
            insert=(-w / 2, -h / 2),
            size=(w, h),
            fill=to_hex(stroke[5:8]),
            transform=f"translate({cx:.3f},{cy:.3f}) rotate({degrees(stroke[4]):.3f})",
        )
        if stroke[8] < 1:
            rect["fill-opacity"] = f"{stroke[8]:.4f}"
        return [rect]

    def plot_paths(self, stroke: np.ndarray, height: int, width: int, tool_width: float) -> list[np.ndarray]:
        """Parallel passes along the rectangle's long axis, filling it."""
        if stroke[self.indices("alpha")[0]] < INVISIBLE_ALPHA:
            return []
        as_tensor = torch.as_tensor(stroke, dtype=torch.float64)[None]
        cx, cy, w, h, theta = (float(t) for t in self._geometry(as_tensor, height, width))
        return box_passes(cx, cy, theta, [(0.0, w / 2, 0.0, h / 2)], tool_width)


BRUSH = Rectangle()
