"""Neural renderers: small networks that imitate each brush so strokes can be optimised by gradient descent.

`load_renderer(brush)` gives the network shipped for a brush: `net(strokes)` maps (N, P) strokes in [0, 1]
to colour (N, 3, R, R) and alpha (N, 1, R, R) like `brush.render(strokes, R, R)`, differentiably.
Loading needs only the model and checkpoint modules; training (renderers.train, renderers.data) is
imported only by whoever trains.
"""

from __future__ import annotations

from pathlib import Path

import torch

from brushes import Brush
from renderers.checkpoint import (
    build_from_checkpoint,
    load_checkpoint,
    resolve_weights,
    shipped_weights,
    user_data_dir,
    user_weights,
)
from renderers.model import NeuralRenderer, RendererConfig

__all__ = [
    "NeuralRenderer",
    "RendererConfig",
    "load_renderer",
    "resolve_weights",
    "shipped_weights",
    "user_data_dir",
    "user_weights",
]


def load_renderer(
    brush: Brush, weights: str | Path | None = None, device: str | torch.device = "cpu"
) -> NeuralRenderer:
    """The trained renderer for `brush`, in eval mode with frozen weights (gradients flow to the strokes only).

    weights: None or "shipped" for the package's weights, a plain name such as "trained" for the user's
    own, or a checkpoint path (see resolve_weights). FileNotFoundError if the file is missing; ValueError
    naming the file and the problem if it is unusable (see load_checkpoint).
    Example: `colour, alpha = load_renderer(brush)(brush.sample(16))`.
    """
    checkpoint = load_checkpoint(resolve_weights(brush, weights), brush, device)
    net = build_from_checkpoint(checkpoint).to(device).eval()
    return net.requires_grad_(False)
