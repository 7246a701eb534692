"""Style transfer for a painting job: the style term the painter adds to its loss, and before/after scores.

The painter optimises blocks of R px, each covering S canvas pixels at the finest level. The style image
is therefore compared at the finest level's scale: photo, style image and finished painting are all
scored with their long side at ``canvas long side * R / S`` px, so a texture of the style image shows at
the same size relative to the painting as it has in the style image scaled to the canvas. Coarser levels
see their blocks at a smaller scale; there the style term acts mostly on colour.

The loss is a relative Gram error: each layer's Gram MSE is divided by the mean square of the style's
Gram at that layer, so no layer dominates by the scale of its activations, and the number means the same
whatever the network's weights (0: the style's statistics exactly; unrelated photos score about 0.3-3).
The term is then divided by that loss of the photo itself, so ``weight`` means the same for VGG and the
random fallback: at weight w a painting as far from the style as the photo pays w, against an L1 content
loss of about 0.05-0.2. When the photo is already close to the style (``--preserve-colour`` removes most
of the difference) the divisor stays at least REFERENCE_FLOOR, so the term cannot blow up.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from painter.images import resize_long_side
from painter.style import StyleLoss, gram_matrix, match_colour

# The parameter groups the style term may change, per --style-mode. In "colour" mode the shapes follow the
# photo alone (the content loss still moves every group); only stroke colours answer to the style.
STYLE_MODES = {"all": ("shape", "colour", "alpha"), "colour": ("colour",)}
DEFAULT_STYLE_WEIGHT = 0.1  # chelsea in coffee's style, 300 strokes: style plain to see, the cat still clear
REFERENCE_FLOOR = 0.25  # least divisor (relative Gram error): a photo close to the style gets a gentle term


@dataclass
class StyleTerm:
    """The style term: ``weight * loss(blocks) / reference``, a callable for ``ProgressivePainter.extra_loss``.

    Shape: blocks (B, 3, R, R) in [0, 1] -> scalar.
    """

    loss: StyleLoss
    weight: float
    reference: float  # the divisor: style loss of the photo at `side`, at least REFERENCE_FLOOR
    side: int  # long side, px, at which whole images are scored
    before: float  # style loss of the photo

    def __call__(self, blocks: torch.Tensor) -> torch.Tensor:
        return self.loss(blocks) * (self.weight / self.reference)

    @torch.no_grad()
    def score(self, image: torch.Tensor) -> float:
        """Style loss of a whole image (3, H, W) at the scoring scale (unweighted, not normalised)."""
        small = resize_long_side(image.to(self.loss.gram0.device), self.side)
        return float(self.loss(small[None]))


def check_style_mode(mode: str) -> tuple[str, ...]:
    """The groups the style term may change in `mode`; ValueError naming the bad mode."""
    if mode not in STYLE_MODES:
        raise ValueError(f"unknown style mode {mode!r}; use one of {', '.join(STYLE_MODES)}")
    return STYLE_MODES[mode]


def build_style_term(
    extractor: torch.nn.Module,
    style: torch.Tensor,
    photo: torch.Tensor,
    weight: float,
    resolution: int,
    finest_side: int,
    preserve_colour: bool = False,
    device: torch.device | None = None,
) -> StyleTerm:
    """The style term for painting `photo` (3, h, w) in the style of `style` (3, H, W).

    resolution: the painter's block size R, px; finest_side: canvas pixels S a block covers at the finest
    level. preserve_colour: give the style image the photo's colour mean and covariance first, so only its
    texture is transferred.
    """
    if weight < 0:
        raise ValueError(f"the style weight must be at least 0, got {weight}")
    device = device or torch.device("cpu")
    side = max(8, round(max(photo.shape[1:]) * resolution / finest_side))
    photo_small = resize_long_side(photo, side)[None].to(device)  # (1, 3, h', w')
    style_small = resize_long_side(style, side)[None].to(device)  # (1, 3, H', W'), scaled like the canvas
    if preserve_colour:
        style_small = match_colour(style_small, photo_small)
    extractor = extractor.to(device)
    with torch.no_grad():
        energy = [float(gram_matrix(f).square().mean()) for f in extractor(style_small)]
    relative = [1 / max(e, 1e-20) for e in energy]  # relative Gram error per layer
    loss = StyleLoss(extractor, style_small, max_side=max(side, resolution), layer_weights=relative)  # blocks: as is
    with torch.no_grad():
        before = float(loss(photo_small))
    return StyleTerm(loss, weight, max(before, REFERENCE_FLOOR), side, before)
