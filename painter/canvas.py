"""Drawing a stroke list onto a canvas with a brush's procedural (exact) renderer."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from brushes import Brush
from painter.colours import NAMED_COLOURS, TONED, parse_colour  # noqa: F401 - NAMED_COLOURS: its old home
from painter.files import to_uint8
from painter.strokes import Painting


def ground_colour(canvas: str, photo: torch.Tensor | None = None, paper: bool = False) -> tuple[float, float, float]:
    """The colour a painting starts from, as (r, g, b) in [0, 1]: the colour `canvas` names (parse_colour), or
    for "auto" (TONED) the mean colour of `photo` (3, H, W), as a painter tones a ground before the first
    stroke. On a toned ground no stroke is spent covering white paper, and a gap between strokes shows a
    colour near its neighbours' instead of a white fleck: on a dark photo (the Hubble deep field) 300
    rectangles gained 0.3 dB, on the grey moon 0.5, and the whole-canvas pass took 7-8 s, not 11-12 s
    (2026-12-07; docs/painting.md). "auto" means white where there is no photo yet (transparency
    is composited on white) and where `paper`: a palette's pens or paints go on the white paper they are
    given."""
    if canvas != TONED:
        return parse_colour(canvas)
    if photo is None or paper:
        return NAMED_COLOURS["white"]
    return tuple(float(c) for c in photo.double().mean(dim=(1, 2)).clamp(0, 1))  # type: ignore[return-value]


def blank_canvas(height: int, width: int, colour, dtype=torch.float32) -> torch.Tensor:
    """A canvas of one colour. Shape: (3, H, W)."""
    return torch.tensor([float(c) for c in colour], dtype=dtype).view(3, 1, 1).expand(3, height, width).clone()


# Strokes are drawn many at a time, each in a window of one of a few sizes, because one brush call costs
# ~4 ms of overhead for oil paint whatever its size: one call per stroke made the exact drawing of 500
# strokes take 2.3 s (0.6 s now). Window sizes step by a quarter of a doubling, so windows hold at most
# ~1.56x the pixels of the strokes' own bounds (steps of 1.5x or 2x made the marker pen slower).
BATCH_PIXELS = 1 << 16  # window pixels per brush call: its layers stay in the CPU's cache
SOLO_PIXELS = 1 << 14  # strokes whose bounds hold more pixels are drawn alone, in their own bounds
CHUNK_PIXELS = 1 << 23  # window pixels drawn ahead of compositing (4 channels in float32: 128 MB)
# render_bands draws this many canvas pixels in float at a time (3 channels: 192 MB), so that a 16,384 px
# square render holds one band in float, not a 3.2 GB canvas; at 16,384 px that is a band of 1,024 rows.
# A stroke crossing a band's edge is drawn in each band only over that band's rows (the brushes compute
# each pixel from its own coordinates): drawing its whole window again for each band made 5,000 strokes
# at 16,384 px take over 11 CPU minutes.
BAND_PIXELS = 1 << 24


def _window_length(n: torch.Tensor, limit: int) -> torch.Tensor:
    """Lengths n rounded up to the next of 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, ... (four steps to a
    doubling), at most `limit`."""
    n = n.clamp_min(8)
    step = torch.exp2((torch.log2((n - 1).double()).floor() - 2).clamp_min(0)).long()
    return (-(-n // step) * step).clamp(max=limit)


def pixel_bounds(brush: Brush, strokes: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, ...]:
    """The pixels holding each stroke's ink, clipped to the canvas: x0, y0, x1, y1 (N,) each, ends
    exclusive; empty (x1 <= x0 or y1 <= y0) for a stroke off the canvas."""
    bounds = brush.extent(strokes, height, width).floor().long()  # (N, 4) as x0, y0, x1, y1
    x0, x1 = bounds[:, 0].clamp(0, width), (bounds[:, 2] + 1).clamp(0, width)
    y0, y1 = bounds[:, 1].clamp(0, height), (bounds[:, 3] + 1).clamp(0, height)
    return x0, y0, x1, y1


def stroke_windows(brush: Brush, strokes: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Each stroke's window on the canvas: the smallest of the stepped sizes that holds its ink's
    pixel bounds, moved inside the canvas. (N, 4) as top, left, h, w; h or w is 0 for a stroke off
    the canvas."""
    x0, y0, x1, y1 = pixel_bounds(brush, strokes, height, width)
    visible = (x1 > x0) & (y1 > y0)
    h, w = _window_length(y1 - y0, height), _window_length(x1 - x0, width)
    alone = (y1 - y0) * (x1 - x0) > SOLO_PIXELS  # a call's overhead is small beside their pixels
    h, w = torch.where(alone, y1 - y0, h), torch.where(alone, x1 - x0, w)
    top, left = torch.minimum(y0, height - h), torch.minimum(x0, width - w)
    return torch.stack([top, left, h * visible, w * visible], dim=1)


