"""painter.canvas: exact drawing in batched windows, and the one colour parser (canvas colours and plotter
palettes)."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
import torch

import brushes
from painter import canvas, files
from painter.canvas import blank_canvas, draw, ground_colour, parse_colour, render_painting, stroke_windows
from painter.exporters import write_png
from painter.files import to_uint8
from painter.plotter.palette import parse_palette
from painter.strokes import Painting


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


def test_the_toned_ground_is_the_photos_mean_colour_and_paper_stays_white():
    photo = torch.zeros(3, 4, 6)
    photo[0] = 0.2
    photo[1, :, :3] = 1.0  # half the pixels: a mean of 0.5
    assert ground_colour("auto", photo) == pytest.approx((0.2, 0.5, 0.0))
    assert ground_colour("auto", photo, paper=True) == (1.0, 1.0, 1.0)  # a palette's pens go on white paper
    assert ground_colour("auto") == (1.0, 1.0, 1.0)  # before there is a photo: its transparency goes on white
    assert ground_colour("#336699", photo, paper=True) == pytest.approx(parse_colour("#336699"))  # as given


def test_palettes_take_the_same_colours():
    assert parse_palette("white,#f80,000000").tolist() == [[1, 1, 1], [1, 136 / 255, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="palette colour 'mauve' in '#fff,mauve' is not a colour"):
        parse_palette("#fff,mauve")


def _one_call_per_stroke(brush, strokes, image):
    """The plain way to draw: each stroke alone, in its own pixel bounds clipped to the canvas."""
    _, height, width = image.shape
    for i, (x0, y0, x1, y1) in enumerate(brush.extent(strokes, height, width).floor().long().tolist()):
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1 + 1, width), min(y1 + 1, height)
        if x1 > x0 and y1 > y0:
            colour, alpha = brush.render(strokes[i : i + 1], height, width, window=(y0, x0, y1 - y0, x1 - x0))
            image[:, y0:y1, x0:x1] = image[:, y0:y1, x0:x1] * (1 - alpha[0]) + colour[0] * alpha[0]
    return image


@pytest.mark.parametrize("brush", brushes.all_brushes(), ids=lambda b: b.name)
@pytest.mark.parametrize("height, width", [(90, 140), (7, 40)])
def test_batched_drawing_is_drawing_stroke_by_stroke(brush, height, width, monkeypatch):
    generator = torch.Generator().manual_seed(5)
    strokes = brush.sample(120, generator)
    sizes = brush.kinds("size")
    strokes[:, sizes] *= torch.rand(120, 1, generator=generator) ** 2  # mostly small, some large
    strokes[:5, brush.kinds("x")] += 1.5  # some off the canvas
    monkeypatch.setattr(canvas, "CHUNK_PIXELS", 20_000)  # several runs between compositing
    expected = _one_call_per_stroke(brush, strokes, blank_canvas(height, width, (0.2, 0.5, 0.9)))
    drawn = draw(brush, strokes, blank_canvas(height, width, (0.2, 0.5, 0.9)))
    torch.testing.assert_close(drawn, expected, rtol=0, atol=1e-6)


def test_windows_hold_their_strokes_inside_the_canvas():
    brush = brushes.get_brush("oilpaint")
    strokes = brush.sample(300, torch.Generator().manual_seed(2))
    height, width = 64, 100
    windows = stroke_windows(brush, strokes, height, width)
    bounds = brush.extent(strokes, height, width).floor().long()
    top, left, h, w = windows.T
    on = (h > 0) & (w > 0)
    assert on.sum() > 250
    assert (top[on] >= 0).all() and (left[on] >= 0).all()
    assert (top + h <= height).all() and (left + w <= width).all()
    # Every drawn pixel of a stroke lies in its window.
    assert (top[on] <= bounds[on, 1].clamp(0, height)).all() and (left[on] <= bounds[on, 0].clamp(0, width)).all()
    assert ((top + h)[on] >= (bounds[on, 3] + 1).clamp(0, height)).all()
    assert ((left + w)[on] >= (bounds[on, 2] + 1).clamp(0, width)).all()
    assert len({tuple(s) for s in windows[on, 2:].tolist()}) < on.sum() / 3  # shared sizes: few brush calls


@pytest.mark.parametrize("brush", brushes.all_brushes(), ids=lambda b: b.name)
def test_a_render_in_bands_is_the_whole_canvas_render(brush, tmp_path):
    """render_bands (and the PNG written from it) against the float canvas drawn whole, then made 8-bit:
    bands of 9 rows, strokes large enough to cross several band edges, some off the canvas."""
    generator = torch.Generator().manual_seed(7)
    strokes = brush.sample(150, generator)
    strokes[:, brush.kinds("size")] *= torch.rand(150, 1, generator=generator)
    strokes[:5, brush.kinds("x")] += 1.5
    painting = Painting(brush, strokes, 80, 60, (0.2, 0.5, 0.9))
    whole = to_uint8(render_painting(painting, 120))  # (90, 120, 3): 10 bands of 9 rows
    firsts = []
    banded = np.zeros_like(whole)
    for first, band in canvas.render_bands(painting, 120, band_pixels=9 * 120):
        firsts.append(first)
        banded[first : first + len(band)] = band
    assert firsts == list(range(0, 90, 9))
    windows = stroke_windows(brush, strokes.float(), 90, 120)
    crossing = (windows[:, 0] // 9 != (windows[:, 0] + windows[:, 2] - 1) // 9) & (windows[:, 3] > 0)
    assert crossing.sum() > 50
    np.testing.assert_array_equal(banded, whole)  # bit-identical, not merely close
    write_png(painting, tmp_path / "p.png", 120)
    np.testing.assert_array_equal(iio.imread(tmp_path / "p.png"), whole)


def test_to_uint8_converts_a_few_rows_at_a_time_as_it_converted_all_at_once(monkeypatch):
    image = torch.rand(3, 37, 11, generator=torch.Generator().manual_seed(3)) * 1.2 - 0.1  # some out of [0, 1]
    monkeypatch.setattr(files, "CONVERT_ROWS_PIXELS", 5 * 11)  # 8 pieces, the last of 2 rows
    expected = (image.clamp(0, 1).permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(files.to_uint8(image), expected)
