"""Brushes made from a scan of one real stroke: its texture laid in the stroke's box.

The texture is the stroke's alpha (how much paint there is), normalised to lie along the box's long
axis and fill it (painter.brush_maker makes it from a photo of a dab). A stroke places the texture in
its box (centre, length, thickness, angle) and colours it by one colour, or by two running from the
start to the end. The SVG form embeds the texture once, as a mask every stroke reuses.

Such brushes are data, not modules: each lives in the user folder (brushes.home.user_brush_dir) as
brush.json beside texture.png, and the registry (brushes/__init__.py) reads them from there.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import svgwrite
import torch
import torch.nn.functional as F
from PIL import Image

from brushes.base import Param, check_strokes
from brushes.box import BoxBrush, box_params
from brushes.geometry import box_extent, degrees, pixel_grid, rotate_into
from brushes.home import USER_BRUSH_NAME
from brushes.svg_texture import along_paint, image_mask, shared_def, unit_box_transform

SPEC_FILE, TEXTURE_FILE = "brush.json", "texture.png"
TEXTURE_SIZE = (32, 128)  # (height, width) of a normalised texture: thickness x length, 4:1 as a dab
# What `--like` takes from a built-in brush: the opacity new strokes start at (oil paint is opaque,
# a marker translucent) and how they are described.
LIKE = {
    "oilpaint": (1.0, "opaque paint"),
    "markerpen": (0.8, "translucent ink"),
}
INK = 0.1  # texture alpha below which a texel does not count as ink (for plotter paths)


def one_colour() -> tuple[Param, ...]:
    return (Param("r", "colour", "red"), Param("g", "colour", "green"), Param("b", "colour", "blue"))


def two_colours() -> tuple[Param, ...]:
    return tuple(
        Param(f"{c}{end}", "colour", f"{word} at the {place}")
        for end, place in ((0, "start"), (1, "end"))
        for c, word in (("r", "red"), ("g", "green"), ("b", "blue"))
    )


class ScannedBrush(BoxBrush):
    """A box brush whose look is a texture: alpha (H, W) in [0, 1], the stroke's long axis along W."""

    version = 2  # 2: mipmapped sampling (version 1 sampled the full texture at every size)

    def __init__(
        self, name: str, texture: np.ndarray, aspect: float, like: str = "oilpaint", two_colour: bool = False
    ) -> None:
        if not USER_BRUSH_NAME.fullmatch(name):
            raise ValueError(
                f"a brush name is a lower-case letter then letters, digits, - or _ (32 at most); got {name!r}"
            )
        if like not in LIKE:
            raise ValueError(f"unknown brush to be like {like!r}; use one of {', '.join(LIKE)}")
        assert texture.ndim == 2 and texture.min() >= 0 and texture.max() <= 1, texture.shape
        self.name, self.like, self.two_colour, self.aspect = name, like, two_colour, float(aspect)
        self.texture = np.ascontiguousarray(texture, dtype=np.float32)
        self.opacity, kind = LIKE[like]
        colours = "two colours along it" if two_colour else "one colour"
        self.description = f"a scanned stroke ({kind}, {colours})"
        self.params = (
            box_params(
                along=("length", "length along the angle, fraction of the longer side"),
                across=("thickness", "width across the angle, fraction of the longer side"),
                angle="direction, 0..1 maps to 0..180 degrees (clockwise, y down)",
            )
            + (two_colours() if two_colour else one_colour())
            + (Param("alpha", "alpha", "opacity"),)
        )
        # New strokes keep about the scanned stroke's own proportions.
        self.thinness = (max(0.05, 0.8 * self.aspect), min(1.0, 1.25 * self.aspect))
        # The texture halved again and again (mipmaps, each texel the mean of four): a stroke smaller than
        # the texture samples the two levels nearest its scale, as browsers draw a shrunken image;
        # sampling the full texture alone would alias its streaks into a moire.
        level = torch.from_numpy(self.texture)[None, None]  # (1, 1, H, W)
        self._levels = [level]
        while min(level.shape[-2:]) >= 4 and level.shape[-1] % 2 == 0 and level.shape[-2] % 2 == 0:
            level = F.avg_pool2d(level, 2)
            self._levels.append(level)

    # ---- the spec ----------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """As every brush's, plus the texture and the colour layout: a renderer trained on another
        texture under the same name must not load."""
        digest = hashlib.sha256(super().fingerprint().encode())
        digest.update(np.round(self.texture * 255).astype(np.uint8).tobytes())
        return digest.hexdigest()[:16]

    def describe(self) -> dict:
        return {**super().describe(), "like": self.like, "two_colour": self.two_colour, "user": True}

    def colour_params(self, rgb):
        return torch.cat([rgb, rgb], dim=1) if self.two_colour else rgb

    def place(self, xy, rgb, size, height, width, generator=None):
        strokes = super().place(xy, rgb, size, height, width, generator)
        strokes[:, self.column("alpha")] = self.opacity
        return strokes

    def _ends(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Colour at the start and at the end of each stroke, (N, 3) each."""
        if self.two_colour:
            return strokes[:, self.columns("r0", "b0")], strokes[:, self.columns("r1", "b1")]
        colour = strokes[:, self.columns("r", "b")]
        return colour, colour

    # ---- drawing ---------------------------------------------------------------------------------
    def render(self, strokes, height, width, window=None):
        check_strokes(self, strokes)
        xs, ys = pixel_grid(height, width, window, strokes)
        cx, cy, length, thick, theta = (t.view(-1, 1, 1) for t in self._geometry(strokes, height, width))
        u, v = rotate_into(xs, ys, cx, cy, theta)  # (N, h, w) pixels along and across the stroke
        along = u / length.clamp_min(1e-6)  # -0.5..0.5 inside the box
        across = v / thick.clamp_min(1e-6)
        # grid_sample's -1..1 spans the texture's outer edges, as the SVG image spans the unit box; outside
        # it samples zeros (the texture's border is clear), as the SVG mask is clear outside the box.
        grid = torch.stack([2 * along, 2 * across], dim=-1)  # (N, h, w, 2)
        alpha = self._sample(grid, length.view(-1), thick.view(-1))
        start, end = (c[:, :, None, None] for c in self._ends(strokes))  # (N, 3, 1, 1)
        position = (along + 0.5).clamp(0, 1).unsqueeze(1)  # (N, 1, h, w) along the gradient
        colour = start + (end - start) * position
        return colour, alpha * strokes[:, self.column("alpha"), None, None, None]

    def _sample(self, grid: torch.Tensor, length: torch.Tensor, thick: torch.Tensor) -> torch.Tensor:
        """The texture at grid (N, h, w, 2), -1..1 over the box, for boxes length x thick pixels (N,):
        bilinear in the two mipmap levels nearest the box's scale, blended linearly between them.
        Returns alpha (N, 1, h, w)."""
        h, w = self.texture.shape
        texels_per_pixel = torch.maximum(w / length.clamp_min(1e-6), h / thick.clamp_min(1e-6))  # (N,)
        lod = torch.log2(texels_per_pixel.clamp_min(1.0)).clamp(max=len(self._levels) - 1)
        low = lod.detach().floor().long()
        frac = lod - low  # differentiable: a stroke's size moves it between the levels
        alpha = grid.new_zeros(grid.shape[0], 1, *grid.shape[1:3])
        for k in sorted(set(low.tolist()) | {min(k + 1, len(self._levels) - 1) for k in low.tolist()}):
            weight = torch.where(low == k, 1 - frac, torch.zeros_like(frac))
            weight = weight + torch.where((low + 1 == k), frac, torch.zeros_like(frac))
            index = torch.nonzero(weight.detach() > 0).view(-1)
            if len(index) == 0:
                continue
            level = self._levels[k].to(grid.dtype).expand(len(index), -1, -1, -1)
            sampled = F.grid_sample(level, grid[index], mode="bilinear", padding_mode="zeros", align_corners=False)
            alpha = alpha.index_add(0, index, sampled * weight[index].view(-1, 1, 1, 1))
        return alpha

    def extent(self, strokes, height, width):
        return box_extent(*self._geometry(strokes, height, width))

    def ink_boxes(self, along, across):
        """The box around the texture's ink (texels of alpha >= INK), so plotter passes skip its clear margin."""
        rows, cols = np.nonzero(self.texture >= INK)
        if len(rows) == 0:
            return []
        h, w = self.texture.shape
        u0, u1 = cols.min() / w - 0.5, (cols.max() + 1) / w - 0.5
        v0, v1 = rows.min() / h - 0.5, (rows.max() + 1) / h - 0.5
        return [((u0 + u1) / 2 * along, (u1 - u0) / 2 * along, (v0 + v1) / 2 * across, (v1 - v0) / 2 * across)]

    def svg_elements(self, stroke: np.ndarray, height: int, width: int, drawing: svgwrite.Drawing) -> list:
        """A unit square under the stroke's transform, filled with its colour(s) and masked by the texture,
        which the drawing embeds once."""
        cx, cy, length, thick, _ = (float(t) for t in self._geometry(torch.as_tensor(stroke)[None], height, width))
        h, w = self.texture.shape
        transform = unit_box_transform(cx, cy, degrees(stroke[self.column("angle")]), length, thick, box=(w, h))
        start, end = self._ends(torch.as_tensor(stroke)[None])
        mask = shared_def(drawing, f"texture-{self.name}", image_mask(self.texture))
        rect = drawing.rect(
            insert=(-w / 2, -h / 2),
            size=(w, h),
            fill=along_paint(drawing, start[0].tolist(), end[0].tolist(), half=w / 2),
            mask=f"url({mask})",
            transform=transform,
        )
        opacity = stroke[self.column("alpha")]
        if opacity < 1:
            rect["fill-opacity"] = f"{opacity:.4f}"
        return [rect]


# ---- files -----------------------------------------------------------------------------------------
def read_texture(path: Path) -> np.ndarray:
    """A saved texture: (H, W) float32 alpha in [0, 1] from an 8-bit greyscale PNG (white = paint)."""
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def load_scanned(folder: Path) -> ScannedBrush:
    """The brush saved in `folder` (brush.json and texture.png); ValueError naming the file and the
    problem when it is unreadable."""
    spec_path = folder / SPEC_FILE
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        texture = read_texture(folder / TEXTURE_FILE)
        return ScannedBrush(
            spec["name"], texture, float(spec["aspect"]), spec.get("like", "oilpaint"), bool(spec.get("two_colour"))
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"the brush in {str(folder)!r} cannot be read: {err}") from None


def spec_of(brush: ScannedBrush, source: str) -> dict:
    """What brush.json holds for `brush`, made from the image `source`."""
    return {
        "name": brush.name,
        "like": brush.like,
        "two_colour": brush.two_colour,
        "aspect": round(brush.aspect, 4),
        "source": source,
        "texture": TEXTURE_FILE,
    }
