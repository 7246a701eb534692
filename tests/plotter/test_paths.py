"""painter.plotter.paths: clipping machine paths to the canvas."""

from __future__ import annotations

import numpy as np

from painter.plotter.paths import clip_polyline


def test_clipping_keeps_the_inside_parts():
    line = np.array([[-5.0, 5], [5, 5], [15, 5], [15, 8], [5, 8]])
    pieces = clip_polyline(line, (0, 0, 10, 10))
    assert [p.tolist() for p in pieces] == [[[0, 5], [5, 5], [10, 5]], [[10, 8], [5, 8]]]
    assert clip_polyline(np.array([[20.0, 20], [30, 30]]), (0, 0, 10, 10)) == []
