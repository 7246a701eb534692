"""Drawing many strokes at once, each in a square window just around it, laid in painting order.

A layout gives every stroke a window (a power of two in size, a little larger than the stroke) and
sorts all (stroke, canvas pixel) pairs by pixel, then by painting order. The strokes are drawn in
their windows in batches (by a neural renderer at its own size, or by the brush's exact renderer at
the window's), and the canvas is composited from the sorted pairs in a few whole-array operations,
differentiably. The whole-canvas refinement (painter.refine) optimises through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
WINDOW_SLACK = 0.2  # a window is this fraction larger than its stroke, so the stroke can move within it


@dataclass
class Layout:
    """Where every stroke is drawn on a canvas: a square window around each, and the window pixels of
    all strokes sorted so that each canvas pixel's strokes are consecutive and in painting order. The
    painting is composited from that order in a few whole-array operations (see `composite`), however
    many strokes there are. Built again when strokes have drifted (see `refine`)."""

    corner: torch.Tensor  # (N, 2) top-left of each window, as (y, x) canvas pixels; may lie off the canvas
    side: torch.Tensor  # (N,) side of each window in pixels, a power of two
    # Per window side, ascending: (side, the strokes (n,) drawn in windows of that side, which of their
    # n * side * side window pixels are drawn (m,), flat and in that order).
    sizes: list[tuple[int, torch.Tensor, torch.Tensor]]
    order: torch.Tensor  # (M,) the drawn pixels of all sides, concatenated, into the sorted order below
    pixel: torch.Tensor  # (M,) the pair's canvas pixel, as y * width + x; pairs sorted by pixel, then stroke
    stroke: torch.Tensor  # (M,) the pair's stroke
    last: torch.Tensor  # (M,) where the last pair of the same pixel is: the strokes in between are laid later


def windows(brush: Brush, strokes: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each stroke's window: top-left corner (N, 2) as (y, x) canvas pixels and side (N,) in pixels, the
    smallest power of two (MIN_WINDOW to MAX_WINDOW) holding the stroke grown by WINDOW_SLACK plus 4 px."""
    bounds = brush.extent(strokes.detach(), height, width)  # (N, 4) x0, y0, x1, y1
    span = torch.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) * (1 + WINDOW_SLACK) + 4
    side = (2 ** torch.log2(span.clamp(MIN_WINDOW, MAX_WINDOW)).ceil()).long()
    centre_x, centre_y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    return torch.stack([centre_y - side / 2, centre_x - side / 2], dim=1).round().long(), side


def layout(
    brush: Brush, strokes: torch.Tensor, height: int, width: int, render: WindowRenderer | None = None
) -> Layout:
    """The windows of strokes (N, P, canvas-relative) on a height x width canvas (see `windows`), and
    their pixels sorted.

    With `render`, only the pixels a stroke covers now, widened by an eighth of its window (at least
    2 px) for the strokes to move into, are kept: a rotated, elongated stroke fills a fraction of its
    square window, and the pixels it leaves empty would cost as much as the others in every step."""
    if isinstance(render, ExactPixels):
        return _inked_pairs(brush, render, strokes.detach(), height, width)
    corner, side = windows(brush, strokes, height, width)
    groups, keys = [], []
    for size in side.unique().tolist():
        members = (side == size).nonzero()[:, 0]  # (n,)
        steps = torch.arange(size)
        ys = corner[members, 0, None] + steps  # (n, s)
        xs = corner[members, 1, None] + steps
        on = ((ys >= 0) & (ys < height))[:, :, None] & ((xs >= 0) & (xs < width))[:, None, :]  # (n, s, s)
        if render is not None:
            on &= _covers(
                render, in_window(brush, strokes[members].detach(), corner[members], size, height, width), size
            )
        pixel = ys[:, :, None] * width + xs[:, None, :]  # (n, s, s)
        # Sorting on pixel * N + stroke puts each pixel's strokes together, in painting order.
        keys.append((pixel * len(side) + members[:, None, None])[on])
        groups.append((size, members, on.reshape(-1).nonzero()[:, 0]))
    key = torch.cat(keys) if keys else torch.zeros(0, dtype=torch.long)
    order = torch.argsort(key)
    pixel, stroke, last = _sorted_pairs(key[order], len(side))
    return Layout(corner, side, groups, order, pixel, stroke, last)


