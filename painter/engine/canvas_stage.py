"""The canvas stage: every stroke of the painting optimised together on the whole canvas.

The block stage fits each block's strokes against a fixed background, so early strokes never learn from
later ones and no stroke may cross its block. The canvas stage fixes both: all strokes are drawn, each in
a window just around it (painter.engine.windows; by the network, or by the brush's own renderer), laid in
painting order on one canvas, and moved together by gradient descent on the objective's canvas terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from brushes import Brush
from painter.engine.objective import Objective, View, descend
from painter.engine.state import PaintingState, Tools
from painter.engine.windows import WindowDrawer, draw_windows, shown_ink
from painter.images import resize, resize_long_side
from painter.optim import Adam

# Strokes showing less ink than this fraction of a typical stroke's are moved (see `fit_canvas`'s reseed).
HIDDEN = 0.03
# New strokes for the places the painting misses most: error (h, w) at the pass's size, how many -> (n, P).
Reseeder = Callable[[torch.Tensor, int], torch.Tensor]


@dataclass
class CanvasStage:
    """`steps` Adam steps at `lr` on every stroke, drawn at `side` px long side by the drawer named
    `drawer` ("network", "exact windows" or "exact pixels", see Tools.drawers). With `reseed`, hidden
    strokes are moved a third of the way in (see `fit_canvas`)."""

    drawer: str
    steps: int
    lr: float
    side: int
    reseed: bool = False
    cost: float = 1.0  # estimated cost of one step, relative to other stages (see painter.engine.schedule)
    kind = "canvas"

    @property
    def renderer(self) -> str:
        return "network" if self.drawer == "network" else "exact"

    def describe(self) -> dict:
        return {
            "kind": self.kind, "renderer": self.renderer, "steps": self.steps, "drawn": self.drawer,
            "px": self.side, "lr": self.lr, "reseed": self.reseed,
        }  # fmt: skip

    def run(self, state: PaintingState, tools: Tools) -> Iterator[float]:
        """Move every stroke so far, yielding the loss after every step; state holds the moved strokes."""

        def reseed(error: torch.Tensor, count: int) -> torch.Tensor:
            """`count` strokes (count, P) where error (h, w) is largest, at the size strokes were last seeded."""
            photo = resize(state.target[None], tuple(error.shape))  # (1, 3, h, w)
            extent = (state.height, state.width)
            miss = error[None] * state.weight(*error.shape)  # (1, h, w), weighted where the eye looks
            return tools.seeder.place(miss, photo, count, state.stroke_size, extent)[0]

        steps = fit_canvas(
            tools.drawers[self.drawer], tools.brush, state.strokes(), state.target, state.background, self.steps,
            self.side, self.lr, tools.objective, opaque=tools.opaque, reseed=reseed if self.reseed else None,
        )  # fmt: skip
        for loss, strokes in steps:
            state.replace(strokes)
            yield loss


def fit_canvas(
    drawer: WindowDrawer,
    brush: Brush,
    strokes: torch.Tensor,
    target: torch.Tensor,
    background: tuple[float, float, float],
    steps: int,
    long_side: int,
    lr: float,
    objective: Objective,
    opaque: bool = False,
    reseed: Reseeder | None = None,
) -> Iterator[tuple[float, torch.Tensor]]:
    """Optimise all strokes (N, P, canvas-relative) together against target (3, H, W), drawn at
    `long_side` pixels by `drawer`, for the objective's canvas terms. Yields (loss, strokes) after every step.

    With `reseed`, a third of the way in, strokes that later ones hide almost wholly (see `hidden`) are
    taken out and as many new ones from `reseed` are laid on top where the error is largest: a
    hill-climber's move, so no stroke of the budget is wasted under others."""
    small = resize_long_side(target, long_side)
    _, height, width = small.shape
    back = torch.tensor(background, dtype=small.dtype).view(3, 1, 1).expand(3, height, width)
    scale = max(height, width) / max(target.shape[1:])  # px of this canvas per px of the target
    params = strokes.detach().clone().requires_grad_(True)
    optimiser = Adam(params, lr=lr)
    alpha = brush.indices("alpha")

    def clamp(values: torch.Tensor) -> None:
        values.clamp_(0.0, 1.0)
        if opaque:
            values[:, alpha] = 1.0

    places = drawer.layout(params, height, width)
    for step in range(1, steps + 1):
        if step % drawer.relayout_every == 0:  # strokes drift: lay them out again now and then
            places = drawer.layout(params, height, width)
        if reseed is not None and step == max(1, steps // 3):
            hidden = _hidden(drawer, params.detach(), places, height, width)
            if hidden.any():
                with torch.no_grad():
                    painted = draw_windows(drawer, params, places, back)
                error = ((painted - small) ** 2).sum(dim=0)  # (h, w)
                moved = torch.cat([params.detach()[~hidden], reseed(error, int(hidden.sum())).to(params.dtype)])
                params = moved.requires_grad_(True)
                optimiser = Adam(params, lr=lr)
                places = drawer.layout(params, height, width)
        canvas = draw_windows(drawer, params, places, back)
        view = View(canvas, small, 1.0, lambda canvas=canvas: (canvas[None], scale))
        loss = descend(params, optimiser, view, objective, "canvas", clamp)
        yield loss, params.detach()


@torch.no_grad()
def _hidden(drawer: WindowDrawer, strokes: torch.Tensor, places, height: int, width: int) -> torch.Tensor:
    """Which strokes (N,) bool add almost nothing to the painting: the ink of theirs that shows through
    the strokes laid after it, on the canvas, is under HIDDEN of a typical stroke's ink. Measured in
    pixels rather than as a share of the stroke's own ink, since a large early stroke can show a few
    percent of itself over many pixels, and taking it out would leave a hole."""
    _, alpha = drawer.draw(strokes, places, height, width)
    shown, ink = shown_ink(alpha.double(), places.pairs, strokes.shape[0])
    return shown < HIDDEN * ink.median()
