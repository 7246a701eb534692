"""Style transfer for a painting job: the style term the painter adds to its loss, and before/after scores.

The painter optimises blocks of R px that cover S canvas pixels, S shrinking level by level; the style term
sees a level's blocks joined into the whole canvas at R / S px per canvas px, so the painting as a whole,
not every block on its own, has to carry the style (as in the reference method, which styles the whole
canvas). Gram statistics depend on scale, so every level compares that canvas with the style image at the
same scale: scaled to the canvas, then by R / S (long side ``canvas long side * R / S`` px). A texture of
the style image thus shows at the same size relative to the painting as it has in the style image scaled
to the canvas; at the coarse levels the style image is small and the term acts mostly on colour.
Before/after scores use the finest level's scale.

The loss is a relative Gram error: each layer's Gram MSE is divided by the mean square of the style's
Gram at that layer, so no layer dominates by the scale of its activations, and the number means the same
whatever the network's weights (0: the style's statistics exactly; unrelated photos score about 0.3-3).
The term is then divided by that loss of the photo itself (per level), so ``weight`` means the same for
VGG and the random fallback: at weight w a painting as far from the style as the photo pays w, against an
L1 content loss of about 0.05-0.2. When the photo is already close to the style (``--preserve-colour``
removes most of the difference) the divisor stays at least REFERENCE_FLOOR, so the term cannot blow up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from painter.images import resize_long_side
from painter.style_loss import StyleLoss, gram_matrix, match_colour

# The parameter groups the style term may change, per PaintSettings.style_mode. In "colour" mode the shapes
# follow the photo alone (the content loss still moves every group); only stroke colours answer to the style.
STYLE_GROUPS = {"all": ("shape", "colour", "alpha"), "colour": ("colour",)}
REFERENCE_FLOOR = 0.25  # least divisor (relative Gram error): a photo close to the style gets a gentle term


@dataclass
class StyleTerm:
    """The style loss as the objective's style term calls it (painter.engine.objective):
    ``weight * loss(canvas) / reference`` with the loss and reference of the scale the canvas is seen at.

    Shape: canvas (1, 3, h, w) in [0, 1] at `scale` px per canvas px -> scalar.
    Example: ``term = StyleTerm(net, style, photo, 0.1, resolution=64, sides=[256, 128]); term(canvas, 0.25)``.
    """

    extractor: torch.nn.Module
    style: torch.Tensor  # (3, H, W) the style image as given
    photo: torch.Tensor  # (3, h, w) the photo at the canvas size
    weight: float
    resolution: int  # the painter's block size R, px
    sides: list[int]  # canvas pixels S a block covers, per level, coarse to fine
    preserve_colour: bool = False
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    def __post_init__(self) -> None:
        if not self.weight >= 0:
            raise ValueError(f"the style weight must be at least 0, got {self.weight}")
        self.extractor = self.extractor.to(self.device)
        self._losses: dict[int, tuple[StyleLoss, float]] = {}  # long side px -> (loss, photo's loss)
        for side in self.sides:
            self._at(self._long_side(self.resolution / side))
        self.side = self._long_side(self.resolution / min(self.sides))  # scores are taken at the finest scale
        self.before = self._at(self.side)[1]  # style loss of the photo

    def _long_side(self, scale: float) -> int:
        return max(8, round(max(self.photo.shape[1:]) * scale))

    def _at(self, side: int) -> tuple[StyleLoss, float]:
        """The style loss with the style image at long side `side` px, and the photo's loss there."""
        if side not in self._losses:
            photo = resize_long_side(self.photo.cpu(), side)[None]  # (1, 3, h', w')
            style = resize_long_side(self.style.cpu(), side)[None]  # (1, 3, H', W'), scaled like the canvas
            if self.preserve_colour:
                style = match_colour(style, photo)  # on the CPU: match_colour makes its identity matrix there
            photo, style = photo.to(self.device), style.to(self.device)
            with torch.no_grad():
                energy = [float(gram_matrix(f).square().mean()) for f in self.extractor(style)]
            relative = [1 / max(e, 1e-20) for e in energy]  # relative Gram error per layer
            # max_side: never shrink the painter's canvas (a pixel or two over `side` by rounding) nor the style
            loss = StyleLoss(self.extractor, style, max_side=side + 8, layer_weights=relative)
            with torch.no_grad():
                self._losses[side] = (loss, float(loss(photo)))
        return self._losses[side]

    def __call__(self, canvas: torch.Tensor, scale: float) -> torch.Tensor:
        loss, photo_loss = self._at(self._long_side(scale))
        return loss(canvas) * (self.weight / max(photo_loss, REFERENCE_FLOOR))

    @torch.no_grad()
    def score(self, image: torch.Tensor) -> float:
        """Style loss of a whole image (3, H, W) at the finest level's scale (unweighted, not normalised)."""
        small = resize_long_side(image.to(self.device), self.side)
        return float(self._at(self.side)[0](small[None]))
