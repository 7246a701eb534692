"""Painting a video: every frame a painting, with strokes that stay put where the scene does.

The first frame is painted like a photo (PaintJob). Every later frame starts from the previous
frame's strokes and is refined against the new frame for a few steps by the whole-canvas pass
(the canvas stage, see painter.engine.canvas_stage); a small share of strokes (the smallest) may be moved to where the
painting is furthest from the frame, so new things in the scene get paint. Painted independently,
each frame's strokes are placed afresh and the clip flickers; `flicker` measures it.

In parallel (several workers or a Ray cluster) the clip is cut into chunks of consecutive frames,
each painted from its own keyframe in a worker, and joined in order. Workers decode their chunk's frames
as they paint them and return strokes; the driver renders and writes everything, decoding the clip again
to measure each frame (`save_streamed`): no decoded clip is ever held whole.

Outputs of a painted clip, in one folder:
  painting.mp4   the painted clip (H.264), at the clip's frame rate or --fps
  frames.json    the strokes of every frame (format below)
  contact.png    a contact sheet: up to 12 painted frames, evenly spaced, in order
  metrics.json   frames, fps, flicker, mean PSNR, seconds, the settings and video options

frames.json holds exactly these keys: "format": "paint-video-strokes", "version": 1, "fps", "width",
"height", "background", "brush", "params" (as in strokes.json) and "frames": a list, one entry per
frame in order, each a list of strokes (arrays of the brush's values in [0, 1], in painting order).
Frame i alone is a strokes.json with "strokes": frames[i]; `load_frames` reads them back.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from painter.colours import TONED
from painter.settings import PaintSettings

FRAMES_FORMAT = "paint-video-strokes"
FRAMES_VERSION = 1
VIDEO_FILES = ("painting.mp4", "frames.json", "contact.png", "metrics.json")
REFINE_SIDE = 256  # long side the refinement draws at: the canvas stage's own (painter.engine.schedule)
SHEET_FRAMES = 12  # frames on the contact sheet
SHEET_WIDTH = 240  # px, width of one frame on the contact sheet


def refine(brush, strokes, target, background, steps: int, side: int, opaque: bool):
    """Strokes (N, P) moved by `steps` steps of the canvas stage, drawn by the brush's own renderer, towards
    target (3, h, w) at `side` px long side (see painter.engine.canvas_stage)."""
    from painter.engine.canvas_stage import fit_canvas
    from painter.engine.objective import objective_for
    from painter.engine.windows import ExactWindows

    for _, moved in fit_canvas(ExactWindows(brush), brush, strokes, target, background, steps, side, 0.002,
                               objective_for(brush), opaque=opaque):  # fmt: skip
        strokes = moved
    return strokes.clone()


@dataclass(frozen=True)
class VideoOptions:
    """How a clip is cut and how its frames follow each other."""

    fps: float | None = None  # frames per second painted and written (None: the clip's own)
    max_frames: int | None = None  # paint at most this many frames (None: all)
    start: float = 0.0  # seconds into the clip where painting starts
    end: float | None = None  # seconds into the clip where it stops (None: the end)
    # Steps of the whole-canvas pass per warm-started frame: a third of a photo's 60 final steps; on a
    # moving-square clip, strokes followed the motion with PSNR within 1 dB of independent frames.
    refine_steps: int = 20
    reseed: float = 0.02  # share of strokes moved each frame to where the painting is furthest off
    independent: bool = False  # paint every frame afresh, ignoring the previous one (flickers; for comparison)

    def __post_init__(self) -> None:
        if self.fps is not None and not 0 < self.fps < math.inf:
            raise ValueError(f"fps must be more than 0, got {self.fps}")
        if self.max_frames is not None and self.max_frames < 1:
            raise ValueError(f"max_frames must be at least 1, got {self.max_frames}")
        if not 0 <= self.start < math.inf:
            raise ValueError(f"start must be zero or more seconds, got {self.start}")
        if self.end is not None and not self.end > self.start:
            raise ValueError(f"end ({self.end} s) must come after start ({self.start} s)")
        if self.refine_steps < 1:
            raise ValueError(f"refine_steps must be at least 1, got {self.refine_steps}")
        if not 0 <= self.reseed <= 1:
            raise ValueError(f"reseed must be a share between 0 and 1, got {self.reseed}")


@dataclass
class Clip:
    """Frames read from a video: uint8 arrays (H, W, 3), at `fps` frames per second."""

    frames: list[np.ndarray]
    fps: float
    source: str


# ---- reading ----------------------------------------------------------------------------------------------
def read_clip(path: str | Path, options: VideoOptions = VideoOptions(), long_side: int | None = None) -> Clip:
    """The frames of a video to paint (sampled at options.fps, between start and end, at most max_frames),
    scaled down to `long_side` when larger, all in memory (painting never holds them so: ClipReader).
    ValueError when ffmpeg cannot read it or it has no frames there; FileNotFoundError when it is missing."""
    reader = ClipReader(path, options, long_side)
    return Clip(list(reader), reader.fps, reader.source)


class ClipReader:
    """The frames of a video as read_clip samples them, decoded anew at each iteration, one at a time: a
    clip of any length costs the memory of a frame. Opening it decodes up to the first frame painted, so
    a missing, unreadable or empty clip is found at once (FileNotFoundError, ValueError naming it)."""

    def __init__(self, path: str | Path, options: VideoOptions = VideoOptions(), long_side: int | None = None):
        self.path, self.options, self.long_side = Path(path), options, long_side
        self.source = str(path)
        if not self.path.exists():
            raise FileNotFoundError(f"no such video: {self.path}")
        if self.path.is_dir():
            raise ValueError(f"{self.path} is a directory, not a video")
        frames = self._decode()
        self.fps = next(frames)  # the generator's first item: the frame rate painted
        self.first = next(frames, None)
        frames.close()
        if self.first is None:
            raise ValueError(f"{self.path} has no frames between {options.start:g} s and {options.end or 'its end'}")

    def __iter__(self) -> Iterator[np.ndarray]:
        frames = self._decode()
        next(frames)
        return frames

    def _decode(self) -> Iterator:
        """The frame rate painted, then every frame painted, (H, W, 3) uint8."""
        import imageio_ffmpeg

        options = self.options
        reader = imageio_ffmpeg.read_frames(str(self.path))
        try:
            meta = next(reader)
            width, height = meta["size"]
            source_fps = float(meta.get("fps") or 0) or 25.0  # a stream without a rate: ffmpeg's own default
            fps = options.fps or source_fps
            yield fps
            count, limit = 0, options.max_frames or math.inf
            end = math.inf if options.end is None else options.end
            for index, data in enumerate(reader):
                shown = index / source_fps  # this source frame is on screen from `shown` to `shown + 1 / source_fps`
                if shown >= end or count >= limit:
                    break
                frame = None
                while count < limit and options.start + count / fps < min(end, shown + 1 / source_fps) - 1e-9:
                    if frame is None:
                        frame = _shrink(np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3), self.long_side)
                    yield frame
                    count += 1
        except (OSError, RuntimeError, StopIteration, KeyError, ValueError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(f"cannot read {self.path} as a video: {first}") from None
        finally:
            reader.close()


def _shrink(frame: np.ndarray, long_side: int | None) -> np.ndarray:
    """A copy of frame (H, W, 3) with its long side at most `long_side`."""
    if long_side is None or max(frame.shape[:2]) <= long_side:
        return frame.copy()
    from painter.files import from_uint8, to_uint8
    from painter.images import resize_long_side

    return to_uint8(resize_long_side(from_uint8(frame), long_side))


# ---- painting -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChunkTask:
    """Frames first..stop-1 of a clip to paint, the first from scratch (a keyframe), the rest warm-started.
    The worker decodes them itself, one at a time, from the clip at `video` or, where the workers do not
    share this machine's disk (Ray), from the clip file's bytes in `data`: no task holds decoded frames."""

    first: int  # index of the chunk's first frame in the clip
    stop: int
    video: str
    options: VideoOptions
    long_side: int | None
    settings: PaintSettings
    threads: int | None = None
    data: bytes | None = None

    def frames(self) -> Iterator[np.ndarray]:
        """The chunk's frames (H, W, 3) uint8, decoded as they are taken."""
        from itertools import islice

        if self.data is None:
            yield from islice(ClipReader(self.video, self.options, self.long_side), self.first, self.stop)
            return
        from painter.leftovers import scratch_folder

        with scratch_folder("paint-clip-") as folder:
            path = folder / f"clip{Path(self.video).suffix}"
            path.write_bytes(self.data)
            yield from islice(ClipReader(path, self.options, self.long_side), self.first, self.stop)


