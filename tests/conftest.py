"""Shared test helpers: strokes built by parameter name, image comparison, the --runslow flag."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from brushes import Brush


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: give --runslow to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def make_stroke(brush: Brush, **values: float) -> torch.Tensor:
    """One stroke (1, P) with every parameter 0.5 except those named; names the brush lacks are ignored."""
    row = [float(values.get(name, 0.5)) for name in brush.names]
    return torch.tensor([row])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two images with values in [0, 1] (or two uint8 images)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.max() > 1.5 or b.max() > 1.5:
        a, b = a / 255.0, b / 255.0
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(1.0 / mse))
