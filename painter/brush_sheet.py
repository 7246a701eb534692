"""A sheet of sample strokes of every brush, to see what each brush looks like."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw

from brushes import Brush
from painter.canvas import blank_canvas, draw
from painter.files import from_uint8

SHEET_COLOUR = (0.96, 0.94, 0.89)  # warm off-white, like primed canvas
# A small fixed palette so the samples show colours against each other.
PALETTE = torch.tensor(
    [[0.80, 0.22, 0.15], [0.95, 0.70, 0.20], [0.20, 0.45, 0.75], [0.18, 0.55, 0.35], [0.45, 0.25, 0.55]]
)


def brush_row(brush: Brush, cell: int, count: int, generator: torch.Generator) -> torch.Tensor:
    """One row of `count` cells, each with a few strokes of `brush` placed in its middle. (3, cell, count*cell)."""
    height, width = cell, cell * count
    canvas = blank_canvas(height, width, SHEET_COLOUR)
    strokes = []
    for i in range(count):
        n = 3
        xy = torch.stack(
            [
                (i + 0.5 + 0.25 * (torch.rand(n, generator=generator) - 0.5)) / count,
                0.5 + 0.3 * (torch.rand(n, generator=generator) - 0.5),
            ],
            dim=1,
        )
        rgb = PALETTE[torch.randint(len(PALETTE), (n,), generator=generator)]
        # Give the second colour (where a brush has one) a different hue, to show the gradient.
        placed = brush.place(xy, rgb, 0.75 * cell / width, height, width, generator)
        colour_idx = brush.indices("colour")
        if len(colour_idx) == 6:
            placed[:, colour_idx[3:]] = PALETTE[torch.randint(len(PALETTE), (n,), generator=generator)]
        strokes.append(placed)
    return draw(brush, torch.cat(strokes), canvas)


def brush_sheet(brushes: list[Brush], cell: int = 160, count: int = 6, seed: int = 0) -> torch.Tensor:
    """Rows of sample strokes, one row per brush, each labelled with the brush's name. (3, H, W)."""
    generator = torch.Generator().manual_seed(seed)
    label = 22
    rows = []
    for brush in brushes:
        strip = Image.new("RGB", (cell * count, label), tuple(int(c * 255) for c in SHEET_COLOUR))
        ImageDraw.Draw(strip).text((8, 5), f"{brush.name}: {brush.description}", fill=(40, 40, 40))
        rows.append(from_uint8(np.asarray(strip)))
        rows.append(brush_row(brush, cell, count, generator))
    return torch.cat(rows, dim=1)