@dataclass
class ChunkResult:
    first: int
    strokes: list[list[list[float]]]  # per frame, per stroke, the brush's values
    seconds: list[float]  # per frame
    error: str | None = None


def paint_chunk(task: ChunkTask, report=None) -> ChunkResult:
    """Paint a chunk's frames where this runs. Never raises for bad input: the result carries the error."""
    from painter.many.tasks import set_threads, user_error

    set_threads(task.threads)
    strokes, seconds = [], []
    try:
        for k, painted in enumerate(paint_frames(task.frames(), task.settings, task.options)):
            strokes.append([[round(v, 6) for v in row] for row in painted.strokes.tolist()])
            seconds.append(painted.seconds)
            if report is not None:
                report(k + 1, task.stop - task.first)
    except Exception as err:  # noqa: BLE001 - reported to the driver as the chunk's error
        return ChunkResult(task.first, strokes, seconds, user_error(err))
    return ChunkResult(task.first, strokes, seconds)


@dataclass
class PaintedFrame:
    strokes: object  # torch.Tensor (N, P), canvas-relative
    width: int
    height: int
    seconds: float


def paint_frames(frames: list[np.ndarray], settings: PaintSettings, options: VideoOptions) -> Iterator[PaintedFrame]:
    """Paint frames (uint8 (H, W, 3)) in order: the first (every one, if options.independent) like a photo,
    each later one refined from the strokes of the one before. Yields each frame's strokes."""
    import torch

    import brushes
    from painter.canvas import parse_colour
    from painter.engine.seeder import Seeder
    from painter.files import from_uint8
    from painter.images import resize_long_side

    brush = brushes.get_brush(settings.brush)
    seeder = Seeder(brush, torch.Generator().manual_seed(settings.seed), opaque=settings.opaque)
    strokes = None
    for frame in frames:
        started = time.perf_counter()
        if strokes is None:
            settings = one_ground(settings, frame)
            background = parse_colour(settings.canvas)
        target = resize_long_side(from_uint8(frame), settings.size)  # (3, h, w), what the strokes are fitted to
        if strokes is None or options.independent:
            strokes = paint_keyframe(frame, settings)
        else:
            strokes = reseed(seeder, strokes, target, background, options.reseed)
            side = min(REFINE_SIDE, settings.size)
            strokes = refine(brush, strokes, target, background, options.refine_steps, side, settings.opaque)
        yield PaintedFrame(strokes, target.shape[2], target.shape[1], round(time.perf_counter() - started, 3))


