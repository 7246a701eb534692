"""What a plot will cost on the machine, and what of the painting it cannot keep: drawing time, how many
times the pens cover the paper, and how many strokes are translucent (a pen cannot blend).

    report = plot_report(painting, plot, Pace(draw=1500))
    report.minutes, report.lifts, report.overdraw, report.translucent
"""

from __future__ import annotations

from dataclasses import dataclass

from painter.plotter.order import pen_down_distance
from painter.plotter.plan import Plot
from painter.strokes import Painting

OPAQUE = 0.95  # alpha at or above which a stroke looks opaque: 5% of what is below shows through


@dataclass(frozen=True)
class Pace:
    """How fast the machine works. Speeds in mm/min, times in seconds."""

    draw: float = 1500.0  # pen down: `paint export`'s G-code feed, a felt pen's safe speed
    travel: float = 4000.0  # pen up: an AxiDraw or GRBL plotter's rapid moves, with acceleration
    lift: float = 0.3  # one pen lift and lowering: two servo swings of SERVO_SETTLE_S
    pen_change: float = 30.0  # a person swaps the pen at the pause

    def __post_init__(self) -> None:
        for name in ("draw", "travel"):
            if not getattr(self, name) > 0:
                raise ValueError(f"the {name} speed must be a positive number of mm/min, got {getattr(self, name)}")
        for name in ("lift", "pen_change"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"the {name} time must be zero or more seconds, got {getattr(self, name)}")


@dataclass(frozen=True)
class PlotReport:
    """lifts: pen-down paths (one lift each); drawn and travel in mm; overdraw: drawn length times the
    tool width over the area the painting takes on paper (1 covers it once); minutes at the pace given;
    translucent: strokes below OPAQUE alpha, of `strokes`."""

    lifts: int
    drawn: float
    travel: float
    overdraw: float
    minutes: float
    translucent: int
    strokes: int


def translucent_strokes(painting: Painting) -> int:
    """How many strokes are translucent (alpha below OPAQUE): a pen lays them down opaque."""
    alpha = painting.strokes[:, painting.brush.indices("alpha")]  # (N, 1)
    return int((alpha < OPAQUE).any(dim=1).sum())


def plot_report(painting: Painting, plot: Plot, pace: Pace | None = None) -> PlotReport:
    """The figures of a planned plot of `painting` (see PlotReport)."""
    pace = pace or Pace()
    lifts = sum(len(layer.paths) for layer in plot.layers)
    drawn = sum(pen_down_distance(layer.paths) for layer in plot.layers)
    travel = plot.stats.pen_up_final
    x0, y0, x1, y1 = plot.layout.drawing_box
    overdraw = drawn * plot.tool_width / ((x1 - x0) * (y1 - y0))
    changes = max(len(plot.layers) - 1, 0)
    seconds = 60 * (drawn / pace.draw + travel / pace.travel) + lifts * pace.lift + changes * pace.pen_change
    return PlotReport(lifts, drawn, travel, overdraw, seconds / 60, translucent_strokes(painting), len(painting))
