"""Writing a painting to files: PNG (raster), SVG (true vectors) and GIF (the painting being made).

Each writer is a plain function `write_x(painting, path, long_side=None)`; PAINTING_WRITERS maps a
file extension to its writer. Every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
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


def write_png(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    """The painting drawn in bands (render_bands) into the 8-bit image PIL encodes, so that no full-size float
    canvas nor a second full-size 8-bit copy is ever held."""
    height, width = painting.size_at(long_side)
    image = Image.new("RGB", (width, height))
    for first, band in render_bands(painting, long_side):
        image.paste(Image.fromarray(band), (0, first))
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG")


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
