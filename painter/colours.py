"""The one colour parser (canvas colours, palettes), kept free of torch so that checking settings is instant."""

from __future__ import annotations

import re

NAMED_COLOURS = {"white": (1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0)}
# The canvas colour that is not a colour: a ground toned to the photo's mean colour (painter.canvas.ground_colour)
TONED = "auto"
_HEX = re.compile(r"^#?([0-9a-f]{6}|[0-9a-f]{3})$")


def parse_colour(text: str) -> tuple[float, float, float]:
    """A colour as (r, g, b) in [0, 1] from 'white', 'black', '#rrggbb' or '#rgb' (CSS's short form, each
    digit doubled), any case; the '#' may be left out, as an unquoted '#' starts a shell comment.
    ValueError naming the bad value. The one colour parser: the canvas and plotter palettes use it."""
    key = text.strip().lower()
    if key in NAMED_COLOURS:
        return NAMED_COLOURS[key]
    match = _HEX.match(key)
    if not match:
        raise ValueError(f"bad colour {text!r}; use white, black, #rrggbb or #rgb")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]
