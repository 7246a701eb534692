"""Physical layout: the paper, its margins and where the painting's canvas lands on it, in millimetres.

Paper coordinates have their origin at the paper's top-left corner, x to the right and y down (as the
canvas and SVG); writers for machines whose origin is elsewhere convert at the end.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

# (width, height) in millimetres, portrait.
PAPERS = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "letter": (215.9, 279.4)}
ORIENTATIONS = ("auto", "portrait", "landscape")
MAX_PAPER_SIDE = 10_000.0  # mm: a 10 m wall; past that a unit mistake is likelier than a mural
_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*x\s*(\d+(?:\.\d*)?)\s*mm\s*$", re.IGNORECASE)


def parse_paper(text: str) -> tuple[float, float]:
    """Paper size (width, height) in mm from a name (a4, a3, letter) or 'WxHmm'; ValueError otherwise."""
    key = text.strip().lower()
    if key in PAPERS:
        return PAPERS[key]
    match = _CUSTOM.match(text)
    if not match:
        raise ValueError(f"unknown paper {text!r}; use one of {', '.join(PAPERS)} or a size like 300x200mm")
    width, height = float(match.group(1)), float(match.group(2))
    if width <= 0 or height <= 0:
        raise ValueError(f"paper {text!r} has no area")
    if max(width, height) > MAX_PAPER_SIDE:
        raise ValueError(f"paper {text!r} is over the limit of {MAX_PAPER_SIDE:g} mm a side")
    return width, height


@dataclass(frozen=True)
class Layout:
    """A canvas of canvas_width x canvas_height pixels scaled uniformly onto paper_width x paper_height
    mm, its top-left corner at (left, top) mm; `scale` is mm per canvas pixel."""

    paper_width: float
    paper_height: float
    margin: float
    left: float
    top: float
    scale: float
    canvas_width: int
    canvas_height: int

    def to_paper(self, points: np.ndarray) -> np.ndarray:
        """Canvas pixels (..., 2) -> paper millimetres (..., 2)."""
        return points * self.scale + np.array([self.left, self.top])

    def to_canvas(self, millimetres: float) -> float:
        """A length on paper (mm) in canvas pixels."""
        return millimetres / self.scale

    @property
    def drawing_box(self) -> tuple[float, float, float, float]:
        """Where the canvas lands on the paper: x0, y0, x1, y1 in mm."""
        return (
            self.left,
            self.top,
            self.left + self.canvas_width * self.scale,
            self.top + self.canvas_height * self.scale,
        )


def fit_layout(
    paper: tuple[float, float], margin: float, orientation: str, canvas_width: int, canvas_height: int
) -> Layout:
    """Scale the canvas to fit inside the paper less its margins (mm) and centre it. orientation:
    'portrait', 'landscape' or 'auto' (the one that matches the canvas, so it is printed larger)."""
    if orientation not in ORIENTATIONS:
        raise ValueError(f"unknown orientation {orientation!r}; use one of {', '.join(ORIENTATIONS)}")
    if not 0 <= margin < math.inf:
        raise ValueError(f"margin must be zero or more millimetres, got {margin}")
    short, long = sorted(paper)
    landscape = canvas_width > canvas_height if orientation == "auto" else orientation == "landscape"
    paper_width, paper_height = (long, short) if landscape else (short, long)
    room_x, room_y = paper_width - 2 * margin, paper_height - 2 * margin
    if room_x <= 0 or room_y <= 0:
        raise ValueError(f"a {paper_width:g} x {paper_height:g} mm paper is too small for {margin:g} mm margins")
    scale = min(room_x / canvas_width, room_y / canvas_height)
    left = (paper_width - canvas_width * scale) / 2
    top = (paper_height - canvas_height * scale) / 2
    return Layout(paper_width, paper_height, margin, left, top, scale, canvas_width, canvas_height)
