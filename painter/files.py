"""File helpers for the painter: atomic writes (from renderers.atomic, the lowest layer that writes
files) and image conversion at the I/O boundary."""

from __future__ import annotations

import json
import math

import numpy as np
import torch

from renderers.atomic import atomic_path, special_kind, write_bytes_atomic

__all__ = ["atomic_path", "from_uint8", "json_text", "special_kind", "to_uint8", "write_bytes_atomic"]


CONVERT_ROWS_PIXELS = 1 << 22  # pixels converted at a time: a large image needs no full-size float copies


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8, converted a few rows at a time."""
    _, height, width = image.shape
    out = np.empty((height, width, 3), np.uint8)
    rows = max(1, CONVERT_ROWS_PIXELS // max(1, width))
    for first in range(0, height, rows):
        part = image[:, first : first + rows].detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        out[first : first + rows] = (part * 255 + 0.5).astype(np.uint8)
    return out


def from_uint8(array: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float in [0, 1]."""
    return torch.from_numpy(np.array(array[..., :3], dtype=np.float32)).permute(2, 0, 1) / 255.0


def json_text(value, indent: int | None = None) -> str:
    """`value` as JSON that every parser reads: a non-finite float (the infinite PSNR of a painting equal to
    its photo, a NaN loss) is written as null, where Python's json would write the bare token Infinity."""
    return json.dumps(_finite(value), indent=indent, allow_nan=False)


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
