"""The painting as data: a brush, its strokes in painting order, the canvas size and background,
and the strokes.json file format that stores it.

strokes.json has exactly these top-level keys:
  format      "paint-strokes"
  version     1
  width       pixels the strokes were fitted at
  height      pixels the strokes were fitted at
  background  [r, g, b], each in 0..1
  brush       a registered brush name
  params      the brush's parameter names, in order
  strokes     a list of arrays in that order, values in 0..1, in painting order

Limits, so a hostile or broken file fails at once with a clear message instead of exhausting memory or
time: at most MAX_FILE_BYTES bytes, MAX_STROKES strokes, MAX_IMAGE_SIDE pixels a side, and whole numbers
of at most MAX_DIGITS digits.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import torch

from brushes import Brush, get_brush
from painter.images import long_side_size
from painter.limits import MAX_IMAGE_SIDE, MAX_STROKES

FORMAT = "paint-strokes"
VERSION = 1
KEYS = ("format", "version", "width", "height", "background", "brush", "params", "strokes")
# A 50,000-stroke file is about 10 MB; reading is capped well above that, and never reads a device endlessly.
MAX_FILE_BYTES = 64_000_000
MAX_DIGITS = 18  # of a whole number in the file; 10^18 is far past any limit above


@dataclass
class Painting:
    """A stroke painting. strokes: (N, P) float tensor in [0, 1], in painting order."""

    brush: Brush
    strokes: torch.Tensor
    width: int
    height: int
    background: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def __post_init__(self) -> None:
        assert self.strokes.ndim == 2 and self.strokes.shape[1] == self.brush.size, tuple(self.strokes.shape)

    def __len__(self) -> int:
        return self.strokes.shape[0]

    def size_at(self, long_side: int | None) -> tuple[int, int]:
        """(height, width) of a render whose longer side is `long_side` (default: the fitted size),
        aspect ratio kept."""
        if long_side is None:
            return self.height, self.width
        if long_side < 1:
            raise ValueError(f"size must be a positive number of pixels, got {long_side}")
        if long_side > MAX_IMAGE_SIDE:
            raise ValueError(f"size {long_side} pixels is over the limit of {MAX_IMAGE_SIDE} pixels a side")
        return long_side_size(self.height, self.width, long_side)

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "width": self.width,
            "height": self.height,
            "background": [round(float(c), 6) for c in self.background],
            "brush": self.brush.name,
            "params": self.brush.names,
            "strokes": [[round(float(v), 6) for v in row] for row in self.strokes.tolist()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)


def _side(data: dict, key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key!r} must be a positive whole number of pixels, got {value!r}")
    if value > MAX_IMAGE_SIDE:
        raise ValueError(f"{key!r} is {value} pixels, over the limit of {MAX_IMAGE_SIDE}")
    return value


def _unit_number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a number in [0, 1], got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{where} is {value}, not a finite number")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{where} is {value}, outside [0, 1]")
    return float(value)


def painting_from_dict(data: object) -> Painting:
    """Validate a decoded strokes.json; ValueError naming the first problem found."""
    if not isinstance(data, dict):
        raise ValueError("a stroke file must hold a JSON object")
    missing = [k for k in KEYS if k not in data]
    if missing:
        raise ValueError(f"missing key(s): {', '.join(missing)}")
    extra = sorted(set(data) - set(KEYS))
    if extra:
        raise ValueError(f"unexpected key(s): {', '.join(extra)}")
    if data["format"] != FORMAT:
        raise ValueError(f"'format' must be {FORMAT!r}, got {data['format']!r}")
    version = data["version"]
    if isinstance(version, bool) or version != VERSION:  # True == 1 in Python, but not a version
        raise ValueError(f"unsupported version {version!r}; this program reads version {VERSION}")
    width, height = _side(data, "width"), _side(data, "height")
    background = data["background"]
    if not isinstance(background, list) or len(background) != 3:
        raise ValueError(f"'background' must be [r, g, b], got {background!r}")
    rgb = tuple(_unit_number(c, "a background value") for c in background)
    if not isinstance(data["brush"], str):
        raise ValueError(f"'brush' must be a brush name, got {data['brush']!r}")
    brush = get_brush(data["brush"])
    if data["params"] != brush.names:
        raise ValueError(f"'params' {data['params']!r} do not match brush {brush.name!r}: {brush.names}")
    rows = data["strokes"]
    if not isinstance(rows, list):
        raise ValueError("'strokes' must be a list of arrays")
    if len(rows) > MAX_STROKES:
        raise ValueError(f"{len(rows)} strokes is over the limit of {MAX_STROKES} strokes a file")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != brush.size:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise ValueError(f"stroke {i} has {got} values; brush {brush.name!r} needs {brush.size}")
        for name, value in zip(brush.names, row, strict=True):
            _unit_number(value, f"stroke {i} {name}")
    strokes = torch.tensor(rows, dtype=torch.float32).reshape(len(rows), brush.size)
    return Painting(brush, strokes, width, height, rgb)  # type: ignore[arg-type]


def _whole_number(text: str) -> int:
    """JSON's whole numbers, refused past MAX_DIGITS digits (Python refuses 4,300 with a message about sys)."""
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise ValueError(f"a whole number of {digits} digits ({text[:12]}...); the most read is {MAX_DIGITS}")
    return int(text)


def load_painting(path: str | Path) -> Painting:
    """Read and validate a strokes.json file; FileNotFoundError, or ValueError naming the file and problem."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such stroke file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not a stroke file")
    if not path.is_file():
        raise ValueError(f"{path} is not a regular file (a device or a pipe?), not a stroke file")
    with path.open("rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes, the limit for a stroke file")
    try:
        data = json.loads(raw.decode("utf-8"), parse_int=_whole_number)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from None
    except RecursionError:
        raise ValueError(f"{path}: arrays or objects nested too deeply") from None
    except ValueError as err:  # from _whole_number
        raise ValueError(f"{path}: {err}") from None
    try:
        return painting_from_dict(data)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
