"""painter.plotter.order: path order (checked against brute force), joining and trips to the paint well."""

from __future__ import annotations

import numpy as np
import pytest
from plots import BRUSHES, IDS, TOOL, placed, sampled

import brushes
from painter.plotter import PlotSettings, plan_plot
from painter.plotter.order import (
    insert_redips,
    join_paths,
    nearest_neighbour,
    order_paths,
    pen_down_distance,
    pen_up_distance,
)
from painter.plotter.paths import polyline_length


def canonical(paths: list[np.ndarray], either_way: bool) -> list[tuple]:
    """Paths as sorted tuples; a path and its reverse are the same when `either_way`."""
    keys = []
    for p in paths:
        key = tuple(map(tuple, p))
        keys.append(min(key, key[::-1]) if either_way else key)
    return sorted(keys)


def test_ordering_never_adds_travel_and_keeps_every_path():
    rng = np.random.default_rng(10)
    for _ in range(40):
        paths = [rng.uniform(0, 100, (int(rng.integers(2, 5)), 2)) for _ in range(int(rng.integers(1, 25)))]
        for reverse in (True, False):
            ordered = order_paths(paths, (0.0, 0.0), reverse)
            assert pen_up_distance(ordered, (0.0, 0.0)) <= pen_up_distance(paths, (0.0, 0.0)) + 1e-9
            assert canonical(ordered, reverse) == canonical(paths, reverse)


@pytest.mark.parametrize("reverse", [True, False])
def test_nearest_neighbour_matches_a_brute_force_search(reverse):
    rng = np.random.default_rng(20)
    paths = [rng.uniform(0, 100, (3, 2)) for _ in range(300)]
    position, left, expected = np.zeros(2), list(range(len(paths))), []
    while left:  # the plain O(n^2) greedy walk the k-d tree version must reproduce
        options = [(np.hypot(*(paths[i][0] - position)), i, False) for i in left]
        if reverse:
            options += [(np.hypot(*(paths[i][-1] - position)), i, True) for i in left]
        _, i, backwards = min(options)
        expected.append(paths[i][::-1] if backwards else paths[i])
        left.remove(i)
        position = expected[-1][-1]
    got = nearest_neighbour(paths, (0.0, 0.0), reverse)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_ordering_cuts_pen_up_travel_on_paintings(brush):
    for seed in range(3):
        stats = plan_plot(sampled(brush, 40, seed), PlotSettings(pens=3, tool_width=TOOL)).stats
        assert stats.pen_up_after <= stats.pen_up_before
        assert stats.pen_up_after < 0.8 * stats.pen_up_before  # random strokes: big savings


def test_joining_keeps_the_tool_down_across_small_gaps_only():
    paths = [np.array([[0.0, 0], [10, 0]]), np.array([[10.0, 1], [0, 1]]), np.array([[0.0, 9], [10, 9]])]
    joined = join_paths(paths, 1.0)
    assert [len(p) for p in joined] == [4, 2]  # the 1 mm step is drawn, the 8 mm one is travelled
    assert np.array_equal(np.concatenate(joined), np.concatenate(paths))
    assert pen_down_distance(joined) == pytest.approx(pen_down_distance(paths) + 1.0)
    plain = plan_plot(placed(brushes.get_brush("rectangle"), 20, seed=19, size=0.3), PlotSettings(pens=2))
    fewer = plan_plot(placed(brushes.get_brush("rectangle"), 20, seed=19, size=0.3), PlotSettings(pens=2, join=1.0))
    assert fewer.stats.paths < plain.stats.paths / 2 and fewer.stats.pen_up_after < plain.stats.pen_up_after


def test_redips_cut_paths_every_so_many_millimetres():
    rng = np.random.default_rng(11)
    paths = [np.cumsum(rng.uniform(-5, 5, (int(rng.integers(2, 9)), 2)), axis=0) for _ in range(30)]
    cut, dips = insert_redips(paths, 12.5)
    assert dips[0] == 0
    assert sum(map(polyline_length, cut)) == pytest.approx(sum(map(polyline_length, paths)))
    spans = [sum(polyline_length(p) for p in cut[a:b]) for a, b in zip(dips, dips[1:] + [len(cut)], strict=True)]
    assert spans[:-1] == pytest.approx([12.5] * (len(spans) - 1))
    assert 0 < spans[-1] <= 12.5 + 1e-9
