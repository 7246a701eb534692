"""A batch of photos: where each painting goes, which are already done, and painting the rest.

    items = plan_batch(find_photos(["holiday/"]), "outputs", "oilpaint")   # outputs/<stem>-oilpaint/
    for outcome in run_batch(items, settings, ProcessRunner(workers=2)):
        print(outcome.photo, outcome.status)

A photo is done when its folder holds a complete painting (every file written, metrics.json last, the
folder swapped in whole by PaintResult.save) of the same photo (its SHA-256) with the same settings, not
interrupted. Such photos are skipped, so a batch run again resumes where it stopped; a half-written set
is never in the folder, so it is never taken as done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from painter.animation import animation_files
from painter.many.pool import OnProgress, Runner
from painter.many.tasks import PhotoTask, TaskResult, paint_photo
from painter.settings import PaintSettings

SUMMARY_FORMAT = "paint-batch-summary"
SUMMARY_VERSION = 1


@dataclass(frozen=True)
class BatchItem:
    """One photo of a batch and the folder its painting goes into."""

    photo: Path
    folder: Path


@dataclass
class Outcome:
    """What became of one photo: status 'painted', 'skipped' (done by an earlier run), 'failed' or
    'not painted' (the batch was stopped first). The numbers are the painting's, when there is one."""

    photo: str
    folder: str
    status: str
    strokes: int | None = None
    psnr: float | None = None
    seconds: float | None = None
    error: str | None = None


def plan_batch(photos: list[Path], parent: str | Path, brush: str) -> list[BatchItem]:
    """Each photo's folder, `parent/<stem>-<brush>`; photos whose stems clash (a.jpg, a.png) keep their
    extension in the name (`a.jpg-<brush>`). ValueError when two photos would still share a folder."""
    parent = Path(parent)
    stems = [p.stem for p in photos]
    names = [p.stem if stems.count(p.stem) == 1 else p.name for p in photos]
    seen: dict[str, Path] = {}
    for photo, name in zip(photos, names, strict=True):
        if name in seen:
            raise ValueError(f"{seen[name]} and {photo} would both be painted into {parent / (name + '-' + brush)}")
        seen[name] = photo
    return [BatchItem(photo, parent / f"{name}-{brush}") for photo, name in zip(photos, names, strict=True)]


def check_batch(items: list[BatchItem]) -> None:
    """Check every output folder before any work (see painter.output_folder); ValueError naming the first bad one."""
    from painter.output_folder import check_folder

    for item in items:
        check_folder(item.folder, item.photo)


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in pieces. OSError when it cannot be read."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def earlier_painting(item: BatchItem, settings: PaintSettings, digest: str) -> dict | None:
    """The metrics of a complete painting of this photo with these settings in the item's folder, or None."""
    try:
        metrics = json.loads((item.folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metrics, dict) or metrics.get("interrupted") is not False:
        return None
    if metrics.get("settings") != settings.to_dict() or (metrics.get("photo") or {}).get("sha256") != digest:
        return None
    needed = ["painting.png", "painting.svg", "strokes.json"]
    needed += [*animation_files(settings.animation)] + ["style.png"] * (settings.style is not None)
    return metrics if all((item.folder / name).is_file() for name in needed) else None


def _outcome(item: BatchItem, status: str, metrics: dict | None = None, error: str | None = None) -> Outcome:
    metrics = metrics or {}
    return Outcome(
        str(item.photo),
        str(item.folder),
        status,
        metrics.get("strokes"),
        metrics.get("psnr"),
        metrics.get("seconds"),
        error,
    )


def run_batch(
    items: list[BatchItem],
    settings: PaintSettings,
    runner: Runner,
    on_progress: OnProgress | None = None,
    threads: int | None = None,
) -> Iterator[Outcome]:
    """Paint every item not already done, yielding an Outcome per photo as it is skipped, fails or is
    saved. `on_progress(i, done, total)` follows the photo items[i] being painted. The driver (here)
    writes every file; workers only return strokes and metrics. Stopping the iteration stops the
    runner's workers (a photo being painted then is simply not saved)."""
    from painter.files import special_kind
    from painter.images import load_photo  # torch is loaded only once there is work

    check_batch(items)
    style = Path(settings.style).read_bytes() if settings.style is not None else None
    todo: list[tuple[int, str]] = []  # (item index, photo digest)
    for index, item in enumerate(items):
        kind = special_kind(item.photo)
        if kind is not None:  # a device or a pipe would be read for ever
            yield _outcome(item, "failed", error=f"{item.photo} is {kind}, not a photo")
            continue
        try:
            digest = file_digest(item.photo)
        except OSError as err:
            yield _outcome(item, "failed", error=f"cannot read {item.photo}: {err.strerror or err}")
            continue
        earlier = earlier_painting(item, settings, digest)
        if earlier is not None:
            yield _outcome(item, "skipped", earlier)
        else:
            todo.append((index, digest))

    def load(entry: tuple[int, str]) -> PhotoTask:
        item = items[entry[0]]
        return PhotoTask(str(item.photo), item.photo.read_bytes(), settings, style, threads)

    def failed(entry: tuple[int, str], why: str) -> TaskResult:
        return TaskResult(str(items[entry[0]].photo), error=why)

    def progress(position: int, done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(todo[position][0], done, total)

    try:
        for position, result in runner.run(paint_photo, todo, progress, failed, load):
            index, digest = todo[position]
            item = items[index]
            if result.error is not None:
                yield _outcome(item, "failed", error=result.error)
                continue
            try:
                save(result, item, settings, digest, load_photo)
            except (OSError, ValueError) as err:
                yield _outcome(item, "failed", result.metrics, error=str(err))
                continue
            yield _outcome(item, "painted", result.metrics)
    finally:
        runner.close()


def save(result: TaskResult, item: BatchItem, settings: PaintSettings, digest: str, load_photo) -> None:
    """Write a worker's result as the item's whole set of files (PaintResult.save), noting which photo it is of."""
    from painter.canvas import ground_colour, render_painting
    from painter.job import PaintResult
    from painter.strokes import painting_from_dict

    painting = painting_from_dict(result.painting)
    background = ground_colour(settings.canvas)  # what the worker composited the photo's transparency on
    image = render_painting(painting, settings.output_size)
    style_image = load_photo(settings.style, background) if settings.style is not None else None
    metrics = dict(result.metrics, photo={"file": str(item.photo), "sha256": digest})
    PaintResult(painting, load_photo(item.photo, background), image, settings, metrics, style_image).save(item.folder)


def summary(outcomes: list[Outcome], settings: PaintSettings, seconds: float) -> dict:
    """summary.json: every photo's outcome in the batch's order, the counts, and the settings."""
    counts = {status: sum(o.status == status for o in outcomes) for status in STATUSES}
    return {
        "format": SUMMARY_FORMAT,
        "version": SUMMARY_VERSION,
        **counts,
        "seconds": round(seconds, 2),
        "settings": settings.to_dict(),
        "photos": [asdict(o) for o in outcomes],
    }


STATUSES = ("painted", "skipped", "failed", "not painted")