def _sorted_pairs(key: torch.Tensor, strokes: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pixel, stroke and last (see Layout) of pairs given as sorted keys pixel * strokes + stroke (M,)."""
    pixel, stroke = key // max(1, strokes), key % max(1, strokes)
    _, counts = torch.unique_consecutive(pixel, return_counts=True)
    last = (torch.cumsum(counts, 0) - 1).repeat_interleave(counts)
    return pixel, stroke, last


VISIBLE = 1e-3  # exact pairs under strokes letting less than this through are left out (see _inked_pairs)


@torch.no_grad()
def _inked_pairs(brush: Brush, render: ExactPixels, strokes: torch.Tensor, height: int, width: int) -> Layout:
    """The pairs an exact renderer needs: the pixels of each stroke's bounds that it inks now (alpha > 0) and
    that the strokes laid after it let show (at least VISIBLE). Others add nothing to the painting nor to
    any gradient until strokes move, so such a layout is built again every few steps (see refine). It
    holds pairs only (no windows): for ExactPixels. On 500 oil strokes at 268 px it keeps ~190k of the
    ~650k pairs a window layout keeps."""
    x0, y0, x1, y1 = pixel_bounds(brush, strokes, height, width)
    across = (x1 - x0).clamp_min(0)
    counts = across * (y1 - y0).clamp_min(0)  # (N,) pixels in each stroke's bounds
    stroke = torch.repeat_interleave(torch.arange(len(strokes)), counts)  # (M,)
    offset = torch.arange(len(stroke)) - torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
    row = across[stroke]
    pixel = (y0[stroke] + offset // row) * width + x0[stroke] + offset % row
    alpha = render.alpha(strokes, stroke, pixel, height, width)
    inked = alpha > 0
    key = pixel[inked] * len(strokes) + stroke[inked]
    order = torch.argsort(key)
    alpha = alpha[inked][order]
    pixel, stroke, last = _sorted_pairs(key[order], len(strokes))
    _, later = _transparencies(alpha, Layout(None, None, [], None, pixel, stroke, last))
    shows = later >= VISIBLE
    pixel, stroke, last = _sorted_pairs(key[order][shows], len(strokes))
    none = torch.zeros(0, dtype=torch.long)
    return Layout(none, none, [], none, pixel, stroke, last)


COVERED = 0.01  # a window pixel with less alpha than this is not drawn (unless near one with more)
MAX_REACH = 12  # pixels: strokes move less than this between two layouts (10 steps)


@torch.no_grad()
def _covers(render: WindowRenderer, local: torch.Tensor, size: int) -> torch.Tensor:
    """Which pixels (n, s, s) bool of the windows the strokes local (n, P, in window coordinates) cover
    now, widened by size / 8 px (at least 2, at most MAX_REACH) on every side."""
    alpha = torch.cat([render(part, size)[1] for part in local.split(RENDER_CHUNK)])  # (n, 1, r, r)
    if alpha.shape[-1] != size:  # drawn smaller (see network_windows)
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


def composite(colour: torch.Tensor, alpha: torch.Tensor, places: Layout, background: torch.Tensor) -> torch.Tensor:
    """Lay every stroke's window in painting order over background (3, H, W). colour (3, M) and alpha
    (M,) are the window pixels in `places` order. A pixel's colour is sum_i c_i a_i T_i + background *
    T_0, where T_i is the product of (1 - a_j) over the strokes j laid after i on that pixel; the
    products are sums of logs, taken with one cumulative sum over all pairs (in double precision, as it
    runs over millions of them). Returns (3, H, W)."""
    c, height, width = background.shape
    through, later = _transparencies(alpha, places)
    ink = torch.zeros(c, height * width, dtype=colour.dtype).index_add(1, places.pixel, colour * (alpha * later))
    shows = torch.zeros(height * width, dtype=torch.double).index_add(0, places.pixel, through).exp()  # T_0
    return ink.view(c, height, width) + background * shows.to(background.dtype).view(1, height, width)


def _transparencies(alpha: torch.Tensor, places: Layout) -> tuple[torch.Tensor, torch.Tensor]:
    """For the pairs' alpha (M,) in `places` order: the log of what each stroke lets through (M,), double,
    and T_i, what the strokes laid after it on the same pixel let through (M,), in alpha's dtype."""
    through = torch.log1p(-alpha.double() * OPAQUE)
    below = torch.cumsum(through, 0)
    return through, torch.exp(below[places.last] - below).to(alpha.dtype)


def shown_ink(alpha: torch.Tensor, places: Layout, strokes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per stroke (strokes,): the ink that shows through the strokes laid after it, and all its ink on the
    canvas, in pixels (alpha summed), from the pairs' alpha (M,)."""
    _, later = _transparencies(alpha, places)
    ink = torch.zeros(strokes, dtype=alpha.dtype).index_add(0, places.stroke, alpha)
    return torch.zeros(strokes, dtype=alpha.dtype).index_add(0, places.stroke, alpha * later), ink


# Draws strokes given in a window's own coordinates (x, y, sizes as fractions of its side) on an
# s x s window: (n, P), s -> colour (n, 3, s, s), alpha (n, 1, s, s).
WindowRenderer = Callable[[torch.Tensor, int], tuple[torch.Tensor, torch.Tensor]]


def exact_windows(brush: Brush) -> WindowRenderer:
    """Windows drawn by the brush's own renderer."""
    return lambda strokes, side: brush.render(strokes, side, side)


class ExactPixels:
    """The brush's own renderer, run at exactly the layout's (stroke, pixel) pairs rather than over whole
    windows: each pair is drawn as a one-pixel window (see `render_windows`), and its layout keeps only
    the pairs a stroke inks and shows (see `_inked_pairs`). On 500 oil strokes at 268 px, a whole-canvas
    step took ~0.45 s through it, against ~2.9 s drawing whole windows exactly (and ~0.25 s through the
    network). As a window renderer it draws whole windows."""

    def __init__(self, brush: Brush) -> None:
        self.brush = brush

    def __call__(self, strokes: torch.Tensor, side: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.brush.render(strokes, side, side)

    def pairs(self, strokes: torch.Tensor, places: Layout, height: int, width: int) -> torch.Tensor:
        """Colour and alpha (4, M) of the pairs in `places` order; past PAIR_CHUNK pairs, in chunks whose
        intermediate values are recomputed in the backward pass (oil paint keeps ~1 kB per pair)."""
        chunks = []
        for stroke, pixel in zip(places.stroke.split(PAIR_CHUNK), places.pixel.split(PAIR_CHUNK), strict=True):
            if torch.is_grad_enabled() and len(places.pixel) > PAIR_CHUNK:
                chunks.append(checkpoint(self._draw, strokes, stroke, pixel, height, width, use_reentrant=False))
            else:
                chunks.append(self._draw(strokes, stroke, pixel, height, width))
        return torch.cat(chunks, dim=1) if chunks else strokes.new_zeros(4, 0)

    def alpha(self, strokes: torch.Tensor, stroke: torch.Tensor, pixel: torch.Tensor, height: int, width: int):
        """Alpha (M,) of pairs given by their stroke and pixel (M,), in chunks of PAIR_CHUNK."""
        parts = zip(stroke.split(PAIR_CHUNK), pixel.split(PAIR_CHUNK), strict=True)
        return torch.cat([self._draw(strokes, s, p, height, width)[3] for s, p in parts] or [strokes.new_zeros(0)])

    def _draw(self, strokes, stroke, pixel, height, width) -> torch.Tensor:
        window = (pixel // width, pixel % width, 1, 1)  # each pair's pixel as its own window
        colour, alpha = self.brush.render(strokes[stroke], height, width, window=window)  # (m, 3, 1, 1), (m, 1, 1, 1)
        return torch.cat([colour, alpha], dim=1).view(-1, 4).T


PAIR_CHUNK = 1 << 17


class NetworkWindows:
    """Windows drawn by a neural renderer, at its resolution whatever the window's size. Smaller windows
    are shrunk to their size by averaging whole blocks of pixels when the window divides it (windows are
    powers of two, as is the network's size), which is exact and costs a fraction of an antialiased
    resize's backward pass. Larger ones are left at the network's size: only the pixels drawn are
    sampled from it (see `render_windows`), where enlarging whole windows of coarse strokes, mostly
    off the canvas, took a third of a whole-canvas step."""

    def __init__(self, net: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]) -> None:
        self.net = net

    def __call__(self, strokes: torch.Tensor, side: int) -> tuple[torch.Tensor, torch.Tensor]:
        colour, alpha = self.net(strokes)
        return _shrink(colour, side), _shrink(alpha, side)


def _shrink(raster: torch.Tensor, side: int) -> torch.Tensor:
    """Rasters (n, C, r, r) shrunk to side x side when smaller than r; otherwise as they are."""
    res = raster.shape[-1]
    if side < res and res % side == 0:
        return F.avg_pool2d(raster, res // side)
    return resize(raster, (side, side)) if side < res else raster


def network_windows(net: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]) -> WindowRenderer:
    """Windows drawn by a neural renderer (see NetworkWindows)."""
    return NetworkWindows(net)


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


def render_windows(
    brush: Brush, render: WindowRenderer, strokes: torch.Tensor, places: Layout, height: int, width: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every stroke drawn in its window, the drawn pixels in `places` order: colour (3, M), alpha (M,).

    A network draws every window at its own size, so all strokes go through it in one batch (one call per
    window size cost ~6 ms each way in overhead on 2 threads); other renderers draw each size apart."""
    if isinstance(render, ExactPixels):
        both = render.pairs(strokes, places, height, width)  # (4, M)
        return both[:3], both[3]
    if isinstance(render, NetworkWindows):
        # In window-size order, so each size's rasters are a slice: split's backward pass is one concatenation,
        # where indexing out each size's rows filled a whole-batch gradient with zeros once per size.
        order = torch.cat([members for _, members, _ in places.sizes])
        side = places.side[order, None].to(strokes.dtype)  # (N, 1)
        local = in_window(brush, strokes[order], places.corner[order], side, height, width)
        rasters = _in_chunks(render.net, local).split([len(members) for _, members, _ in places.sizes])
    parts = []
    for group, (size, members, drawn) in enumerate(places.sizes):
        if isinstance(render, NetworkWindows):
            both = _shrink(rasters[group], size)  # (n, 4, r, r)
        else:
            local = in_window(brush, strokes[members], places.corner[members], size, height, width)
            both = _in_chunks(lambda part: render(part, size), local)  # noqa: B023 (called at once)
        flat = both.transpose(0, 1).reshape(4, -1)  # (4, n * r * r), stroke by stroke
        res = both.shape[-1]
        parts.append(flat.index_select(1, drawn) if res == size else _sample(flat, res, size, drawn))
    if not parts:
        return strokes.new_zeros(3, 0), strokes.new_zeros(0)
    both = torch.cat(parts, dim=1).index_select(1, places.order)  # (4, M)
    return both[:3], both[3]


def _in_chunks(render: Callable, strokes: torch.Tensor) -> torch.Tensor:
    """render(strokes) as one tensor (n, 4, r, r) of colour and alpha; past RENDER_CHUNK strokes, in chunks
    whose activations are recomputed in the backward pass rather than kept."""
    if len(strokes) <= RENDER_CHUNK or not torch.is_grad_enabled():
        return torch.cat(render(strokes), dim=1)
    chunks = [checkpoint(render, part, use_reentrant=False) for part in strokes.split(RENDER_CHUNK)]
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


def draw_windows(brush: Brush, render: WindowRenderer, strokes: torch.Tensor, places: Layout, background: torch.Tensor):
    """The painting at background's size (3, h, w): strokes (N, P, canvas-relative) drawn in their windows
    by `render` and laid in order over background, differentiably."""
    _, height, width = background.shape
    colour, alpha = render_windows(brush, render, strokes, places, height, width)
    return composite(colour, alpha, places, background)
