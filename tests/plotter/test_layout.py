"""painter.plotter.layout: paper sizes and fitting the canvas on the paper."""

from __future__ import annotations

import pytest

from painter.plotter.layout import PAPERS, fit_layout, parse_paper


def test_layout_fits_and_centres_the_canvas():
    assert parse_paper("A4") == PAPERS["a4"] and parse_paper("300x200mm") == (300.0, 200.0)
    for bad in ("b5", "300x200", "0x10mm", ""):
        with pytest.raises(ValueError, match="paper"):
            parse_paper(bad)
    wide = fit_layout(PAPERS["a4"], 10, "auto", 400, 200)
    assert (wide.paper_width, wide.paper_height) == (297.0, 210.0)
    x0, y0, x1, y1 = wide.drawing_box
    assert x0 == pytest.approx(10) and x1 == pytest.approx(287)  # fills the width, the limiting side
    assert (y0 + y1) / 2 == pytest.approx(105) and y0 >= 10
    tall = fit_layout(PAPERS["a4"], 10, "portrait", 400, 200)
    assert tall.paper_width == 210.0 and tall.drawing_box[2] == pytest.approx(200)
    with pytest.raises(ValueError, match="too small"):
        fit_layout(PAPERS["a4"], 105, "auto", 10, 10)
