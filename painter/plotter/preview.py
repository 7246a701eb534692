"""A picture of what the machine will draw: pen-down paths in their pen's colour at the tool's width,
pen-up travel as faint lines, on the paper."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from painter.files import write_bytes_atomic
from painter.plotter.plan import Plot

PX_PER_MM = 4  # about 100 dpi: an A4 preview is 840 x 1188 pixels
MAX_PREVIEW_SIDE = 2000  # px: larger paper is drawn at fewer pixels per mm, so memory stays bounded
PAPER_COLOUR = (255, 255, 255)
TRAVEL_COLOUR = (90, 90, 200, 90)  # translucent blue, visible over paint without hiding it
MARGIN_COLOUR = (200, 200, 200)
SUPERSAMPLE = 3  # drawn larger then averaged down: passes one tool width apart touch, as on paper


def preview_scale(plot: Plot) -> float:
    """Preview pixels per mm: PX_PER_MM, or fewer where the paper's long side would pass MAX_PREVIEW_SIDE."""
    return min(PX_PER_MM, MAX_PREVIEW_SIDE / max(plot.layout.paper_width, plot.layout.paper_height))


def preview_image(plot: Plot) -> np.ndarray:
    """The plot drawn at preview_scale(plot) pixels per mm. Shape: (H, W, 3) uint8."""
    layout = plot.layout
    px_per_mm = preview_scale(plot)
    scale = px_per_mm * SUPERSAMPLE  # pixels per mm while drawing
    size = (round(layout.paper_width * scale), round(layout.paper_height * scale))
    image = Image.new("RGB", size, PAPER_COLOUR)
    draw = ImageDraw.Draw(image)
    m = layout.margin * scale
    # where drawing may go
    draw.rectangle([m, m, size[0] - 1 - m, size[1] - 1 - m], outline=MARGIN_COLOUR, width=SUPERSAMPLE)
    tool = max(1, round(plot.tool_width * scale))
    moves = []  # pen-up moves, (from, to) in mm
    for layer in plot.layers:
        colour = tuple(round(c * 255) for c in layer.pen.colour)
        position = plot.home
        dips = set(layer.dips)
        for i, path in enumerate(layer.paths):
            if i in dips:
                assert plot.well is not None
                moves.append((position, plot.well))
                position = plot.well
            moves.append((position, tuple(path[0])))
            position = tuple(path[-1])
            points = [(float(x) * scale, float(y) * scale) for x, y in path]
            draw.line(points, fill=colour, width=tool, joint="curve")
            for x, y in (points[0], points[-1]):  # round ends, as a round tool leaves
                draw.ellipse([x - tool / 2, y - tool / 2, x + tool / 2, y + tool / 2], fill=colour)
        moves.append((position, plot.home))
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    lines = ImageDraw.Draw(overlay)
    for a, b in moves:
        line = [(a[0] * scale, a[1] * scale), (b[0] * scale, b[1] * scale)]
        lines.line(line, fill=TRAVEL_COLOUR, width=SUPERSAMPLE)
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    small = (round(layout.paper_width * px_per_mm), round(layout.paper_height * px_per_mm))
    return np.asarray(image.resize(small, Image.Resampling.BOX))


def preview_png(plot: Plot, path: str | Path) -> bytes:
    """The preview as PNG file contents, for `path`, which must name a PNG (ValueError otherwise)."""
    if Path(path).suffix.lower() != ".png":
        raise ValueError(f"the preview is a PNG; got {str(path)!r}")
    buffer = io.BytesIO()
    Image.fromarray(preview_image(plot)).save(buffer, format="PNG")
    return buffer.getvalue()


def write_preview(plot: Plot, path: str | Path) -> None:
    write_bytes_atomic(path, preview_png(plot, path))
