"""painter.plotter.preview: the picture of what the machine will draw."""

from __future__ import annotations

import numpy as np
from plots import placed

import brushes
from painter.plotter import PlotSettings, plan_plot, preview_image
from painter.plotter.preview import MAX_PREVIEW_SIDE, PX_PER_MM, preview_scale


def test_preview_shows_the_pens_on_the_paper():
    plot = plan_plot(placed(brushes.get_brush("rectangle"), 12, seed=17, size=0.2), PlotSettings(pens=2, tool_width=2))
    image = preview_image(plot)
    assert image.shape == (round(plot.layout.paper_height * PX_PER_MM), round(plot.layout.paper_width * PX_PER_MM), 3)
    for layer in plot.layers:
        x, y = (layer.paths[0][0] + layer.paths[0][-1]) / 2 * PX_PER_MM  # a pass's middle
        assert np.abs(image[int(y), int(x)].astype(int) - np.array(layer.pen.colour) * 255).max() < 40


def test_a_large_paper_is_previewed_at_a_bounded_size():
    painting = placed(brushes.get_brush("rectangle"), 5, seed=3, size=0.2)
    plot = plan_plot(painting, PlotSettings(paper="2000x1000mm", pens=2, tool_width=20))
    assert preview_scale(plot) == MAX_PREVIEW_SIDE / 2000 < PX_PER_MM  # 4 px/mm would be 8000 x 4000 px
    assert preview_image(plot).shape == (1000, 2000, 3)