def one_ground(settings: PaintSettings, first: np.ndarray) -> PaintSettings:
    """settings with a toned ("auto") canvas fixed to the ground a photo of the clip's first frame (uint8
    (H, W, 3)) would get (ground_colour), as #rrggbb: every frame, chunk and worker of a clip paints on the
    one ground, and the files say which. Other canvases are kept."""
    if settings.canvas != TONED:
        return settings
    from painter.canvas import ground_colour
    from painter.files import from_uint8
    from painter.palette import hex_colour

    ground = ground_colour(TONED, from_uint8(np.asarray(first)[..., :3]), settings.on_paper)
    return settings.replace(canvas=hex_colour(ground))


def paint_keyframe(frame: np.ndarray, settings: PaintSettings):
    """A frame (H, W, 3) uint8 painted from scratch, like a photo. Its strokes (N, P)."""
    from painter.job import PaintJob

    job = PaintJob(frame, settings.replace(animation="none"), name="the first frame")
    for _ in job.run():
        pass
    return job.painting().strokes


def reseed(seeder, strokes, target, background, share: float):
    """Strokes (N, P) with the smallest `share` of them moved to where the painting differs most from
    target (3, h, w), in the target's colour there, by the painter's own seeder. The moved strokes keep
    their places in the painting order, so stroke i stays stroke i from frame to frame."""
    import torch

    from painter.canvas import render_painting
    from painter.strokes import Painting

    count = round(share * strokes.shape[0])
    if count == 0:
        return strokes
    brush = seeder.brush
    _, height, width = target.shape
    canvas = render_painting(Painting(brush, strokes, width, height, background))
    bounds = brush.extent(strokes, height, width)  # (N, 4) x0, y0, x1, y1 px
    span = torch.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    smallest = span.argsort()[:count]
    size = min(0.3, max(0.02, float(span[smallest].median()) / max(height, width)))
    miss = (canvas - target).abs().mean(0)[None]  # (1, h, w)
    placed = seeder.place(miss, target[None], count, size, (height, width))[0]
    out = strokes.clone()
    out[smallest] = placed.to(out.dtype)
    return out


