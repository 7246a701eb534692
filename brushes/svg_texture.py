"""SVG strokes that reuse one shared definition of a brush's look, so a file grows by a line per stroke.

A box brush's stroke is its texture laid in a unit box (-0.5..0.5 along and across) and moved into
place by one transform, translate + rotate + scale(length, thickness). The texture is defined once in
the drawing's <defs>: a group of shapes in unit coordinates (oil paint's bristle strips) or a mask
holding an embedded image (a brush made from a scanned stroke). Each stroke then adds one element
pointing at it, plus its own colour gradient when its two end colours differ.
"""

from __future__ import annotations

import base64
import io
import weakref
from collections.abc import Callable

import numpy as np
import svgwrite
from PIL import Image

from brushes.geometry import to_hex

# Ids already defined in each drawing; a set beside the drawing instead of a search of its defs, which
# would make writing n strokes cost n^2.
_DEFINED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shared_def(drawing: svgwrite.Drawing, key: str, make: Callable[[svgwrite.Drawing], object]) -> str:
    """The id `key` of a definition in the drawing's defs, made by `make(drawing)` the first time it is
    asked for (the element `make` returns gets the id). Returns "#key" for an href."""
    defined = _DEFINED.setdefault(drawing, set())
    if key not in defined:
        element = make(drawing)
        element["id"] = key
        drawing.defs.add(element)
        defined.add(key)
    return f"#{key}"


def unit_box_transform(
    cx: float, cy: float, angle_degrees: float, along: float, across: float, box: tuple[float, float] = (1.0, 1.0)
) -> str:
    """The SVG transform taking a box of `box` (width, height) units centred at 0 to a stroke centred at
    cx, cy (pixels), rotated by angle_degrees (clockwise, y down), `along` x `across` pixels."""
    sx, sy = max(along, 1e-4) / box[0], max(across, 1e-4) / box[1]
    return f"translate({cx:.2f},{cy:.2f}) rotate({angle_degrees:.2f}) scale({sx:.5g},{sy:.5g})"


def along_paint(drawing: svgwrite.Drawing, start, end, half: float = 0.5) -> str:
    """A fill running from colour `start` at -half to `end` at +half along x (each three values in [0, 1]);
    a flat colour when both are the same hex. The gradient is in the box's own coordinates
    (userSpaceOnUse under the stroke's transform), so strokes of any size share one shape of it."""
    first, last = to_hex(start), to_hex(end)
    if first == last:
        return first
    count = _DEFINED.setdefault(drawing, set())
    key = f"g{len(count)}"
    gradient = drawing.linearGradient(start=(-half, 0), end=(half, 0), gradientUnits="userSpaceOnUse", id=key)
    gradient.add_stop_color(0, first)
    gradient.add_stop_color(1, last)
    drawing.defs.add(gradient)
    count.add(key)
    return f"url(#{key})"


def png_data_uri(alpha: np.ndarray) -> str:
    """A data: URI of an 8-bit PNG, white with opacity `alpha` (H, W) in [0, 1]."""
    buffer = io.BytesIO()
    grey = (np.clip(alpha, 0, 1) * 255 + 0.5).astype(np.uint8)
    white = np.full_like(grey, 255)
    Image.fromarray(np.stack([white, grey], axis=-1), mode="LA").save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_mask(alpha: np.ndarray) -> Callable[[svgwrite.Drawing], object]:
    """A maker (for shared_def) of a mask of the image `alpha` (H, W in [0, 1]), one unit a texel, centred
    at 0: strokes map a W x H box onto themselves (unit_box_transform with box=(W, H)).

    The image is white with opacity `alpha`, so a luminance mask (browsers) and an alpha mask (cairosvg)
    agree. In user space: cairosvg renders mask content to a surface of the mask's size in units, so a
    1 x 1 unit box would be one pixel blurred over the stroke, and it does not place objectBoundingBox
    content."""
    uri = png_data_uri(alpha)
    h, w = alpha.shape

    def make(drawing: svgwrite.Drawing):
        mask = drawing.mask(x=-w / 2, y=-h / 2, width=w, height=h, maskUnits="userSpaceOnUse")
        mask.add(drawing.image(href=uri, insert=(-w / 2, -h / 2), size=(w, h), preserveAspectRatio="none"))
        return mask

    return make
