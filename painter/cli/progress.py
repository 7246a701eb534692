"""How `paint PHOTO` shows a painting's progress: a bar on a terminal, a line per stage in a log, one JSON
object per step for scripts (`--progress json`), or nothing (`--quiet`). The time left is
painter.progress_clock's, as on the web page.
"""

from __future__ import annotations

import sys
from typing import TextIO

from painter.progress_clock import Clock

MODES = ("auto", "bar", "lines", "json", "none")  # auto: a bar on a terminal, else lines


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
            from painter.files import json_text  # torch is loaded by now: the job is painting

            print(json_text(record), file=self.stream, flush=True)  # a NaN loss as null: scripts parse every line
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
