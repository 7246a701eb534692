"""Plotter and painting-robot output: a painting as pen layers of machine paths on paper, written as
G-code, HPGL or a plot SVG, with a preview of what the machine will draw.

    plot = plan_plot(painting, PlotSettings(paper="a4", pens=4, origin=ORIGINS["gcode"]))
    write_plot(plot, "gcode", "out.gcode", Machine(), preview="out.png")  # both files or neither
"""

from __future__ import annotations

from painter.plotter.plan import Layer, Plot, PlotSettings, PlotStats, plan_plot
from painter.plotter.preview import preview_image, write_preview
from painter.plotter.writers import ORIGINS, PLOT_WRITERS, Machine, check_format, write_plot

__all__ = [
    "Layer",
    "Machine",
    "ORIGINS",
    "Plot",
    "PlotSettings",
    "PlotStats",
    "PLOT_WRITERS",
    "check_format",
    "plan_plot",
    "preview_image",
    "write_plot",
    "write_preview",
]