def chunk_bounds(frames: int, chunks: int) -> list[tuple[int, int]]:
    """(start, stop) of `chunks` runs of consecutive frames, as equal as they can be (none empty)."""
    chunks = max(1, min(chunks, frames))
    edges = [round(i * frames / chunks) for i in range(chunks + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def chunk_tasks(reader: ClipReader, settings: PaintSettings, options: VideoOptions, chunks: int, threads=None):
    """The clip cut into `chunks` ChunkTasks of consecutive frames. Its frames are counted by decoding it
    once, one frame at a time: none is kept."""
    count = sum(1 for _ in reader)
    return [
        ChunkTask(a, b, str(reader.path), options, reader.long_side, settings, threads)
        for a, b in chunk_bounds(count, chunks)
    ]


def paint_clip(
    reader: ClipReader, settings: PaintSettings, options: VideoOptions, runner, chunks: int = 1, on_progress=None
):
    """Paint every frame of a clip in `chunks` chunks through a runner (painter.many.pool / cluster); each
    worker decodes its own chunk's frames as it paints them (ChunkTask). Returns each frame's strokes
    (N, P) in order and each frame's painting seconds. ValueError with the first failing chunk's error."""
    import torch

    settings = one_ground(settings, reader.first)
    tasks = chunk_tasks(reader, settings, options, chunks, getattr(runner, "threads", None))
    total = tasks[-1].stop

    def load(task: ChunkTask) -> ChunkTask:
        if getattr(runner, "shares_disk", False):
            return task
        return replace(task, data=Path(task.video).read_bytes())  # read as the chunk is sent, not all at once

    def failed(task: ChunkTask, why: str) -> ChunkResult:
        return ChunkResult(task.first, [], [], why)

    done = [0] * len(tasks)  # frames painted in each chunk

    def progress(index: int, frames_done: int, _: int) -> None:
        done[index] = frames_done
        if on_progress is not None:
            on_progress(sum(done), total)

    results: dict[int, ChunkResult] = {}
    try:
        for index, result in runner.run(paint_chunk, tasks, progress, failed, load):
            if result.error is not None:
                task = tasks[index]
                raise ValueError(f"frames {task.first + 1}-{task.stop} of {reader.source}: {result.error}")
            results[index] = result
    finally:
        runner.close()
    strokes, seconds = [], []
    for index in range(len(tasks)):
        strokes += [torch.tensor(s, dtype=torch.float32) for s in results[index].strokes]
        seconds += results[index].seconds
    return strokes, seconds


def fit_size(frame: np.ndarray, long_side: int) -> tuple[int, int]:
    """(h, w) of a frame (H, W, 3) scaled to `long_side`, as painter.images.resize_long_side scales it."""
    height, width = frame.shape[:2]
    scale = long_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


# ---- measuring ----------------------------------------------------------------------------------------
class ClipMeasure:
    """How close a painted clip is to its source and how much it flickers, taken frame by frame, so that
    neither clip need be held whole: `add(painted, source)` for each pair in order, then `result()`."""

    def __init__(self, psnr: bool = True) -> None:
        self.psnr: list[float | None] | None = [] if psnr else None
        self.painted_total = self.source_total = 0.0
        self.frames = 0
        self._last: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, painted: np.ndarray, source: np.ndarray) -> None:
        """One painted frame and its source frame, uint8 (H, W, 3) (the source at any size)."""
        from painter.files import from_uint8, to_uint8
        from painter.images import resize

        size = painted.shape[:2]
        scaled = source if source.shape[:2] == size else to_uint8(resize(from_uint8(source), tuple(size)))
        if self.psnr is not None:
            from painter.metrics import similarity

            self.psnr.append(similarity(from_uint8(painted), from_uint8(source))["psnr"])
        if self._last is not None:
            self.painted_total += _change(self._last[0], painted)
            self.source_total += _change(self._last[1], scaled)
        self._last = (painted, scaled)
        self.frames += 1

    def flicker(self) -> dict:
        """painted_change and source_change: mean absolute change between consecutive frames, in 0..1 (the
        source scaled to the painted frames' size); flicker: their ratio (1: the painting changes as much
        as the clip; larger: strokes jump where the scene does not). None where there is one frame, or a
        still clip."""
        if self.frames < 2:
            return {"painted_change": None, "source_change": None, "flicker": None}
        painted_change = self.painted_total / (self.frames - 1)
        source_change = self.source_total / (self.frames - 1)
        ratio = painted_change / source_change if source_change > 1e-6 else None
        return {
            "painted_change": round(painted_change, 5),
            "source_change": round(source_change, 5),
            "flicker": None if ratio is None else round(ratio, 3),
        }


def _change(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 frames, in 0..1."""
    return float(np.abs(b.astype(np.int16) - a.astype(np.int16)).mean()) / 255


def flicker(painted: list[np.ndarray], source: list[np.ndarray]) -> dict:
    """How much the painted clip changes from frame to frame, against how much the clip itself does
    (see ClipMeasure.flicker)."""
    measure = ClipMeasure(psnr=False)
    for p, src in zip(painted, source, strict=True):
        measure.add(p, src)
    return measure.flicker()


# ---- writing ----------------------------------------------------------------------------------------------
def render_frames(strokes: list, settings: PaintSettings, width: int, height: int) -> list[np.ndarray]:
    """Every frame's strokes drawn at the settings' output size: uint8 (H, W, 3) arrays. The settings are
    those the frames were painted with, their ground fixed (one_ground): "auto" names no colour yet."""
    import brushes
    from painter.canvas import parse_colour, render_painting
    from painter.files import to_uint8
    from painter.strokes import Painting

    brush, background = brushes.get_brush(settings.brush), parse_colour(settings.canvas)
    return [
        to_uint8(render_painting(Painting(brush, s, width, height, background), settings.output_size)) for s in strokes
    ]


def frames_document(strokes: list, settings: PaintSettings, fps: float, width: int, height: int) -> dict:
    """frames.json (see the module's docstring)."""
    import brushes
    from painter.canvas import parse_colour

    brush = brushes.get_brush(settings.brush)
    return {
        "format": FRAMES_FORMAT,
        "version": FRAMES_VERSION,
        "fps": fps,
        "width": width,
        "height": height,
        "background": [round(float(c), 6) for c in parse_colour(settings.canvas)],
        "brush": brush.name,
        "params": brush.names,
        "frames": [[[round(float(v), 6) for v in row] for row in s.tolist()] for s in strokes],
    }


def load_frames(path: str | Path):
    """Read frames.json back: (list of Painting, fps). ValueError naming the first problem."""
    from painter.strokes import FORMAT, VERSION, painting_from_dict

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FRAMES_FORMAT or data.get("version") != FRAMES_VERSION:
        raise ValueError(f"{path} is not a {FRAMES_FORMAT} file of version {FRAMES_VERSION}")
    frames = data.pop("frames", None)
    fps = data.pop("fps", None)
    if not isinstance(frames, list) or not frames or not isinstance(fps, int | float) or not fps > 0:
        raise ValueError(f"{path}: 'frames' must be a non-empty list and 'fps' a positive number")
    paintings = []
    for i, strokes in enumerate(frames):
        try:
            paintings.append(painting_from_dict({**data, "format": FORMAT, "version": VERSION, "strokes": strokes}))
        except ValueError as err:
            raise ValueError(f"{path}: frame {i}: {err}") from None
    return paintings, float(fps)


def contact_sheet(frames: list[np.ndarray], count: int = SHEET_FRAMES, columns: int = 4) -> np.ndarray:
    """Up to `count` frames, evenly spaced, in a grid `columns` wide on white with 4 px gaps. (H, W, 3) uint8."""
    from painter.files import from_uint8, to_uint8
    from painter.images import resize

    picks = _sheet_picks(len(frames), count)
    h, w = frames[0].shape[:2]
    width = min(SHEET_WIDTH, w)
    height = max(1, round(h * width / w))
    gap, cols = 4, min(columns, len(picks))
    rows = math.ceil(len(picks) / cols)
    sheet = np.full((rows * (height + gap) + gap, cols * (width + gap) + gap, 3), 255, np.uint8)
    for n, i in enumerate(picks):
        small = frames[i] if (h, w) == (height, width) else to_uint8(resize(from_uint8(frames[i]), (height, width)))
        y, x = gap + (n // cols) * (height + gap), gap + (n % cols) * (width + gap)
        sheet[y : y + height, x : x + width] = small
    return sheet


def _sheet_picks(frames: int, count: int = SHEET_FRAMES) -> list[int]:
    """Indices of up to `count` frames of `frames`, evenly spaced, first and last included."""
    return sorted({round(i * (frames - 1) / max(1, count - 1)) for i in range(min(count, frames))})


CLIP_CRF = 10  # painted clips are short and their strokes are the point: x264 keeps them near lossless


def check_video_folder(folder: str | Path) -> Path:
    """Check, before painting, that `folder` can take a painted clip: missing, empty or holding an earlier
    one (which is replaced as a whole). ValueError otherwise."""
    from painter.output_folder import check_folder

    return check_folder(folder, files=VIDEO_FILES, marker="video", what="painted clip")


def save_video(folder: str | Path, painted: list[np.ndarray], document: dict, metrics: dict, fps: float) -> Path:
    """Write painting.mp4, frames.json, contact.png and metrics.json as `folder`: into a hidden folder
    beside it, swapped into place when complete (an earlier clip there is replaced as a whole)."""
    import imageio.v3 as iio

    from painter.files import json_text
    from painter.mp4 import write_mp4
    from painter.output_folder import replace_folder

    def write(partial: Path) -> None:
        write_mp4(painted, partial / "painting.mp4", fps, crf=CLIP_CRF)
        (partial / "frames.json").write_text(json_text(document), encoding="utf-8")
        iio.imwrite(partial / "contact.png", contact_sheet(painted))
        (partial / "metrics.json").write_text(json_text(metrics, indent=1), encoding="utf-8")

    return replace_folder(check_video_folder(folder), write)


def video_metrics(
    clip: Clip,
    painted: list[np.ndarray],
    seconds: list[float],
    settings: PaintSettings,
    options: VideoOptions,
    chunks: int,
    wall: float,
) -> dict:
    """metrics.json of a painted clip."""
    measure = ClipMeasure()
    for p, src in zip(painted, clip.frames, strict=True):
        measure.add(p, src)
    return measured_metrics(measure, clip.source, clip.fps, seconds, settings, options, chunks, wall)


def measured_metrics(
    measure: ClipMeasure,
    source: str,
    fps: float,
    seconds: list[float],
    settings: PaintSettings,
    options: VideoOptions,
    chunks: int,
    wall: float,
) -> dict:
    """metrics.json of a painted clip from its ClipMeasure."""
    import torch

    psnr = measure.psnr or []
    return {
        "video": {"source": source, "frames": measure.frames, "fps": fps, "chunks": chunks},
        **measure.flicker(),
        "psnr": round(float(np.mean(psnr)), 3),
        "psnr_per_frame": psnr,
        "seconds": round(wall, 2),
        "seconds_per_frame": round(float(np.mean(seconds)), 3),
        "settings": settings.to_dict(),
        "options": asdict(options),
        "torch_threads": torch.get_num_threads(),
    }


def paint_streamed(reader: ClipReader, settings: PaintSettings, options: VideoOptions, on_progress=None):
    """Paint a clip in this process as its frames are decoded, one at a time: memory does not grow with
    the clip (but for its strokes), and `on_progress(frames_done)` follows from the first frame. Returns
    each frame's strokes (N, P) and painting seconds."""
    strokes, seconds = [], []
    for painted in paint_frames(reader, settings, options):
        strokes.append(painted.strokes)
        seconds.append(painted.seconds)
        if on_progress is not None:
            on_progress(len(strokes))
    return strokes, seconds


def save_streamed(
    folder: str | Path,
    reader: ClipReader,
    strokes: list,
    seconds: list[float],
    settings: PaintSettings,
    options: VideoOptions,
    started: float,
    chunks: int = 1,
) -> dict:
    """Write a clip painted by paint_streamed or paint_clip (in `chunks` chunks) as `folder` (the files of
    save_video), each frame drawn from its strokes and measured against its source, decoded again, as the
    MP4 takes it: no clip is held whole.
    Returns the metrics written."""
    import imageio.v3 as iio

    from painter.files import json_text
    from painter.mp4 import write_mp4
    from painter.output_folder import replace_folder

    settings = one_ground(settings, reader.first)  # as the frames were painted on
    fit_h, fit_w = fit_size(reader.first, settings.size)
    picks = _sheet_picks(len(strokes))
    kept: list[np.ndarray] = []  # the contact sheet's frames
    measure = ClipMeasure()

    def painted_frames() -> Iterator[np.ndarray]:
        for index, (frame_strokes, source) in enumerate(zip(strokes, reader, strict=True)):
            painted = render_frames([frame_strokes], settings, fit_w, fit_h)[0]
            measure.add(painted, source)
            if index in picks:
                kept.append(painted)
            yield painted

    def write(partial: Path) -> None:
        write_mp4(painted_frames(), partial / "painting.mp4", reader.fps, crf=CLIP_CRF)
        document = frames_document(strokes, settings, reader.fps, fit_w, fit_h)
        (partial / "frames.json").write_text(json_text(document), encoding="utf-8")
        iio.imwrite(partial / "contact.png", contact_sheet(kept))
        wall = time.perf_counter() - started
        metrics.update(measured_metrics(measure, reader.source, reader.fps, seconds, settings, options, chunks, wall))
        (partial / "metrics.json").write_text(json_text(metrics, indent=1), encoding="utf-8")

    metrics: dict = {}
    replace_folder(check_video_folder(folder), write)
    return metrics
