"""Writing a painting to files: PNG (raster), SVG (true vectors) and GIF (the painting being made).

Each writer is a plain function `write_x(painting, path, long_side=None)`; PAINTING_WRITERS maps a
file extension to its writer. Every file is written atomically.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import svgwrite
import torch
from PIL import Image

from brushes.geometry import to_hex
from painter.canvas import frames, render_bands, render_painting
from painter.files import atomic_path, to_uint8, write_bytes_atomic
from painter.strokes import Painting

GIF_FRAMES = 40  # enough to watch the painting grow, few enough to open instantly
GIF_LONG_SIDE = 256  # keeps the animation small in bytes whatever the painting's size
GIF_FRAME_MS = 60
GIF_HOLD_MS = 2000  # the finished painting stays on screen before the loop restarts


def painting_svg(painting: Painting, long_side: int | None = None) -> str:
    """The painting as an SVG document, in pixel units of its render size."""
    height, width = painting.size_at(long_side)
    drawing = svgwrite.Drawing(size=(width, height), viewBox=f"0 0 {width} {height}", debug=False)
    drawing.add(drawing.rect(insert=(0, 0), size=(width, height), fill=to_hex(painting.background)))
    strokes = painting.strokes.double().numpy()
    for stroke in strokes:
        for element in painting.brush.svg_elements(stroke, height, width, drawing):
            drawing.add(element)
    return drawing.tostring()


PNG_LEVEL = 6  # zlib's level, as PIL writes PNGs


def write_png(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    """The painting drawn in bands (render_bands), each band compressed into the PNG as it is drawn: no
    full-size image is ever held, in float or in 8 bits (a 16,384 px render held whole by PIL is 1 GB)."""
    height, width = painting.size_at(long_side)
    with atomic_path(path) as tmp:
        write_png_rows(tmp, width, height, (band for _, band in render_bands(painting, long_side)))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png_rows(path: str | Path, width: int, height: int, bands: Iterator[np.ndarray]) -> None:
    """An 8-bit RGB PNG of `height` rows, written from bands (rows, width, 3) uint8 from the top down, each
    compressed as it comes. Every row is stored with PNG's Sub filter (each byte minus the one a pixel to
    its left), which flat paint compresses well and numpy computes at once."""
    compressor = zlib.compressobj(PNG_LEVEL)
    rows = 0
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        file.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))  # 8-bit RGB
        for band in bands:
            assert band.dtype == np.uint8 and band.shape[1:] == (width, 3), (band.dtype, band.shape)
            flat = band.reshape(len(band), width * 3)  # (rows, W * 3)
            lines = np.empty((len(band), width * 3 + 1), np.uint8)
            lines[:, 0] = 1  # filter type: Sub
            lines[:, 1:4] = flat[:, :3]
            np.subtract(flat[:, 3:], flat[:, :-3], out=lines[:, 4:])  # wraps modulo 256, as PNG's Sub does
            rows += len(band)
            data = compressor.compress(lines.tobytes())
            if data:
                file.write(_png_chunk(b"IDAT", data))
        assert rows == height, (rows, height)
        file.write(_png_chunk(b"IDAT", compressor.flush()))
        file.write(_png_chunk(b"IEND", b""))


def write_image(image: torch.Tensor, path: str | Path) -> None:
    """Write (3, H, W) in [0, 1] as an 8-bit PNG."""
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, to_uint8(image), extension=".png")


def write_svg(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    write_bytes_atomic(path, painting_svg(painting, long_side).encode("utf-8"))


def write_gif(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    """The painting being made; `long_side` as asked, else the painting's size up to GIF_LONG_SIDE."""
    side = long_side or min(max(painting.width, painting.height), GIF_LONG_SIDE)
    # Each frame gets its own 256 colours by PIL's fast octree: median cut (PIL's default) took 0.06 s a
    # frame, most of the time of writing a GIF, for ~2 dB closer colours. No dithering: its noise would
    # crawl over the parts of the picture that do not change between frames.
    indexed = [
        Image.fromarray(to_uint8(f)).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        for f in frames(painting, side, GIF_FRAMES)
    ]
    # A painting without strokes is one frame, the bare canvas; PIL takes a list of durations only for several.
    durations = [GIF_FRAME_MS] * (len(indexed) - 1) + [GIF_HOLD_MS] if len(indexed) > 1 else GIF_HOLD_MS
    with atomic_path(path) as tmp:
        indexed[0].save(tmp, format="GIF", save_all=True, append_images=indexed[1:], duration=durations, loop=0)


PAINTING_WRITERS = {".png": write_png, ".svg": write_svg, ".gif": write_gif}


def write(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    """Write the painting in the format its extension names; ValueError for an unknown extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in PAINTING_WRITERS:
        raise ValueError(
            f"unknown output type {suffix or '(none)'!r} for {path}; use one of {', '.join(PAINTING_WRITERS)}"
        )
    PAINTING_WRITERS[suffix](painting, path, long_side)


def write_outputs(painting: Painting, folder: str | Path, long_side: int | None = None, animation: bool = True):
    """Write a painting's set of files into `folder`: painting.png and painting.svg at `long_side`,
    strokes.json, and process.gif unless `animation` is off. Returns the rendered image (3, H, W)."""
    folder = Path(folder)
    image = render_painting(painting, long_side)
    write_image(image, folder / "painting.png")
    write_svg(painting, folder / "painting.svg", long_side)
    write_bytes_atomic(folder / "strokes.json", painting.to_json().encode("utf-8"))
    if animation:
        side = min(long_side or max(painting.width, painting.height), GIF_LONG_SIDE)
        write_gif(painting, folder / "process.gif", side)
    return image
