"""What the page may send: the size limits, and the check every uploaded photo passes before it is kept.

An upload is checked from its bytes alone: its size, that Pillow knows the format, its pixel count read
from the header (so a small file that would decode to gigabytes, a decompression bomb, is refused before
any decoding), and then a full decode, which finds files that are damaged or cut short.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from painter.images import check_finite

MB = 1_000_000
# Formats a camera, a phone or an image editor writes; Pillow reads others too, but no one paints an icon.
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP", "GIF": "GIF"}


@dataclass(frozen=True)
class Limits:
    """How much one page may ask of the server. Each default with its reason."""

    upload_bytes: int = 25 * MB  # a 50 MP JPEG straight from a camera is 15-25 MB
    pixels: int = 50_000_000  # the largest phone and camera photos; decoded, 200 MB of RGBA in memory
    queue: int = 20  # jobs waiting at once: a local tool, so a full queue is a stuck script, not a crowd
    strokes: int = 5000  # a page, not a batch job: 5000 strokes already take an hour on a CPU
    size: int = 1024  # the fitted size's long side; the time grows as its square (the CLI goes to 4096)
    render_size: int = 4096  # the downloads' long side: the strokes are only redrawn, so it costs little time

    def to_dict(self) -> dict:
        return {
            "upload_bytes": self.upload_bytes,
            "pixels": self.pixels,
            "queue": self.queue,
            "strokes": self.strokes,
            "size": self.size,
            "render_size": self.render_size,
        }


class UploadError(ValueError):
    """An upload refused; the message is meant for the person who sent it. `status` is the HTTP code."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Upload:
    """A checked image kept in the server's folder under a name the server chose."""

    id: str
    path: Path
    name: str  # the file name the browser gave, for display only
    width: int
    height: int
    format: str

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "width": self.width, "height": self.height, "format": self.format}


def megabytes(count: int) -> str:
    return f"{count / MB:.3g} MB"


def check_image(data: bytes, limits: Limits) -> tuple[int, int, str]:
    """(width, height, format) of an uploaded image; UploadError saying what is wrong with it."""
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > limits.upload_bytes:
        raise UploadError(f"The file is {megabytes(len(data))}; the limit is {megabytes(limits.upload_bytes)}.", 413)
    floats = None
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, above its own pixel limit; ours is smaller and checked first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height, kind = image.width, image.height, image.format
                if kind in FORMATS and width * height <= limits.pixels:
                    image.load()  # the full decode: finds damaged or truncated files
                    floats = np.asarray(image) if image.mode == "F" else None  # a float TIFF may hold NaN
    except UnidentifiedImageError:
        raise UploadError("This file is not an image (send a JPEG, PNG, WebP, TIFF, BMP or GIF).") from None
    except Image.DecompressionBombError:
        raise UploadError(f"The image has too many pixels; the limit is {limits.pixels / 1e6:.0f} MP.", 413) from None
    except (OSError, SyntaxError, ValueError) as err:
        raise UploadError(f"The image could not be read; it may be damaged or cut short ({err}).") from None
    if floats is not None:
        try:
            check_finite(floats, "The image")
        except ValueError as err:
            raise UploadError(f"{err}; save it with finite values.") from None
    if kind not in FORMATS:
        raise UploadError(f"{kind} images are not supported; send a JPEG, PNG, WebP, TIFF, BMP or GIF.")
    if width * height > limits.pixels:
        megapixels = width * height / 1e6
        raise UploadError(
            f"The image is {width} x {height} pixels ({megapixels:.0f} MP); the limit is {limits.pixels / 1e6:.0f} MP.",
            413,
        )
    return width, height, FORMATS[kind]


def keep_upload(data: bytes, name: str, folder: Path, limits: Limits) -> Upload:
    """Check an upload and store it in `folder` under a random name (never the name the browser sent)."""
    width, height, kind = check_image(data, limits)
    upload_id = secrets.token_hex(8)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / upload_id
    path.write_bytes(data)
    shown = "".join(c for c in name if c.isprintable())[:120] or "photo"
    return Upload(upload_id, path, shown, width, height, kind)
