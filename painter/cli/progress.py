"""How `paint PHOTO` shows a painting's progress: a bar on a terminal, a line per stage in a log, one JSON
object per step for scripts (`--progress json`), or nothing (`--quiet`).

The time left is weighted by what each stage's steps cost (the engine's estimate, `stage.cost`): the
blocks of the last, finest level and the whole-canvas steps take far longer than the first steps, so
counting steps alone said 20 s at 77% where 70 s were left.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

MODES = ("auto", "bar", "lines", "json", "none")  # auto: a bar on a terminal, else lines


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


def stage_name(progress) -> str:
    """What a step belongs to, in words: "level 2/5" or "whole canvas"."""
    return "whole canvas" if progress.kind == "canvas" else f"level {progress.level}/{progress.levels}"


def seconds(value: float | None) -> str:
    if value is None:
        return "?"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes}:{secs:02d}" if minutes else f"{secs} s"


class Reporter:
    """Shows the progress of one job in one of MODES on `stream` (stderr)."""

    def __init__(self, job, mode: str, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "lines"
        self.mode, self.clock, self.stage = mode, Clock(job), None
        self.bar = None
        if mode == "bar":
            from tqdm import tqdm

            # The bar's own rate counts steps alike; the ETA shown is ours (in the postfix).
            self.bar = tqdm(
                total=job.total_steps,
                unit="step",
                dynamic_ncols=True,
                file=self.stream,
                bar_format="{desc}{percentage:3.0f}%|{bar}| {n}/{total} [{elapsed}{postfix}]",
            )

    def update(self, progress) -> None:
        eta = self.clock.eta(progress)
        if self.mode == "json":
            record = {
                "stage": progress.stage,
                "step": progress.step,
                "steps": progress.steps,
                "strokes": progress.strokes,
                "loss": round(float(progress.loss), 6),
                "elapsed": round(self.clock.elapsed(), 3),
                "eta": None if eta is None else round(eta, 3),
            }
            print(json.dumps(record), file=self.stream, flush=True)
        elif self.mode == "bar":
            self.bar.set_description(stage_name(progress))
            self.bar.set_postfix_str(f"<{seconds(eta)} left, strokes={progress.strokes}, loss={progress.loss:.4f}")
            self.bar.update(1)
        elif self.mode == "lines":
            if progress.stage != self.stage:
                self.stage = progress.stage
                print(
                    f"paint: stage {progress.stage + 1}/{len(self.clock.steps)}, {stage_name(progress)}: "
                    f"step {progress.step}/{progress.steps}, "
                    f"{progress.strokes} strokes, {seconds(self.clock.elapsed())} so far, about {seconds(eta)} left",
                    file=self.stream,
                    flush=True,
                )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
