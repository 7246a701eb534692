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
    """The elapsed time and the estimated time left of a job, from its schedule's step costs."""

    def __init__(self, job) -> None:
        self.started = time.perf_counter()
        schedule = getattr(job, "schedule", None)
        if schedule:
            self.costs = [float(stage.cost) for stage in schedule]
            self.steps = [int(stage.steps) for stage in schedule]
        else:  # an engine without a schedule: every step costs the same
            self.costs, self.steps = [1.0], [job.total_steps]
        self.total = sum(c * s for c, s in zip(self.costs, self.steps, strict=True))

    def done(self, progress, step: int) -> float:
        """The cost of the steps done so far, in the schedule's units; `step` of all the job's steps."""
        stage = getattr(progress, "stage", None)
        if not isinstance(stage, int) or len(self.costs) == 1:
            return self.total * step / max(1, sum(self.steps))
        before = sum(c * s for c, s in zip(self.costs[:stage], self.steps[:stage], strict=True))
        return before + self.costs[stage] * progress.stage_step

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def eta(self, progress, step: int) -> float | None:
        """Seconds left: the time so far per unit of cost done, times the cost left (None before any)."""
        done = self.done(progress, step)
        if done <= 0:
            return None
        return max(0.0, self.elapsed() * (self.total - done) / done)


def stage_name(progress, stages: int) -> str:
    """What a step belongs to, in words: "stage 2/5 (block)" or, for older engines, "level 2/4"."""
    kind = getattr(progress, "kind", None)
    if isinstance(progress.stage, int) and kind is not None:
        return f"stage {progress.stage + 1}/{stages} ({kind})"
    if progress.stage == "level":
        return f"level {progress.level}/{progress.levels}"
    return str(progress.stage)


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
        self.step, self.steps = 0, job.total_steps  # counted here: older engines count steps per level
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
        self.step += 1
        eta = self.clock.eta(progress, self.step)
        if self.mode == "json":
            record = {
                "stage": progress.stage,
                "step": self.step,
                "steps": self.steps,
                "strokes": progress.strokes,
                "loss": round(float(progress.loss), 6),
                "elapsed": round(self.clock.elapsed(), 3),
                "eta": None if eta is None else round(eta, 3),
            }
            print(json.dumps(record), file=self.stream, flush=True)
        elif self.mode == "bar":
            self.bar.set_description(stage_name(progress, len(self.clock.costs)))
            self.bar.set_postfix_str(f"<{seconds(eta)} left, strokes={progress.strokes}, loss={progress.loss:.4f}")
            self.bar.update(1)
        elif self.mode == "lines":
            key = (progress.stage, getattr(progress, "level", None))
            if key != self.stage:
                self.stage = key
                print(
                    f"paint: {stage_name(progress, len(self.clock.costs))}: step {self.step}/{self.steps}, "
                    f"{progress.strokes} strokes, {seconds(self.clock.elapsed())} so far, about {seconds(eta)} left",
                    file=self.stream,
                    flush=True,
                )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
