"""The final polish: every stroke of the painting optimised together on the whole canvas.

The block painter fits each block's strokes against a fixed background, so early strokes never
learn from later ones and no stroke may cross its block. The polish fixes both: all strokes are
drawn by the brush's exact renderer, each in a window just around it, laid in painting order on one
canvas, and moved together by gradient descent on the squared error against the photo.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch

from brushes import Brush
from painter.images import resize_long_side

WINDOW_SIZES = (8, 16, 32, 64, 128, 256, 512)  # strokes are drawn in square windows of these sizes
MARGIN = 0.2  # a window is this much larger than its stroke, so the stroke can move within it


def _windows(brush: Brush, strokes: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-left corner (N, 2 as y, x) and side (N,) of a square window around each stroke."""
    bounds = brush.extent(strokes, height, width)  # (N, 4) x0, y0, x1, y1
    span = torch.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) * (1 + MARGIN) + 4
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


def _draw(
    brush: Brush,
    strokes: torch.Tensor,
    corner: torch.Tensor,
    side: torch.Tensor,
    background: torch.Tensor,
    pad: int,
) -> torch.Tensor:
    """The painting at background's size (3, h, w), every stroke drawn in its window, differentiably."""
    _, height, width = background.shape
    canvas = torch.nn.functional.pad(background, (pad, pad, pad, pad))  # windows never leave the canvas
    xs, ys = brush.kinds("x"), brush.kinds("y")
    windows: list[torch.Tensor] = []
    slot: dict[int, tuple[int, int]] = {}  # stroke -> (window group, index in it)
    for group, size in enumerate(side.unique().tolist()):
        idx = (side == size).nonzero()[:, 0]
        # Move each stroke so that its window's corner is the canvas origin, then draw the window.
        shift = torch.zeros_like(strokes[idx])
        shift[:, xs] = corner[idx, 1:2].to(strokes.dtype) / width
        shift[:, ys] = corner[idx, 0:1].to(strokes.dtype) / height
        colour, alpha = brush.render(strokes[idx] - shift, height, width, window=(0, 0, size, size))
        windows += [colour, alpha]
        slot.update({i: (group, j) for j, i in enumerate(idx.tolist())})
    places = [(*slot[i], int(corner[i, 0]) + pad, int(corner[i, 1]) + pad) for i in range(strokes.shape[0])]
    canvas = _LayWindows.apply(canvas, places, *windows)
    return canvas[:, pad : pad + height, pad : pad + width]


def polish(
    brush: Brush,
    strokes: torch.Tensor,
    target: torch.Tensor,
    background: tuple[float, float, float],
    steps: int = 60,
    long_side: int = 256,
    lr: float = 0.002,
    opaque: bool = False,
) -> Iterator[tuple[int, float, torch.Tensor]]:
    """Optimise all strokes (N, P, canvas-relative) together against target (3, H, W), drawn at
    `long_side` pixels. Yields (step, loss, strokes) after every step."""
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
        canvas = _draw(brush, params, corner, side, back, int(side.max()))
        loss = ((canvas - small) ** 2).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            params.clamp_(0.0, 1.0)
            if opaque:
                params[:, alpha_idx] = 1.0
        yield step, float(loss.detach()), params.detach()


def psnr_of(mse: float) -> float:
    return 10 * math.log10(1 / max(mse, 1e-12))
