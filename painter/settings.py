"""Every choice of one painting, in one frozen dataclass: each default with its reason, validated in one place.

The command line builds a `PaintSettings` from its flags, the library API takes one, and `metrics.json`
records `asdict(settings)`. A new painting option is a field here, its flag in the CLI, and the code that
uses it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from painter.colours import TONED, parse_colour
from painter.engine.presets import QUALITIES  # torch-free, like every import here
from painter.limits import MAX_IMAGE_SIDE
from painter.limits import MAX_STROKES as MAX_FILE_STROKES

# The choices of the fields below: the command line and the web page offer exactly these. This module
# imports nothing heavy (no torch), so that `paint --help` and a bad option answer at once.
RENDERERS = ("neural", "exact")
DEVICES = ("auto", "cpu", "cuda")
STYLE_MODES = ("all", "colour")
FOCUS = ("eye", "error")  # where strokes go first: where people look, or where the painting misses most
ANIMATIONS = ("mp4", "gif", "both", "none")  # the making-of film: process.mp4, process.gif, both or none

MIN_FIT_SIDE = 32  # below this many pixels on the long side a photo has nothing left to paint
MAX_FIT_SIDE = 4096  # 4096 px already takes 64x the work of the default 512; beyond, memory runs out
MAX_RENDER_SIDE = MAX_IMAGE_SIDE  # a 16384 px canvas is 3.2 GB of float while drawing; stroke files share the limit
MAX_STROKES = MAX_FILE_STROKES  # a painting must fit its own stroke file (12,000 is already dense at 1024 px)
MAX_SEED = 2**63 - 1  # torch generators take a signed 64-bit seed
MAX_STYLE_WEIGHT = 1000.0  # at 1000 the photo no longer counts at all; larger only overflows


SHOWN_CHARS = 40  # a bad value is quoted up to this long in a message: enough to recognise, never a page of it


def shown(value) -> str:
    """repr(value) for an error message, cut to SHOWN_CHARS with '...' (a 10,000-character value sent to
    the web page must not come back whole)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


class SettingsError(ValueError):
    """A bad value for one field. `field` names it, and `{name}` in `reason` names another field, so that a
    front end can say its own names instead (the CLI its flags): `error.named(lambda field: "--" + field)`."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field, self.reason = field_name, reason
        super().__init__(self.named(str))

    def named(self, name: Callable[[str], str]) -> str:
        """The message with every field named by `name(field)`."""
        reason = re.sub(r"\{(\w+)\}", lambda m: name(m.group(1)), self.reason)
        return f"{name(self.field)}: {reason}"


@dataclass(frozen=True)
class PaintSettings:
    """How to paint a photo. Every field has a default; `PaintSettings(strokes=2000)` changes one.

    Example: ``paint("photo.jpg", PaintSettings(brush="watercolor", strokes=1000))``.
    """

    brush: str = "oilpaint"  # the brush people expect of a painting; `paint brushes` lists the others
    strokes: int = 500  # a recognisable painting with visible strokes; detail needs thousands
    quality: str = "normal"  # draft | normal | fine: optimiser effort per stroke (see painter.engine.presets)
    size: int = 512  # long side, px, the strokes are fitted at: detail costs time as the square of it
    render_size: int | None = None  # long side of the final PNG and SVG (None: `size`); strokes redraw sharp
    canvas: str = "auto"  # the ground: the photo's mean colour (white under a palette), "white", "black", "#rrggbb"
    seed: int = 0  # the same seed gives the same strokes (on one machine, see the README)
    device: str = "auto"  # where to optimise: a GPU when there is one, else the CPU
    renderer: str = "neural"  # optimise through the trained network (fast) or the brush's exact renderer
    renderer_weights: str | None = None  # a renderer checkpoint you trained (None: the shipped one)
    steps: int | None = None  # optimiser steps per level (None: the quality preset's)
    opaque: bool = False  # fix every stroke's opacity at 1, for physical paint that does not blend
    animation: str = "gif"  # the making of it: gif (small, opens anywhere), mp4 (phones), both or none
    style: str | None = None  # paint in the style of this image (None: no style transfer)
    style_weight: float = 0.1  # chelsea in coffee's style, 300 strokes: the style plain, the cat still clear
    style_mode: str = "all"  # what the style may change: "all" stroke values, or only their "colour"
    vgg_weights: str | None = None  # torchvision vgg16/vgg19 state dict (None: $PAINT_VGG_WEIGHTS or a random net)
    preserve_colour: bool = False  # keep the photo's colours: the style image's colours are matched first
    palette: str | None = None  # paint only in these colours, "#rrggbb,..." (your pens or paints; None: any)
    pens: int | None = None  # paint only in this many colours, picked from the photo (None: any)
    # Where strokes go first: "eye", where people look (faces and detail count more, see
    # painter.engine.attention), or "error", where the painting misses the photo most on average.
    focus: str = "eye"

    def __post_init__(self) -> None:
        validate(self)

    @property
    def output_size(self) -> int:
        """Long side of the final PNG and SVG, px."""
        return self.render_size or self.size

    @property
    def on_paper(self) -> bool:
        """Painted in a palette's colours (--palette, --pens): pens and paints go on white paper, so a toned
        ("auto") canvas is white (painter.canvas.ground_colour)."""
        return self.palette is not None or self.pens is not None

    def replace(self, **changes) -> PaintSettings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The settings as plain JSON values (what metrics.json records)."""
        return dataclasses.asdict(self)


