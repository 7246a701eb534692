"""The final refinement: every stroke of the painting optimised together on the whole canvas.

The block painter fits each block's strokes against a fixed background, so early strokes never
learn from later ones and no stroke may cross its block. The refinement fixes both: all strokes are
drawn by the brush's exact renderer, each in a window just around it, laid in painting order on one
canvas, and moved together by gradient descent on the squared error against the photo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
from torch.utils.checkpoint import checkpoint

from brushes import Brush
from painter.images import resize, resize_long_side

WINDOW_SIZES = (8, 16, 32, 64, 128, 256, 512)  # strokes are drawn in square windows of these sizes
# Above this many strokes of one window size, they are rendered in chunks whose network activations are
# recomputed in the backward pass instead of kept: a 64 px network keeps ~0.4 MB per stroke, 2 GB for 5,000.
RENDER_CHUNK = 512
WINDOW_SLACK = 0.2  # a window is this fraction larger than its stroke, so the stroke can move within it


def _windows(brush: Brush, strokes: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-left corner (N, 2 as y, x) and side (N,) of a square window around each stroke."""
    bounds = brush.extent(strokes, height, width)  # (N, 4) x0, y0, x1, y1
    span = torch.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) * (1 + WINDOW_SLACK) + 4
    sizes = torch.tensor(WINDOW_SIZES, dtype=span.dtype)
    side = sizes[torch.searchsorted(sizes, span.clamp(max=WINDOW_SIZES[-1]))]
    centre_x, centre_y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    corner = torch.stack([centre_y - side / 2, centre_x - side / 2], dim=1).round()
    return corner.long(), side.long()


class _LayWindows(torch.autograd.Function):
    """Lay strokes, each given as a window of colour and alpha, onto a canvas in painting order.

    Autograd through N in-place window updates would copy the whole canvas gradient once per stroke;
    this does the backward pass in one reverse sweep instead, using that the canvas depends on stroke
    i's colour c and alpha a as c * a * T + below * (1 - a) * T, where `below` is the canvas just before
    the stroke and T the transparency of everything laid after it.
    """

    @staticmethod
    def forward(ctx, canvas, places, *windows):  # windows: colour (n, 3, s, s), alpha (n, 1, s, s), ... per size
        canvas = canvas.clone()
        befores = [torch.empty_like(windows[k]) for k in range(0, len(windows), 2)]
        for group, j, y, x in places:
            colour, alpha = windows[2 * group][j], windows[2 * group + 1][j]
            s = colour.shape[-1]
            region = canvas[:, y : y + s, x : x + s]
            befores[group][j] = region
            region.mul_(1 - alpha).add_(colour * alpha)
        ctx.places = places
        ctx.save_for_backward(*windows, *befores)
        return canvas

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        windows, befores = saved[: len(saved) * 2 // 3], saved[len(saved) * 2 // 3 :]
        grads = [torch.zeros_like(w) for w in windows]
        after = torch.ones_like(grad[:1])  # (1, H, W): transparency of the strokes laid later
        for group, j, y, x in reversed(ctx.places):
            colour, alpha = windows[2 * group][j], windows[2 * group + 1][j]
            s = colour.shape[-1]
            seen = grad[:, y : y + s, x : x + s] * after[:, y : y + s, x : x + s]  # (3, s, s)
            grads[2 * group][j] = seen * alpha
            grads[2 * group + 1][j] = ((colour - befores[group][j]) * seen).sum(dim=0, keepdim=True)
            after[:, y : y + s, x : x + s] *= 1 - alpha
        return grad * after, None, *grads


# Draws strokes given in a window's own coordinates (x, y, sizes as fractions of its side) on an
# s x s window: (n, P), s -> colour (n, 3, s, s), alpha (n, 1, s, s).
WindowRenderer = Callable[[torch.Tensor, int], tuple[torch.Tensor, torch.Tensor]]


def exact_windows(brush: Brush) -> WindowRenderer:
    """Windows drawn by the brush's own renderer."""
    return lambda strokes, side: brush.render(strokes, side, side)


def network_windows(net: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]) -> WindowRenderer:
    """Windows drawn by a neural renderer at its resolution, then resampled to the window's size."""

    def draw(strokes: torch.Tensor, side: int) -> tuple[torch.Tensor, torch.Tensor]:
        colour, alpha = net(strokes)
        if colour.shape[-1] != side:
            colour, alpha = (resize(t, (side, side)) for t in (colour, alpha))
        return colour, alpha

    return draw


def in_window(brush: Brush, strokes: torch.Tensor, corner: torch.Tensor, side: int, height: int, width: int):
    """Strokes (n, P) re-expressed in the coordinates of their square windows (corner (n, 2) as y, x)."""
    out = strokes.clone()
    xs, ys, sizes = brush.kinds("x"), brush.kinds("y"), brush.kinds("size")
    out[:, xs] = (strokes[:, xs] * width - corner[:, 1:2].to(strokes.dtype)) / side
    out[:, ys] = (strokes[:, ys] * height - corner[:, 0:1].to(strokes.dtype)) / side
    out[:, sizes] = strokes[:, sizes] * max(height, width) / side
    return out


