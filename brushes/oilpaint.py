"""Oil paint: an opaque loaded-brush dab with bristle streaks along its length and a colour gradient.

The stroke is a bundle of overlapping bristle strips laid along its long axis. Each strip has its
own ragged start and end (the ends of the bundle are rounded like a brush's footprint) and its own
shade, which gives the streaks; the paint colour runs from the first colour at the start to the
second at the end. The bristle table is generated once from a fixed seed, so every stroke is drawn
the same way on every machine.

A darker bristle is glazed with black; a lighter one with the stroke's own paint at twice its
brightness (each channel at most 1), so the streaks lighten in proportion to the paint: a dark stroke
stays dark (version 1 glazed with white, which drew pale scratches across dark skies, and its shades
went 1 / SHADE_DEPTH times as deep).
"""

from __future__ import annotations

import numpy as np
import svgwrite
import torch

from brushes.base import Param, check_strokes
from brushes.box import BoxBrush, box_params
from brushes.geometry import degrees, interval_coverage, pixel_grid, rotate_into, to_hex, unpremultiply
from brushes.svg_texture import along_paint, shared_def, unit_box_transform

BRISTLES = 16
STRIP = 1.4 / BRISTLES  # strip thickness as a fraction of the stroke's: strips overlap, so no gaps
# A solid body of paint under the bristles keeps the stroke opaque even where bristles are thinner
# than a pixel; it stays inside the bristles' rounded outline.
BODY_INSET, BODY_HALF = 0.1, 0.35
# How deep the bristles' shades go: version 1 (1.0) cost smooth photos 2 dB (the moon, 1,000 strokes: 32.3 dB,
# 34.3 dB at 0.6) for streaks that read as scratches; at 0.6 the streaks still show.
SHADE_DEPTH = 0.6


def _bristle_table() -> np.ndarray:
    """Per bristle: centre across the stroke (fraction of thickness, -0.5..0.5), start and end
    inset (fraction of length), shade (negative lightens, positive darkens). Shape: (BRISTLES, 4)."""
    rng = np.random.default_rng(20210311)
    centre = np.linspace(-0.5 + STRIP / 2, 0.5 - STRIP / 2, BRISTLES)
    rounding = 0.22 * (1 - np.sqrt(1 - (2 * centre) ** 2))  # outer bristles are shorter
    start = rounding + rng.uniform(0.0, 0.04, BRISTLES)
    end = rounding + rng.uniform(0.0, 0.04, BRISTLES)
    shade = rng.uniform(-0.08, 0.2, BRISTLES) * SHADE_DEPTH
    return np.stack([centre, start, end, shade], axis=1)


BRISTLE_TABLE = _bristle_table()


