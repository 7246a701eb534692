"""Contract tests that every registered brush must pass."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import cairosvg
import imageio.v3 as iio
import pytest
import torch
from conftest import make_stroke, psnr

import brushes
from brushes.base import GROUPS
from brushes.oilpaint import BRISTLE_TABLE
from painter.canvas import render_painting
from painter.exporters import painting_svg
from painter.files import to_uint8
from painter.strokes import Painting

ALL = brushes.all_brushes()
ids = [b.name for b in ALL]


def test_registry_names_every_brush_of_the_design():
    assert set(brushes.brush_names()) >= {"oilpaint", "markerpen", "watercolor", "rectangle"}
    with pytest.raises(ValueError, match="unknown brush 'crayon'"):
        brushes.get_brush("crayon")


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_spec_is_sane(brush):
    assert len(set(brush.names)) == brush.size
    assert all(p.group in GROUPS for p in brush.params)
    assert brush.indices("shape") and len(brush.indices("colour")) in (3, 6)
    assert brush.indices("alpha") == [brush.size - 1]
    assert sorted(sum((brush.indices(g) for g in GROUPS), [])) == list(range(brush.size))
    assert brush.describe()["params"] == brush.names
    assert brush.kinds("x") and brush.kinds("y") and brush.kinds("size")
    assert len(brush.kinds("x")) == len(brush.kinds("y"))


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_sampling_and_rendering_are_deterministic(brush):
    a = brush.sample(8, torch.Generator().manual_seed(3))
    b = brush.sample(8, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and a.min() >= 0 and a.max() <= 1
    assert not torch.equal(a, brush.sample(8, torch.Generator().manual_seed(4)))
    c1, a1 = brush.render(a, 40, 56)
    c2, a2 = brush.render(a, 40, 56)
    assert torch.equal(c1, c2) and torch.equal(a1, a2)


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_render_shapes_ranges_and_windows(brush):
    strokes = brush.sample(6, torch.Generator().manual_seed(0))
    colour, alpha = brush.render(strokes, 40, 56)
    assert colour.shape == (6, 3, 40, 56) and alpha.shape == (6, 1, 40, 56)
    for t in (colour, alpha):
        assert t.min() >= 0 and t.max() <= 1 and torch.isfinite(t).all()
    assert alpha.sum() > 0
    # A window is exactly the crop of the full canvas.
    wc, wa = brush.render(strokes, 40, 56, window=(5, 9, 20, 30))
    assert torch.allclose(wa, alpha[:, :, 5:25, 9:39], atol=1e-5)
    ink = alpha[:, :, 5:25, 9:39] > 0.01
    assert torch.allclose(
        wc.expand(-1, 3, -1, -1)[ink.expand(-1, 3, -1, -1)],
        colour[:, :, 5:25, 9:39][ink.expand(-1, 3, -1, -1)],
        atol=1e-4,
    )


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_extent_contains_all_ink(brush):
    strokes = brush.sample(20, torch.Generator().manual_seed(1)) * 0.6 + 0.2
    _, alpha = brush.render(strokes, 64, 64)
    bounds = brush.extent(strokes, 64, 64)
    ys, xs = torch.meshgrid(torch.arange(64) + 0.5, torch.arange(64) + 0.5, indexing="ij")
    for i in range(len(strokes)):
        x0, y0, x1, y1 = bounds[i]
        outside = (xs < x0) | (xs > x1) | (ys < y0) | (ys > y1)
        assert float(alpha[i, 0][outside].sum()) < 1e-5


def x_params(brush):
    return [brush.names[i] for i in brush.kinds("x")]


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_stroke_moves_when_its_position_moves(brush):
    base = brush.place(
        torch.tensor([[0.35, 0.5]]), torch.tensor([[0.8, 0.2, 0.1]]), 0.2, 64, 64, torch.Generator().manual_seed(2)
    )
    moved = base.clone()
    for name in x_params(brush):
        moved[0, brush.names.index(name)] += 0.3
    xs = torch.arange(64) + 0.5

    def centroid(stroke):
        _, alpha = brush.render(stroke, 64, 64)
        mass = alpha[0, 0].sum(dim=0)
        return float((mass * xs).sum() / mass.sum())

    assert centroid(moved) - centroid(base) == pytest.approx(0.3 * 64, abs=2.0)


@pytest.mark.parametrize("brush", [b for b in ALL if len(b.indices("colour")) == 6], ids=lambda b: b.name)
def test_colour_runs_from_start_to_end(brush):
    stroke = make_stroke(
        brush,
        x=0.5,
        y=0.5,
        length=0.8,
        thickness=0.2,
        angle=0.0,
        x0=0.1,
        y0=0.5,
        x1=0.5,
        y1=0.5,
        x2=0.9,
        y2=0.5,
        radius_start=0.3,
        radius_end=0.3,
        r0=1,
        g0=0,
        b0=0,
        r1=0,
        g1=0,
        b1=1,
        alpha=1,
    )
    colour, alpha = brush.render(stroke, 64, 64)
    row = colour[0, :, 32]
    assert alpha[0, 0, 32, 16] > 0.5 and alpha[0, 0, 32, 48] > 0.5
    assert row[0, 16] > row[2, 16] + 0.2  # red near the start
    assert row[2, 48] > row[0, 48] + 0.2  # blue near the end


@pytest.mark.parametrize("brush", [b for b in ALL if "radius_start" in b.names], ids=lambda b: b.name)
def test_curve_strokes_taper(brush):
    stroke = make_stroke(
        brush, x0=0.1, y0=0.5, x1=0.5, y1=0.5, x2=0.9, y2=0.5, radius_start=0.5, radius_end=0.1, alpha=1
    )
    _, alpha = brush.render(stroke, 64, 64)
    thickness = (alpha[0, 0] > 0.5).sum(dim=0).float()  # inked pixels per column
    assert thickness[15] > thickness[50] + 4


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_alpha_parameter_sets_opacity(brush):
    opaque = brush.place(
        torch.tensor([[0.5, 0.5]]), torch.tensor([[0.2, 0.4, 0.9]]), 0.5, 64, 64, torch.Generator().manual_seed(5)
    )
    opaque[0, -1] = 1.0
    half = opaque.clone()
    half[0, -1] = 0.5
    _, a1 = brush.render(opaque, 64, 64)
    _, a2 = brush.render(half, 64, 64)
    assert a1.max() == pytest.approx(1.0, abs=1e-4)
    assert torch.allclose(a2, a1 * 0.5, atol=1e-5)


@pytest.mark.parametrize("brush", ALL, ids=ids)
def test_svg_parses_and_agrees_with_raster(brush):
    """300 random strokes at 512 px: raster PNG and cairosvg-rendered SVG agree >= 30 dB."""
    strokes = brush.sample(300, torch.Generator().manual_seed(7))
    painting = Painting(brush, strokes, width=512, height=384, background=(0.95, 0.93, 0.88))
    svg = painting_svg(painting)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("width") == "512" and root.get("height") == "384"
    raster = to_uint8(render_painting(painting))
    vector = iio.imread(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode())))[..., :3]
    assert vector.shape == raster.shape
    assert psnr(raster, vector) >= 30.0


@pytest.mark.parametrize("paint", [0.05, 0.5])
def test_oil_bristles_lighten_in_proportion_to_the_paint(paint):
    # The issue: pale bristle streaks read as scratches across a dark sky. A lighter bristle is glazed with
    # the paint at twice its brightness, so on dark paint it stays dark; darker bristles still show.
    brush = brushes.get_brush("oilpaint")
    stroke = make_stroke(brush, x=0.5, y=0.5, length=0.8, thickness=0.4, angle=0.0, alpha=1)
    stroke[0, brush.columns("r0", "b1")] = paint
    colour, alpha = brush.render(stroke, 64, 64)
    inked = colour[0][:, alpha[0, 0] > 0.99]  # (3, pixels) where the stroke covers fully
    lightest = max(abs(shade) for shade in BRISTLE_TABLE[:, 3] if shade < 0)
    assert float(inked.max()) <= paint * (1 + lightest) + 1e-4  # white glaze: paint + 0.08 * (1 - paint)
    assert float(inked.max()) > paint * (1 + 0.5 * lightest)  # the lighter streaks are there
    assert float(inked.min()) < paint * 0.9  # and the darker ones