def defaults() -> dict:
    """Every field's default value, by name."""
    return {f.name: f.default for f in dataclasses.fields(PaintSettings)}


def _whole(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsError(name, f"expected a whole number, got {shown(value)}")
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high}, got {shown(value)}")


def _choice(name: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SettingsError(name, f"unknown value {shown(value)}; use one of {', '.join(choices)}")


def validate(s: PaintSettings) -> None:
    """Check every field; SettingsError naming the field and the bad value. The brush name and the files
    (style image, weights) are checked where they are opened."""
    if not isinstance(s.brush, str) or not s.brush:
        raise SettingsError("brush", f"expected a brush name, got {shown(s.brush)}")
    _whole("strokes", s.strokes, 1, MAX_STROKES)
    _choice("quality", s.quality, QUALITIES)
    _whole("size", s.size, MIN_FIT_SIDE, MAX_FIT_SIDE)
    if s.render_size is not None:
        _whole("render_size", s.render_size, 16, MAX_RENDER_SIDE)
    try:
        if s.canvas != TONED:
            parse_colour(s.canvas)
    except (ValueError, AttributeError):
        raise SettingsError("canvas", f"expected auto, white, black or #rrggbb, got {shown(s.canvas)}") from None
    _whole("seed", s.seed, 0, MAX_SEED)
    _choice("device", s.device, DEVICES)
    _choice("renderer", s.renderer, RENDERERS)
    _choice("animation", s.animation, ANIMATIONS)
    _choice("focus", s.focus, FOCUS)
    if s.steps is not None:
        _whole("steps", s.steps, 1, 10_000)
    _choice("style_mode", s.style_mode, STYLE_MODES)
    weight = s.style_weight
    if isinstance(weight, bool) or not isinstance(weight, int | float) or math.isnan(weight):
        raise SettingsError("style_weight", f"expected a number, got {shown(weight)}")
    if not 0 <= weight <= MAX_STYLE_WEIGHT:
        raise SettingsError("style_weight", f"must be between 0 and {MAX_STYLE_WEIGHT:g}, got {weight:g}")
    if s.style is None:
        default = defaults()
        styled = ("style_weight", "style_mode", "vgg_weights", "preserve_colour")
        given = [name for name in styled if getattr(s, name) != default[name]]
        if given:
            raise SettingsError(given[0], "needs {style}")
    _palette(s)
    if s.renderer == "exact" and s.renderer_weights is not None:
        raise SettingsError("renderer_weights", "weights are for the neural renderer; {renderer} is exact")


def _palette(s: PaintSettings) -> None:
    """The palette parses and has 1 to MAX_COLOURS colours; pens is 1 to MAX_COLOURS; not both."""
    if s.palette is None and s.pens is None:
        return
    from painter.palette import MAX_COLOURS  # only when asked: it loads torch

    if s.palette is not None:
        if not isinstance(s.palette, str) or not s.palette.strip():
            raise SettingsError("palette", f"expected colours like #1b1b1b,#c03020,#f4f0e6, got {shown(s.palette)}")
        from painter.plotter.palette import parse_palette  # only when asked: the plotter takes a while to load

        try:
            colours = parse_palette(s.palette)
        except ValueError as err:
            raise SettingsError("palette", str(err)) from None
        if len(colours) > MAX_COLOURS:
            raise SettingsError("palette", f"at most {MAX_COLOURS} colours, got {len(colours)}")
    if s.pens is not None:
        _whole("pens", s.pens, 1, MAX_COLOURS)
        if s.palette is not None:
            raise SettingsError("pens", "give either {palette} or {pens}, not both")
