"""painter.plotter.plan: pens, layers and what is plotted."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from plots import HEIGHT, TOOL, WIDTH, placed, sampled

import brushes
from brushes.geometry import to_hex
from painter.plotter import PlotSettings, plan_plot
from painter.plotter.palette import to_lab
from painter.strokes import Painting


@pytest.mark.parametrize("pens", [1, 3, 6])
def test_one_layer_per_pen_light_first(pens):
    painting = sampled(brushes.get_brush("rectangle"), 60, seed=7)
    plot = plan_plot(painting, PlotSettings(pens=pens, tool_width=TOOL))
    assert len(plot.layers) == plot.stats.layers == pens
    assert [layer.pen.number for layer in plot.layers] == list(range(1, pens + 1))
    lightness = [to_lab(np.array([layer.pen.colour]))[0, 0] for layer in plot.layers]
    assert lightness == sorted(lightness, reverse=True)
    dark = plan_plot(painting, PlotSettings(pens=pens, dark_first=True, tool_width=TOOL))
    assert [to_lab(np.array([layer.pen.colour]))[0, 0] for layer in dark.layers] == pytest.approx(sorted(lightness))


def test_fewer_colours_than_pens_and_the_users_palette():
    colours = torch.tensor([[0.9, 0.1, 0.1], [0.1, 0.1, 0.8]])
    painting = placed(brushes.get_brush("markerpen"), 30, seed=8, colours=colours)
    assert len(plan_plot(painting, PlotSettings(pens=8)).layers) == 2
    plot = plan_plot(painting, PlotSettings(palette="#000000,#0000ff,#ffff00,#ff0000"))
    # Only the red and blue pens are used; they keep their palette positions, light (red) first.
    assert [(layer.pen.number, to_hex(layer.pen.colour)) for layer in plot.layers] == [(4, "#ff0000"), (2, "#0000ff")]


def test_transparent_strokes_are_not_plotted():
    brush = brushes.get_brush("oilpaint")
    painting = placed(brush, 10, seed=9)
    painting.strokes[:5, brush.indices("alpha")] = 0.0
    half = Painting(brush, painting.strokes[5:], WIDTH, HEIGHT)
    settings = PlotSettings(pens=2)
    assert plan_plot(painting, settings).stats.paths == plan_plot(half, settings).stats.paths > 0
