"""Scores of a painting against its photo."""

from __future__ import annotations

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio

from painter.metrics import psnr, similarity


def test_psnr_is_scikit_images():
    rng = np.random.default_rng(0)
    a = rng.random((40, 30, 3))
    b = np.clip(a + rng.normal(0, 0.05, a.shape), 0, 1)
    assert abs(psnr(a, b) - peak_signal_noise_ratio(b, a, data_range=1.0)) < 1e-9
    assert psnr(a, a) == float("inf")


def test_similarity_ranks_a_closer_painting_higher():
    photo = torch.rand(3, 32, 48, generator=torch.Generator().manual_seed(1))
    near, far = (photo + 0.02).clamp(0, 1), (photo * 0.5).clamp(0, 1)
    assert similarity(near, photo)["psnr"] > similarity(far, photo)["psnr"] + 10
    assert similarity(near, photo)["ssim"] > similarity(far, photo)["ssim"]
