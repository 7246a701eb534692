"""One painting, photo to result: open the inputs, paint, and hand back the painting with its metrics.

This is the library API the command line, batch, video and web front ends all use:

    from painter import PaintSettings, paint
    result = paint("photo.jpg", PaintSettings(strokes=1000))
    result.save("outputs/photo")            # painting.png, .svg, strokes.json, process.gif, metrics.json

or, to watch it happen (and stop it early):

    job = PaintJob("photo.jpg", PaintSettings())
    for progress in job.run():
        print(progress.strokes, progress.loss)
    result = job.finish()

Everything that can be wrong with the inputs is found when the job is opened, before any work.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import torch

import brushes
from brushes import Brush
from painter.canvas import ground_colour, render_painting
from painter.engine.attention import attention_map
from painter.engine.objective import objective_for
from painter.engine.painter import Progress, make_painter
from painter.engine.schedule import ScheduleOptions, Stage, build_schedule
from painter.images import PhotoSource, open_photo, resize_long_side
from painter.metrics import peak_memory_mb, similarity
from painter.palette import Palette, photo_palette
from painter.settings import PaintSettings, SettingsError
from painter.strokes import Painting

EXACT_RESOLUTION = 64  # block resolution when optimising through the brush's exact renderer


def open_device(name: str) -> torch.device:
    """The device named by PaintSettings.device; SettingsError when it is not here."""
    from renderers.model import pick_device

    try:
        return pick_device(name)
    except ValueError as err:
        raise SettingsError("device", str(err)) from None


def open_renderer(brush: Brush, settings: PaintSettings, device: torch.device):
    """The network the painter optimises through (None: the brush's exact renderer alone), and its block
    resolution in px."""
    if settings.renderer == "exact":
        return None, EXACT_RESOLUTION
    net = _neural_renderer(brush.name, settings.renderer_weights, str(device))
    return net, net.resolution


def untrained_fallback(brush: Brush, settings: PaintSettings) -> tuple[PaintSettings, str | None]:
    """The settings to paint with and a note for the user. A brush with no shipped network (one made
    from a scan) uses the network its user trained (`paint train-renderer`), else paints through its
    exact renderer, which needs no training: the note says which and how to train one."""
    from renderers import shipped_weights, user_weights
    from renderers.checkpoint import TRAINED

    if settings.renderer != "neural" or settings.renderer_weights is not None or shipped_weights(brush).exists():
        return settings, None
    if user_weights(brush).exists():
        return replace(settings, renderer_weights=TRAINED), None
    note = (
        f"brush {brush.name!r} has no trained renderer yet, so it paints through its exact renderer (slower); "
        f"train one with: paint train-renderer --brush {brush.name}"
    )
    return replace(settings, renderer="exact"), note


@functools.lru_cache(maxsize=8)
def _neural_renderer(brush: str, weights: str | None, device: str):
    """A renderer loaded once per process and kept: a batch worker paints many photos with the same
    network. Sharing it is safe because its weights are frozen (see renderers.load_renderer)."""
    from renderers import load_renderer

    return load_renderer(brushes.get_brush(brush), weights, device=device)


def open_palette(brush: Brush, settings: PaintSettings, target: torch.Tensor) -> Palette | None:
    """The colours the painting may use: the settings' palette, `pens` colours picked from target (3, H, W),
    or None (any colour)."""
    if settings.palette is not None:
        from painter.plotter.palette import parse_palette

        return Palette(brush, parse_palette(settings.palette))
    if settings.pens is not None:
        return Palette(brush, photo_palette(target, settings.pens))
    return None


@dataclass
class Style:
    """The style term of a job and what metrics.json says of it."""

    term: object  # painter.style_term.StyleTerm
    image: torch.Tensor  # (3, H, W) the style image as given
    groups: tuple[str, ...]  # the stroke value groups the style may change
    extractor: str  # vgg16, vgg19 or random
    weights: str | None  # the VGG weights file used


def open_style(
    settings: PaintSettings,
    target: torch.Tensor,
    background,
    resolution: int,
    sides: list[int],
    device,
    image: PhotoSource | None = None,
) -> Style:
    """Read the style image (`image`, else the file settings.style names) and weights and build the style
    term for painting `target` (3, h, w)."""
    from painter.style_loss import resolve_vgg_path, style_features
    from painter.style_term import STYLE_GROUPS, StyleTerm

    try:
        image = open_photo(settings.style if image is None else image, background, name=settings.style)
    except (ValueError, FileNotFoundError) as err:
        raise SettingsError("style", str(err)) from None
    vgg_path = resolve_vgg_path(settings.vgg_weights)
    extractor, is_vgg = style_features(vgg_path)
    term = StyleTerm(
        extractor, image, target, settings.style_weight, resolution, sides, settings.preserve_colour, device=device
    )
    name = extractor.arch if is_vgg else "random"
    return Style(term, image, STYLE_GROUPS[settings.style_mode], name, str(vgg_path) if vgg_path else None)


@dataclass
class PaintResult:
    """A finished (or stopped) painting: its strokes, the photo it was painted from, and its metrics."""

    painting: Painting
    photo: torch.Tensor  # (3, H, W) the whole photo, composited on the canvas colour
    image: torch.Tensor  # (3, h, w) the painting drawn at the settings' output size
    settings: PaintSettings
    metrics: dict
    style_image: torch.Tensor | None = None  # (3, H, W) when painted in a style

    def save(self, folder: str | Path) -> Path:
        """Write painting.png, painting.svg, strokes.json, process.gif (if asked for) and metrics.json
        into `folder`, replacing an earlier painting there as a whole (see painter.output_folder)."""
        from painter.output_folder import save_result

        return save_result(self, Path(folder))

    def _repr_png_(self) -> bytes:
        """The painting as PNG bytes: a notebook shows a result by itself."""
        import imageio.v3 as iio

        from painter.files import to_uint8

        return iio.imwrite("<bytes>", to_uint8(self.image), extension=".png")

    def write(self, path: str | Path) -> Path:
        """Write one file, its kind chosen by the extension (see painter.output_folder.SINGLE_FILES)."""
        from painter.output_folder import write_single

        return write_single(self, Path(path))


class PaintJob:
    """One photo being painted. Opening it checks and loads everything (ValueError / FileNotFoundError
    naming the problem); `run()` yields progress; `finish()` at any moment gives the painting so far."""

    def __init__(
        self,
        photo: PhotoSource,
        settings: PaintSettings | None = None,
        name: str | None = None,
        style_image: PhotoSource | None = None,
    ) -> None:
        """`photo`: a path, the bytes of an image file, a numpy array (H, W, 3) or (H, W), uint8 or float in
        [0, 1], or a PIL image; `name` says which photo in error messages (default: its path or its kind).
        `style_image`: the content of the style image settings.style names, given any of those ways (a
        batch worker has its bytes, not the file)."""
        self.started = time.perf_counter()
        self.brush = brushes.get_brush((settings or PaintSettings()).brush)
        settings, note = untrained_fallback(self.brush, settings or PaintSettings())
        self.settings = settings
        self.notes: list[str] = [note] if note else []  # for the user, once: the library prints nothing
        self.device = open_device(settings.device)
        flat = ground_colour(settings.canvas)  # what a transparent pixel of the photo shows: "auto" gives white
        self.photo = open_photo(photo, flat, max_side=max(settings.size, settings.output_size), name=name)
        self.background = ground_colour(settings.canvas, self.photo, settings.on_paper)
        target = resize_long_side(self.photo, settings.size)
        net, self.resolution = open_renderer(self.brush, settings, self.device)
        options = ScheduleOptions(settings.quality, neural=net is not None, steps=settings.steps)
        self.schedule: list[Stage] = build_schedule(self.brush, settings.strokes, *target.shape[1:], options)
        self.style: Style | None = None
        if settings.style is not None:
            sides = [stage.grid.side for stage in self.schedule if stage.kind == "block"]  # coarse to fine
            self.style = open_style(settings, target, self.background, self.resolution, sides, self.device, style_image)
        scored = self.style is not None and self.style.term.weight > 0  # weight 0: scored, not optimised
        objective = objective_for(
            self.brush, **({"style": self.style.term, "style_groups": self.style.groups} if scored else {})
        )
        self.palette = open_palette(self.brush, settings, target)
        self.painter = make_painter(
            self.brush, target, self.schedule, net=net, resolution=self.resolution, background=self.background,
            objective=objective, seed=settings.seed, opaque=settings.opaque, palette=self.palette,
            attention=attention_map(target) if settings.focus == "eye" else None, device=self.device,
        )  # fmt: skip
        self.interrupted = False

    @property
    def total_steps(self) -> int:
        """How many progress reports `run()` yields: the steps of every stage of the schedule."""
        return self.painter.total_steps

    @property
    def fit_size(self) -> tuple[int, int]:
        """(width, height) in px of the photo as the strokes are fitted to it."""
        return self.painter.state.width, self.painter.state.height

    def painting(self) -> Painting:
        """The painting so far (all of it once `run()` is done)."""
        return self.painter.painting()

    def run(self) -> Iterator[Progress]:
        """Paint, yielding progress after every optimiser step. Stop iterating to stop painting."""
        return self.painter.run()

    def finish(self, interrupted: bool = False) -> PaintResult:
        """The painting so far, rendered at the output size and scored against the photo."""
        painting = self.painting()
        image = render_painting(painting, self.settings.output_size)
        metrics = {
            **similarity(image, self.photo),
            "strokes": len(painting),
            "interrupted": interrupted,
            "seconds": round(time.perf_counter() - self.started, 2),
            "peak_memory_mb": peak_memory_mb(),
        }
        if self.style is not None:
            # Both scored by the same unweighted loss at the same scale; lower is closer to the style.
            metrics["style_loss"] = {"photo": self.style.term.before, "painting": self.style.term.score(image)}
        metrics["settings"] = self.settings.to_dict()
        metrics["run"] = self.run_info()
        style_image = self.style.image if self.style else None
        return PaintResult(painting, self.photo, image, self.settings, metrics, style_image)

    def run_info(self) -> dict:
        """What the settings became on this machine: the device, the renderer's size, the schedule that ran."""
        width, height = self.fit_size
        info = {
            "device": str(self.device),
            "renderer_resolution": self.resolution,
            "levels": sum(stage.kind == "block" for stage in self.schedule),
            "fit_width": width,
            "fit_height": height,
            "stages": self.painter.describe(),
        }
        if self.palette is not None:
            info["palette"] = self.palette.hex()  # what --pens picked from the photo, or the palette given
        if self.style is not None:
            info["style"] = {"extractor": self.style.extractor, "vgg_weights": self.style.weights}
            info["style"]["scored_at_px"] = self.style.term.side
        return info


def paint(
    photo: PhotoSource,
    settings: PaintSettings | None = None,
    progress: Callable[[Progress], None] | None = None,
    name: str | None = None,
) -> PaintResult:
    """Paint a photo (a path, image bytes, a numpy array or a PIL image; see PaintJob): the painting and its
    metrics. `progress` is called after every optimiser step.

    Example: ``paint("cat.jpg", PaintSettings(brush="markerpen", strokes=800)).save("out/cat")``.
    """
    job = PaintJob(photo, settings, name)
    for step in job.run():
        if progress is not None:
            progress(step)
    return job.finish()
