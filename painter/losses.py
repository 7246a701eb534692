"""Losses between a painted canvas and its target.

The transport loss treats two images as mass distributions over pixel positions (brightness is
mass) and measures the entropic optimal-transport cost of moving one onto the other. Unlike a
pixel loss it still pulls a stroke towards where it belongs when the two do not overlap yet.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

OT_SIZE = 16  # transport works on images shrunk to this many pixels a side (24 costs 4x the time)
OT_EPSILON = 0.01  # entropic blur, in squared units of the image side
OT_ITERATIONS = 6


def l1_loss(canvas: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Mean absolute difference. canvas, target (B, 3, H, W); mask (B, 1, H, W) of 0/1 weights."""
    diff = (canvas - target).abs()
    if mask is None:
        return diff.mean()
    return (diff * mask).sum() / (mask.sum() * canvas.shape[1]).clamp_min(1)


def _mass(image: torch.Tensor, size: int) -> torch.Tensor:
    """Brightness shrunk to size x size and normalised to sum 1. (B, 3, H, W) -> (B, size, size)."""
    gray = F.adaptive_avg_pool2d(image.mean(dim=1, keepdim=True), size)[:, 0]
    gray = gray + 1e-4  # no empty cells, so every log below is finite
    return gray / gray.sum(dim=(1, 2), keepdim=True)


def _softmin_pass(potential: torch.Tensor, log_mass: torch.Tensor, cost_1d: torch.Tensor, eps: float) -> torch.Tensor:
    """-eps * log sum_j exp((potential_j - C_ij) / eps + log_mass_j) for every cell i, using that the
    squared-Euclidean cost on a grid splits into a row part and a column part, so the sum over the
    S*S cells is two sums over S. potential, log_mass (B, S, S); cost_1d (S, S). Returns (B, S, S)."""
    u = potential / eps + log_mass  # (B, S(rows j), S(cols j))
    # Sum over the source column for every target column: (B, S(rows j), S(cols i)).
    cols = torch.logsumexp(u[:, :, None, :] - cost_1d[None, None] / eps, dim=3)
    # Then over the source row for every target row: (B, S(rows i), S(cols i)).
    rows = torch.logsumexp(cols[:, None, :, :] - cost_1d[None, :, :, None] / eps, dim=2)
    return -eps * rows


def transport_loss(
    canvas: torch.Tensor,
    target: torch.Tensor,
    size: int = OT_SIZE,
    eps: float = OT_EPSILON,
    iterations: int = OT_ITERATIONS,
) -> torch.Tensor:
    """Entropic optimal-transport cost (Sinkhorn, log domain) between the brightness of canvas and
    target, averaged over the batch. canvas, target: (B, 3, H, W). Returns a scalar."""
    a, b = _mass(canvas, size), _mass(target, size)
    log_a, log_b = a.log(), b.log()
    coords = (torch.arange(size, dtype=a.dtype, device=a.device) + 0.5) / size
    cost_1d = (coords[:, None] - coords[None, :]) ** 2  # (S, S)
    f = torch.zeros_like(a)
    g = torch.zeros_like(b)
    for _ in range(iterations):
        f = _softmin_pass(g, log_b, cost_1d, eps)
        g = _softmin_pass(f, log_a, cost_1d, eps)
    # The dual objective: equals the entropic transport cost at convergence.
    return ((f * a).sum(dim=(1, 2)) + (g * b).sum(dim=(1, 2))).mean()
