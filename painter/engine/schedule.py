"""A painting's schedule: the stages it runs, built from the budget, the canvas size, the brush and the
quality preset. Reading a schedule top to bottom is reading what the painter will do."""

from __future__ import annotations

import math
from dataclasses import dataclass

from brushes import Brush
from painter.engine.block_stage import BlockStage, block_stages
from painter.engine.canvas_stage import CanvasStage
from painter.engine.plan import LevelRules, level_plan
from painter.engine.presets import canvas_steps, preset

Stage = BlockStage | CanvasStage


@dataclass(frozen=True)
class ScheduleOptions:
    """What shapes a schedule besides the budget and the size (all from PaintSettings)."""

    quality: str = "normal"
    neural: bool = True  # optimise through the brush's trained network (else its exact renderer alone)
    steps: int | None = None  # steps per level, overriding the preset's
    rules: LevelRules = LevelRules()
    # Long side, in px, of the canvas the canvas stages work on; None: from the budget (see `canvas_side`).
    canvas_side: int | None = None
    # The canvas stage moves strokes hidden under later ones to where the painting misses most.
    reseed: bool = True


def canvas_side(strokes: int, height: int, width: int) -> int:
    """Long side of the canvas stages' canvas: denser paintings have smaller strokes, which need more pixels
    to be seen, ~12 px per sqrt(stroke): 256 px up to ~450 strokes, 660 px for 3,000; the canvas's own at most."""
    return min(max(256, round(12 * math.sqrt(strokes))), max(height, width))


def build_schedule(brush: Brush, strokes: int, height: int, width: int, options: ScheduleOptions) -> list[Stage]:
    """The stages that paint `strokes` strokes of `brush` on a height x width canvas: one block stage per
    level, coarse to fine, then the canvas stages. ValueError naming a bad budget or quality."""
    steps = preset(options.quality, brush.cheap_raster, options.neural, strokes)
    plan = level_plan(strokes, height, width, options.rules)
    renderer = "network" if options.neural else "exact"
    level_steps = steps.level_steps if options.steps is None else options.steps
    schedule: list[Stage] = block_stages(plan, level_steps, steps.level_exact_steps, renderer)
    side = options.canvas_side or canvas_side(strokes, height, width)
    if brush.cheap_raster and options.neural:
        # The brush's own windows cost little: the whole-canvas pass is drawn exactly throughout.
        schedule.append(CanvasStage("exact windows", steps.canvas_steps, steps.canvas_lr, side, options.reseed))
    else:
        drawer = "network" if options.neural else "exact windows"
        count = canvas_steps(steps.canvas_steps, strokes)
        schedule.append(CanvasStage(drawer, count, steps.canvas_lr, side, options.reseed))
        # The network is a likeness of the brush, and its steps stop short of what the brush itself can reach.
        schedule.append(CanvasStage("exact pixels", steps.exact_steps, steps.exact_lr, side))
    for stage in schedule:
        stage.cost = step_cost(stage, strokes)
    return [stage for stage in schedule if stage.steps > 0]


# Seconds one step takes per stroke it moves, on the idle 2-core machine of the benchmark, 512 px (chelsea, 500
# oil strokes: a block step ~0.08 s over ~100 strokes, a network canvas step ~0.25 s, an exact one ~0.45 s).
# Only their ratios matter: they weight the time left that progress reports.
STEP_SECONDS = {"block": 0.0008, "network": 0.0005, "exact windows": 0.0005, "exact pixels": 0.0009}
STEP_OVERHEAD = 0.01  # seconds a step costs whatever its strokes (Python, the optimiser, small tensors)


def step_cost(stage: Stage, strokes: int) -> float:
    """The estimated seconds of one step of `stage` in a painting of `strokes` strokes (see STEP_SECONDS)."""
    if stage.kind == "block":
        return STEP_OVERHEAD + STEP_SECONDS["block"] * stage.count
    return STEP_OVERHEAD + STEP_SECONDS[stage.drawer] * strokes
