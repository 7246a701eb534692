"""What the strokes are optimised for: one objective of weighted loss terms, used by every stage.

A term says which stages it scores (block, canvas) and which stroke values it may move (shape, colour,
alpha). The block stage scores L1 plus the transport loss, the canvas stage squared error; a style term
scores both. Adding a loss is one `Term` here plus its setting (see `objective_for`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from brushes import Brush
from painter.losses import l1_loss, transport_loss

GROUPS = ("shape", "colour", "alpha")


@dataclass
class View:
    """What a loss term sees of the painting in one step.

    canvas, target (..., 3, h, w) and inside (..., 1, h, w), the pixels that belong to the photo: for the
    block stage the level's blocks (B, ., R, R), for the canvas stage the whole canvas (3, h, w).
    `whole()` gives the canvas as one image (1, 3, h, w) and its scale in px per canvas px, for terms that
    look at image statistics (a style loss): the blocks joined and cropped to the photo."""

    canvas: torch.Tensor
    target: torch.Tensor
    inside: torch.Tensor | float
    whole: Callable[[], tuple[torch.Tensor, float]]


@dataclass
class Term:
    """One weighted loss: weight * loss(view), scored in `stages`, moving only the values of `groups`;
    `scale` multiplies the weight in the stages it names (a term set against one stage's pixel loss)."""

    name: str
    weight: float
    loss: Callable[[View], torch.Tensor]
    stages: tuple[str, ...] = ("block", "canvas")
    groups: tuple[str, ...] = GROUPS
    scale: dict[str, float] = field(default_factory=dict)

    def weight_in(self, kind: str) -> float:
        return self.weight * self.scale.get(kind, 1.0)


def l1(view: View) -> torch.Tensor:
    return l1_loss(view.canvas, view.target, view.inside)


def transport(view: View) -> torch.Tensor:
    return transport_loss(view.canvas * view.inside, view.target * view.inside)


def squared(view: View) -> torch.Tensor:
    return ((view.canvas - view.target) ** 2).mean()


class Objective:
    """The terms of a painting. `minimise` scores a stage's terms on a view and leaves their gradient in
    the strokes' `.grad`, each term's masked to the values it may move."""

    def __init__(self, brush: Brush, terms: list[Term]) -> None:
        self.terms = terms
        self._frozen = {
            t.name: sorted(i for g in GROUPS if g not in t.groups for i in brush.indices(g)) for t in terms
        }  # stroke values each term may not move

    def for_stage(self, kind: str) -> list[Term]:
        return [t for t in self.terms if kind in t.stages and t.weight > 0]

    def minimise(self, params: torch.Tensor, view: View, kind: str) -> torch.Tensor:
        """The stage's loss on `view` (a detached scalar); its gradient is added to params.grad, each
        term's masked to the values it may move."""
        total, free, masked = None, None, []
        for term in self.for_stage(kind):
            value = term.weight_in(kind) * term.loss(view)
            total = value if total is None else total + value
            if self._frozen[term.name]:
                masked.append((self._frozen[term.name], value))
            else:
                free = value if free is None else free + value
        extra = []
        for frozen, value in masked:
            # A backward pass of its own through the renderer, so that this term's gradient is masked apart.
            (grad,) = torch.autograd.grad(value, params, retain_graph=True)
            grad[..., frozen] = 0
            extra.append(grad)
        if free is not None:
            free.backward()
        for grad in extra:
            params.grad = grad if params.grad is None else params.grad + grad
        return total.detach()

    def describe(self, kind: str) -> list[dict]:
        return [{"name": t.name, "weight": t.weight_in(kind), "groups": list(t.groups)} for t in self.for_stage(kind)]


# The style term's weight in the canvas stage. 300 oil strokes at 256 px, chelsea in coffee's style and back,
# against painting without a canvas stage: at 1.0, PSNR 16.8 / 18.8 dB (was 18.7 / 20.1) and style loss 0.15 /
# 0.83 (was 0.67 / 6.05): the style took over; at 0.1, 23.0 / 23.0 dB but 1.29 / 7.91: the photo did; at 0.3,
# 19.8 / 20.9 dB and 0.54 / 3.10, closer to both the photo and the style than without the canvas stage.
CANVAS_STYLE = 0.3


def objective_for(
    brush: Brush,
    transport_weight: float = 0.1,
    style: Callable[[torch.Tensor, float], torch.Tensor] | None = None,
    style_groups: tuple[str, ...] = GROUPS,
) -> Objective:
    """The painting's objective: the block stage fits L1 plus `transport_weight` times the transport loss
    (as the method does), the canvas stage squared error; a style term (canvas (1, 3, h, w), scale ->
    loss, already weighted) scores both, moving only `style_groups`."""
    terms = [
        Term("l1", 1.0, l1, ("block",)),
        Term("transport", transport_weight, transport, ("block",)),
        Term("squared", 1.0, squared, ("canvas",)),
    ]
    if style is not None:
        # The style weight is set against the block stage's L1; the canvas stage's squared error is about a
        # tenth of it, so at full weight the style took over there (see CANVAS_STYLE).
        terms.append(
            Term("style", 1.0, lambda view: style(*view.whole()), groups=style_groups, scale={"canvas": CANVAS_STYLE})
        )
    return Objective(brush, terms)


def descend(
    params: torch.Tensor, optimiser, view: View, objective: Objective, kind: str, clamp: Callable[[torch.Tensor], None]
) -> float:
    """One optimiser step of `kind`'s terms on `view` (drawn from params), then params clamped in place
    to where the renderer is valid. The loss before the step."""
    optimiser.zero_grad()
    loss = objective.minimise(params, view, kind)
    optimiser.step()
    with torch.no_grad():
        clamp(params)
    return float(loss)
