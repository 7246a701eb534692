"""Painting with your own paints: every stroke drawn in one colour of a fixed palette, chosen while the
strokes are painted rather than by rounding their colours afterwards.

A new stroke is placed, as always, where the canvas differs most from the photo, in the photo's colour
there; with a palette it is drawn in the palette colour nearest that (in RGB, the space the painting is
scored in), and keeps it. A two-colour brush is drawn in that one colour at both ends: a pen, or a brush
loaded with one paint, lays one colour. Everything after the choice fits the colours the painting really
has: the stroke's shape and opacity, the strokes painted after it (each level is seeded and optimised on
the canvas as drawn in the palette), and the final whole-canvas pass. That is what gains over painting
freely and mapping every stroke to its nearest paint afterwards (benchmarks/palette.md).

Letting the gradient change a stroke's colour was measured and dropped: a free colour moved by the
gradient, drawn in its nearest palette colour with the gradient passed straight through (plainly, or
through a softmax over the palette), lost 0.3 to 2 dB against keeping the first choice on three of four
photo and brush pairs at 80 strokes, 96 px: strokes flip between paints while their shapes and their
neighbours are being fitted to the old one.

    palette = Palette(brush, parse_palette("#1b1b1b,#c03020,#2050a0"))
    drawn = palette.drawn(strokes)   # (N, P): colour values replaced by palette colours, differentiable
    final = palette.snap(strokes)    # the same, for the stroke file
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from brushes import Brush

MAX_COLOURS = 64  # more paints than any robot holds; past this the choice is no longer a limit
PHOTO_SIDE = 96  # `--pens` clusters the photo's colours at this long side: 5-10 thousand pixels are plenty


class Palette:
    """The colours a painting may use, (K, 3) in [0, 1], and how a brush's strokes are drawn in them."""

    def __init__(self, brush: Brush, colours: np.ndarray | torch.Tensor) -> None:
        self.colours = torch.as_tensor(np.asarray(colours, dtype=np.float32))  # (K, 3)
        assert self.colours.ndim == 2 and self.colours.shape[1] == 3 and len(self.colours), self.colours.shape
        self.columns = brush.indices("colour")
        assert len(self.columns) % 3 == 0, (brush.name, self.columns)

    def hex(self) -> list[str]:
        """The colours as '#rrggbb'."""
        return [hex_colour(c) for c in self.colours.tolist()]

    def _own_colour(self, strokes: torch.Tensor) -> torch.Tensor:
        """Each stroke's own colour (..., 3), as placed: the mean of its colour values (both ends of a gradient)."""
        return strokes[..., self.columns].unflatten(-1, (-1, 3)).mean(dim=-2)

    def choice(self, strokes: torch.Tensor) -> torch.Tensor:
        """The palette index each stroke is drawn in (...,): the colour nearest its own."""
        colours = self.colours.to(strokes.device)
        own = self._own_colour(strokes.detach()).reshape(-1, 3)  # (n, 3)
        return torch.cdist(own, colours).argmin(dim=1).view(strokes.shape[:-1])

    def recolour(self, strokes: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
        """Strokes (..., P) with every colour value set from colour (..., 3)."""
        out = strokes.clone()
        out[..., self.columns] = colour.repeat(*([1] * (colour.ndim - 1)), len(self.columns) // 3)
        return out

    def snap(self, strokes: torch.Tensor) -> torch.Tensor:
        """Strokes (..., P) in their chosen palette colours, exactly (no gradient)."""
        colours = self.colours.to(strokes.device, strokes.dtype)
        return self.recolour(strokes.detach(), colours[self.choice(strokes)])

    def drawn(self, strokes: torch.Tensor) -> torch.Tensor:
        """Strokes (..., P) as drawn: in their chosen palette colours. Differentiable in the other values
        (shape, alpha); the colour values get no gradient, so a stroke keeps the colour it was placed in."""
        colours = self.colours.to(strokes.device, strokes.dtype)
        return self.recolour(strokes, colours[self.choice(strokes)])

    def render(self, render: Callable) -> Callable:
        """A renderer of strokes (n, P), or of strokes in windows (n, P), side, that draws them in the
        palette: wraps the painter's block renderers and the whole-canvas pass's window renderer."""

        def draw(strokes: torch.Tensor, *args):
            return render(self.drawn(strokes), *args)

        return draw


def hex_colour(rgb) -> str:
    """'#rrggbb' of three values in [0, 1], rounded to the nearest of 256 levels."""
    r, g, b = (min(255, max(0, round(float(c) * 255))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def photo_palette(photo: torch.Tensor, count: int) -> np.ndarray:
    """At most `count` colours for painting photo (3, H, W): k-means of its pixels in CIELAB (seeded, so
    the same photo always gets the same colours), each a cluster's mean rounded to 8 bits. (K, 3)."""
    from painter.images import resize_long_side
    from painter.plotter.palette import quantise

    small = resize_long_side(photo, min(PHOTO_SIDE, max(photo.shape[1:])))
    pixels = small.reshape(3, -1).T.double().numpy()  # (N, 3)
    pens, _ = quantise(pixels, count)
    levels = np.array([[round(c * 255) for c in pen.colour] for pen in pens])  # (K, 3) 8-bit
    return np.unique(levels, axis=0) / 255.0


def map_to_nearest(painting, colours: np.ndarray):
    """The painting with every stroke recoloured, after painting, in the palette colour (K, 3) nearest
    its colour in CIELAB, as `paint export --palette` maps strokes to pens: what painting in the palette
    is measured against."""
    from painter.plotter.palette import match_palette
    from painter.plotter.paths import stroke_colours
    from painter.strokes import Painting

    _, numbers = match_palette(stroke_colours(painting), colours)
    chosen = torch.as_tensor(np.asarray(colours, dtype=np.float32)[numbers - 1])  # (N, 3)
    strokes = Palette(painting.brush, colours).recolour(painting.strokes, chosen)
    return Painting(painting.brush, strokes, painting.width, painting.height, painting.background)
