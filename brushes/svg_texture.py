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


def unit_box_transform(cx: float, cy: float, angle_degrees: float, along: float, across: float) -> str:
    """The SVG transform taking the unit box (-0.5..0.5 both ways) to a stroke centred at cx, cy (pixels),
    rotated by angle_degrees (clockwise, y down), `along` x `across` pixels."""
    return (
        f"translate({cx:.2f},{cy:.2f}) rotate({angle_degrees:.2f}) "
        f"scale({max(along, 1e-4):.3f},{max(across, 1e-4):.3f})"
    )


def along_paint(drawing: svgwrite.Drawing, start, end) -> str:
    """A fill running from colour `start` at the unit box's start to `end` at its end (each three
    values in [0, 1]); a flat colour when both are the same hex. The gradient is in the unit box's own
    coordinates (userSpaceOnUse under the stroke's transform), so shapes of any size share it."""
    first, last = to_hex(start), to_hex(end)
    if first == last:
        return first
    count = _DEFINED.setdefault(drawing, set())
    key = f"g{len(count)}"
    gradient = drawing.linearGradient(start=(-0.5, 0), end=(0.5, 0), gradientUnits="userSpaceOnUse", id=key)
    gradient.add_stop_color(0, first)
    gradient.add_stop_color(1, last)
    drawing.defs.add(gradient)
    count.add(key)
    return f"url(#{key})"


def png_data_uri(grey: np.ndarray) -> str:
    """A data: URI of an 8-bit greyscale PNG of `grey` (H, W) in [0, 1]."""
    buffer = io.BytesIO()
    pixels = (np.clip(grey, 0, 1) * 255 + 0.5).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_mask(alpha: np.ndarray) -> Callable[[svgwrite.Drawing], object]:
    """A maker (for shared_def) of a luminance mask that stretches the image `alpha` (H, W in [0, 1],
    white = paint) over the bounding box of whatever it masks, which for a stroke is its unit box."""
    uri = png_data_uri(alpha)

    def make(drawing: svgwrite.Drawing):
        mask = drawing.mask(
            insert=(0, 0), size=(1, 1), maskUnits="objectBoundingBox", maskContentUnits="objectBoundingBox"
        )
        mask.add(drawing.image(href=uri, insert=(0, 0), size=(1, 1), preserveAspectRatio="none"))
        return mask

    return make
