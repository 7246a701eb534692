"""Neural renderers: small networks that imitate each brush so strokes can be optimised by gradient descent.

`load_renderer(brush)` gives the network shipped for a brush: `net(strokes)` maps (N, P) strokes in [0, 1]
to colour (N, 3, R, R) and alpha (N, 1, R, R) like `brush.render(strokes, R, R)`, differentiably.
"""

from __future__ import annotations

from pathlib import Path

import torch

from brushes import Brush
from renderers.model import NeuralRenderer, RendererConfig
from renderers.train import build_from_checkpoint, load_checkpoint

__all__ = ["NeuralRenderer", "RendererConfig", "load_renderer", "shipped_weights"]

WEIGHTS = Path(__file__).parent / "weights"


def shipped_weights(brush: Brush) -> Path:
    """Where the package keeps the trained weights for `brush`."""
    return WEIGHTS / f"{brush.name}.pt"


def load_renderer(
    brush: Brush, weights: str | Path | None = None, device: str | torch.device = "cpu"
) -> NeuralRenderer:
    """The trained renderer for `brush`, in eval mode with frozen weights (gradients flow to the strokes only).

    weights: a checkpoint file (default: the one shipped in the package). Raises FileNotFoundError if it
    is missing and ValueError if it was trained for a different brush spec.
    Example: `colour, alpha = load_renderer(brush)(brush.sample(16))`.
    """
    checkpoint = load_checkpoint(shipped_weights(brush) if weights is None else weights, brush, device)
    net = build_from_checkpoint(checkpoint).to(device).eval()
    return net.requires_grad_(False)
