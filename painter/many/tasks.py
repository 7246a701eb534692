"""What a worker runs: one photo in, its strokes and metrics out.

A task carries the photo's bytes, not its path, so a worker on another machine needs no shared disk;
the result is the stroke list and the metrics (a few hundred kB at most). A photo that cannot be
painted gives a result with its one-line error rather than an exception, so one bad photo never
stops a batch, whatever runs the tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from painter.settings import PaintSettings

# report(done, total): how far the current task is, in optimiser steps.
Report = Callable[[int, int], None]


@dataclass(frozen=True)
class PhotoTask:
    """One photo to paint. `name` is how errors name the photo (its path on the driver)."""

    name: str
    data: bytes
    settings: PaintSettings
    style: bytes | None = None  # the style image's bytes, when settings.style is set
    threads: int | None = None  # torch threads in the worker (None: leave torch's choice)


@dataclass
class TaskResult:
    """The painting of one photo as plain values: painting.to_dict() and the metrics, or the error."""

    name: str
    painting: dict | None = None
    metrics: dict = field(default_factory=dict)
    error: str | None = None


def user_error(err: Exception) -> str:
    """One line for an error: bad input speaks for itself; anything else says what kind of failure it is."""
    if isinstance(err, ValueError | FileNotFoundError | OSError):
        return str(err)
    return f"{type(err).__name__}: {err}"


def set_threads(threads: int | None) -> None:
    """Give torch `threads` threads in this worker (None leaves it as it is)."""
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def paint_photo(task: PhotoTask, report: Report | None = None) -> TaskResult:
    """Paint one photo where this runs. Never raises for a bad photo: the result carries the error."""
    from painter.job import PaintJob

    set_threads(task.threads)
    try:
        job = PaintJob(task.data, task.settings, name=task.name, style_image=task.style)
        total = job.total_steps
        for done, _ in enumerate(job.run(), start=1):
            if report is not None:
                report(done, total)
        result = job.finish()
    except Exception as err:  # noqa: BLE001 - one photo's failure, whatever it is, is reported, not raised
        return TaskResult(task.name, error=user_error(err))
    metrics = dict(result.metrics, settings=task.settings.to_dict())
    return TaskResult(task.name, result.painting.to_dict(), metrics)
