"""One painting job end to end: check the inputs, fit the strokes, write the outputs and metrics.

Everything that can be wrong with the inputs is checked in `PaintJob.prepare`, before any work
and before any file is written.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

import brushes
from brushes import Brush
from painter.canvas import parse_colour
from painter.exporters import write_image, write_outputs
from painter.files import write_bytes_atomic
from painter.images import load_photo, resize_long_side
from painter.metrics import similarity
from painter.progressive import ExactRenderer, Progress, ProgressivePainter, level_sides, make_painter, painter_config
from painter.style import resolve_vgg_path, style_features
from painter.stylise import DEFAULT_STYLE_WEIGHT, StyleTerm, check_style_mode

EXACT_RESOLUTION = 64  # block resolution when optimising through the brush's exact renderer
MIN_SIZE = 32  # below this many pixels a photo has nothing left to paint


def pick_device(name: str) -> torch.device:
    """'auto', 'cpu' or 'cuda' to a device; ValueError when CUDA is asked for but absent."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but CUDA is not available here")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; use auto, cpu or cuda")
    return torch.device(name)


def make_renderer(brush: Brush, kind: str, device: torch.device):
    """The differentiable renderer the painter optimises through, and its block resolution."""
    if kind == "exact":
        return ExactRenderer(brush, EXACT_RESOLUTION), EXACT_RESOLUTION
    if kind != "neural":
        raise ValueError(f"unknown renderer {kind!r}; use neural or exact")
    from renderers import load_renderer

    net = load_renderer(brush, device=device)
    return net, net.resolution


@dataclass
class PaintJob:
    brush: Brush
    photo: torch.Tensor  # (3, H, W) the whole photo, composited on the canvas colour
    painter: ProgressivePainter
    render_size: int
    settings: dict
    started: float = field(default_factory=time.perf_counter)
    style: StyleTerm | None = None  # the style term, when painting in the style of another image
    style_image: torch.Tensor | None = None  # (3, H, W) as given, copied into the output folder

    @classmethod
    def prepare(
        cls,
        photo: str | Path,
        brush: str = "oilpaint",
        strokes: int = 500,
        size: int = 512,
        render_size: int | None = None,
        canvas: str = "white",
        seed: int = 0,
        device: str = "auto",
        renderer: str = "neural",
        steps: int | None = None,
        opaque: bool = False,
        style: str | Path | None = None,
        style_weight: float | None = None,
        style_mode: str | None = None,
        vgg_weights: str | Path | None = None,
        preserve_colour: bool = False,
    ) -> PaintJob:
        """Check every input and set up the painter; ValueError / FileNotFoundError naming the problem.

        style: paint in the style of this image (see painter.stylise); style_weight (default
        DEFAULT_STYLE_WEIGHT), style_mode ("all" or "colour"), vgg_weights (else $PAINT_VGG_WEIGHTS, else
        the random-network fallback) and preserve_colour apply only with it.
        """
        started = time.perf_counter()
        the_brush = brushes.get_brush(brush)
        if strokes < 1:
            raise ValueError(f"the stroke budget must be at least 1, got {strokes}")
        if size < MIN_SIZE:
            raise ValueError(f"--size must be at least {MIN_SIZE} pixels, got {size}")
        if render_size is not None and render_size < 1:
            raise ValueError(f"--render-size must be at least 1 pixel, got {render_size}")
        background = parse_colour(canvas)
        the_device = pick_device(device)
        image = load_photo(photo, background)
        style_image = vgg_path = None
        if style is None:
            given = {"--style-weight": style_weight, "--style-mode": style_mode, "--vgg-weights": vgg_weights}
            named = [flag for flag, value in given.items() if value is not None]
            named += ["--preserve-colour"] if preserve_colour else []
            if named:
                raise ValueError(f"{', '.join(named)} {'needs' if len(named) == 1 else 'need'} --style IMAGE")
        else:
            style_mode = style_mode or "all"
            style_groups = check_style_mode(style_mode)
            style_weight = DEFAULT_STYLE_WEIGHT if style_weight is None else style_weight
            if not style_weight >= 0:
                raise ValueError(f"--style-weight must be at least 0, got {style_weight}")
            try:
                style_image = load_photo(style, background)
            except (ValueError, FileNotFoundError) as err:
                raise type(err)(f"--style: {err}") from None
            vgg_path = resolve_vgg_path(str(vgg_weights) if vgg_weights else None)
            extractor, is_vgg = style_features(vgg_path)
        target = resize_long_side(image, size)
        net, resolution = make_renderer(the_brush, renderer, the_device)
        config = painter_config(the_brush, strokes, seed=seed, opaque=opaque, steps=steps, renderer=renderer)
        term = None
        if style is not None:
            sides = level_sides(config, target.shape[1], target.shape[2])  # coarse to fine
            term = StyleTerm(
                extractor, style_image, target, style_weight, resolution, sides, preserve_colour, device=the_device
            )
            config.global_steps = 0  # the whole-canvas polish fits the photo alone: it would undo the style
        painter = make_painter(
            the_brush,
            net,
            resolution,
            target,
            background,
            config,
            renderer=renderer,
            device=the_device,
            extra_loss=term if term is not None and term.weight > 0 else None,  # weight 0: scored, not optimised
            extra_trainable=style_groups if term is not None else None,
        )
        settings = {
            "photo": str(photo),
            "brush": the_brush.name,
            "strokes": strokes,
            "size": size,
            "render_size": render_size or size,
            "canvas": canvas,
            "seed": seed,
            "device": str(the_device),
            "renderer": renderer,
            "renderer_resolution": resolution,
            "steps_per_level": config.steps,
            "exact_steps_per_level": config.exact_steps if renderer == "neural" else 0,
            "levels": config.levels,
            "opaque": opaque,
            "fit_width": target.shape[2],
            "fit_height": target.shape[1],
        }
        if term is not None:
            settings["style"] = {
                "image": str(style),
                "weight": style_weight,
                "mode": style_mode,
                "preserve_colour": preserve_colour,
                "extractor": extractor.arch if is_vgg else "random",
                "vgg_weights": str(vgg_path) if vgg_path else None,
                "scored_at_px": term.side,
                "whole_canvas_polish": False,
            }
        return cls(the_brush, image, painter, render_size or size, settings, started, term, style_image)

    @property
    def total_steps(self) -> int:
        return self.painter.total_steps()

    def run(self) -> Iterator[Progress]:
        return self.painter.run()

    def finish(self, folder: str | Path, animation: bool = True) -> dict:
        """Write the painting's files and metrics.json into `folder`; returns the metrics."""
        painting = self.painter.painting()
        image = write_outputs(painting, folder, self.render_size, animation)
        style = {}
        if self.style is not None:
            write_image(self.style_image, Path(folder) / "style.png")
            # Both scored by the same unweighted loss at the same scale; lower is closer to the style.
            style = {"style_loss": {"photo": self.style.before, "painting": self.style.score(image)}}
        metrics = {
            **similarity(image, self.photo),
            **style,
            "strokes": len(painting),
            "seconds": round(time.perf_counter() - self.started, 2),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "settings": self.settings,
        }
        write_bytes_atomic(Path(folder) / "metrics.json", json.dumps(metrics, indent=1).encode("utf-8"))
        return metrics