def _chunks(windows: torch.Tensor, budget: int) -> Iterator[tuple[int, int]]:
    """Runs [start, stop) of consecutive strokes whose windows hold about `budget` pixels together."""
    pixels = (windows[:, 2] * windows[:, 3]).tolist()
    start, total = 0, 0
    for i, count in enumerate(pixels):
        if total and total + count > budget:
            yield start, i
            start, total = i, 0
        total += count
    if start < len(pixels):
        yield start, len(pixels)


def _render_run(brush: Brush, strokes: torch.Tensor, windows: torch.Tensor, height: int, width: int) -> dict:
    """Strokes (n, P) drawn in their windows (n, 4), those of one window size per brush call.
    Returns {index in the run: (colour (3, h, w), alpha (1, h, w))} for the strokes on the canvas."""
    drawn = {}
    shapes = windows[:, 2:].tolist()
    for shape in sorted({tuple(s) for s in shapes if s[0] and s[1]}):
        members = torch.tensor([i for i, s in enumerate(shapes) if tuple(s) == shape])
        per_call = max(1, BATCH_PIXELS // (shape[0] * shape[1]))
        for part in members.split(per_call):
            window = (windows[part, 0], windows[part, 1], *shape)
            colour, alpha = brush.render(strokes[part], height, width, window=window)
            for k, index in enumerate(part.tolist()):
                drawn[index] = colour[k], alpha[k]
    return drawn


def _lay(brush: Brush, strokes: torch.Tensor, windows: torch.Tensor, canvas: torch.Tensor, first_row: int, height: int):
    """Lay strokes (N, P) in their windows (N, 4) of a height-row canvas onto `canvas` (3, rows, W), which
    holds that canvas's rows from `first_row` on; each stroke's rows outside it are drawn but not laid.
    Yields how many strokes are down after each one."""
    _, rows, width = canvas.shape
    for start, stop in _chunks(windows, CHUNK_PIXELS):
        drawn = _render_run(brush, strokes[start:stop], windows[start:stop], height, width)
        for i, (top, left, h, w) in enumerate(windows[start:stop].tolist(), start):
            if i - start in drawn:
                colour, alpha = drawn[i - start]
                inside = slice(max(top, first_row) - top, min(top + h, first_row + rows) - top)
                colour, alpha = colour[:, inside], alpha[:, inside]
                region = canvas[:, top + inside.start - first_row : top + inside.stop - first_row, left : left + w]
                region.mul_(1 - alpha).add_(colour * alpha)
            yield i + 1


def draw_progressively(brush: Brush, strokes: torch.Tensor, canvas: torch.Tensor) -> Iterator[int]:
    """Lay strokes (N, P) onto canvas (3, H, W) in order, in place, each in a window about its size.
    Yields how many strokes are down after each one, so callers can take snapshots."""
    _, height, width = canvas.shape
    strokes = strokes.to(canvas.dtype)
    yield from _lay(brush, strokes, stroke_windows(brush, strokes, height, width), canvas, 0, height)


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


def render_bands(
    painting: Painting, long_side: int | None = None, band_pixels: int = BAND_PIXELS
) -> Iterator[tuple[int, np.ndarray]]:
    """The painting as render_painting draws it, converted to 8 bits (to_uint8), a band of rows at a time:
    yields (first row, band (rows, W, 3) uint8) from the top down. Only one band is in float at once, each
    about `band_pixels` pixels, so a large render costs its 8-bit image plus a bounded working set."""
    height, width = painting.size_at(long_side)
    strokes = painting.strokes.to(torch.float32)
    windows = stroke_windows(painting.brush, strokes, height, width)
    rows = max(1, band_pixels // width)
    for first in range(0, height, rows):
        last = min(first + rows, height)
        touching = (windows[:, 0] < last) & (windows[:, 0] + windows[:, 2] > first) & (windows[:, 3] > 0)
        clipped = windows[touching].clone()  # (n, 4) top, left, h, w: each window's rows in this band
        top = clipped[:, 0].clamp(min=first)
        clipped[:, 2] = (clipped[:, 0] + clipped[:, 2]).clamp(max=last) - top
        clipped[:, 0] = top
        band = blank_canvas(last - first, width, painting.background)
        for _ in _lay(painting.brush, strokes[touching], clipped, band, first, height):
            pass
        yield first, to_uint8(band)


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
