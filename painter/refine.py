"""The final refinement: every stroke of the painting optimised together on the whole canvas.

The block painter fits each block's strokes against a fixed background, so early strokes never
learn from later ones and no stroke may cross its block. The refinement fixes both: all strokes are
drawn, each in a window just around it (painter.windows; by the network, or the brush's exact renderer
where that is cheap), laid in painting order on one canvas, and moved together by gradient descent on
the squared error against the photo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from brushes import Brush
from painter.images import resize_long_side
from painter.optim import Adam
from painter.windows import (
    ExactPixels,
    Layout,
    WindowRenderer,
    draw_windows,
    exact_windows,
    layout,
    render_windows,
    shown_ink,
)


def relayout_every(render: WindowRenderer) -> int:
    """Steps between layouts: windows leave room for strokes to move (10 steps); exact pairs hold only the
    pixels strokes ink now, so they follow the strokes more closely (on 500 oil strokes, a layout every
    step or every 3 gave the same PSNR)."""
    return 3 if isinstance(render, ExactPixels) else 10


@torch.no_grad()
def _hidden(brush: Brush, render: WindowRenderer, strokes: torch.Tensor, places: Layout, height, width) -> torch.Tensor:
    """Which strokes (N,) bool add almost nothing to the painting: the ink of theirs that shows through
    the strokes laid after it, on the canvas, is under HIDDEN of a typical stroke's ink. Measured in
    pixels rather than as a share of the stroke's own ink, since a large early stroke can show a few
    percent of itself over many pixels, and taking it out would leave a hole."""
    _, alpha = render_windows(brush, render, strokes, places, height, width)
    shown, ink = shown_ink(alpha.double(), places, strokes.shape[0])
    return shown < HIDDEN * ink.median()


# Strokes showing less ink than this fraction of a typical stroke's are moved (see `refine`'s reseed).
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

    With `reseed`, a third of the way in, strokes that later ones hide almost wholly (see `_hidden`) are
    taken out and as many new ones from `reseed` are laid on top where the error is largest: a
    hill-climber's move, so no stroke of the budget is wasted under others."""
    render = render or exact_windows(brush)
    small = resize_long_side(target, long_side)
    _, height, width = small.shape
    back = torch.tensor(background, dtype=small.dtype).view(3, 1, 1).expand(3, height, width)
    params = strokes.detach().clone().requires_grad_(True)
    optimiser = Adam(params, lr=lr)
    alpha_idx = brush.indices("alpha")
    places = layout(brush, params, height, width, render)
    for step in range(1, steps + 1):
        if step % relayout_every(render) == 0:  # strokes drift: lay them out again now and then
            places = layout(brush, params, height, width, render)
        if reseed is not None and step == max(1, steps // 3):
            hidden = _hidden(brush, render, params.detach(), places, height, width)
            if hidden.any():
                with torch.no_grad():
                    painted = draw_windows(brush, render, params, places, back)
                error = ((painted - small) ** 2).sum(dim=0)  # (h, w)
                moved = torch.cat([params.detach()[~hidden], reseed(error, int(hidden.sum())).to(params.dtype)])
                params = moved.requires_grad_(True)
                optimiser = Adam(params, lr=lr)
                places = layout(brush, params, height, width, render)
        canvas = draw_windows(brush, render, params, places, back)
        loss = ((canvas - small) ** 2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            params.clamp_(0.0, 1.0)
            if opaque:
                params[:, alpha_idx] = 1.0
        yield step, float(loss.detach()), params.detach()
