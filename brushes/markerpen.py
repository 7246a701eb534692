"""Marker pen: a flat, translucent band of one colour along a curve, with crisp edges."""

from __future__ import annotations

from brushes.base import Param
from brushes.bezier import CURVE_PARAMS, BezierBrush


class MarkerPen(BezierBrush):
    name = "markerpen"
    description = "a flat translucent band of one colour along a curve, crisp-edged like a felt marker"
    params = CURVE_PARAMS + (
        Param("r", "colour", "red"),
        Param("g", "colour", "green"),
        Param("b", "colour", "blue"),
        Param("alpha", "alpha", "opacity"),
    )

    def colour_params(self, rgb):
        return rgb

    def end_colours(self, strokes):
        colour = strokes[:, self.columns("r", "b")]
        return colour, colour


BRUSH = MarkerPen()
