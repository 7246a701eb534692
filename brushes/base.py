"""The brush interface: a parameter spec, a random sampler, a raster renderer and an SVG form.

Every stroke is a vector of numbers in [0, 1]. Positions are fractions of the canvas width (x) and
height (y); lengths (sizes, radii) are fractions of the canvas's longer side; angles map [0, 1] to
[0, pi]. A brush turns such vectors into pixels (raster) and into SVG elements (vector) from one
geometric description, so that both forms agree.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import svgwrite
import torch

GROUPS = ("shape", "colour", "alpha")
SHAPE_KINDS = ("x", "y", "size", "angle")


@dataclass(frozen=True)
class Param:
    """One stroke parameter: its name, its group (shape, colour or alpha) and what it means."""

    name: str
    group: str
    meaning: str
    # For shape parameters, what the value measures, so code can move and scale strokes without
    # knowing the brush: "x" (fraction of the width), "y" (of the height), "size" (of the longer
    # side) or "angle".
    kind: str = ""

    def __post_init__(self) -> None:
        assert self.group in GROUPS, self.group
        assert (self.kind in SHAPE_KINDS) == (self.group == "shape"), (self.name, self.kind)


class Brush:
    """Base of every brush. Subclasses set `name`, `description`, `params`, `version` and implement
    `render`, `extent` and `svg_elements`."""

    name: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    # Bump when the look of the procedural renderer changes: trained neural renderers then need retraining.
    version: int = 1
    # Whether the raster renderer is cheap enough to draw every stroke at every step of the painter's
    # whole-canvas polish (exact there, instead of through the neural renderer).
    cheap_raster: bool = False

    # ---- the spec ----------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Number of values in one stroke."""
        return len(self.params)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return {p.name: i for i, p in enumerate(self.params)}

    def column(self, name: str) -> int:
        """Position of the parameter `name` in a stroke, e.g. `strokes[:, brush.column("alpha")]`."""
        try:
            return self._positions[name]
        except KeyError:
            raise ValueError(f"brush {self.name!r} has no parameter {name!r}; it has {', '.join(self.names)}") from None

    def columns(self, first: str, last: str) -> slice:
        """Positions of the parameters `first` to `last` inclusive, in spec order, as a slice (a view,
        not a copy), e.g. `strokes[:, brush.columns("r0", "b0")]`."""
        start, stop = self.column(first), self.column(last) + 1
        assert start < stop, (first, last)
        return slice(start, stop)

    def indices(self, group: str) -> list[int]:
        """Positions of the parameters of one group ("shape", "colour" or "alpha")."""
        if group not in GROUPS:
            raise ValueError(f"unknown parameter group {group!r}; expected one of {', '.join(GROUPS)}")
        return [i for i, p in enumerate(self.params) if p.group == group]

    def kinds(self, kind: str) -> list[int]:
        """Positions of the shape parameters of one kind ("x", "y", "size" or "angle")."""
        if kind not in SHAPE_KINDS:
            raise ValueError(f"unknown parameter kind {kind!r}; expected one of {', '.join(SHAPE_KINDS)}")
        return [i for i, p in enumerate(self.params) if p.kind == kind]

    def fingerprint(self) -> str:
        """A short hash of everything a trained neural renderer depends on: names, groups, version."""
        payload = json.dumps(
            {"name": self.name, "version": self.version, "params": [[p.name, p.group] for p in self.params]}
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def describe(self) -> dict:
        """The spec as plain data (for `paint brushes --json`)."""
        return {
            "description": self.description,
            "params": self.names,
            "groups": {g: [self.params[i].name for i in self.indices(g)] for g in GROUPS},
            "meanings": {p.name: p.meaning for p in self.params},
        }

    # ---- sampling ----------------------------------------------------------------------------
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """`n` random strokes, uniform in [0, 1] as the neural renderer is trained on. Shape: (n, P)."""
        return torch.rand(n, self.size, generator=generator)

    def place(
        self,
        xy: torch.Tensor,
        rgb: torch.Tensor,
        size: float,
        height: int,
        width: int,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Typical new strokes: centred at xy (N, 2, fractions of width and height), painted in rgb
        (N, 3), about `size` long (fraction of the longer side), in a random direction. (N, P)."""
        raise NotImplementedError

    # ---- drawing ---------------------------------------------------------------------------------
    def render(
        self,
        strokes: torch.Tensor,
        height: int,
        width: int,
        window: tuple[int, int, int, int] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw each stroke on its own transparent layer.

        strokes: (N, P) in [0, 1]. window: (top, left, h, w) in canvas pixels, the part of the
        height x width canvas to draw (default: all of it); top and left may be (N,) integer tensors,
        a window of that size for each stroke.
        Returns colour (N, 3, h, w) in [0, 1] and alpha (N, 1, h, w) in [0, 1]; a stroke is laid
        down as canvas = colour * alpha + canvas * (1 - alpha).
        """
        raise NotImplementedError

    def extent(self, strokes: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """Pixel bounds that contain each stroke's ink. Shape: (N, 4) as x0, y0, x1, y1."""
        raise NotImplementedError

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        """The stroke as SVG elements in a height x width pixel space (gradients go in drawing.defs)."""
        raise NotImplementedError

    # ---- machine paths ---------------------------------------------------------------------------
    def plot_paths(self, stroke: np.ndarray, height: int, width: int, tool_width: float) -> list[np.ndarray]:
        """The polylines a plotter or painting robot follows, with a tool `tool_width` pixels wide, to
        lay down one stroke (P,) on a height x width canvas. Each is (K, 2) x, y canvas pixels, K >= 2,
        in drawing order; none for a transparent or zero-size stroke."""
        raise NotImplementedError


def check_strokes(brush: Brush, strokes: torch.Tensor) -> None:
    """Internal invariant for render functions: a (N, P) float tensor."""
    assert strokes.ndim == 2 and strokes.shape[1] == brush.size, (tuple(strokes.shape), brush.size)
