"""Reading photos into the internal image format: float tensors (3, H, W) in [0, 1]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError

# Decoding a photo larger than this many pixels is refused (a decompression bomb, or not a photo).
MAX_PIXELS = 200_000_000


def load_photo(path: str | Path, background: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> torch.Tensor:
    """Read a JPEG, PNG (alpha composited onto `background`), grayscale or 16-bit image, honouring
    EXIF rotation. Returns (3, H, W) float in [0, 1]; ValueError / FileNotFoundError naming the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such photo: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a photo")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is an empty file, not a photo")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            array = _to_float_rgba(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as err:
        raise ValueError(f"cannot read {path} as an image: {err}") from None
    rgb, alpha = array[..., :3], array[..., 3:]
    back = np.asarray(background, dtype=np.float32)
    rgb = rgb * alpha + back * (1 - alpha)
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).clamp(0, 1)


def _to_float_rgba(image: Image.Image) -> np.ndarray:
    """(H, W, 4) float32 in [0, 1] from any PIL mode, 16-bit ones included."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        gray = np.asarray(image, dtype=np.float32)
        gray = gray / (65535.0 if gray.max() > 255 else 255.0)
        return np.dstack([gray, gray, gray, np.ones_like(gray)])
    if image.mode == "F":
        gray = np.clip(np.asarray(image, dtype=np.float32), 0, 1)
        return np.dstack([gray, gray, gray, np.ones_like(gray)])
    return np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0


def long_side_size(height: int, width: int, long_side: int) -> tuple[int, int]:
    """(height, width) scaled so the longer side is `long_side`, aspect kept, each at least 1 pixel."""
    scale = long_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize_long_side(image: torch.Tensor, long_side: int) -> torch.Tensor:
    """Resize (3, H, W) so its longer side is `long_side`, aspect kept, antialiased. (3, h, w)."""
    _, h, w = image.shape
    size = long_side_size(h, w, long_side)
    if size == (h, w):
        return image
    return resize(image, size)


def resize(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize (C, H, W) or (B, C, H, W) to size (h, w), antialiased when shrinking."""
    batched = image if image.ndim == 4 else image[None]
    out = F.interpolate(batched, size=size, mode="bilinear", antialias=True, align_corners=False).clamp(0, 1)
    return out if image.ndim == 4 else out[0]
