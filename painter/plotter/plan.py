"""The plot plan: a painting turned into pen layers of ordered machine paths on paper, with the
distances a machine travels. Writers and the preview read a Plot; nothing here writes files."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from painter.plotter.layout import ORIENTATIONS, Layout, fit_layout, parse_paper
from painter.plotter.order import insert_redips, join_paths, order_paths, pen_down_distance, pen_up_distance
from painter.plotter.palette import Pen, match_palette, own_pens, parse_palette, quantise
from painter.plotter.paths import stroke_colours, stroke_paths
from painter.plotter.sequence import pen_runs, stroke_boxes
from painter.plotter.visible import hide_covered
from painter.strokes import Painting

CORNERS = ("top-left", "bottom-left")
WELL_REACH = 1_000.0  # mm: the paint well stands beside the paper, within a metre of its edges
MIN_REDIP = 1.0  # mm: shorter cuts every path into near-points and the plan grows without bound
# mm: paths grow as 1 / width and ordering them faster still: a 300-stroke painting on A4 planned in 17 s at
# 1 mm (1,389 paths), 160 s at 0.3 mm (4,824 paths) and did not finish in 300 s at 0.1 mm (2 shared cores).
MIN_TOOL_WIDTH = 0.3
REDIP_WARN_GROWTH = 10.0  # trips that multiply the paths this much are a mistake: 1 mm on 30 strokes, 110x, 10 MB
DEFAULT_PENS = 4  # a small pen set, for a painting in any colours
JOIN_TOOL_WIDTHS = 1.5  # the default join: neighbouring passes sit one tool width apart, so they join


@dataclass(frozen=True)
class PlotSettings:
    """How to lay a painting out for a machine. Lengths in mm."""

    paper: str = "a4"  # the commonest plotter paper
    margin: float = 10.0  # clear of the clips or tape that hold the paper down
    orientation: str = "auto"  # follow the painting's shape, so it comes out as large as possible
    tool_width: float = 1.0  # a fine felt pen or a round size-2 brush
    # Pens to quantise the colours to; None: the painting's own colours when it was painted in a palette
    # (`paint --palette`, see palette.own_pens), else DEFAULT_PENS. Ignored when a palette is given.
    pens: int | None = None
    palette: str | None = None  # the user's own colours, '#rrggbb,...'; overrides `pens`
    dark_first: bool = False  # light first: dark lines drawn last stay crisp over light ones
    keep_order: bool = False  # opaque paint: keep which stroke lies on top, at the cost of more pen changes
    reverse: bool = True  # a pen draws the same both ways; a tapering brush may not, so it can be turned off
    join: float | None = None  # keep the tool down across gaps up to this long (None: JOIN_TOOL_WIDTHS tools)
    redip_every: float | None = None  # mm painted between trips to the paint well; None: no trips
    paint_well: tuple[float, float] | None = None  # the well, mm from the paper's bottom-left corner
    origin: str = "bottom-left"  # the machine's home corner: where it parks and starts
    hide_covered: bool = True  # a pen cannot cover ink: leave out what later strokes hide (plotter/visible.py)

    def __post_init__(self) -> None:
        """Every value checked here, before any work: ValueError naming the field and the value."""
        short, long = sorted(parse_paper(self.paper))
        if not 0 <= self.margin < math.inf:
            raise ValueError(f"margin must be zero or more millimetres, got {self.margin}")
        if self.orientation not in ORIENTATIONS:
            raise ValueError(f"unknown orientation {self.orientation!r}; use one of {', '.join(ORIENTATIONS)}")
        if not MIN_TOOL_WIDTH <= self.tool_width <= short:
            raise ValueError(
                f"tool_width must be at least {MIN_TOOL_WIDTH:g} mm (finer tools multiply the paths and the time to "
                f"plan them) and at most the paper's short side ({short:g} mm), got {self.tool_width:g}"
            )
        if self.pens is not None and (isinstance(self.pens, bool) or not isinstance(self.pens, int) or self.pens < 1):
            raise ValueError(f"the number of pens must be at least 1, got {self.pens!r}")
        if self.palette is not None:
            parse_palette(self.palette)
        if self.join is not None and not 0 <= self.join < math.inf:
            raise ValueError(f"join must be zero or more millimetres, got {self.join}")
        if self.redip_every is not None:
            if not MIN_REDIP <= self.redip_every < math.inf:
                raise ValueError(f"redip_every must be at least {MIN_REDIP:g} mm, got {self.redip_every}")
            if self.paint_well is None:
                raise ValueError("redip_every needs paint_well, the position of the paint well")
        if self.paint_well is not None:
            x, y = self.paint_well
            if not all(-WELL_REACH <= v <= long + WELL_REACH for v in (x, y)):
                raise ValueError(
                    f"paint_well ({x:g}, {y:g}) mm is not within {WELL_REACH:g} mm of the {self.paper} paper"
                )
        if self.origin not in CORNERS:
            raise ValueError(f"unknown machine origin {self.origin!r}; use one of {', '.join(CORNERS)}")


@dataclass
class Layer:
    """One pen's paths in plot order, each (K, 2) mm on paper (origin top-left, y down), and the
    indices of the paths before which the tool visits the paint well."""

    pen: Pen
    paths: list[np.ndarray]
    dips: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PlotStats:
    """Distances in mm: drawn before and after ordering (joining draws across the gaps it closes),
    pen-up travel in painting order and after ordering and joining (both without well trips), and
    the travel of the final plan including its well trips. `paths` counts pen-down paths in the
    final plan."""

    layers: int
    paths: int
    pen_down_before: float
    pen_down: float
    pen_up_before: float
    pen_up_after: float
    redips: int
    pen_up_final: float

    @property
    def redip_growth(self) -> float:
        """How many times more paths the well trips made: each trip cuts a path in two."""
        return self.paths / max(1, self.paths - self.redips)

    def redip_warning(self, every: float, size_bytes: int) -> str | None:
        """A warning when trips every `every` mm multiply the paths REDIP_WARN_GROWTH times or more (the
        file written was `size_bytes`); None otherwise."""
        if self.redip_growth < REDIP_WARN_GROWTH:
            return None
        return (
            f"redip every {every:g} mm makes {self.redips:,} trips to the paint well, {self.redip_growth:.0f} times "
            f"the {self.paths - self.redips:,} paths painted, and a {size_bytes / 1e6:.1f} MB file; --redip-every "
            "is the millimetres painted between trips"
        )


@dataclass
class Plot:
    """Everything a writer needs: the layout, layers in plot order, tool width (mm), home and paint
    well (mm, paper coordinates) and the travel figures."""

    layout: Layout
    layers: list[Layer]
    tool_width: float
    home: tuple[float, float]
    well: tuple[float, float] | None
    stats: PlotStats


def plan_plot(painting: Painting, settings: PlotSettings) -> Plot:
    """Lay out, assign pens, order and (optionally) add well trips. The settings were checked when made.
    A painting without visible strokes gives a plot without layers."""
    paper = parse_paper(settings.paper)
    palette = parse_palette(settings.palette) if settings.palette is not None else None
    join = JOIN_TOOL_WIDTHS * settings.tool_width if settings.join is None else settings.join
    layout = fit_layout(paper, settings.margin, settings.orientation, painting.width, painting.height)
    home = (0.0, 0.0) if settings.origin == "top-left" else (0.0, layout.paper_height)
    well = None
    if settings.paint_well is not None:
        well = (float(settings.paint_well[0]), layout.paper_height - float(settings.paint_well[1]))

    per_stroke = stroke_paths(painting, layout, settings.tool_width)
    if settings.hide_covered:
        per_stroke = hide_covered(painting, layout, per_stroke, settings.tool_width)
    drawn = [i for i, paths in enumerate(per_stroke) if paths]  # transparent and off-canvas strokes draw nothing
    colours = stroke_colours(painting)[drawn]
    if palette is not None:
        pens, numbers = match_palette(colours, palette, settings.dark_first)
    elif settings.pens is None and (own := own_pens(colours, settings.dark_first)) is not None:
        pens, numbers = own  # painted in a palette: its colours are the pens, exactly
    else:
        # Each stroke counts by the ink it puts on paper (its drawn length, hidden parts removed): the many
        # small strokes of a detailed painting then do not pull the pens away from the colours that show.
        ink = np.array([pen_down_distance(per_stroke[i]) for i in drawn])
        pens, numbers = quantise(colours, settings.pens or DEFAULT_PENS, settings.dark_first, weights=ink)

    if settings.keep_order:  # a layer per run of one pen that keeps every overlap the right way up
        boxes = stroke_boxes([per_stroke[i] for i in drawn], settings.tool_width)
        by_number = {pen.number: pen for pen in pens}
        runs = pen_runs(boxes, numbers, [pen.number for pen in pens])
        groups = [(by_number[number], [drawn[k] for k in members]) for number, members in runs]
    else:  # a layer per pen
        groups = [(pen, [i for i, n in zip(drawn, numbers, strict=True) if n == pen.number]) for pen in pens]

    layers, down_before, before, after, final = [], 0.0, 0.0, 0.0, 0.0
    for pen, strokes in groups:
        paths = [path for i in strokes for path in per_stroke[i]]
        ordered = order_paths(paths, home, settings.reverse)
        if join > 0:
            ordered = join_paths(ordered, join)
        down_before += pen_down_distance(paths)
        before += pen_up_distance(paths, home)
        after += pen_up_distance(ordered, home)
        dips: list[int] = []
        if settings.redip_every is not None:
            ordered, dips = insert_redips(ordered, settings.redip_every)
        final += pen_up_distance(ordered, home, well, dips)
        layers.append(Layer(pen, ordered, dips))
    stats = PlotStats(
        layers=len(layers),
        paths=sum(len(layer.paths) for layer in layers),
        pen_down_before=down_before,
        pen_down=sum(pen_down_distance(layer.paths) for layer in layers),
        pen_up_before=before,
        pen_up_after=after,
        redips=sum(len(layer.dips) for layer in layers),
        pen_up_final=final,
    )
    return Plot(layout, layers, settings.tool_width, home, well, stats)
