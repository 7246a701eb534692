"""Shared geometry of the brushes that follow a quadratic Bezier curve (marker pen, watercolor).

The curve is flattened into SEGMENTS straight pieces; each piece is a "round cone", a band that
tapers linearly between round ends, so the radius runs smoothly from start to end; each piece has
the colour of the curve at its middle. The SVG form is the same pieces as `<path>` elements, which
is why both forms agree.
"""

from __future__ import annotations

import math

import numpy as np
import svgwrite
import torch

from brushes.base import Brush, Param, check_strokes
from brushes.geometry import (
    bezier_points,
    long_side,
    pixel_grid,
    round_cone_path,
    tapered_chain,
    to_hex,
    unpremultiply,
)

SEGMENTS = 12  # enough that a curve of the canvas's size looks smooth at 1024 px
MAX_RADIUS = 0.2  # radius parameter 1.0 = 20% of the canvas's longer side

CURVE_PARAMS = (
    Param("x0", "shape", "start x, fraction of the canvas width"),
    Param("y0", "shape", "start y, fraction of the canvas height"),
    Param("x1", "shape", "control point x, fraction of the canvas width"),
    Param("y1", "shape", "control point y, fraction of the canvas height"),
    Param("x2", "shape", "end x, fraction of the canvas width"),
    Param("y2", "shape", "end y, fraction of the canvas height"),
    Param("radius_start", "shape", "half-width at the start, 0..1 maps to 0..20% of the longer side"),
    Param("radius_end", "shape", "half-width at the end, 0..1 maps to 0..20% of the longer side"),
)


class BezierBrush(Brush):
    """A brush drawn along a quadratic Bezier. Subclasses give `layers` and `segment_colours`."""

    # (radius scale, opacity) per nested layer, outermost first; one full layer is a crisp band.
    layers: tuple[tuple[float, float], ...] = ((1.0, 1.0),)

    def segment_colours(self, strokes: torch.Tensor) -> torch.Tensor:
        """Colour of each curve piece. Returns (N, SEGMENTS, 3)."""
        raise NotImplementedError

    def colour_params(self, rgb: torch.Tensor) -> torch.Tensor:
        """Colour parameters for strokes painted in one colour rgb (N, 3)."""
        raise NotImplementedError

    # Opacity of newly placed strokes: translucent, as the medium is.
    placed_alpha = 0.8

    def place(self, xy, rgb, size, height, width, generator=None):
        n, side = xy.shape[0], long_side(height, width)
        theta = torch.rand(n, generator=generator) * 2 * math.pi
        half = size * (0.4 + 0.2 * torch.rand(n, generator=generator)) * side  # pixels
        bend = size * (torch.rand(n, generator=generator) - 0.5) * 0.5 * side  # control point offset
        centre = xy * torch.tensor([width, height])
        along = torch.stack([torch.cos(theta), torch.sin(theta)], dim=1)  # (N, 2)
        across = torch.stack([-along[:, 1], along[:, 0]], dim=1)
        points = [centre - along * half[:, None], centre + across * bend[:, None], centre + along * half[:, None]]
        control = (torch.cat(points, dim=1).view(n, 3, 2) / torch.tensor([width, height])).view(n, 6)
        radius = size * (0.08 + 0.1 * torch.rand(n, 2, generator=generator)) / MAX_RADIUS
        alpha = torch.full((n, 1), self.placed_alpha)
        return torch.cat([control, radius, self.colour_params(rgb), alpha], dim=1).clamp(0, 1)

    def _mid_t(self, like: torch.Tensor) -> torch.Tensor:
        """Curve parameter at the middle of each piece. Shape: (1, SEGMENTS)."""
        return ((torch.arange(SEGMENTS, dtype=like.dtype, device=like.device) + 0.5) / SEGMENTS)[None]

    def _geometry(self, strokes: torch.Tensor, height: int, width: int):
        scale = torch.tensor([width, height], dtype=strokes.dtype, device=strokes.device)
        control = strokes[:, 0:6].reshape(-1, 3, 2) * scale  # (N, 3, 2) pixels
        r0, r1 = strokes[:, 6:7], strokes[:, 7:8]
        t = torch.linspace(0.0, 1.0, SEGMENTS + 1, dtype=strokes.dtype, device=strokes.device)[None]
        radii = (r0 + (r1 - r0) * t) * MAX_RADIUS * long_side(height, width)  # (N, S + 1) at the points
        return bezier_points(control, SEGMENTS), radii

    def render(self, strokes, height, width, window=None):
        check_strokes(self, strokes)
        xs, ys = pixel_grid(height, width, window, strokes)
        points, radii = self._geometry(strokes, height, width)
        colours = self.segment_colours(strokes)  # (N, S, 3)
        premult, alpha = tapered_chain(xs, ys, points, radii, colours, self.layers)
        colour = unpremultiply(premult, alpha, colours[:, 0, :, None, None])
        return colour, alpha * strokes[:, -1, None, None, None]

    def extent(self, strokes, height, width):
        points, radii = self._geometry(strokes, height, width)
        pad = radii.max(dim=1).values + 1
        lo, hi = points.min(dim=1).values, points.max(dim=1).values  # (N, 2)
        return torch.stack([lo[:, 0] - pad, lo[:, 1] - pad, hi[:, 0] + pad, hi[:, 1] + pad], dim=1)

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        as_tensor = torch.as_tensor(stroke, dtype=torch.float64)[None]
        points, radii = (t[0].numpy() for t in self._geometry(as_tensor, height, width))
        colours = [to_hex(c) for c in self.segment_colours(as_tensor)[0].numpy()]
        group = drawing.g()
        if stroke[-1] < 1:
            group["opacity"] = f"{stroke[-1]:.4f}"
        for scale, opacity in self.layers:
            layer = drawing.g()
            if opacity < 1:
                layer["opacity"] = f"{opacity:.4f}"
            for i in range(SEGMENTS):
                outline = round_cone_path(points[i], points[i + 1], radii[i] * scale, radii[i + 1] * scale)
                layer.add(drawing.path(d=outline, fill=colours[i]))
            group.add(layer)
        return [group]
