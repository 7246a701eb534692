"""File helpers for the painter: atomic writes (from renderers.atomic, the lowest layer that writes
files) and image conversion at the I/O boundary."""

from __future__ import annotations

import numpy as np
import torch

from renderers.atomic import atomic_path, write_bytes_atomic

__all__ = ["atomic_path", "from_uint8", "to_uint8", "write_bytes_atomic"]


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8."""
    return (image.detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255 + 0.5).astype(np.uint8)


def from_uint8(array: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float in [0, 1]."""
    return torch.from_numpy(np.array(array[..., :3], dtype=np.float32)).permute(2, 0, 1) / 255.0
