"""Reading photos into the internal image format: float tensors (3, H, W) in [0, 1]."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError

from painter.files import special_kind

# Decoding a photo larger than this many pixels is refused (a decompression bomb, or not a photo). Checked
# from the file's header before decoding: PIL itself only warns up to twice its limit.
MAX_PIXELS = 200_000_000
# What PIL raises for a file it cannot decode; ValueError covers a PNG text chunk that inflates too far.
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError)


def load_photo(
    path: str | Path, background: tuple[float, float, float] = (1.0, 1.0, 1.0), max_side: int | None = None
) -> torch.Tensor:
    """Read a JPEG, PNG (alpha composited onto `background`), grayscale, 16- or 32-bit image, honouring
    EXIF rotation. Returns (3, H, W) float in [0, 1]; ValueError / FileNotFoundError naming the file.

    max_side: the longest side the caller will use. A JPEG more than twice that size is decoded at 1/2,
    1/4 or 1/8 scale (never below max_side), which saves most of the time and memory of a huge photo.
    """
    path = Path(path)
    if max_side is not None and not (isinstance(max_side, int) and max_side >= 1):
        raise ValueError(f"max_side must be a positive whole number of pixels, got {max_side!r}")
    kind = special_kind(path)
    if kind is not None:  # before exists(), which calls a loop of links missing
        raise ValueError(f"{path} is {kind}, not a photo")
    if not path.exists():
        raise FileNotFoundError(f"no such photo: {path}")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is an empty file, not a photo")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below instead
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_large(path, f"{width} x {height} = {width * height:,}")
                peak = _integer_peak(image)  # before exif_transpose, which drops a TIFF's tags
                _decode_reduced(image, max_side)
                array = _to_float_rgba(ImageOps.exif_transpose(image), peak)
        except Image.DecompressionBombError as err:  # PIL's own limit, twice ours, hit while opening
            pixels = re.search(r"\((\d+) pixels\)", str(err))
            raise _too_large(path, f"{int(pixels.group(1)):,}" if pixels else "more than that") from None
        except _TooLarge:
            raise
        except _UNREADABLE as err:
            raise ValueError(f"cannot read {path} as an image: {err}") from None
    check_finite(array, str(path))
    array = np.clip(array, 0, 1)
    rgb, alpha = array[..., :3], array[..., 3:]
    back = np.asarray(background, dtype=np.float32)
    rgb = rgb * alpha + back * (1 - alpha)
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).clamp(0, 1)


def check_finite(pixels: np.ndarray, name: str) -> None:
    """ValueError naming `name` when an image's samples (H, W[, C]) hold NaN or infinity (a float TIFF
    can): painted, they turn every loss and metric into NaN."""
    bad = (~np.isfinite(pixels.reshape(pixels.shape[0], pixels.shape[1], -1))).any(axis=2)  # (H, W)
    if bad.any():
        y, x = np.argwhere(bad)[0]
        raise ValueError(f"{name} has NaN or infinite pixels ({int(bad.sum()):,}, the first at x={x}, y={y})")


class _TooLarge(ValueError):
    """A photo over MAX_PIXELS; its own class so it is not reported as an unreadable file."""


def _too_large(path: Path, pixels: str) -> _TooLarge:
    return _TooLarge(f"{path} is {pixels} pixels, over the limit of {MAX_PIXELS:,} pixels")


def _decode_reduced(image: Image.Image, max_side: int | None) -> None:
    """Ask the JPEG decoder for a smaller image (scaled by 1/2, 1/4 or 1/8) whose sides still reach
    max_side; other formats decode at full size."""
    width, height = image.size
    if max_side is None or image.format != "JPEG" or 2 * max_side > max(width, height):
        return
    scale = max_side / max(width, height)
    image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))


def _integer_peak(image: Image.Image) -> float:
    """The largest value of an integer image's sample type, which maps to white: 65535 for 16-bit modes;
    for PIL's 32-bit mode 'I', what a TIFF's BitsPerSample and SampleFormat tags say, else 65535 when
    every value fits 16 bits (a 16-bit file read as 'I') and 2^31 - 1 otherwise."""
    if image.mode.startswith("I;16"):
        return 65535.0
    if image.mode != "I":
        return 255.0
    tags = getattr(image, "tag_v2", {})
    bits, sample_format = tags.get(258), tags.get(339)
    if bits:
        depth = int(bits[0] if isinstance(bits, tuple) else bits)
        signed = (sample_format[0] if isinstance(sample_format, tuple) else sample_format) == 2
        return float(2 ** (depth - 1) - 1 if signed else 2**depth - 1)
    return 65535.0 if image.getextrema()[1] <= 65535 else float(2**31 - 1)


def _to_float_rgba(image: Image.Image, peak: float) -> np.ndarray:
    """(H, W, 4) float32 from any PIL mode: in [0, 1], integer modes scaled by their type's `peak`, except
    that a float image ('F') keeps its values as they are, for load_photo to check and clip."""
    if image.mode.startswith("I"):
        gray = np.clip(np.asarray(image, dtype=np.float64) / peak, 0, 1).astype(np.float32)  # negatives: black
        return np.dstack([gray, gray, gray, np.ones_like(gray)])
    if image.mode == "F":
        gray = np.asarray(image, dtype=np.float32)
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
