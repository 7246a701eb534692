"""The two update rules the painter moves strokes with, RMSprop and Adam, written out for one tensor.

They do exactly what torch.optim's do with their default settings (tests/test_optim.py compares them
step by step). torch.optim is not used because the first optimiser a process makes imports
torch._dynamo: 1.4 s on our 2-core machines, paid by every `paint` run and every batch worker.
"""

from __future__ import annotations

import torch


class _Rule:
    """One tensor stepped by an update rule; `step` reads its gradient, `zero_grad` clears it."""

    def __init__(self, param: torch.Tensor, lr: float) -> None:
        self.param, self.lr = param, lr

    def zero_grad(self) -> None:
        self.param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        if self.param.grad is not None:
            self._update(self.param.grad)

    def _update(self, grad: torch.Tensor) -> None:
        raise NotImplementedError


class RMSprop(_Rule):
    """Each parameter steps by lr * grad / sqrt(a running mean of grad^2)."""

    def __init__(self, param: torch.Tensor, lr: float, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(param, lr)
        self.alpha, self.eps = alpha, eps
        self.square = torch.zeros_like(param, memory_format=torch.preserve_format)

    def _update(self, grad: torch.Tensor) -> None:
        self.square.mul_(self.alpha).addcmul_(grad, grad, value=1 - self.alpha)
        self.param.addcdiv_(grad, self.square.sqrt().add_(self.eps), value=-self.lr)


class Adam(_Rule):
    """Steps by lr * (running mean of grad) / sqrt(running mean of grad^2), both corrected for their start."""

    def __init__(
        self, param: torch.Tensor, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        super().__init__(param, lr)
        self.betas, self.eps = betas, eps
        self.mean = torch.zeros_like(param, memory_format=torch.preserve_format)
        self.square = torch.zeros_like(param, memory_format=torch.preserve_format)
        self.steps = 0

    def _update(self, grad: torch.Tensor) -> None:
        beta1, beta2 = self.betas
        self.steps += 1
        self.mean.lerp_(grad, 1 - beta1)
        self.square.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = self.lr / (1 - beta1**self.steps)
        denom = (self.square.sqrt() / (1 - beta2**self.steps) ** 0.5).add_(self.eps)
        self.param.addcdiv_(self.mean, denom, value=-step_size)