def _render_windows(
    brush: Brush, render: WindowRenderer, strokes: torch.Tensor, corner: torch.Tensor, side: torch.Tensor, height, width
) -> tuple[list[torch.Tensor], dict[int, tuple[int, int]]]:
    """Every stroke drawn in its window, batched by window size: [colour, alpha, colour, alpha, ...] per
    size, and stroke -> (size group, index in it)."""
    windows: list[torch.Tensor] = []
    slot: dict[int, tuple[int, int]] = {}
    for group, size in enumerate(side.unique().tolist()):
        idx = (side == size).nonzero()[:, 0]
        local = in_window(brush, strokes[idx], corner[idx], size, height, width)
        if len(idx) <= RENDER_CHUNK or not torch.is_grad_enabled():
            windows += list(render(local, size))
        else:
            chunks = [checkpoint(render, part, size, use_reentrant=False) for part in local.split(RENDER_CHUNK)]
            windows += [torch.cat([c[0] for c in chunks]), torch.cat([c[1] for c in chunks])]
        slot.update({i: (group, j) for j, i in enumerate(idx.tolist())})
    return windows, slot


def _draw(
    brush: Brush,
    render: WindowRenderer,
    strokes: torch.Tensor,
    corner: torch.Tensor,
    side: torch.Tensor,
    background: torch.Tensor,
    pad: int,
) -> torch.Tensor:
    """The painting at background's size (3, h, w), every stroke drawn in its window, differentiably."""
    _, height, width = background.shape
    canvas = torch.nn.functional.pad(background, (pad, pad, pad, pad))  # windows never leave the canvas
    windows, slot = _render_windows(brush, render, strokes, corner, side, height, width)
    places = [(*slot[i], int(corner[i, 0]) + pad, int(corner[i, 1]) + pad) for i in range(strokes.shape[0])]
    canvas = _LayWindows.apply(canvas, places, *windows)
    return canvas[:, pad : pad + height, pad : pad + width]


@torch.no_grad()
def _visible(
    brush: Brush, render: WindowRenderer, strokes: torch.Tensor, corner: torch.Tensor, side: torch.Tensor, height, width
) -> torch.Tensor:
    """The fraction of each stroke's ink (N,) that shows through the strokes laid after it."""
    pad = int(side.max())
    windows, slot = _render_windows(brush, render, strokes, corner, side, height, width)
    after = torch.ones(1, height + 2 * pad, width + 2 * pad)  # transparency of the strokes laid later
    shows = torch.zeros(strokes.shape[0])
    for i in reversed(range(strokes.shape[0])):
        group, j = slot[i]
        alpha = windows[2 * group + 1][j]  # (1, s, s)
        y, x, s = int(corner[i, 0]) + pad, int(corner[i, 1]) + pad, alpha.shape[-1]
        region = after[:, y : y + s, x : x + s]
        shows[i] = (alpha * region).sum() / alpha.sum().clamp_min(1e-6)
        region.mul_(1 - alpha)
    return shows


# Strokes showing less than this fraction of their ink are moved (see `refine`'s reseed).
HIDDEN = 0.03
# New strokes for the places the painting misses most: error (h, w) at the pass's size, how many -> (n, P).
Reseeder = Callable[[torch.Tensor, int], torch.Tensor]


def refine(
    brush: Brush,
    strokes: torch.Tensor,
    target: torch.Tensor,
    background: tuple[float, float, float],
    steps: int = 60,
    long_side: int = 256,
    lr: float = 0.002,
    opaque: bool = False,
    render: WindowRenderer | None = None,
    reseed: Reseeder | None = None,
) -> Iterator[tuple[int, float, torch.Tensor]]:
    """Optimise all strokes (N, P, canvas-relative) together against target (3, H, W), drawn at
    `long_side` pixels through `render` (default: the brush's exact renderer). Yields (step, loss,
    strokes) after every step.

    With `reseed`, a third of the way in, strokes that later ones hide almost wholly (less than HIDDEN
    of their ink shows) are taken out and as many new ones from `reseed` are laid on top where the
    error is largest: a hill-climber's move, so no stroke of the budget is wasted under others."""
    render = render or exact_windows(brush)
    small = resize_long_side(target, long_side)
    _, height, width = small.shape
    back = torch.tensor(background, dtype=small.dtype).view(3, 1, 1).expand(3, height, width)
    params = strokes.detach().clone().requires_grad_(True)
    optimiser = torch.optim.Adam([params], lr=lr)
    alpha_idx = brush.indices("alpha")
    corner, side = _windows(brush, params.detach(), height, width)
    for step in range(1, steps + 1):
        if step % 10 == 0:  # strokes drift: re-centre their windows now and then
            corner, side = _windows(brush, params.detach(), height, width)
        if reseed is not None and step == max(1, steps // 3):
            hidden = _visible(brush, render, params.detach(), corner, side, height, width) < HIDDEN
            if hidden.any():
                with torch.no_grad():
                    painted = _draw(brush, render, params, corner, side, back, int(side.max()))
                error = ((painted - small) ** 2).sum(dim=0)  # (h, w)
                moved = torch.cat([params.detach()[~hidden], reseed(error, int(hidden.sum())).to(params.dtype)])
                params = moved.requires_grad_(True)
                optimiser = torch.optim.Adam([params], lr=lr)
                corner, side = _windows(brush, params.detach(), height, width)
        canvas = _draw(brush, render, params, corner, side, back, int(side.max()))
        loss = ((canvas - small) ** 2).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            params.clamp_(0.0, 1.0)
            if opaque:
                params[:, alpha_idx] = 1.0
        yield step, float(loss.detach()), params.detach()
