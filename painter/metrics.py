"""How close a painting is to its photo."""

from __future__ import annotations

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from painter.images import resize


def similarity(painting: torch.Tensor, photo: torch.Tensor) -> dict[str, float]:
    """PSNR (dB) and SSIM of a painting (3, H, W) against the photo resized to the same size."""
    photo = resize(photo, tuple(painting.shape[1:])) if photo.shape != painting.shape else photo
    a = painting.detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy().astype(np.float64)
    b = photo.detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy().astype(np.float64)
    return {
        "psnr": round(float(peak_signal_noise_ratio(b, a, data_range=1.0)), 3),
        "ssim": round(float(structural_similarity(b, a, channel_axis=2, data_range=1.0)), 4),
    }