class OilPaint(BoxBrush):
    name = "oilpaint"
    description = "opaque oil-paint dabs with bristle streaks and a colour gradient along the stroke"
    params = box_params(
        along=("length", "length along the angle, fraction of the longer side"),
        across=("thickness", "width across the angle, fraction of the longer side"),
        angle="direction, 0..1 maps to 0..180 degrees (clockwise, y down)",
    ) + (
        Param("r0", "colour", "red at the start"),
        Param("g0", "colour", "green at the start"),
        Param("b0", "colour", "blue at the start"),
        Param("r1", "colour", "red at the end"),
        Param("g1", "colour", "green at the end"),
        Param("b1", "colour", "blue at the end"),
        Param("alpha", "alpha", "opacity (1 for opaque paint)"),
    )
    thinness = (0.25, 0.5)  # a dab is two to four times as long as it is thick
    version = 2  # lighter bristles glazed with the paint's own lighter colour, not white; shallower shades

    @staticmethod
    def lighter(start, end):
        """The colour a lighter bristle is glazed with: the mean paint at twice its brightness, at most 1."""
        return (start + end).clamp(max=1) if isinstance(start, torch.Tensor) else np.minimum(start + end, 1.0)

    def colour_params(self, rgb):
        return torch.cat([rgb, rgb], dim=1)

    def _strips(self, length: float | torch.Tensor, thickness: float | torch.Tensor):
        """Each strip's centre and half-size along (u) and across (v) the stroke, and its shade:
        first the unshaded body of paint, then the bristles over it."""
        yield 0.0, length * (0.5 - BODY_INSET), 0.0, thickness * BODY_HALF, 0.0
        for centre, start, end, shade in BRISTLE_TABLE:
            u0, u1 = -length / 2 + start * length, length / 2 - end * length
            yield (u0 + u1) / 2, (u1 - u0) / 2, centre * thickness, STRIP * thickness / 2, float(shade)

    def ink_boxes(self, along, across):
        return [(uc, uh, vc, vh) for uc, uh, vc, vh, _ in self._strips(along, across)]

    def render(self, strokes, height, width, window=None):
        check_strokes(self, strokes)
        xs, ys = pixel_grid(height, width, window, strokes)
        cx, cy, length, thick, theta = (t.view(-1, 1, 1) for t in self._geometry(strokes, height, width))
        u, v = rotate_into(xs, ys, cx, cy, theta)  # (N, h, w)
        along = ((u + length / 2) / length.clamp_min(1e-6)).clamp(0, 1).unsqueeze(1)  # (N, 1, h, w)
        start = strokes[:, self.columns("r0", "b0"), None, None]  # (N, 3, 1, 1)
        end = strokes[:, self.columns("r1", "b1"), None, None]
        paint = start + (end - start) * along  # (N, 3, h, w): the gradient, as SVG's linearGradient
        # Every strip is painted in the same gradient and every shade is black or the one lighter colour, so
        # the layer's premultiplied colour is paint * tone + lighter * light: two one-channel fields, 3x
        # cheaper than RGB.
        tone = torch.zeros_like(along)  # (N, 1, h, w)
        light = torch.zeros_like(along)
        alpha = torch.zeros_like(along)
        for uc, uh, vc, vh, shade in self._strips(length, thick):
            cover = (interval_coverage(u - uc, uh) * interval_coverage(v - vc, vh)).unsqueeze(1)
            tone, light, alpha = cover + tone * (1 - cover), light * (1 - cover), cover + alpha * (1 - cover)
            if shade:
                glaze = cover * abs(shade)  # black darkens, the lighter colour lightens, over the strip
                tint = 0.0 if shade > 0 else 1.0  # weight of the lighter colour
                tone, light, alpha = tone * (1 - glaze), tint * glaze + light * (1 - glaze), glaze + alpha * (1 - glaze)
        colour = unpremultiply(paint * tone + self.lighter(start, end) * light, alpha, start)
        return colour, alpha * strokes[:, self.column("alpha"), None, None, None]

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        """One <use> of the bristle strips (defined once per drawing in the unit box) under the stroke's
        transform, filled with its gradient: the strips scale with the stroke, as in `render`."""
        cx, cy, length, thick, _ = (float(t) for t in self._geometry(torch.as_tensor(stroke)[None], height, width))
        transform = unit_box_transform(cx, cy, degrees(stroke[self.column("angle")]), length, thick)
        fill = along_paint(drawing, stroke[self.columns("r0", "b0")], stroke[self.columns("r1", "b1")])
        lighter = self.lighter(stroke[self.columns("r0", "b0")], stroke[self.columns("r1", "b1")])
        use = drawing.use(
            shared_def(drawing, "oilpaint-strips", self._unit_strips),
            transform=transform,
            fill=fill,
            color=to_hex(lighter),
        )
        opacity = stroke[self.column("alpha")]
        if opacity < 1:  # on a group: cairosvg ignores opacity on a <use>
            group = drawing.g(opacity=f"{opacity:.4f}")
            group.add(use)
            return [group]
        return [use]

    def _unit_strips(self, drawing: svgwrite.Drawing):
        """The strips of a 1 x 1 stroke: paint rects without a fill of their own (they take the stroke's
        gradient from the <use>), each bristle's shade over it in black or in the <use>'s lighter colour."""
        group = drawing.g()
        for uc, uh, vc, vh, shade in self._strips(1.0, 1.0):
            box = dict(insert=(round(uc - uh, 5), round(vc - vh, 5)), size=(round(2 * uh, 5), round(2 * vh, 5)))
            group.add(drawing.rect(**box))
            if shade:
                tint = "black" if shade > 0 else "currentColor"
                group.add(drawing.rect(fill=tint, fill_opacity=f"{abs(shade):.4f}", **box))
        return group


BRUSH = OilPaint()
