"""Plottable defaults: hidden parts left out (painter/plotter/visible.py) and the plot's figures
(painter/plotter/estimate.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import brushes
from painter.plotter import PlotSettings, plan_plot
from painter.plotter.estimate import Pace, plot_report, translucent_strokes
from painter.plotter.visible import visible_pieces
from painter.strokes import Painting

RECT = brushes.get_brush("rectangle")


def rectangles(*rows: tuple[float, ...]) -> Painting:
    """Rectangles from (x, y, width, height, r, g, b, alpha) rows, angle 0, on a 300 x 200 canvas."""
    values = [dict(zip(["x", "y", "width", "height", "r", "g", "b", "alpha"], row, strict=True)) for row in rows]
    strokes = torch.tensor([[v.get(name, 0.0) for name in RECT.names] for v in values])
    return Painting(RECT, strokes, 300, 200)


def test_visible_pieces_are_cut_where_hidden_and_keep_the_vertices():
    path = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 4.0]])
    pieces = visible_pieces(path, lambda p: (p[:, 0] < 3) | (p[:, 1] > 1), 0.1)
    assert len(pieces) == 2
    assert pieces[0][0] == pytest.approx([0, 0]) and pieces[0][-1][0] == pytest.approx(3, abs=0.15)
    assert pieces[1][0][1] == pytest.approx(1, abs=0.15) and pieces[1][-1] == pytest.approx([10, 4])
    assert len(pieces[0]) == 2 and len(pieces[1]) == 2  # the samples between are not kept
    (whole,) = visible_pieces(path, lambda p: np.ones(len(p), dtype=bool), 0.1)
    assert np.array_equal(whole, path)


def inside_box(points: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return (points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)


@pytest.mark.parametrize("alpha, hidden", [(1.0, True), (0.9, True), (0.5, False)])
def test_a_stroke_on_top_hides_what_it_covers(alpha, hidden):
    # a wide dark bar, then a small light square on its middle; the square is 0.2 x 0.2 of the long side
    painting = rectangles((0.5, 0.5, 0.8, 0.5, 0.1, 0.1, 0.1, 1.0), (0.5, 0.5, 0.2, 0.2, 0.9, 0.9, 0.9, alpha))
    plot = plan_plot(painting, PlotSettings(pens=2, tool_width=1.0))
    raw = plan_plot(painting, PlotSettings(pens=2, tool_width=1.0, hide_covered=False))
    dark = next(layer for layer in plot.layers if sum(layer.pen.colour) < 1)
    layout = plot.layout
    half = 0.2 * 300 * layout.scale / 2 - 1.5  # mm: the square, less a tool width and a join
    cx, cy = layout.left + 150 * layout.scale, layout.top + 100 * layout.scale
    square = (cx - half, cy - half, cx + half, cy + half)
    points = [p[:-1] + t * np.diff(p, axis=0) for p in dark.paths for t in np.linspace(0, 1, 9)]  # along each path
    under = inside_box(np.concatenate(points), square).sum()
    assert (under == 0) == hidden
    assert (plot.stats.pen_down < 0.95 * raw.stats.pen_down) == hidden  # the square is a tenth of the bar


def test_report_counts_lifts_time_cover_and_translucent_strokes():
    painting = rectangles((0.5, 0.5, 0.8, 0.5, 0.1, 0.1, 0.1, 1.0), (0.3, 0.3, 0.1, 0.1, 0.9, 0.2, 0.2, 0.6))
    assert translucent_strokes(painting) == 1
    plot = plan_plot(painting, PlotSettings(pens=2, tool_width=1.0, hide_covered=False, join=0.0))
    pace = Pace(draw=1000, travel=2000, lift=0.5, pen_change=20)
    r = plot_report(painting, plot, pace)
    assert r.lifts == plot.stats.paths and r.translucent == 1 and r.strokes == 2
    expected = (r.drawn / 1000 + plot.stats.pen_up_final / 2000) + (r.lifts * 0.5 + 20) / 60
    assert r.minutes == pytest.approx(expected)
    box = plot.layout.drawing_box
    area = (box[2] - box[0]) * (box[3] - box[1])
    assert r.overdraw == pytest.approx(r.drawn / area)  # a 1 mm tool
    assert 0.55 < r.overdraw < 0.7  # 240 x 150 of 300 x 200 px, plus a little of the small one
    with pytest.raises(ValueError, match="the draw speed must be a positive"):
        Pace(draw=0)
