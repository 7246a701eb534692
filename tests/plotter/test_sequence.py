"""painter.plotter.sequence: pen changes that keep which stroke lies on top."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from plots import HEIGHT, TOOL, WIDTH, parse_gcode, placed

import brushes
from brushes.geometry import to_hex
from painter.plotter import Machine, PlotSettings, plan_plot
from painter.plotter.sequence import pen_runs
from painter.plotter.writers import gcode_text
from painter.strokes import Painting


def test_pen_runs_keep_every_overlap_the_right_way_up():
    rng = np.random.default_rng(21)
    for _ in range(20):
        n = int(rng.integers(1, 60))
        corners = rng.uniform(0, 100, (n, 2))
        boxes = np.concatenate([corners, corners + rng.uniform(1, 30, (n, 2))], axis=1)
        pens = rng.integers(1, 5, n)
        runs = pen_runs(boxes, pens, [1, 2, 3, 4])
        run_of = np.empty(n, dtype=int)
        for r, (pen, members) in enumerate(runs):
            assert (pens[members] == pen).all()
            run_of[members] = r
        assert sorted(k for _, members in runs for k in members) == list(range(n))
        for i in range(n):
            for j in range(i + 1, n):
                overlap = (boxes[i, :2] <= boxes[j, 2:]).all() and (boxes[j, :2] <= boxes[i, 2:]).all()
                if overlap and pens[i] != pens[j]:
                    assert run_of[i] < run_of[j], (i, j)


def test_pen_runs_without_overlaps_need_one_run_per_pen():
    boxes = np.array([[10.0 * k, 0, 10 * k + 5, 5] for k in range(12)])
    pens = np.array([1, 2, 3] * 4)
    runs = pen_runs(boxes, pens, [3, 1, 2])
    assert [pen for pen, _ in runs] == [3, 1, 2] and all(len(members) == 4 for _, members in runs)


def test_keep_order_paints_a_light_stroke_over_a_dark_one():
    brush = brushes.get_brush("rectangle")
    strokes = torch.zeros(2, brush.size)
    strokes[0, :5] = torch.tensor([0.5, 0.5, 0.6, 0.6, 0.0])  # a big dark square, painted first
    strokes[1, :5] = torch.tensor([0.5, 0.5, 0.1, 0.1, 0.0])  # a small light square on top of it
    strokes[0, brush.indices("colour")] = 0.2
    strokes[1, brush.indices("colour")] = 0.8
    strokes[:, brush.indices("alpha")] = 1.0
    painting = Painting(brush, strokes, WIDTH, HEIGHT)
    light_first = plan_plot(painting, PlotSettings(pens=2, tool_width=TOOL))
    layered = plan_plot(painting, PlotSettings(pens=2, tool_width=TOOL, keep_order=True))
    assert [to_hex(layer.pen.colour) for layer in light_first.layers] == ["#cccccc", "#333333"]
    assert [to_hex(layer.pen.colour) for layer in layered.layers] == ["#333333", "#cccccc"]
    assert parse_gcode(gcode_text(layered, Machine()))["pauses"] == 1


def test_keep_order_on_a_painting_changes_pens_more_and_draws_the_same():
    painting = placed(brushes.get_brush("oilpaint"), 40, seed=22, size=0.2)
    plain = plan_plot(painting, PlotSettings(pens=3, tool_width=TOOL))
    layered = plan_plot(painting, PlotSettings(pens=3, tool_width=TOOL, keep_order=True))
    assert len(layered.layers) > len(plain.layers) == 3
    assert layered.stats.paths == plain.stats.paths
    assert layered.stats.pen_down == pytest.approx(plain.stats.pen_down)
    assert {layer.pen for layer in layered.layers} == {layer.pen for layer in plain.layers}
