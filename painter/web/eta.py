"""How long a painting has left, for the page: the schedule's relative step costs times the measured pace.

A painting's stages cost very different times a step (a block step of a coarse level against an exact
whole-canvas step), so "seconds per step so far x steps left" is wrong by a factor of several (the issue
saw 20 s shown at 77% with 70 s left). Each stage of the engine's schedule says what one of its steps
costs relative to the others (`stage.cost`); the clock measures seconds per unit of that cost, on this
machine and for this photo, and weights the steps left by their cost.

    eta = Eta([(120, 1.0), (16, 6.5)])  # (steps, cost of one step) per stage
    seconds_left = eta.update(stage=0, stage_step=30)  # None until a step has been timed
"""

from __future__ import annotations

import time
from collections.abc import Callable

MIN_STAGE_STEPS = 3  # the first steps of a stage include its set-up; its own pace counts from this many


class Eta:
    """Seconds left of a schedule of stages, each `(steps, cost of one step)`, from the pace measured so far.

    The pace (seconds per unit of cost) is the current stage's own once it has MIN_STAGE_STEPS timed
    steps (a stage's real cost can differ from its estimate, and the latest pace is the best guess for
    what follows), and the whole painting's so far before that. Both count from a report: the first one
    is the baseline, so the clock may be made at any time before it."""

    def __init__(self, stages: list[tuple[int, float]], clock: Callable[[], float] = time.perf_counter) -> None:
        assert stages and all(steps >= 0 and cost > 0 for steps, cost in stages), stages
        self.stages = stages
        self.clock = clock
        self.first: tuple[float, float] | None = None  # (time, units done) of the first report
        self.stage = -1
        self.stage_started = 0.0  # when the current stage's first step was reported
        self.stage_first = 0  # the stage step reported at that time

    def units_done(self, stage: int, stage_step: int) -> float:
        """Cost units of work done once step `stage_step` (1-based) of `stage` (0-based) is done."""
        before = sum(steps * cost for steps, cost in self.stages[:stage])
        return before + stage_step * self.stages[stage][1]

    def units_left(self, stage: int, stage_step: int) -> float:
        steps, cost = self.stages[stage]
        return (steps - stage_step) * cost + sum(s * c for s, c in self.stages[stage + 1 :])

    def update(self, stage: int, stage_step: int) -> float | None:
        """Seconds left after step `stage_step` (1-based) of `stage` (0-based); None before any pace is known."""
        now, done = self.clock(), self.units_done(stage, stage_step)
        if stage != self.stage:
            self.stage, self.stage_started, self.stage_first = stage, now, stage_step
        if self.first is None:
            self.first = (now, done)
            return None
        timed = stage_step - self.stage_first  # steps of this stage timed from its first report
        if timed >= MIN_STAGE_STEPS:
            pace = (now - self.stage_started) / (timed * self.stages[stage][1])
        elif done > self.first[1]:
            pace = (now - self.first[0]) / (done - self.first[1])
        else:
            return None
        return max(0.0, self.units_left(stage, stage_step) * pace)
