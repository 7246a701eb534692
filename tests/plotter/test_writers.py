"""painter.plotter.writers: G-code, HPGL and plot SVG, read back by small parsers."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import cairosvg
import numpy as np
import pytest
import torch
from PIL import Image
from plots import BRUSHES, HEIGHT, IDS, INKSCAPE, SVG, TOOL, WIDTH, parse_gcode, parse_hpgl, placed, sampled, svg_layers

import brushes
from brushes.geometry import to_hex
from painter.plotter import Machine, PlotSettings, plan_plot
from painter.plotter.paths import polyline_length
from painter.plotter.writers import HPGL_UNITS_PER_MM, gcode_text, hpgl_text, plot_svg_text
from painter.strokes import Painting


def test_gcode_visits_the_well_at_the_right_spacing():
    painting = placed(brushes.get_brush("watercolor"), 20, seed=12)
    settings = PlotSettings(pens=2, redip_every=40.0, paint_well=(5.0, 5.0))
    plot = plan_plot(painting, settings)
    parsed = parse_gcode(gcode_text(plot, Machine()))
    assert len(parsed["dabs"]) == plot.stats.redips >= 2 + int(plot.stats.pen_down // 40) - 1
    assert all(d == pytest.approx((5.0, 5.0)) for d in parsed["dabs"])
    # Paint drawn between consecutive dips within a layer, read back from the file: 40 mm each.
    spans, drawn = [], None
    for kind, value in parsed["events"]:
        if kind == "pause":
            drawn = None  # a new colour: its first dip loads the brush
        elif kind == "dab":
            if drawn is not None:
                spans.append(drawn)
            drawn = 0.0
        else:
            drawn += polyline_length(value)
    assert len(spans) >= 3 and spans == pytest.approx([40.0] * len(spans), abs=0.01)
    assert 0 < drawn <= 40.01
    assert plot.stats.pen_up_final > plot.stats.pen_up_after


def inside(points: np.ndarray, box: tuple[float, float, float, float], tolerance: float) -> bool:
    x0, y0, x1, y1 = box
    return bool(
        ((points[:, 0] >= x0 - tolerance) & (points[:, 0] <= x1 + tolerance)).all()
        and ((points[:, 1] >= y0 - tolerance) & (points[:, 1] <= y1 + tolerance)).all()
    )


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
@pytest.mark.parametrize("servo", [False, True], ids=["z", "servo"])
def test_gcode_stays_on_the_paper_one_path_per_pass(brush, servo):
    plot = plan_plot(sampled(brush, 25, seed=13), PlotSettings(pens=3, tool_width=TOOL))
    width, height, margin = plot.layout.paper_width, plot.layout.paper_height, plot.layout.margin
    parsed = parse_gcode(gcode_text(plot, Machine(servo=servo)), servo=servo)
    drawn = np.concatenate(parsed["paths"])
    assert inside(drawn, (margin, margin, width - margin, height - margin), 1e-3)
    assert inside(parsed["points"], (0, 0, width, height), 1e-3)
    assert len(parsed["paths"]) == plot.stats.paths
    assert parsed["pauses"] == len(plot.layers) - 1


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_every_painted_pass_is_one_pen_down_path(brush):
    painting = placed(brush, 8, seed=14, size=0.1, spread=(0.4, 0.6))
    plot = plan_plot(painting, PlotSettings(pens=2, tool_width=2.0))
    tool_px = plot.layout.to_canvas(2.0)
    passes = [p for s in painting.strokes.double().numpy() for p in brush.plot_paths(s, HEIGHT, WIDTH, tool_px)]
    assert all(inside(p, (0, 0, WIDTH, HEIGHT), 0) for p in passes)  # nothing clipped in this painting
    assert len(parse_gcode(gcode_text(plot, Machine()))["paths"]) == len(passes)
    assert len(parse_hpgl(hpgl_text(plot))["paths"]) == len(passes)
    assert sum(len(g.findall(f"{SVG}path")) for g in svg_layers(plot_svg_text(plot))) == len(passes)


def test_gcode_flips_y_to_the_bottom_left_origin():
    brush = brushes.get_brush("rectangle")
    stroke = torch.zeros(1, brush.size)
    stroke[0, :5] = torch.tensor([0.1, 0.1, 0.05, 0.02, 0.0])  # a small bar near the canvas's top-left
    stroke[0, brush.indices("alpha")] = 1.0
    plot = plan_plot(Painting(brush, stroke, WIDTH, HEIGHT), PlotSettings(pens=1, margin=0, tool_width=20))
    (path,) = parse_gcode(gcode_text(plot, Machine(pen_up=3, pen_down=-1)), pen_down_z=-1)["paths"]
    assert path[:, 0].max() < 0.3 * plot.layout.paper_width and path[:, 1].min() > 0.7 * plot.layout.paper_height


def test_hpgl_selects_each_pen_and_stays_inside():
    plot = plan_plot(
        sampled(brushes.get_brush("markerpen"), 30, seed=15), PlotSettings(paper="a3", pens=4, tool_width=TOOL)
    )
    parsed = parse_hpgl(hpgl_text(plot))
    assert parsed["pens"] == [layer.pen.number for layer in plot.layers] + [0]
    m, u = plot.layout.margin, HPGL_UNITS_PER_MM
    box = (m * u, m * u, (plot.layout.paper_width - m) * u, (plot.layout.paper_height - m) * u)
    assert inside(np.concatenate(parsed["paths"]), box, 0.5)
    assert len(parsed["paths"]) == plot.stats.paths


def test_plot_svg_has_named_layers_and_renders():
    plot = plan_plot(
        sampled(brushes.get_brush("oilpaint"), 20, seed=16),
        PlotSettings(pens=3, paper="letter", orientation="portrait", tool_width=TOOL),
    )
    text = plot_svg_text(plot)
    root = ET.fromstring(text)
    assert (root.get("width"), root.get("height")) == ("215.9mm", "279.4mm")
    layers = svg_layers(text)
    assert [g.get(f"{INKSCAPE}label") for g in layers] == [
        f"{i + 1} {to_hex(ly.pen.colour)}" for i, ly in enumerate(plot.layers)
    ]
    assert all(re.fullmatch(r"\d+ #[0-9a-f]{6}", g.get(f"{INKSCAPE}label")) for g in layers)
    assert sum(len(g.findall(f"{SVG}path")) for g in layers) == plot.stats.paths
    numbers = [float(v) for g in layers for p in g.findall(f"{SVG}path") for v in re.findall(r"-?[\d.]+", p.get("d"))]
    m, paper = plot.layout.margin, (plot.layout.paper_width, plot.layout.paper_height)
    assert inside(np.array(numbers).reshape(-1, 2), (m, m, paper[0] - m, paper[1] - m), 1e-3)
    image = np.asarray(
        Image.open(io.BytesIO(cairosvg.svg2png(bytestring=text.encode(), output_width=400))).convert("RGBA")
    )
    painted = image[..., 3] > 0
    assert painted.mean() > 0.02
    # Every pen's colour appears in the render.
    for layer in plot.layers:
        target = np.array([round(c * 255) for c in layer.pen.colour])
        assert (np.abs(image[..., :3].astype(int) - target).max(axis=-1) <= 2)[painted].any()
