"""The two update rules the painter moves strokes with, RMSprop and Adam, written out for one tensor.

They do exactly what torch.optim's do with their default settings (tests/test_optim.py compares them
step by step). torch.optim is not used because the first optimiser a process makes imports
torch._dynamo: 1.4 s on our 2-core machines, paid by every `paint` run and every batch worker.
"""

from __future__ import annotations

import torch


class RMSprop:
    """Each parameter steps by lr * grad / sqrt(a running mean of grad^2)."""

    def __init__(self, param: torch.Tensor, lr: float, alpha: float = 0.99, eps: float = 1e-8) -> None:
        self.param, self.lr, self.alpha, self.eps = param, lr, alpha, eps
        self.square = torch.zeros_like(param, memory_format=torch.preserve_format)

    def zero_grad(self) -> None:
        self.param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grad = self.param.grad
        if grad is None:
            return
        self.square.mul_(self.alpha).addcmul_(grad, grad, value=1 - self.alpha)
        self.param.addcdiv_(grad, self.square.sqrt().add_(self.eps), value=-self.lr)


class Adam:
    """Steps by lr * (running mean of grad) / sqrt(running mean of grad^2), both corrected for their start."""

    def __init__(
        self, param: torch.Tensor, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.param, self.lr, self.betas, self.eps = param, lr, betas, eps
        self.mean = torch.zeros_like(param, memory_format=torch.preserve_format)
        self.square = torch.zeros_like(param, memory_format=torch.preserve_format)
        self.steps = 0

    def zero_grad(self) -> None:
        self.param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grad = self.param.grad
        if grad is None:
            return
        beta1, beta2 = self.betas
        self.steps += 1
        self.mean.lerp_(grad, 1 - beta1)
        self.square.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = self.lr / (1 - beta1**self.steps)
        denom = (self.square.sqrt() / (1 - beta2**self.steps) ** 0.5).add_(self.eps)
        self.param.addcdiv_(self.mean, denom, value=-step_size)
