"""Shared geometry of the brushes that follow a quadratic Bezier curve (marker pen, watercolor).

The curve is flattened into SEGMENTS straight pieces; each piece is a "round cone", a band that
tapers linearly between round ends, so the radius runs smoothly from start to end. The colour is
a linear gradient from the start point to the end point. The SVG form is the same pieces as
`<path>` elements filled with the same gradient, which is why both forms agree.
"""

from __future__ import annotations

import math

import numpy as np
import svgwrite
import torch

from brushes.base import Brush, Param, check_strokes
from brushes.geometry import (
    bezier_points,
    chain_alpha,
    linear_gradient,
    long_side,
    pixel_grid,
    round_cone_path,
    to_hex,
)
from brushes.passes import INVISIBLE_ALPHA, curve_passes

SEGMENTS = 12  # enough that a curve of the canvas's size looks smooth at 1024 px
MAX_RADIUS = 0.2  # radius parameter 1.0 = 20% of the canvas's longer side

CURVE_PARAMS = (
    Param("x0", "shape", "start x, fraction of the canvas width", "x"),
    Param("y0", "shape", "start y, fraction of the canvas height", "y"),
    Param("x1", "shape", "control point x, fraction of the canvas width", "x"),
    Param("y1", "shape", "control point y, fraction of the canvas height", "y"),
    Param("x2", "shape", "end x, fraction of the canvas width", "x"),
    Param("y2", "shape", "end y, fraction of the canvas height", "y"),
    Param("radius_start", "shape", "half-width at the start, 0..1 maps to 0..20% of the longer side", "size"),
    Param("radius_end", "shape", "half-width at the end, 0..1 maps to 0..20% of the longer side", "size"),
)


class BezierBrush(Brush):
    """A brush drawn along a quadratic Bezier. Subclasses give `layers`, `end_colours` and
    `colour_params`."""

    # (radius scale, opacity) per nested layer, outermost first; one full layer is a crisp band.
    layers: tuple[tuple[float, float], ...] = ((1.0, 1.0),)
    # Opacity of newly placed strokes: translucent, as the medium is.
    placed_alpha = 0.8

    def end_colours(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Colour at the start and at the end of each stroke, each (N, 3)."""
        raise NotImplementedError

    def colour_params(self, rgb: torch.Tensor) -> torch.Tensor:
        """Colour parameters for strokes painted in one colour rgb (N, 3)."""
        raise NotImplementedError

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

    def _geometry(self, strokes: torch.Tensor, height: int, width: int):
        """Points along the curve (N, S + 1, 2) and the radius there (N, S + 1), in pixels."""
        scale = torch.tensor([width, height], dtype=strokes.dtype, device=strokes.device)
        control = strokes[:, self.columns("x0", "y2")].reshape(-1, 3, 2) * scale  # (N, 3, 2) pixels
        r0, r1 = strokes[:, self.column("radius_start"), None], strokes[:, self.column("radius_end"), None]  # (N, 1)
        t = torch.linspace(0.0, 1.0, SEGMENTS + 1, dtype=strokes.dtype, device=strokes.device)[None]
        radii = (r0 + (r1 - r0) * t) * MAX_RADIUS * long_side(height, width)  # (N, S + 1)
        return bezier_points(control, SEGMENTS), radii

    def render(self, strokes, height, width, window=None):
        check_strokes(self, strokes)
        xs, ys = pixel_grid(height, width, window, strokes)
        points, radii = self._geometry(strokes, height, width)
        start, end = self.end_colours(strokes)
        t = linear_gradient(xs, ys, points[:, 0], points[:, -1])  # (N, 1, h, w)
        colour = start[:, :, None, None] + (end - start)[:, :, None, None] * t  # (N, 3, h, w)
        alpha = chain_alpha(xs, ys, points, radii, self.layers)
        return colour, alpha * strokes[:, self.column("alpha"), None, None, None]

    def extent(self, strokes, height, width):
        points, radii = self._geometry(strokes, height, width)
        pad = radii.max(dim=1).values + 1
        lo, hi = points.min(dim=1).values, points.max(dim=1).values  # (N, 2)
        return torch.stack([lo[:, 0] - pad, lo[:, 1] - pad, hi[:, 0] + pad, hi[:, 1] + pad], dim=1)

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        as_tensor = torch.as_tensor(stroke, dtype=torch.float64)[None]
        points, radii = (t[0].numpy() for t in self._geometry(as_tensor, height, width))
        start, end = (to_hex(c[0].numpy()) for c in self.end_colours(as_tensor))
        fill = start
        if start != end:
            gradient = drawing.linearGradient(
                start=tuple(points[0].round(3)),
                end=tuple(points[-1].round(3)),
                gradientUnits="userSpaceOnUse",
                id=f"paint{len(drawing.defs.elements)}",
            )
            gradient.add_stop_color(0, start)
            gradient.add_stop_color(1, end)
            drawing.defs.add(gradient)
            fill = gradient.get_paint_server()
        group = drawing.g(fill=fill)
        opacity = stroke[self.column("alpha")]
        if opacity < 1:
            group["opacity"] = f"{opacity:.4f}"
        for scale, opacity in self.layers:
            layer = drawing.g()
            if opacity < 1:
                layer["opacity"] = f"{opacity:.4f}"
            for i in range(SEGMENTS):
                layer.add(
                    drawing.path(d=round_cone_path(points[i], points[i + 1], radii[i] * scale, radii[i + 1] * scale))
                )
            group.add(layer)
        return [group]

    def plot_paths(self, stroke: np.ndarray, height: int, width: int, tool_width: float) -> list[np.ndarray]:
        """The curve's centre line (the flattened points the raster and SVG forms use), plus passes
        offset along its normals where the stroke is wider than the tool."""
        if stroke[self.column("alpha")] < INVISIBLE_ALPHA:
            return []
        as_tensor = torch.as_tensor(stroke, dtype=torch.float64)[None]
        points, radii = (t[0].numpy() for t in self._geometry(as_tensor, height, width))
        return curve_passes(points, radii, tool_width)
