"""How close a painting is to its photo, and what a run cost."""

from __future__ import annotations

import sys

import numpy as np
import torch
from skimage.metrics import structural_similarity

from painter.images import resize, resize_long_side

METRICS_SIDE = 1024  # paintings are scored at most this large: SSIM of a 8192 px image takes GBs
SSIM_WINDOW = 7  # scikit-image's default window; thinner images get the largest odd window that fits


def similarity(painting: torch.Tensor, photo: torch.Tensor) -> dict[str, float | None]:
    """PSNR (dB) and SSIM of a painting (3, H, W) against the photo, both at the painting's size, or
    scaled down to METRICS_SIDE on the long side. SSIM is None for an image under 3 px on a side."""
    if max(painting.shape[1:]) > METRICS_SIDE:
        painting = resize_long_side(painting, METRICS_SIDE)
    photo = resize(photo, tuple(painting.shape[1:])) if photo.shape != painting.shape else photo
    a = painting.detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy().astype(np.float64)
    b = photo.detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy().astype(np.float64)
    window = min(SSIM_WINDOW, min(a.shape[:2]) // 2 * 2 - 1)  # odd, at most the shorter side
    ssim = None
    if window >= 3:
        ssim = round(float(structural_similarity(b, a, channel_axis=2, data_range=1.0, win_size=window)), 4)
    return {"psnr": round(psnr(a, b), 3), "ssim": ssim}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio (dB) of two images in [0, 1], as scikit-image's (whose module imports
    scipy.stats, 0.6 s at every start); infinite for equal images."""
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10 * float(np.log10(1.0 / mse))


def peak_memory_mb() -> float | None:
    """This process's peak resident memory in MB, where the system tells (None elsewhere)."""
    try:
        import resource  # Unix only
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)  # bytes on macOS, KB on Linux
