"""The painter's update rules step exactly as torch.optim's, from the same gradients."""

from __future__ import annotations

import pytest
import torch

from painter.optim import Adam, RMSprop


def _loss(param: torch.Tensor, step: int) -> torch.Tensor:
    """A loss whose gradient changes with the step and the parameters (some of it zero)."""
    weights = torch.linspace(-1.0, 2.0, param.numel()).view_as(param) * (1 + step % 3)
    return ((param - 0.3) ** 2 * weights).sum() + torch.sin(3 * param[..., :2]).sum()


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop([p], lr=0.01)),
        (lambda p: Adam(p, lr=0.02), lambda p: torch.optim.Adam([p], lr=0.02)),
    ],
    ids=["rmsprop", "adam"],
)
def test_update_rules_match_torch_optim(ours, theirs):
    start = torch.rand(5, 4, 7, generator=torch.Generator().manual_seed(3))
    mine, reference = start.clone().requires_grad_(True), start.clone().requires_grad_(True)
    a, b = ours(mine), theirs(reference)
    for step in range(30):
        for param, optimiser in ((mine, a), (reference, b)):
            optimiser.zero_grad()
            _loss(param, step).backward()
            optimiser.step()
        torch.testing.assert_close(mine, reference, rtol=1e-6, atol=1e-7)
    assert not torch.equal(mine, start)  # it moved


def test_a_step_without_a_gradient_changes_nothing():
    param = torch.ones(3, requires_grad=True)
    for optimiser in (RMSprop(param, lr=0.1), Adam(param, lr=0.1)):
        optimiser.zero_grad()
        optimiser.step()
    assert torch.equal(param, torch.ones(3))
