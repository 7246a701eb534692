"""The elapsed time and time left of a painting, for every front end (the command line's progress, the web
page's jobs).

The time left is weighted by what each stage's steps cost (the engine's estimate, `stage.cost`): the
blocks of the last, finest level and the whole-canvas steps take far longer than the first steps, so
counting steps alone said 20 s at 77% where 70 s were left.
"""

from __future__ import annotations

import time


class Clock:
    """The elapsed time and the estimated time left of a job: the current stage's remaining steps at the
    pace measured in it, the later stages' steps at their estimated cost (`stage.cost`, one unit for all
    stages) times the time so far per unit of cost done."""

    def __init__(self, job) -> None:
        self.started = self.last = time.perf_counter()
        self.costs = [float(stage.cost) for stage in job.schedule]
        self.steps = [int(stage.steps) for stage in job.schedule]
        self.stage, self.stage_started = None, self.started

    def done(self, progress) -> float:
        """The cost of the steps done so far, in the schedule's units."""
        before = sum(c * s for c, s in zip(self.costs[: progress.stage], self.steps[: progress.stage], strict=True))
        return before + self.costs[progress.stage] * progress.stage_step

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def eta(self, progress) -> float | None:
        """Seconds left after the step `progress` reports (None before any cost is done); call once a step."""
        now = time.perf_counter()
        if progress.stage != self.stage:  # a new stage began when the previous step ended
            self.stage, self.stage_started = progress.stage, self.last
        self.last = now
        done = self.done(progress)
        if done <= 0 or progress.stage_step < 1:
            return None
        here = (progress.stage_steps - progress.stage_step) * (now - self.stage_started) / progress.stage_step
        later = sum(
            c * s for c, s in zip(self.costs[progress.stage + 1 :], self.steps[progress.stage + 1 :], strict=True)
        )
        return max(0.0, here + later * (now - self.started) / done)
