"""Reading photos into the internal image format: float tensors (3, H, W) in [0, 1]."""

from __future__ import annotations

import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError

# Decoding a photo larger than this many pixels is refused (a decompression bomb, or not a photo). Checked
# from the file's header before decoding: PIL itself only warns up to twice its limit.
MAX_PIXELS = 200_000_000
# What PIL raises for a file it cannot decode; ValueError covers a PNG text chunk that inflates too far.
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError)

# What the library takes as a photo: a file's path, the bytes of an image file, a numpy array (H, W, 3),
# (H, W, 4) or (H, W), uint8 or float in [0, 1], or a PIL image.
PhotoSource = str | Path | bytes | np.ndarray | Image.Image


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
    if not path.exists():
        raise FileNotFoundError(f"no such photo: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a photo")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is an empty file, not a photo")
    return _composite(_decode(path, path, max_side), background)


def open_photo(
    photo: PhotoSource,
    background: tuple[float, float, float] = (1.0, 1.0, 1.0),
    max_side: int | None = None,
    name: str | None = None,
) -> torch.Tensor:
    """A photo given any way PhotoSource allows, as load_photo reads a file: (3, H, W) float in [0, 1],
    transparency composited onto `background`. `name` is how error messages call it (default: its path,
    or what kind of value it is); ValueError / FileNotFoundError naming it."""
    if isinstance(photo, str | Path):
        return load_photo(photo, background, max_side)
    if isinstance(photo, bytes | bytearray | memoryview):
        label = name or "the photo's bytes"
        if len(photo) == 0:
            raise ValueError(f"{label} is empty, not a photo")
        return _composite(_decode(io.BytesIO(bytes(photo)), label, max_side), background)
    if isinstance(photo, Image.Image):
        label = name or "the PIL image"
        width, height = photo.size
        if width * height > MAX_PIXELS:
            raise _too_large(label, f"{width} x {height} = {width * height:,}")
        return _composite(_to_float_rgba(ImageOps.exif_transpose(photo), _integer_peak(photo)), background)
    if isinstance(photo, np.ndarray):
        return _composite(_array_rgba(photo, name or "the array"), background)
    raise ValueError(
        f"expected a photo as a path, bytes, a numpy array or a PIL image, got {type(photo).__name__} "
        f"{name or ''}".rstrip()
    )


def _decode(source: Path | io.BytesIO, label: object, max_side: int | None) -> np.ndarray:
    """An image file (a path or its bytes) as (H, W, 4) float32 in [0, 1]; ValueError naming `label`."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below instead
        try:
            with Image.open(source) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_large(label, f"{width} x {height} = {width * height:,}")
                peak = _integer_peak(image)  # before exif_transpose, which drops a TIFF's tags
                _decode_reduced(image, max_side)
                return _to_float_rgba(ImageOps.exif_transpose(image), peak)
        except Image.DecompressionBombError as err:  # PIL's own limit, twice ours, hit while opening
            pixels = re.search(r"\((\d+) pixels\)", str(err))
            raise _too_large(label, f"{int(pixels.group(1)):,}" if pixels else "more than that") from None
        except _TooLarge:
            raise
        except _UNREADABLE as err:
            raise ValueError(f"cannot read {label} as an image: {err}") from None


def _array_rgba(array: np.ndarray, label: str) -> np.ndarray:
    """(H, W, 4) float32 in [0, 1] from an array (H, W), (H, W, 3) or (H, W, 4): uint8, or float in [0, 1]."""
    if array.ndim == 2:
        array = array[..., None].repeat(3, axis=2)  # (H, W) -> (H, W, 3)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or 0 in array.shape:
        raise ValueError(f"{label} has shape {array.shape}; a photo is (H, W, 3), (H, W, 4) or (H, W)")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise _too_large(label, f"{array.shape[1]} x {array.shape[0]} = {array.shape[0] * array.shape[1]:,}")
    if array.dtype == np.uint8:
        values = array.astype(np.float32) / 255.0
    elif np.issubdtype(array.dtype, np.floating):
        values = array.astype(np.float32)
        if not np.isfinite(values).all() or values.min() < 0 or values.max() > 1:
            raise ValueError(f"{label} has float values outside [0, 1]; scale it to [0, 1] or give uint8")
    else:
        raise ValueError(f"{label} is {array.dtype}; give uint8, or floats in [0, 1]")
    if values.shape[2] == 3:
        values = np.concatenate([values, np.ones_like(values[..., :1])], axis=2)  # opaque
    return values


def _composite(array: np.ndarray, background: tuple[float, float, float]) -> torch.Tensor:
    """(H, W, 4) float in [0, 1] laid onto `background`: (3, H, W) float in [0, 1]."""
    rgb, alpha = array[..., :3], array[..., 3:]
    back = np.asarray(background, dtype=np.float32)
    rgb = rgb * alpha + back * (1 - alpha)
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).clamp(0, 1)


class _TooLarge(ValueError):
    """A photo over MAX_PIXELS; its own class so it is not reported as an unreadable file."""


def _too_large(path: object, pixels: str) -> _TooLarge:
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
    """(H, W, 4) float32 in [0, 1] from any PIL mode; integer modes scaled by their type's `peak`."""
    if image.mode.startswith("I"):
        gray = np.clip(np.asarray(image, dtype=np.float64) / peak, 0, 1).astype(np.float32)  # negatives: black
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
