"""Drawing many strokes at once, each in a square window just around it, laid in painting order.

A layout gives every stroke a window (a power of two in size, a little larger than the stroke) and
sorts all (stroke, canvas pixel) pairs by pixel, then by painting order. The strokes are drawn in
their windows in batches (by a neural renderer at its own size, or by the brush's exact renderer at
the window's), and the canvas is composited from the sorted pairs in a few whole-array operations,
differentiably. The canvas stage (painter.engine.canvas) optimises through it.

A `WindowDrawer` does the two things its users call: `layout` strokes on a canvas and `draw` them at
the layout's pixels. Three draw: the network (`NetworkWindows`), the brush's own renderer over whole
windows (`ExactWindows`, for brushes whose raster is cheap) and the brush's own renderer at just the
pixels each stroke inks and shows (`ExactPixels`); `PaletteDrawer` draws any of them in a palette.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from brushes import Brush
from painter.canvas import pixel_bounds
from painter.images import resize

# Strokes are drawn in square windows of a power of two pixels, from MIN_WINDOW to MAX_WINDOW; a stroke
# larger than MAX_WINDOW (an early one, at a large size) is drawn in part, as the whole-canvas pass can.
MIN_WINDOW, MAX_WINDOW = 8, 512
# Above this many strokes, windows are rendered in chunks of this many whose network activations are
# recomputed in the backward pass instead of kept: a 64 px network keeps ~0.4 MB per stroke in float32
# (half in bfloat16), 2 GB for 5,000. Below it, recomputing would cost a third more network time.
RENDER_CHUNK = 4096
# The chunks themselves are smaller: recomputing costs the same in any chunk size, and the backward pass holds
# one chunk's activations at a time (5,000 oil strokes at 1,024 px on retina peaked at 4,166 MB with chunks of
# 4,096).
RECOMPUTED_CHUNK = 1024
WINDOW_SLACK = 0.2  # a window is this fraction larger than its stroke, so the stroke can move within it


@dataclass
class Pairs:
    """(stroke, canvas pixel) pairs sorted so that each pixel's strokes are consecutive and in painting
    order: the painting is composited from them in a few whole-array operations (see `composite`),
    however many strokes there are."""

    pixel: torch.Tensor  # (M,) the pair's canvas pixel, as y * width + x; pairs sorted by pixel, then stroke
    stroke: torch.Tensor  # (M,) the pair's stroke
    last: torch.Tensor  # (M,) where the last pair of the same pixel is: the strokes in between are laid later

    @classmethod
    def from_keys(cls, key: torch.Tensor, strokes: int) -> Pairs:
        """Pairs given as sorted keys pixel * strokes + stroke (M,)."""
        pixel, stroke = key // max(1, strokes), key % max(1, strokes)
        _, counts = torch.unique_consecutive(pixel, return_counts=True)
        last = (torch.cumsum(counts, 0) - 1).repeat_interleave(counts)
        return cls(pixel, stroke, last)


@dataclass
class WindowLayout:
    """Where every stroke is drawn on a canvas: a square window around each, and the drawn window pixels
    of all strokes as sorted pairs. Built again when strokes have drifted (see the canvas stage)."""

    corner: torch.Tensor  # (N, 2) top-left of each window, as (y, x) canvas pixels; may lie off the canvas
    side: torch.Tensor  # (N,) side of each window in pixels, a power of two
    # Per window side, ascending: (side, the strokes (n,) drawn in windows of that side, which of their
    # n * side * side window pixels are drawn (m,), flat and in that order).
    sizes: list[tuple[int, torch.Tensor, torch.Tensor]]
    order: torch.Tensor  # (M,) the drawn pixels of all sides, concatenated, into the sorted order of `pairs`
    pairs: Pairs


@dataclass
class PixelLayout:
    """Only pairs, no windows: the pixels each stroke inks and shows (see `ExactPixels`)."""

    pairs: Pairs


class WindowDrawer(Protocol):
    """Draws strokes (N, P, canvas-relative) on a height x width canvas, at the pixels of a layout."""

    renderer: str  # "network" or "exact": what draws the strokes
    relayout_every: int  # steps between layouts: strokes drift out of what a layout holds

    def layout(self, strokes: torch.Tensor, height: int, width: int) -> WindowLayout | PixelLayout: ...

    def draw(self, strokes: torch.Tensor, places, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Colour (3, M) and alpha (M,) of the layout's pairs, in their sorted order; differentiable."""
        ...


