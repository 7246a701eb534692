"""Making a brush from an image of one real stroke: find the paint, straighten it, save it.

The paint is what differs from the paper; the paper's colour is the median of the image's border,
where a photographed dab leaves the paper bare. The stroke is the largest connected patch of paint;
its long axis is the principal axis of its alpha; it is rotated to lie horizontally, cropped to its
ink and resampled to a fixed size (brushes.scanned.TEXTURE_SIZE), inside a clear one-texel border.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage

import brushes
from brushes.home import USER_BRUSH_NAME, user_brush_dir
from brushes.scanned import SPEC_FILE, TEXTURE_FILE, TEXTURE_SIZE, ScannedBrush, spec_of

MIN_SIDE = 32  # pixels: a smaller image cannot show bristle marks worth a texture
BORDER = 0.04  # the outer fraction of each side that estimates the paper colour
BLANK = 0.08  # largest colour difference from the paper (0..1) below which the image holds no paint
MIN_STROKE = 0.005  # the stroke must cover at least this fraction of the image...
MIN_LENGTH = 16  # ...and be at least this many pixels long


def open_stroke_image(path: str | Path) -> np.ndarray:
    """The image at `path` as (H, W, 3) float in [0, 1], transparency flattened onto white (a cut-out
    stroke on clear ground is a stroke on white paper). FileNotFoundError / ValueError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no texture image {str(path)!r}")
    try:
        with Image.open(path) as image:
            rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError):
        raise ValueError(f"the texture {str(path)!r} is not an image (PNG, JPEG, ...)") from None
    rgb, alpha = rgba[..., :3], rgba[..., 3:]
    return rgb * alpha + (1 - alpha)


def paint_alpha(image: np.ndarray, name: str = "the texture") -> np.ndarray:
    """How much paint each pixel holds, (H, W) in [0, 1]: its colour distance from the paper (the
    border's median colour), beyond the border's own noise, scaled so the stroke's body is 1.
    ValueError when the image is too small or holds no stroke."""
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ValueError(f"{name} is too small ({w}x{h} px); scan the stroke at {MIN_SIDE} px or more a side")
    band = max(1, int(round(BORDER * min(h, w))))
    ring = np.concatenate(
        [image[:band].reshape(-1, 3), image[-band:].reshape(-1, 3), image[:, :band].reshape(-1, 3)]
        + [image[:, -band:].reshape(-1, 3)]
    )
    paper = np.median(ring, axis=0)
    distance = np.abs(image - paper).max(axis=2)  # (H, W): the channel that differs most
    if distance.max() < BLANK:
        raise ValueError(f"{name} is blank: nothing in it differs from the paper colour")
    # The paper's own grain and the scanner's noise: what the bare border already differs by.
    noise = float(np.percentile(np.abs(ring - paper).max(axis=1), 99))
    floor = max(noise, 0.02)
    body = (
        float(np.percentile(distance[distance > floor + BLANK / 2], 90)) if (distance > floor + BLANK / 2).any() else 0
    )
    if body <= floor:
        raise ValueError(f"{name} holds no stroke: nothing stands out from the paper")
    return np.clip((distance - floor) / (body - floor), 0.0, 1.0)


def largest_stroke(alpha: np.ndarray, name: str = "the texture") -> np.ndarray:
    """`alpha` with everything but its largest connected patch of paint cleared (specks, a signature,
    a smudge beside the stroke). ValueError when even that is too small to be a stroke."""
    labels, count = ndimage.label(alpha > 0.25)
    if count == 0:
        raise ValueError(f"{name} holds no stroke: no patch of paint found")
    sizes = ndimage.sum_labels(np.ones_like(alpha), labels, index=np.arange(1, count + 1))
    biggest = int(np.argmax(sizes)) + 1
    if sizes[biggest - 1] < MIN_STROKE * alpha.size:
        raise ValueError(f"{name} holds no stroke: the largest patch of paint is only {int(sizes[biggest - 1])} px")
    # Keep the soft edge around the patch: grow it a few pixels before using it as a stencil.
    keep = ndimage.binary_dilation(labels == biggest, iterations=3)
    return np.where(keep, alpha, 0.0)


