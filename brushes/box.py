"""Shared geometry of the brushes laid as a box rotated about its centre (oil paint, rectangle).

Five shape parameters: the centre (x, y), the size along the angle and across it, and the angle. The
raster form measures every pixel in the box's frame (u along the angle, v across it); the SVG form is
the same frame as a translate + rotate transform; machine passes fill the boxes that hold the ink.
"""

from __future__ import annotations

import numpy as np
import torch

from brushes.base import Brush, Param
from brushes.geometry import ANGLE_SCALE, box_extent, box_placement, degrees, long_side
from brushes.passes import INVISIBLE_ALPHA, box_passes


def box_params(along: tuple[str, str], across: tuple[str, str], angle: str) -> tuple[Param, ...]:
    """The five shape parameters of a box brush; `along` and `across` are (name, meaning) of its size
    along and across the angle, `angle` what the angle means for this brush."""
    return (
        Param("x", "shape", "centre x, fraction of the canvas width", "x"),
        Param("y", "shape", "centre y, fraction of the canvas height", "y"),
        Param(along[0], "shape", along[1], "size"),
        Param(across[0], "shape", across[1], "size"),
        Param("angle", "shape", angle, "angle"),
    )


class BoxBrush(Brush):
    """A brush laid as a rotated box. Subclasses give `thinness`, `colour_params` and `ink_boxes`, and
    draw themselves (`render`, `svg_elements`) in the frame `_geometry` and `svg_frame` give."""

    # Thickness of newly placed strokes, a random fraction in this range of their length.
    thinness: tuple[float, float] = (0.3, 1.0)

    def colour_params(self, rgb: torch.Tensor) -> torch.Tensor:
        """Colour parameters for strokes painted in one colour rgb (N, 3)."""
        raise NotImplementedError

    def ink_boxes(self, along: float, across: float) -> list[tuple[float, float, float, float]]:
        """The boxes that hold a stroke's ink, (u_centre, u_half, v_centre, v_half) in pixels of its frame,
        for a stroke `along` x `across` pixels."""
        raise NotImplementedError

    def _geometry(self, strokes: torch.Tensor, height: int, width: int):
        """Centre x, y and size along and across the angle in pixels, and the angle in radians; each (N,)."""
        side = long_side(height, width)
        x, y, along, across, angle = (strokes[:, i] for i in self.indices("shape"))
        return x * width, y * height, along * side, across * side, angle * ANGLE_SCALE

    def place(self, xy, rgb, size, height, width, generator=None):
        shape = box_placement(xy, size, self.thinness, generator)
        return torch.cat([shape, self.colour_params(rgb), torch.ones(len(xy), 1)], dim=1).clamp(0, 1)

    def extent(self, strokes, height, width):
        return box_extent(*self._geometry(strokes, height, width))

    def svg_frame(self, stroke: np.ndarray, height: int, width: int) -> tuple[float, float, str]:
        """The stroke's size along and across its angle (pixels) and the SVG transform into its frame."""
        cx, cy, along, across, _ = (float(t) for t in self._geometry(torch.as_tensor(stroke)[None], height, width))
        angle = stroke[self.column("angle")]
        return along, across, f"translate({cx:.3f},{cy:.3f}) rotate({degrees(angle):.3f})"

    def plot_paths(self, stroke: np.ndarray, height: int, width: int, tool_width: float) -> list[np.ndarray]:
        """Parallel passes along the box's long axis filling its ink boxes (for oil paint, its bristle
        strips, so the ragged, rounded ends are followed)."""
        if stroke[self.column("alpha")] < INVISIBLE_ALPHA:
            return []
        as_tensor = torch.as_tensor(stroke, dtype=torch.float64)[None]
        cx, cy, along, across, theta = (float(t) for t in self._geometry(as_tensor, height, width))
        return box_passes(cx, cy, theta, self.ink_boxes(along, across), tool_width)