def windows(brush: Brush, strokes: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each stroke's window: top-left corner (N, 2) as (y, x) canvas pixels and side (N,) in pixels, the
    smallest power of two (MIN_WINDOW to MAX_WINDOW) holding the stroke grown by WINDOW_SLACK plus 4 px."""
    bounds = brush.extent(strokes.detach(), height, width)  # (N, 4) x0, y0, x1, y1
    span = torch.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) * (1 + WINDOW_SLACK) + 4
    side = (2 ** torch.log2(span.clamp(MIN_WINDOW, MAX_WINDOW)).ceil()).long()
    centre_x, centre_y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    return torch.stack([centre_y - side / 2, centre_x - side / 2], dim=1).round().long(), side


# Draws strokes given in a window's own coordinates (x, y, sizes as fractions of its side) on an s x s
# window: (n, P), s -> colour (n, 3, r, r), alpha (n, 1, r, r), r = s or the network's own size.
DrawWindow = Callable[[torch.Tensor, int], tuple[torch.Tensor, torch.Tensor]]


def window_layout(
    brush: Brush, strokes: torch.Tensor, height: int, width: int, draw_window: DrawWindow | None = None
) -> WindowLayout:
    """The windows of strokes (N, P, canvas-relative) on a height x width canvas (see `windows`), and
    their pixels sorted.

    With `draw_window`, only the pixels a stroke covers now, widened by an eighth of its window (at least
    2 px) for the strokes to move into, are kept: a rotated, elongated stroke fills a fraction of its
    square window, and the pixels it leaves empty would cost as much as the others in every step."""
    corner, side = windows(brush, strokes, height, width)
    groups, keys = [], []
    for size in side.unique().tolist():
        members = (side == size).nonzero()[:, 0]  # (n,)
        steps = torch.arange(size)
        ys = corner[members, 0, None] + steps  # (n, s)
        xs = corner[members, 1, None] + steps
        on = ((ys >= 0) & (ys < height))[:, :, None] & ((xs >= 0) & (xs < width))[:, None, :]  # (n, s, s)
        if draw_window is not None:
            local = in_window(brush, strokes[members].detach(), corner[members], size, height, width)
            on &= _covers(draw_window, local, size)
        pixel = ys[:, :, None] * width + xs[:, None, :]  # (n, s, s)
        # Sorting on pixel * N + stroke puts each pixel's strokes together, in painting order.
        keys.append((pixel * len(side) + members[:, None, None])[on])
        groups.append((size, members, on.reshape(-1).nonzero()[:, 0]))
    key = torch.cat(keys) if keys else torch.zeros(0, dtype=torch.long)
    order = torch.argsort(key)
    return WindowLayout(corner, side, groups, order, Pairs.from_keys(key[order], len(side)))


VISIBLE = 1e-3  # exact pairs under strokes letting less than this through are left out (see ExactPixels.layout)
COVERED = 0.01  # a window pixel with less alpha than this is not drawn (unless near one with more)
MAX_REACH = 12  # pixels: strokes move less than this between two layouts (10 steps)


@torch.no_grad()
def _covers(draw_window: DrawWindow, local: torch.Tensor, size: int) -> torch.Tensor:
    """Which pixels (n, s, s) bool of the windows the strokes local (n, P, in window coordinates) cover
    now, widened by size / 8 px (at least 2, at most MAX_REACH) on every side."""
    alpha = torch.cat([draw_window(part, size)[1] for part in local.split(RENDER_CHUNK)])  # (n, 1, r, r)
    if alpha.shape[-1] != size:  # drawn smaller (see NetworkWindows)
        alpha = F.interpolate(alpha, size=(size, size), mode="bilinear")
    covers = alpha > COVERED  # (n, 1, s, s)
    reach = min(MAX_REACH, max(2, size // 8))
    # Any covered pixel within reach: a box sum from an integral image, whose cost does not grow with the
    # box (a max pool with a 25 px kernel took 40% of the layout's time).
    k = 2 * reach + 1
    total = F.pad(covers[:, 0].float(), (reach + 1, reach, reach + 1, reach)).cumsum(1).cumsum(2)  # (n, s+k, s+k)
    box = total[:, k:, k:] - total[:, :-k, k:] - total[:, k:, :-k] + total[:, :-k, :-k]  # (n, s, s)
    return box > 0.5


# Alpha is scaled by this before its log is taken, so a fully opaque stroke still lets 1e-9 through: the
# log stays finite and the gradient of every alpha alive. The difference is far below a colour level.
OPAQUE = 1 - 1e-9


def composite(colour: torch.Tensor, alpha: torch.Tensor, pairs: Pairs, background: torch.Tensor) -> torch.Tensor:
    """Lay every stroke's pixels in painting order over background (3, H, W). colour (3, M) and alpha
    (M,) are the pairs' values in sorted order. A pixel's colour is sum_i c_i a_i T_i + background *
    T_0, where T_i is the product of (1 - a_j) over the strokes j laid after i on that pixel; the
    products are sums of logs, taken with one cumulative sum over all pairs (in double precision, as it
    runs over millions of them). Returns (3, H, W)."""
    c, height, width = background.shape
    through, later = _transparencies(alpha, pairs)
    ink = torch.zeros(c, height * width, dtype=colour.dtype).index_add(1, pairs.pixel, colour * (alpha * later))
    shows = torch.zeros(height * width, dtype=torch.double).index_add(0, pairs.pixel, through).exp()  # T_0
    return ink.view(c, height, width) + background * shows.to(background.dtype).view(1, height, width)


def _transparencies(alpha: torch.Tensor, pairs: Pairs) -> tuple[torch.Tensor, torch.Tensor]:
    """For the pairs' alpha (M,) in sorted order: the log of what each stroke lets through (M,), double,
    and T_i, what the strokes laid after it on the same pixel let through (M,), in alpha's dtype."""
    through = torch.log1p(-alpha.double() * OPAQUE)
    below = torch.cumsum(through, 0)
    return through, torch.exp(below[pairs.last] - below).to(alpha.dtype)


def shown_ink(alpha: torch.Tensor, pairs: Pairs, strokes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per stroke (strokes,): the ink that shows through the strokes laid after it, and all its ink on the
    canvas, in pixels (alpha summed), from the pairs' alpha (M,)."""
    _, later = _transparencies(alpha, pairs)
    ink = torch.zeros(strokes, dtype=alpha.dtype).index_add(0, pairs.stroke, alpha)
    return torch.zeros(strokes, dtype=alpha.dtype).index_add(0, pairs.stroke, alpha * later), ink


def draw_windows(drawer: WindowDrawer, strokes: torch.Tensor, places, background: torch.Tensor) -> torch.Tensor:
    """The painting at background's size (3, h, w): strokes (N, P, canvas-relative) drawn by `drawer` at
    the pixels of `places` and laid in order over background, differentiably."""
    _, height, width = background.shape
    colour, alpha = drawer.draw(strokes, places, height, width)
    return composite(colour, alpha, places.pairs, background)


class NetworkWindows:
    """Windows drawn by a neural renderer, at its resolution whatever the window's size. Smaller windows
    are shrunk to their size by averaging whole blocks of pixels when the window divides it (windows are
    powers of two, as is the network's size), which is exact and costs a fraction of an antialiased
    resize's backward pass. Larger ones are left at the network's size: only the pixels drawn are
    sampled from it (see `_window_pixels`), where enlarging whole windows of coarse strokes, mostly
    off the canvas, took a third of a whole-canvas step."""

    renderer = "network"
    relayout_every = 10  # windows leave room for strokes to move

    def __init__(self, brush: Brush, net: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]) -> None:
        self.brush, self.net = brush, net

    def window(self, local: torch.Tensor, side: int) -> tuple[torch.Tensor, torch.Tensor]:
        colour, alpha = self.net(local)
        return _shrink(colour, side), _shrink(alpha, side)

    def layout(self, strokes: torch.Tensor, height: int, width: int) -> WindowLayout:
        return window_layout(self.brush, strokes, height, width, self.window)

    def draw(self, strokes: torch.Tensor, places: WindowLayout, height: int, width: int):
        # All strokes go through the network in one batch (one call per window size cost ~6 ms each way in
        # overhead on 2 threads), in window-size order, so each size's rasters are a slice: split's backward
        # pass is one concatenation, where indexing out each size's rows filled a whole-batch gradient with
        # zeros once per size.
        order = torch.cat([members for _, members, _ in places.sizes])
        side = places.side[order, None].to(strokes.dtype)  # (N, 1)
        local = in_window(self.brush, strokes[order], places.corner[order], side, height, width)
        rasters = _in_chunks(self.net, local).split([len(members) for _, members, _ in places.sizes])
        parts = [_shrink(raster, size) for raster, (size, _, _) in zip(rasters, places.sizes, strict=True)]
        return _window_pixels(parts, places, strokes)


class ExactWindows:
    """Windows drawn by the brush's own renderer, each window size in one batch."""

    renderer = "exact"
    relayout_every = 10

    def __init__(self, brush: Brush) -> None:
        self.brush = brush

    def window(self, local: torch.Tensor, side: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.brush.render(local, side, side)

    def layout(self, strokes: torch.Tensor, height: int, width: int) -> WindowLayout:
        return window_layout(self.brush, strokes, height, width, self.window)

    def draw(self, strokes: torch.Tensor, places: WindowLayout, height: int, width: int):
        parts = []
        for size, members, _ in places.sizes:
            local = in_window(self.brush, strokes[members], places.corner[members], size, height, width)
            parts.append(_in_chunks(lambda part: self.window(part, size), local))  # noqa: B023 (called at once)
        return _window_pixels(parts, places, strokes)


def _window_pixels(parts: list[torch.Tensor], places: WindowLayout, strokes: torch.Tensor):
    """Colour (3, M) and alpha (M,) of the layout's pairs from every window size's rasters (n, 4, r, r),
    sampled where a raster is larger than its windows."""
    if not parts:
        return strokes.new_zeros(3, 0), strokes.new_zeros(0)
    drawn = []
    for both, (size, _, pixels) in zip(parts, places.sizes, strict=True):
        flat = both.transpose(0, 1).reshape(4, -1)  # (4, n * r * r), stroke by stroke
        res = both.shape[-1]
        drawn.append(flat.index_select(1, pixels) if res == size else _sample(flat, res, size, pixels))
    both = torch.cat(drawn, dim=1).index_select(1, places.order)  # (4, M)
    return both[:3], both[3]


class ExactPixels:
    """The brush's own renderer, run at exactly the (stroke, pixel) pairs each stroke inks and shows rather
    than over whole windows: each pair is drawn as a one-pixel window. On 500 oil strokes at 268 px, a
    whole-canvas step took ~0.45 s through it, against ~2.9 s drawing whole windows exactly (and ~0.25 s
    through the network)."""

    renderer = "exact"
    # Its layout holds only the pixels strokes ink now, so it follows them more closely (on 500 oil
    # strokes, a layout every step or every 3 gave the same PSNR).
    relayout_every = 3

    def __init__(self, brush: Brush) -> None:
        self.brush = brush

    @torch.no_grad()
    def layout(self, strokes: torch.Tensor, height: int, width: int) -> PixelLayout:
        """The pixels of each stroke's bounds that it inks now (alpha > 0) and that the strokes laid after it
        let show (at least VISIBLE). Others add nothing to the painting nor to any gradient until strokes
        move, so the layout is built again every few steps. On 500 oil strokes at 268 px it keeps ~190k of
        the ~650k pairs a window layout keeps."""
        strokes = strokes.detach()
        x0, y0, x1, y1 = pixel_bounds(self.brush, strokes, height, width)
        across = (x1 - x0).clamp_min(0)
        counts = across * (y1 - y0).clamp_min(0)  # (N,) pixels in each stroke's bounds
        stroke = torch.repeat_interleave(torch.arange(len(strokes)), counts)  # (M,)
        offset = torch.arange(len(stroke)) - torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
        row = across[stroke]
        pixel = (y0[stroke] + offset // row) * width + x0[stroke] + offset % row
        parts = zip(stroke.split(PAIR_CHUNK), pixel.split(PAIR_CHUNK), strict=True)
        alpha = torch.cat([self._draw(strokes, s, p, height, width)[3] for s, p in parts] or [strokes.new_zeros(0)])
        inked = alpha > 0
        key = pixel[inked] * len(strokes) + stroke[inked]
        order = torch.argsort(key)
        _, later = _transparencies(alpha[inked][order], Pairs.from_keys(key[order], len(strokes)))
        return PixelLayout(Pairs.from_keys(key[order][later >= VISIBLE], len(strokes)))

    def draw(self, strokes: torch.Tensor, places: PixelLayout, height: int, width: int):
        """Colour (3, M) and alpha (M,) of the pairs; past PAIR_CHUNK pairs, in chunks whose intermediate
        values are recomputed in the backward pass (oil paint keeps ~1 kB per pair)."""
        pairs, chunks = places.pairs, []
        for stroke, pixel in zip(pairs.stroke.split(PAIR_CHUNK), pairs.pixel.split(PAIR_CHUNK), strict=True):
            if torch.is_grad_enabled() and len(pairs.pixel) > PAIR_CHUNK:
                chunks.append(checkpoint(self._draw, strokes, stroke, pixel, height, width, use_reentrant=False))
            else:
                chunks.append(self._draw(strokes, stroke, pixel, height, width))
        both = torch.cat(chunks, dim=1) if chunks else strokes.new_zeros(4, 0)
        return both[:3], both[3]

    def _draw(self, strokes, stroke, pixel, height, width) -> torch.Tensor:
        window = (pixel // width, pixel % width, 1, 1)  # each pair's pixel as its own window
        colour, alpha = self.brush.render(strokes[stroke], height, width, window=window)  # (m, 3, 1, 1), (m, 1, 1, 1)
        return torch.cat([colour, alpha], dim=1).view(-1, 4).T


PAIR_CHUNK = 1 << 17


class PaletteDrawer:
    """Another drawer's strokes drawn in a palette's colours (see painter.palette): a palette painting keeps
    its colours in every stage that draws through it."""

    def __init__(self, drawer: WindowDrawer, palette) -> None:
        self.drawer, self.palette = drawer, palette
        self.renderer, self.relayout_every = drawer.renderer, drawer.relayout_every

    def layout(self, strokes: torch.Tensor, height: int, width: int):
        return self.drawer.layout(self.palette.drawn(strokes), height, width)

    def draw(self, strokes: torch.Tensor, places, height: int, width: int):
        return self.drawer.draw(self.palette.drawn(strokes), places, height, width)


def _shrink(raster: torch.Tensor, side: int) -> torch.Tensor:
    """Rasters (n, C, r, r) shrunk to side x side when smaller than r; otherwise as they are."""
    res = raster.shape[-1]
    if side < res and res % side == 0:
        return F.avg_pool2d(raster, res // side)
    return resize(raster, (side, side)) if side < res else raster


def in_window(
    brush: Brush, strokes: torch.Tensor, corner: torch.Tensor, side: int | torch.Tensor, height: int, width: int
):
    """Strokes (n, P) re-expressed in the coordinates of their square windows (corner (n, 2) as y, x; side
    one for all, or (n, 1) each its own)."""
    out = strokes.clone()
    xs, ys, sizes = brush.kinds("x"), brush.kinds("y"), brush.kinds("size")
    out[:, xs] = (strokes[:, xs] * width - corner[:, 1:2].to(strokes.dtype)) / side
    out[:, ys] = (strokes[:, ys] * height - corner[:, 0:1].to(strokes.dtype)) / side
    out[:, sizes] = strokes[:, sizes] * max(height, width) / side
    return out


def _in_chunks(render: Callable, strokes: torch.Tensor) -> torch.Tensor:
    """render(strokes) as one tensor (n, 4, r, r) of colour and alpha; past RENDER_CHUNK strokes, in chunks of
    RECOMPUTED_CHUNK whose activations are recomputed in the backward pass rather than kept."""
    if len(strokes) <= RENDER_CHUNK or not torch.is_grad_enabled():
        return torch.cat(render(strokes), dim=1)
    chunks = [checkpoint(render, part, use_reentrant=False) for part in strokes.split(RECOMPUTED_CHUNK)]
    return torch.cat([torch.cat(chunk, dim=1) for chunk in chunks])


def _sample(windows: torch.Tensor, res: int, size: int, pixels: torch.Tensor) -> torch.Tensor:
    """Bilinear samples, as a size x size enlargement would give them (half-pixel centres, edges held),
    of windows (C, n * res * res) at the flat pixels (m,) of n size x size windows: (C, m)."""
    stroke, y, x = pixels // (size * size), pixels // size % size, pixels % size
    (y0, wy0), (y1, wy1) = _neighbours(y, res / size, res)
    (x0, wx0), (x1, wx1) = _neighbours(x, res / size, res)
    base = stroke * res * res
    corners = torch.cat([base + y0 * res + x0, base + y0 * res + x1, base + y1 * res + x0, base + y1 * res + x1])
    weights = torch.stack([wy0 * wx0, wy0 * wx1, wy1 * wx0, wy1 * wx1])  # (4, m)
    # One gather of all four corners: its backward pass fills the windows' gradient with zeros once, not 4 times.
    values = windows.index_select(1, corners).view(windows.shape[0], 4, -1)  # (C, 4, m)
    return (values * weights.to(windows.dtype)).sum(dim=1)


def _neighbours(index: torch.Tensor, scale: float, res: int):
    """The two source pixels (m,) either side of destination pixels `index` at `scale` source px per
    destination px, and their bilinear weights (m,)."""
    source = ((index + 0.5) * scale - 0.5).clamp(min=0)
    low = source.floor().long().clamp(max=res - 1)
    high = (low + 1).clamp(max=res - 1)
    frac = (source - low).clamp(0, 1)
    return (low, 1 - frac), (high, frac)
