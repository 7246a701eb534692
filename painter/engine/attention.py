"""Where the eye looks: a map that weighs how much a miss counts when strokes are shared out and placed.

A painting is judged where people look: faces first, then detail (edges, texture, text). Error alone sends
strokes where the painting is furthest from the photo on average, which in a portrait is often the
background. The attention map is 1 everywhere, plus FACE_WEIGHT inside faces found by scikit-image's
bundled LBP frontal-face cascade (nothing downloaded), plus DETAIL_WEIGHT times the photo's local edge
energy (normalised to its 95th percentile). The block stage shares a level's strokes among blocks by
their error times this map, and every seeding (blocks, canvas reseeding) samples where error times this
map is largest; the losses themselves stay the photo's, so likeness is still measured plainly.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from painter.images import resize

ATTENTION_SIDE = 256  # the map is computed at this long side: faces of ~24 px and up are found there
FACE_WEIGHT = 1.0  # a face's pixels count twice a plain background's (4x as likely to be seeded)
DETAIL_WEIGHT = 0.5  # the most detailed pixels count 1.5 times


def attention_map(photo: torch.Tensor, faces: bool = True) -> torch.Tensor:
    """The attention map of photo (3, H, W) at ATTENTION_SIDE px long side: (h, w), values >= 1."""
    _, h, w = photo.shape
    scale = ATTENTION_SIDE / max(h, w)
    size = (max(8, round(h * scale)), max(8, round(w * scale)))
    small = resize(photo[None], size)  # (1, 3, h, w)
    grey = small.mean(dim=1, keepdim=True)  # (1, 1, h, w)
    gx = F.pad(grey[..., :, 2:] - grey[..., :, :-2], (1, 1, 0, 0), mode="replicate")
    gy = F.pad(grey[..., 2:, :] - grey[..., :-2, :], (0, 0, 1, 1), mode="replicate")
    energy = F.avg_pool2d(gx**2 + gy**2, 5, stride=1, padding=2, count_include_pad=False)[0, 0]  # (h, w)
    top = torch.quantile(energy.flatten(), 0.95).clamp_min(1e-6)
    weights = 1 + DETAIL_WEIGHT * (energy / top).clamp(0, 1)
    if faces:
        weights = weights + FACE_WEIGHT * face_mask(small[0])
    return weights


def face_mask(image: torch.Tensor) -> torch.Tensor:
    """1 inside the faces found in image (3, h, w), an ellipse over each detected box, else 0. (h, w)."""
    _, h, w = image.shape
    mask = torch.zeros(h, w)
    if min(h, w) < 24:
        return mask
    grey = image.mean(dim=0).numpy()
    ys, xs = torch.arange(h).view(-1, 1) + 0.5, torch.arange(w).view(1, -1) + 0.5
    for box in _detector().detect_multi_scale(
        img=grey, scale_factor=1.2, step_ratio=1, min_size=(24, 24), max_size=(max(h, w), max(h, w))
    ):
        # The cascade's box holds eyes, nose and mouth; an ellipse a little taller takes in the chin and brow.
        cy, cx = box["r"] + box["height"] / 2, box["c"] + box["width"] / 2
        ry, rx = 0.65 * box["height"], 0.55 * box["width"]
        mask = torch.maximum(mask, ((((ys - cy) / ry) ** 2 + ((xs - cx) / rx) ** 2) <= 1).float())
    return mask


@functools.lru_cache(maxsize=1)
def _detector():
    from skimage import data, feature

    return feature.Cascade(data.lbp_frontal_face_cascade_filename())
