"""painter.canvas: the one colour parser (canvas colours and plotter palettes)."""

from __future__ import annotations

import pytest

from painter.canvas import parse_colour
from painter.plotter.palette import parse_palette


@pytest.mark.parametrize(
    "text, rgb",
    [
        ("white", (1.0, 1.0, 1.0)),
        (" Black ", (0.0, 0.0, 0.0)),
        ("#ff8000", (1.0, 128 / 255, 0.0)),
        ("#FF8000", (1.0, 128 / 255, 0.0)),
        ("ff8000", (1.0, 128 / 255, 0.0)),  # no '#': an unquoted '#' starts a shell comment
        ("#f80", (1.0, 136 / 255, 0.0)),  # CSS's short form: each digit doubled
    ],
)
def test_colours_parse(text, rgb):
    assert parse_colour(text) == pytest.approx(rgb)


@pytest.mark.parametrize("text", ["", "mauve", "#12", "#1234", "#00000g", "##ffffff", "#ff80000"])
def test_bad_colours_are_named(text):
    with pytest.raises(ValueError, match=f"bad colour {text!r}; use white, black, #rrggbb or #rgb"):
        parse_colour(text)


def test_palettes_take_the_same_colours():
    assert parse_palette("white,#f80,000000").tolist() == [[1, 1, 1], [1, 136 / 255, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="palette colour 'mauve' in '#fff,mauve' is not a colour"):
        parse_palette("#fff,mauve")
