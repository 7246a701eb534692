"""Shared test helpers: strokes built by parameter name, image comparison, one torch thread."""

from __future__ import annotations

import os
import tempfile

from painter.omp import use_paint_threads

use_paint_threads()  # before torch loads OpenMP: the tests run under the policy `paint` runs under

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from brushes import Brush  # noqa: E402


def pytest_configure(config):
    """Every test session gets its own empty user folder: tests never read or write the real one (the
    user's own brushes and trained weights), and brushes the user made do not join the contract tests."""
    os.environ["PAINT_HOME"] = tempfile.mkdtemp(prefix="paint-test-home-")


@pytest.fixture
def one_thread():
    """torch on one thread, for tests of tiny tensors where threads only add overhead."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


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
