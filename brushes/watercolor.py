"""Watercolor: a soft, translucent round brush along a curve that tapers and changes colour."""

from __future__ import annotations

import torch

from brushes.base import Param
from brushes.bezier import CURVE_PARAMS, BezierBrush


class Watercolor(BezierBrush):
    name = "watercolor"
    description = "a soft translucent round brush along a curve, tapering and changing colour"
    params = CURVE_PARAMS + (
        Param("r0", "colour", "red at the start"),
        Param("g0", "colour", "green at the start"),
        Param("b0", "colour", "blue at the start"),
        Param("r1", "colour", "red at the end"),
        Param("g1", "colour", "green at the end"),
        Param("b1", "colour", "blue at the end"),
        Param("alpha", "alpha", "opacity at the stroke's core"),
    )
    # Four nested washes, each narrower and adding density, so the edge fades out in soft steps
    # (cumulative opacity 0.25, 0.5, 0.75, 1.0 from the rim inwards), as pigment thins at a wet edge.
    layers = ((1.0, 0.25), (0.88, 1 / 3), (0.76, 0.5), (0.64, 1.0))
    placed_alpha = 0.7

    def colour_params(self, rgb):
        return torch.cat([rgb, rgb], dim=1)

    def end_colours(self, strokes):
        return strokes[:, self.columns("r0", "b0")], strokes[:, self.columns("r1", "b1")]


BRUSH = Watercolor()