def principal_angle(alpha: np.ndarray) -> float:
    """Angle in degrees (counter-clockwise from the x axis, y pointing down as in images) of the
    principal axis of the alpha-weighted pixel positions: the stroke's long axis."""
    ys, xs = np.mgrid[: alpha.shape[0], : alpha.shape[1]]
    weight = alpha / alpha.sum()
    mx, my = (weight * xs).sum(), (weight * ys).sum()
    cxx = (weight * (xs - mx) ** 2).sum()
    cyy = (weight * (ys - my) ** 2).sum()
    cxy = (weight * (xs - mx) * (ys - my)).sum()
    return float(np.degrees(0.5 * np.arctan2(2 * cxy, cxx - cyy)))


def normalise(alpha: np.ndarray, name: str = "the texture") -> tuple[np.ndarray, float]:
    """The stroke rotated to lie along x, cropped to its ink and resampled to TEXTURE_SIZE with a clear
    one-texel border. Returns the texture (H, W) in [0, 1] and the stroke's thickness / length."""
    angle = principal_angle(alpha)
    # ndimage.rotate turns counter-clockwise in array (row, column) axes, i.e. clockwise on screen
    # with y down; the principal angle is measured the same way, so rotating by it levels the axis.
    level = np.clip(ndimage.rotate(alpha, angle, reshape=True, order=1, mode="constant"), 0, 1)
    rows, cols = np.nonzero(level > 0.05)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    length, thickness = right - left, bottom - top
    if length < MIN_LENGTH:
        raise ValueError(f"{name} holds no stroke: the patch of paint is only {length} px long")
    crop = level[top:bottom, left:right]
    h, w = TEXTURE_SIZE
    inner = Image.fromarray(crop.astype(np.float32), mode="F").resize((w - 2, h - 2), Image.Resampling.BOX)
    texture = np.zeros(TEXTURE_SIZE, dtype=np.float32)
    texture[1:-1, 1:-1] = np.clip(np.asarray(inner), 0, 1)
    # A brush lands with the most paint and runs dry: put the heavier end first, where the stroke starts.
    if texture[:, w // 2 :].sum() > texture[:, : w // 2].sum():
        texture = texture[:, ::-1].copy()
    return texture, thickness / length


def texture_from_image(path: str | Path) -> tuple[np.ndarray, float]:
    """The normalised texture (H, W) and thickness / length of the stroke in the image at `path`."""
    name = f"the texture {str(path)!r}"
    alpha = largest_stroke(paint_alpha(open_stroke_image(path), name), name)
    return normalise(alpha, name)


def make_brush(name: str, texture_path: str | Path, like: str = "oilpaint", two_colour: bool = False) -> ScannedBrush:
    """A brush made from the stroke in the image at `texture_path` (not saved; see save_brush)."""
    if brushes.is_builtin(name):
        raise ValueError(f"{name!r} is a built-in brush; give your brush another name")
    texture, aspect = texture_from_image(texture_path)
    return ScannedBrush(name, texture, aspect, like, two_colour)


def save_brush(brush: ScannedBrush, source: str, replace: bool = False) -> Path:
    """Write the brush into the user folder as <name>/brush.json and texture.png, all or nothing (a
    folder built beside it, then renamed into place). FileExistsError-like ValueError if a brush of
    that name is there and `replace` is off. Returns the brush's folder."""
    root = user_brush_dir()
    folder = root / brush.name
    if folder.exists() and not replace:
        raise ValueError(f"a brush named {brush.name!r} exists; remove it first: paint brushes remove {brush.name}")
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{brush.name}-", dir=root))
    staging.chmod(0o755)  # mkdtemp's folder is private; a brush folder is an ordinary one
    try:
        Image.fromarray((brush.texture * 255 + 0.5).astype(np.uint8), mode="L").save(staging / TEXTURE_FILE)
        (staging / SPEC_FILE).write_text(json.dumps(spec_of(brush, source), indent=1) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def remove_brush(name: str) -> Path:
    """Delete the user brush `name` (its folder). ValueError for a built-in brush or an unknown name."""
    if brushes.is_builtin(name):
        raise ValueError(f"{name!r} is a built-in brush; only brushes made with 'paint brushes new' can be removed")
    if not USER_BRUSH_NAME.fullmatch(name):
        raise ValueError(f"no brush of yours is named {name!r}")
    folder = user_brush_dir() / name
    if not folder.is_dir() or not (folder / SPEC_FILE).exists():
        known = ", ".join(brushes.user_brushes()) or "none"
        raise ValueError(f"no brush of yours is named {name!r}; yours: {known}")
    shutil.rmtree(folder)
    return folder
