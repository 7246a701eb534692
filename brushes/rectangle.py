"""Rectangle (tape art): a crisp, filled, rotated rectangle of one colour."""

from __future__ import annotations

import numpy as np
import svgwrite

from brushes.base import Param, check_strokes
from brushes.box import BoxBrush, box_params
from brushes.geometry import interval_coverage, pixel_grid, rotate_into, to_hex


class Rectangle(BoxBrush):
    name = "rectangle"
    description = "crisp rotated rectangles of one colour, like strips of tape"
    cheap_raster = True  # one box per stroke: drawing 1,000 of them exactly takes milliseconds
    params = box_params(
        along=("width", "size along the angle, fraction of the longer side"),
        across=("height", "size across the angle, fraction of the longer side"),
        angle="rotation, 0..1 maps to 0..180 degrees (clockwise, y down)",
    ) + (
        Param("r", "colour", "red"),
        Param("g", "colour", "green"),
        Param("b", "colour", "blue"),
        Param("alpha", "alpha", "opacity"),
    )
    thinness = (0.3, 1.0)  # from a strip of tape to a square

    def colour_params(self, rgb):
        return rgb

    def ink_boxes(self, along, across):
        return [(0.0, along / 2, 0.0, across / 2)]

    def render(self, strokes, height, width, window=None):
        check_strokes(self, strokes)
        xs, ys = pixel_grid(height, width, window, strokes)
        cx, cy, w, h, theta = (t.view(-1, 1, 1) for t in self._geometry(strokes, height, width))
        u, v = rotate_into(xs, ys, cx, cy, theta)
        alpha = (interval_coverage(u, w / 2) * interval_coverage(v, h / 2)).unsqueeze(1)  # (N, 1, h, w)
        colour = strokes[:, self.columns("r", "b"), None, None].expand(-1, -1, alpha.shape[2], alpha.shape[3])
        return colour, alpha * strokes[:, self.column("alpha"), None, None, None]

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        w, h, transform = self.svg_frame(stroke, height, width)
        rect = drawing.rect(
            insert=(-w / 2, -h / 2), size=(w, h), fill=to_hex(stroke[self.columns("r", "b")]), transform=transform
        )
        opacity = stroke[self.column("alpha")]
        if opacity < 1:
            rect["fill-opacity"] = f"{opacity:.4f}"
        return [rect]


BRUSH = Rectangle()
