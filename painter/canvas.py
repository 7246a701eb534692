"""Drawing a stroke list onto a canvas with a brush's procedural (exact) renderer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import torch

from brushes import Brush
from painter.strokes import Painting


def blank_canvas(height: int, width: int, colour, dtype=torch.float32) -> torch.Tensor:
    """A canvas of one colour. Shape: (3, H, W)."""
    return torch.tensor([float(c) for c in colour], dtype=dtype).view(3, 1, 1).expand(3, height, width).clone()


def draw_progressively(brush: Brush, strokes: torch.Tensor, canvas: torch.Tensor) -> Iterator[int]:
    """Lay strokes (N, P) onto canvas (3, H, W) in order, in place, one window per stroke.
    Yields how many strokes are down after each one, so callers can take snapshots."""
    _, height, width = canvas.shape
    strokes = strokes.to(canvas.dtype)
    bounds = brush.extent(strokes, height, width).floor().long()  # (N, 4)
    bounds[:, 0::2] = bounds[:, 0::2].clamp(0, width)
    bounds[:, 1::2] = bounds[:, 1::2].clamp(0, height)
    for i, (x0, y0, x1, y1) in enumerate(bounds.tolist()):
        x1, y1 = min(x1 + 1, width), min(y1 + 1, height)
        if x1 > x0 and y1 > y0:
            colour, alpha = brush.render(strokes[i : i + 1], height, width, window=(y0, x0, y1 - y0, x1 - x0))
            region = canvas[:, y0:y1, x0:x1]
            region.mul_(1 - alpha[0]).add_(colour[0] * alpha[0])
        yield i + 1


def draw(brush: Brush, strokes: torch.Tensor, canvas: torch.Tensor) -> torch.Tensor:
    """Lay all strokes onto canvas (3, H, W) in place and return it."""
    for _ in draw_progressively(brush, strokes, canvas):
        pass
    return canvas


def render_painting(painting: Painting, long_side: int | None = None) -> torch.Tensor:
    """The painting as an image whose longer side is `long_side` (default: its own size). (3, H, W)."""
    height, width = painting.size_at(long_side)
    canvas = blank_canvas(height, width, painting.background)
    return draw(painting.brush, painting.strokes, canvas)


def frames(painting: Painting, long_side: int | None, count: int) -> Iterator[torch.Tensor]:
    """Snapshots of the painting being made: about `count` evenly spaced, ending with the finished
    picture (and starting with the bare canvas). Each (3, H, W)."""
    height, width = painting.size_at(long_side)
    canvas = blank_canvas(height, width, painting.background)
    yield canvas.clone()
    n = len(painting)
    step = max(1, -(-n // max(1, count)))
    for done in draw_progressively(painting.brush, painting.strokes, canvas):
        if done % step == 0 or done == n:
            yield canvas.clone()


NAMED_COLOURS = {"white": (1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0)}
_HEX = re.compile(r"^#?([0-9a-f]{6}|[0-9a-f]{3})$")


def parse_colour(text: str) -> tuple[float, float, float]:
    """A colour as (r, g, b) in [0, 1] from 'white', 'black', '#rrggbb' or '#rgb' (CSS's short form, each
    digit doubled), any case; the '#' may be left out, as an unquoted '#' starts a shell comment.
    ValueError naming the bad value. The one colour parser: the canvas and plotter palettes use it."""
    key = text.strip().lower()
    if key in NAMED_COLOURS:
        return NAMED_COLOURS[key]
    match = _HEX.match(key)
    if not match:
        raise ValueError(f"bad colour {text!r}; use white, black, #rrggbb or #rgb")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]
