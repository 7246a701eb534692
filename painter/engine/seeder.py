"""New strokes where the painting misses most, in the photo's colour there, along the photo's edges.

One recipe for every place strokes are added: a level's blocks (painter.engine.blocks), strokes moved
during the whole-canvas pass (painter.engine.canvas) and strokes moved from one video frame to the next
(painter.many.video).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from brushes import Brush
from painter.images import resize

# Where seeds lie on the whole canvas, as fractions of its width and height: xy (B, K, 2) in the region's
# own fractions -> across (B, K), down (B, K). Used to look up the edge flow.
ToCanvas = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class Seeder:
    """Places strokes for `brush`, drawing its random choices from `generator`.

    `flow` (h, w), the photo's edge direction as a stroke angle (see `edge_flow`), turns new strokes along
    the edges (None: as the brush places them). With `opaque`, strokes get alpha 1."""

    def __init__(
        self, brush: Brush, generator: torch.Generator, flow: torch.Tensor | None = None, opaque: bool = False
    ) -> None:
        self.brush, self.generator, self.flow, self.opaque = brush, generator, flow, opaque

    def place(
        self,
        miss: torch.Tensor,
        photo: torch.Tensor,
        count: int,
        size: float,
        extent: tuple[int, int],
        to_canvas: ToCanvas | None = None,
        floor: torch.Tensor | float = 0.0,
    ) -> torch.Tensor:
        """`count` strokes in each of B regions, placed where miss (B, h, w), how far the painting is from
        the photo, is largest (smoothed, then squared to favour the worst), in the colour of photo (B, 3,
        h, w) around there, `size` long (a fraction of the region's longer side). `extent` is the region's
        (height, width) as the brush sizes it; `floor` is added to the weights (e.g. so that a block with no
        error still gets strokes inside the photo). Returns (B, count, P), values in [0, 1]."""
        b, h, w = miss.shape
        weights = F.avg_pool2d(miss[:, None], 5, stride=1, padding=2)[:, 0] ** 2  # (B, h, w)
        weights = (weights + floor).reshape(b, -1) + 1e-12
        picks = torch.multinomial(weights, count, replacement=h * w < count, generator=self.generator)  # (B, K)
        xy = torch.stack([(picks % w + 0.5) / w, (picks // w + 0.5) / h], dim=-1)  # (B, K, 2)
        smooth = F.avg_pool2d(photo, 3, stride=1, padding=1)  # (B, 3, h, w): colour of the area, not one pixel
        rgb = smooth.reshape(b, 3, -1).gather(2, picks[:, None, :].expand(-1, 3, -1)).permute(0, 2, 1)  # (B, K, 3)
        height, width = extent
        strokes = self.brush.place(xy.reshape(-1, 2), rgb.reshape(-1, 3), size, height, width, self.generator)
        strokes = strokes.view(b, count, -1)
        if self.flow is not None:
            across, down = to_canvas(xy) if to_canvas is not None else (xy[..., 0], xy[..., 1])
            self.follow_flow(strokes, across, down)
        strokes = strokes.clamp(0, 1)
        if self.opaque:
            strokes[..., self.brush.indices("alpha")] = 1.0
        return strokes

    def follow_flow(self, strokes: torch.Tensor, across: torch.Tensor, down: torch.Tensor) -> None:
        """Turn strokes (..., P) along the edge flow at canvas fractions across, down (...), +-5 degrees."""
        fh, fw = self.flow.shape
        flow = self.flow[(down * fh).long().clamp(0, fh - 1), (across * fw).long().clamp(0, fw - 1)]
        jitter = 0.03 * torch.randn(flow.shape, generator=self.generator)  # so strokes do not look ruled
        for i in self.brush.kinds("angle"):
            strokes[..., i] = (flow + jitter).remainder(1.0)


FLOW_SIDE = 256  # the edge flow is measured on the photo shrunk to this long side: directions are smooth


def edge_flow(image: torch.Tensor) -> torch.Tensor:
    """The direction of the photo's edges at every point, as a stroke angle in [0, 1) (0..180 degrees,
    clockwise, y down), from the structure tensor (the summed outer products of colour gradients).

    Two blurs of the tensor are added: a narrow one that follows local edges, and a wide one (an
    eighth of the photo) that dominates only where the photo is flat, so a plain sky takes the direction
    of the nearest edges instead of noise. image (3, H, W) -> (h, w) at FLOW_SIDE px long side."""
    _, h, w = image.shape
    scale = FLOW_SIDE / max(h, w)
    small = resize(image[None], (max(3, round(h * scale)), max(3, round(w * scale))))  # (1, 3, h, w), 3+ for gradients
    gx = small[..., :, 2:] - small[..., :, :-2]
    gy = small[..., 2:, :] - small[..., :-2, :]
    gx, gy = F.pad(gx, (1, 1, 0, 0), mode="replicate"), F.pad(gy, (0, 0, 1, 1), mode="replicate")
    tensor = torch.cat([(gx * gx).sum(1, keepdim=True), (gx * gy).sum(1, keepdim=True), (gy * gy).sum(1, keepdim=True)])
    tensor = tensor.permute(1, 0, 2, 3)  # (1, 3 as xx xy yy, h, w)
    side = max(tensor.shape[-2:])
    narrow = _blur(tensor, max(1, side // 128))
    wide = _blur(tensor, max(1, side // 16))
    xx, xy, yy = (narrow + wide)[0]
    across = 0.5 * torch.atan2(2 * xy, xx - yy)  # the direction of steepest change
    return ((across + math.pi / 2) / math.pi).remainder(1.0)  # along the edge


def _blur(image: torch.Tensor, radius: int) -> torch.Tensor:
    """Box blur of (1, C, h, w) with a (2 * radius + 1) square, twice (close to a Gaussian), edges replicated."""
    for _ in range(2):
        image = F.avg_pool2d(F.pad(image, (radius,) * 4, mode="replicate"), 2 * radius + 1, stride=1)
    return image
