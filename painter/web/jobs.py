"""The page's paintings: the options a page may set, and the queue that paints them one at a time per worker.

Each worker is a thread that takes the oldest waiting job and paints it with the library's `PaintJob`,
the same code the command line runs. Between optimiser steps it records the progress and, a few times
a second, a small PNG of the painting so far (see `FrameClock`), and it stops when the job is cancelled.
Every change wakes whoever waits on the queue's condition (the page's event streams).
"""

from __future__ import annotations

import functools
import io
import secrets
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import imageio.v3 as iio

import brushes
from painter.canvas import blank_canvas, render_painting
from painter.files import to_uint8, write_bytes_atomic
from painter.images import resize_long_side
from painter.output_folder import SET_FILES
from painter.progress_clock import Clock  # the command line's ETA too
from painter.settings import PaintSettings, SettingsError, shown
from painter.web.uploads import Limits, Upload

# What the page calls each option; a SettingsError names the field the page's way.
LABELS = {
    "brush": "Brush",
    "strokes": "Strokes",
    "size": "Size",
    "canvas": "Canvas colour",
    "quality": "Quality",
    "seed": "Seed",
    "steps": "Steps per level",
    "renderer": "Renderer",
    "opaque": "Opaque",
    "style": "Style image",
    "style_weight": "Style strength",
    "render_size": "Download size",
    "palette": "Your colours",
    "pens": "Colours from the photo",
    "animation": "Animation",
}
OPTIONS = tuple(name for name in LABELS if name != "style")  # the style comes as an upload, not a value
RESULT_FILES = (*SET_FILES, "photo.png")  # a painting's set of files (painter.output_folder), and its photo
FRAME_SIDE = 320  # long side of the live frames: the page shows them about this big, and they stay cheap
FRAME_GAP = 0.2  # seconds between live frames at least: five a second looks smooth for a picture that grows
FRAME_SHARE = 0.2  # and drawing frames may take at most this share of the painting's time
# PSNR against the photo, in plain words. The default painting (500 oil strokes at 512 px) scores about
# 26.8 dB and 3,000 fine strokes about 30.6 dB (docs/benchmarks.md); below 16 dB only the large shapes and
# colours are there.
LIKENESS = ((30.0, "Very close"), (26.0, "Close"), (22.0, "Good"), (18.0, "Fair"), (16.0, "Loose"))


def label(field_name: str) -> str:
    return LABELS.get(field_name, field_name)


def likeness(psnr: float) -> str:
    """How close a painting is to its photo, in words, from its PSNR in dB (see LIKENESS)."""
    return next((words for floor, words in LIKENESS if psnr >= floor), "Sketchy")


def settings_from_options(options: dict, style: Upload | None, limits: Limits) -> PaintSettings:
    """PaintSettings from the page's options; SettingsError naming the first bad one (see `label`)."""
    if not isinstance(options, dict):
        raise SettingsError("options", "expected an object of option values")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise SettingsError(unknown[0][:40], f"unknown option; the page's options are {', '.join(OPTIONS)}")
    given = {name: value for name, value in options.items() if value is not None}
    if "opaque" in given and not isinstance(given["opaque"], bool):
        raise SettingsError("opaque", f"expected true or false, got {shown(given['opaque'])}")
    if "brush" in given and given["brush"] not in brushes.brush_names():
        names = ", ".join(brushes.brush_names())
        raise SettingsError("brush", f"unknown brush {shown(given['brush'])}; use one of {names}")
    if style is not None:
        given["style"] = str(style.path)
    settings = PaintSettings(**given)
    if settings.strokes > limits.strokes:
        raise SettingsError("strokes", f"at most {limits.strokes} on this page, got {settings.strokes}")
    if settings.size > limits.size:
        raise SettingsError("size", f"at most {limits.size} pixels on this page, got {settings.size}")
    if settings.render_size is not None and settings.render_size > limits.render_size:
        most, got = limits.render_size, settings.render_size
        raise SettingsError("render_size", f"at most {most} pixels on this page, got {got}")
    return settings


