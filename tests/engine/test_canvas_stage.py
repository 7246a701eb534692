"""The canvas stage: it improves a painting, and strokes hidden under others are moved."""

from __future__ import annotations

import torch

import brushes
from painter.engine.canvas_stage import fit_canvas
from painter.engine.objective import objective_for
from painter.engine.windows import ExactWindows


def test_refine_lowers_the_error():
    brush = brushes.get_brush("rectangle")
    g = torch.Generator().manual_seed(0)
    target = torch.zeros(3, 48, 64)
    target[0, 10:30, 10:40] = 1.0
    target[2, 25:45, 30:60] = 1.0
    strokes = brush.place(torch.rand(8, 2, generator=g), torch.rand(8, 3, generator=g), 0.3, 48, 64, g)
    fit = fit_canvas(ExactWindows(brush), brush, strokes, target, (1.0, 1.0, 1.0), 40, 64, 0.01, objective_for(brush))
    losses = [loss for loss, _ in fit]
    assert losses[-1] < 0.7 * losses[0]


def test_a_hidden_stroke_is_moved_to_where_the_painting_misses():
    brush = brushes.get_brush("rectangle")
    target = torch.ones(3, 48, 64)
    target[:, 4:14, 48:60] = 0.0  # a black patch top right that no stroke covers
    target[:, 20:44, 8:40] = 0.5
    #               x     y     w     h     angle  r    g    b    alpha
    hidden = [0.375, 0.66, 0.2, 0.2, 0.0, 0.2, 0.9, 0.2, 1.0]  # under the next one
    cover = [0.375, 0.66, 0.55, 0.55, 0.0, 0.5, 0.5, 0.5, 1.0]
    strokes = torch.tensor([hidden, cover])

    def reseed(error, n):
        y, x = divmod(int(error.argmax()), error.shape[1])
        return torch.tensor([[(x + 0.5) / error.shape[1], (y + 0.5) / error.shape[0], 0.15, 0.15, 0, 0, 0, 0, 1.0]])

    objective = objective_for(brush)
    *_, (_, after) = fit_canvas(
        ExactWindows(brush), brush, strokes, target, (1, 1, 1), 6, 64, 0.001, objective, reseed=reseed
    )
    assert after.shape == (2, 9)
    assert after[0, 0] > 0.3 and after[0, 1] > 0.3  # the cover stays, now first
    assert after[1, 0] > 0.7 and after[1, 1] < 0.35 and after[1, 5] < 0.1  # the hidden one went to the black patch


def test_a_large_early_stroke_showing_between_later_ones_is_not_taken_for_hidden():
    """The underpainting shows only ~2% of itself between four later tiles, but over more pixels than a
    typical stroke's 3%: taking it out would leave holes. A small stroke wholly under a tile is hidden."""
    from painter.engine.canvas_stage import _hidden

    brush = brushes.get_brush("rectangle")
    #        x     y     w      h      angle r    g    b    alpha
    big = [0.5, 0.5, 1.0, 1.0, 0.0, 0.2, 0.2, 0.2, 1.0]
    small = [0.25, 0.25, 0.1, 0.1, 0.0, 0.9, 0.1, 0.1, 1.0]
    tiles = [[x, y, 0.495, 0.495, 0.0, 0.5, 0.5, 0.5, 1.0] for y in (0.25, 0.75) for x in (0.25, 0.75)]
    strokes = torch.tensor([big, small, *tiles], dtype=torch.double)
    drawer = ExactWindows(brush)
    hidden = _hidden(drawer, strokes, drawer.layout(strokes, 64, 64), 64, 64)
    assert hidden.tolist() == [False, True, False, False, False, False]
