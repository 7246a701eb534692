"""Runs a painting's schedule over its state: the stages one after another, progress after every step, and
the painting so far at any moment (so an interrupted run still gives a painting)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from brushes import Brush
from painter.engine.block_stage import ExactRenderer
from painter.engine.objective import Objective, objective_for
from painter.engine.schedule import Stage
from painter.engine.seeder import Seeder, edge_flow
from painter.engine.state import PaintingState, RenderFn, Tools
from painter.engine.windows import ExactPixels, ExactWindows, NetworkWindows, PaletteDrawer
from painter.palette import Palette
from painter.strokes import Painting


@dataclass
class Progress:
    """Where the painter is: reported after every optimiser step."""

    step: int  # 1-based, over the whole schedule
    steps: int  # the schedule's steps in all
    strokes: int  # strokes placed so far, the current level's included
    loss: float
    stage: int  # which stage of the schedule, 0-based
    kind: str  # the stage's kind: "block" (one level of blocks) or "canvas" (the whole canvas)
    stage_step: int
    stage_steps: int
    level: int  # the block level (the last one during canvas stages), 1-based
    levels: int


class Painter:
    """Paints `state.target` by running `schedule` with `tools`. Iterate `run()` for progress."""

    def __init__(self, schedule: list[Stage], state: PaintingState, tools: Tools) -> None:
        self.schedule, self.state, self.tools = schedule, state, tools
        self.seconds = [0.0] * len(schedule)  # time spent in each stage so far

    @property
    def total_steps(self) -> int:
        return sum(stage.steps for stage in self.schedule)

    def run(self) -> Iterator[Progress]:
        levels = sum(stage.kind == "block" for stage in self.schedule)
        step, placed, level = 0, 0, 0
        for index, stage in enumerate(self.schedule):
            if stage.kind == "block":
                level, placed = stage.level, placed + stage.count
            started = time.perf_counter()
            for stage_step, loss in enumerate(stage.run(self.state, self.tools), start=1):
                step += 1
                self.seconds[index] += time.perf_counter() - started
                yield Progress(
                    step, self.total_steps, placed, loss, index, stage.kind, stage_step, stage.steps, level, levels
                )
                started = time.perf_counter()
            self.seconds[index] += time.perf_counter() - started

    def painting(self) -> Painting:
        return self.state.painting()

    def describe(self) -> list[dict]:
        """Every stage as it was planned and how long it ran, for metrics.json."""
        return [
            {**stage.describe(), "terms": self.tools.objective.describe(stage.kind), "seconds": round(spent, 2)}
            for stage, spent in zip(self.schedule, self.seconds, strict=True)
        ]


def open_tools(
    brush: Brush,
    net: RenderFn | None,
    resolution: int,
    target: torch.Tensor,
    objective: Objective,
    *,
    seed: int = 0,
    opaque: bool = False,
    palette: Palette | None = None,
    follow_edges: bool = True,
    device: torch.device | None = None,
) -> Tools:
    """What the stages paint `target` (3, H, W) with: `net` (blocks of `resolution` px; None: the brush's
    exact renderer alone) and the brush's own renderer, each drawing in `palette` when one is given.

    New strokes point along the photo's edges (the flow of its structure tensor) with `follow_edges`, as a
    painter lays a flat region in one direction; the optimiser may still turn them."""
    exact = ExactRenderer(brush, resolution)
    block = {"exact": exact} if net is None else {"network": net, "exact": exact}
    drawers = {"exact windows": ExactWindows(brush), "exact pixels": ExactPixels(brush)}
    if net is not None:
        drawers["network"] = NetworkWindows(brush, net.in_precision("auto") if hasattr(net, "in_precision") else net)
    if palette is not None:
        block = {name: palette.render(render) for name, render in block.items()}
        drawers = {name: PaletteDrawer(drawer, palette) for name, drawer in drawers.items()}
    flow = edge_flow(target) if follow_edges and brush.kinds("angle") else None
    seeder = Seeder(brush, torch.Generator().manual_seed(seed), flow, opaque)
    device = device or torch.device("cpu")
    return Tools(brush, resolution, block, drawers, objective, seeder, palette, opaque, device)


def make_painter(
    brush: Brush,
    target: torch.Tensor,
    schedule: list[Stage],
    *,
    net: RenderFn | None = None,
    resolution: int = 64,
    background: tuple[float, float, float] = (1.0, 1.0, 1.0),
    objective: Objective | None = None,
    seed: int = 0,
    opaque: bool = False,
    palette: Palette | None = None,
    attention: torch.Tensor | None = None,
    device: torch.device | None = None,
) -> Painter:
    """A painter of `target` (3, H, W) on a canvas of `background` colour that runs `schedule` (see
    painter.engine.schedule.build_schedule), optimising through `net` (None: the brush's exact renderer)
    for `objective` (default: the photo alone, see objective_for). `attention` (h, w) weighs where a miss
    counts more when strokes are shared out and placed (see painter.engine.attention).

    Example: ``make_painter(brush, photo, build_schedule(brush, 300, 340, 512, ScheduleOptions()), net=net)``."""
    tools = open_tools(
        brush, net, resolution, target, objective or objective_for(brush),
        seed=seed, opaque=opaque, palette=palette, device=device,
    )  # fmt: skip
    return Painter(schedule, PaintingState(target, background, brush, palette, attention=attention), tools)
