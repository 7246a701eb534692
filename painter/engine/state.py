"""What every stage of a painting reads and writes: the photo, the strokes so far and the canvas they make,
and the tools the stages draw and seed with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from brushes import Brush
from painter.canvas import blank_canvas, draw
from painter.engine.objective import Objective
from painter.engine.seeder import Seeder
from painter.engine.windows import WindowDrawer
from painter.images import resize
from painter.palette import Palette
from painter.strokes import Painting

# A differentiable renderer for one block: strokes (N, P) -> colour (N, 3, R, R), alpha (N, 1, R, R).
RenderFn = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class Tools:
    """What the stages paint with. Every renderer and drawer here already draws in the palette, if any."""

    brush: Brush
    resolution: int  # block side, px, of the block renderers
    block: dict[str, RenderFn]  # "network" / "exact": block renderers (R x R)
    drawers: dict[str, WindowDrawer]  # "network", "exact windows", "exact pixels": whole-canvas drawers
    objective: Objective
    seeder: Seeder
    palette: Palette | None = None
    opaque: bool = False  # alpha fixed at 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))


@dataclass
class PaintingState:
    """The photo being painted and the strokes so far, in canvas coordinates and painting order.

    `canvas` is what the finished levels look like, drawn by the brush's own renderer: the fixed
    background a level is fitted over. `stroke_size` is the size new strokes were last seeded at (a
    fraction of the canvas's longer side), which the canvas stage reseeds at."""

    target: torch.Tensor  # (3, H, W) the photo at the size strokes are fitted at
    background: tuple[float, float, float]
    brush: Brush
    palette: Palette | None = None
    done: list[torch.Tensor] = field(default_factory=list)  # (n, P) strokes of finished stages
    current: torch.Tensor | None = None  # (n, P) the strokes of the stage under way
    stroke_size: float | None = None
    # Where the eye looks (see painter.engine.attention): how much a miss counts, (h, w) >= 1 at any scale;
    # None: every pixel alike.
    attention: torch.Tensor | None = None

    def __post_init__(self) -> None:
        _, self.height, self.width = self.target.shape
        self._canvas: torch.Tensor | None = blank_canvas(self.height, self.width, self.background)

    @property
    def canvas(self) -> torch.Tensor:
        """(3, H, W) the finished strokes drawn by the brush's own renderer (drawn again when they moved)."""
        if self._canvas is None:
            self._canvas = blank_canvas(self.height, self.width, self.background)
            draw(self.brush, self.painting().strokes, self._canvas)
        return self._canvas

    def weight(self, height: int, width: int) -> torch.Tensor:
        """The attention map at height x width, scaled to at most 1 (only ratios matter): (1, h, w)."""
        if self.attention is None:
            return torch.ones(1, height, width)
        return resize(self.attention[None, None] / self.attention.max(), (height, width))[0].clamp_min(0)

    def strokes(self) -> torch.Tensor:
        """All strokes so far (N, P), the stage under way included."""
        parts = self.done + ([self.current] if self.current is not None else [])
        return torch.cat(parts) if parts else torch.zeros(0, self.brush.size)

    def add_level(self, strokes: torch.Tensor) -> None:
        """A finished level's strokes (n, P): laid on top and drawn onto the canvas."""
        self.done.append(strokes)
        self.current = None
        draw(self.brush, strokes if self.palette is None else self.palette.snap(strokes), self.canvas)

    def replace(self, strokes: torch.Tensor) -> None:
        """Every stroke so far replaced by strokes (N, P) (moved together on the whole canvas)."""
        self.done, self.current, self._canvas = [strokes], None, None

    def painting(self) -> Painting:
        """The painting so far, in palette colours exactly when painting in a palette."""
        strokes = self.strokes()
        if self.palette is not None:
            strokes = self.palette.snap(strokes)
        return Painting(self.brush, strokes.detach().clamp(0, 1), self.width, self.height, self.background)