@dataclass
class WebJob:
    """One painting asked for by a page, from waiting in the queue to its files."""

    id: str
    photo: Upload
    style: Upload | None
    settings: PaintSettings
    folder: Path  # the job's own folder; the painting's files go in folder / "set"
    state: str = "queued"  # queued | painting | saving (its files being written) | done | stopped | failed
    progress: dict | None = None
    frame: bytes | None = None  # PNG of the painting so far
    frames: int = 0  # how many frames so far: the page asks for a new one when this grows
    metrics: dict | None = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def files(self) -> Path:
        return self.folder / "set"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")


class QueueFull(Exception):
    """Too many jobs waiting; the page says so and the person tries later."""


class FrameClock:
    """When to draw the next live frame: at most every FRAME_GAP seconds, and rarer when drawing is slow,
    so that frames never take more than FRAME_SHARE of the time."""

    def __init__(self) -> None:
        self.next = 0.0

    def due(self) -> bool:
        return time.perf_counter() >= self.next

    def drew(self, seconds: float) -> None:
        self.next = time.perf_counter() + max(FRAME_GAP, seconds * (1 - FRAME_SHARE) / FRAME_SHARE)


class JobQueue:
    """Jobs in the order they came, painted by `workers` threads; every change notifies `changed`."""

    def __init__(self, folder: Path, workers: int = 1, limits: Limits | None = None) -> None:
        assert workers >= 1, workers
        self.folder = folder
        self.limits = limits or Limits()
        self.jobs: dict[str, WebJob] = {}
        self.changed = threading.Condition()
        self.version = 0  # grows at every change, so a waiter knows whether it missed one
        self._waiting: deque[WebJob] = deque()
        self._closing = False
        self._threads = [
            threading.Thread(target=self._work, name=f"paint-worker-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    # ---- what the page asks ----------------------------------------------------------------------
    def submit(self, photo: Upload, settings: PaintSettings, style: Upload | None = None) -> WebJob:
        with self.changed:
            if len(self._waiting) >= self.limits.queue:
                raise QueueFull(f"{len(self._waiting)} paintings are already waiting; try again when one is done.")
            job_id = secrets.token_hex(8)
            job = WebJob(job_id, photo, style, settings, self.folder / job_id)
            self.jobs[job_id] = job
            self._waiting.append(job)
            self._touch()
        return job

    def cancel(self, job: WebJob) -> None:
        """Stop a job: a waiting one leaves the queue; a painting one stops at its next step and keeps
        the strokes painted so far."""
        with self.changed:
            job.cancel.set()
            if job in self._waiting:
                self._waiting.remove(job)
                job.state, job.error = "failed", "Cancelled before it started."
            self._touch()

    def position(self, job: WebJob) -> int | None:
        """1 when the job is next in the queue, 2 after that, ...; None once it is no longer waiting."""
        with self.changed:
            return self._waiting.index(job) + 1 if job in self._waiting else None

    def ahead(self, job: WebJob) -> int | None:
        """How many jobs are painted before a waiting one: those painting or saving, and those before it in
        the queue; None once it is no longer waiting. It waits only while this is at least the worker count
        (a job just sent, that no worker has taken yet, is not waiting for anything)."""
        with self.changed:
            if job not in self._waiting:
                return None
            busy = sum(other.state in ("painting", "saving") for other in self.jobs.values())
            return busy + self._waiting.index(job)

    def describe(self, job: WebJob) -> dict:
        """What the page sees of a job (plain JSON values). `settings` holds every option the page can set, so
        that a finished painting can be opened again with them."""
        return {
            "id": job.id,
            "state": job.state,
            "position": self.position(job),
            "ahead": self.ahead(job),
            "workers": self.workers,
            "photo": job.photo.to_dict(),
            "style": job.style.to_dict() if job.style else None,
            "settings": {name: getattr(job.settings, name) for name in OPTIONS},
            "progress": job.progress,
            "frames": job.frames,
            "metrics": job.metrics,
            "error": job.error,
            "files": [name for name in RESULT_FILES if (job.files / name).is_file()] if job.finished else [],
            "created": job.created,
        }

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the queue changes after version `seen` (or `timeout` s); the version now."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self._closing, timeout)
            return self.version

    @property
    def workers(self) -> int:
        return len(self._threads)

    @property
    def closing(self) -> bool:
        return self._closing

    def close(self, timeout: float = 30.0) -> None:
        """Stop every job (those painting keep their strokes so far) and the workers."""
        with self.changed:
            self._closing = True
            for job in self.jobs.values():
                job.cancel.set()
            self._touch()
        for thread in self._threads:
            thread.join(timeout)

    # ---- the workers ----------------------------------------------------------------------------
    def _touch(self) -> None:
        """Record a change and wake every waiter; call with `changed` held."""
        self.version += 1
        self.changed.notify_all()

    def _update(self, job: WebJob, **values) -> None:
        with self.changed:
            for name, value in values.items():
                setattr(job, name, value)
            self._touch()

    def _work(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self._waiting or self._closing)
                if self._closing:
                    return
                job = self._waiting.popleft()
                job.state = "painting"
                self._touch()
            try:
                paint(job, functools.partial(self._update, job))
            except (ValueError, FileNotFoundError) as err:  # the inputs, found when the job opens
                message = err.named(label) if isinstance(err, SettingsError) else str(err)
                self._update(job, state="failed", error=message)
            except Exception as err:  # a bug must not take the worker, and with it the queue, down
                traceback.print_exc(file=sys.stderr)
                self._update(job, state="failed", error=f"Painting failed: {type(err).__name__}: {err}")


def paint(job: WebJob, update: Callable[..., None]) -> None:
    """Paint `job` with the library's PaintJob, telling `update(**changes)` every change of its fields: progress
    and live frames after each step, then "saving", then the result."""
    from painter.job import PaintJob

    paint_job = PaintJob(job.photo.path, job.settings)
    side = min(FRAME_SIDE, max(paint_job.fit_size))
    blank = blank_canvas(*paint_job.painting().size_at(side), paint_job.background)
    update(frame=frame_png(blank), frames=1)  # the bare canvas, until the first strokes
    clock, started = FrameClock(), time.perf_counter()
    eta = Clock(paint_job)
    for progress in paint_job.run():
        seconds_left = eta.eta(progress)
        state = {
            "step": progress.step,
            "steps": progress.steps,
            "stage": progress.stage,
            "stages": len(paint_job.schedule),
            "kind": progress.kind,  # block: a layer of blocks; canvas: the whole canvas at once
            "level": progress.level,
            "levels": progress.levels,
            "strokes": progress.strokes,
            "loss": round(progress.loss, 6),
            "elapsed_s": round(time.perf_counter() - started, 1),
            "eta_s": None if seconds_left is None else round(seconds_left, 1),
        }
        if clock.due():
            begun = time.perf_counter()
            frame = frame_png(render_painting(paint_job.painting(), side))
            clock.drew(time.perf_counter() - begun)
            update(progress=state, frame=frame, frames=job.frames + 1)
        else:
            update(progress=state)
        if job.cancel.is_set():
            break  # the painting so far stays valid: finish() below keeps it
    stopped = job.cancel.is_set()
    update(state="saving")  # the final render and the files take a while: the page says so
    result = paint_job.finish(interrupted=stopped)
    result.save(job.files)
    photo = resize_long_side(result.photo, max(result.image.shape[1:]))  # beside the painting, same size
    write_bytes_atomic(job.files / "photo.png", frame_png(photo))
    metrics = {key: result.metrics[key] for key in ("psnr", "ssim", "strokes", "seconds", "interrupted")}
    metrics["likeness"] = likeness(metrics["psnr"])
    metrics["palette"] = result.metrics["run"].get("palette")  # the colours painted with, if limited
    update(
        state="stopped" if stopped else "done",
        metrics=metrics,
        frame=frame_png(render_painting(result.painting, side)),
        frames=job.frames + 1,
    )


def frame_png(image) -> bytes:
    """A (3, H, W) image as PNG bytes."""
    buffer = io.BytesIO()
    iio.imwrite(buffer, to_uint8(image), extension=".png")
    return buffer.getvalue()
