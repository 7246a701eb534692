"""The making of a painting, as a video (process.mp4, H.264) and as an animated SVG in which the strokes
appear one after another. Both follow one schedule: the strokes go down at a steady pace, and the
finished painting is held at the end.

    write_mp4(painting, "process.mp4")                    # 720 px long side, 30 frames a second
    write_animated_svg(painting, "painting-animated.svg")  # CSS animation, no script

Each writer is a plain function `write_x(painting, path, long_side=None)`, written atomically;
ANIMATION_WRITERS maps a file extension to its writer (a GIF is the exporters' write_gif).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import svgwrite

from brushes.geometry import to_hex
from painter.canvas import blank_canvas, draw_progressively
from painter.exporters import write_gif
from painter.files import to_uint8, write_bytes_atomic
from painter.settings import ANIMATIONS
from painter.strokes import Painting

STROKES_PER_SECOND = 100  # 500 strokes in 5 s: each stroke still visible as it lands
MIN_MAKING_S = 3.0  # a few dozen strokes would otherwise flash past
MAX_MAKING_S = 12.0  # thousands of strokes speed up rather than make a film nobody watches to the end
HOLD_S = 2.0  # the finished painting stays on screen this long
FPS = 30  # every phone plays 30 frames a second smoothly
MP4_LONG_SIDE = 720  # plays well on any phone; a 1,000-stroke painting makes 0.3 MB (12 s)


def making_seconds(strokes: int) -> float:
    """How long the strokes take to go down, before the hold: STROKES_PER_SECOND, within
    MIN_MAKING_S..MAX_MAKING_S; 0 for a painting without strokes (only the bare canvas is held)."""
    if strokes == 0:
        return 0.0
    return min(max(strokes / STROKES_PER_SECOND, MIN_MAKING_S), MAX_MAKING_S)


def stroke_counts(strokes: int, fps: int = FPS) -> list[int]:
    """How many strokes each video frame shows: the making at a steady pace from the bare canvas, then
    the finished painting for HOLD_S. Its length is the video's frame count."""
    making = round(making_seconds(strokes) * fps)
    return [i * strokes // making for i in range(making)] + [strokes] * round(HOLD_S * fps)


def video_size(painting: Painting, long_side: int | None = None) -> tuple[int, int]:
    """(height, width) of the video: `long_side` (default MP4_LONG_SIDE) on the longer side, both even,
    because H.264 in the yuv420p format that every player reads halves the colour planes."""
    height, width = painting.size_at(long_side or MP4_LONG_SIDE)
    return max(2, height - height % 2), max(2, width - width % 2)


def video_frames(painting: Painting, counts: list[int], height: int, width: int) -> Iterator[np.ndarray]:
    """One image per entry of `counts` (non-decreasing), showing that many strokes. Each (H, W, 3) uint8."""
    assert all(a <= b for a, b in zip(counts[:-1], counts[1:], strict=True)) and counts[-1] <= len(painting), (
        "counts must grow"
    )
    canvas = blank_canvas(height, width, painting.background)
    strokes = draw_progressively(painting.brush, painting.strokes, canvas)
    done, image = 0, to_uint8(canvas)
    for count in counts:
        if count != done:
            while done < count:
                done = next(strokes)
            image = to_uint8(canvas)
        yield image


def write_mp4(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    """The painting being made as an H.264 MP4 (FPS frames a second, no sound), its length given by
    stroke_counts; see painter.mp4 for the errors and the atomic write."""
    from painter import mp4

    if Path(path).suffix.lower() != ".mp4":
        raise ValueError(f"the video is an MP4; got {str(path)!r}")
    height, width = video_size(painting, long_side)
    mp4.write_mp4(video_frames(painting, stroke_counts(len(painting)), height, width), path, FPS)


def animated_svg(painting: Painting, long_side: int | None = None) -> str:
    """The painting as an SVG document in which the strokes appear one after another, at the pace of
    the video, and stay: a CSS animation per stroke (no script), so it plays in any browser and ends
    on the finished painting. Viewers without CSS animation show the finished painting."""
    height, width = painting.size_at(long_side)
    drawing = svgwrite.Drawing(size=(width, height), viewBox=f"0 0 {width} {height}", debug=False)
    n = len(painting)
    step = making_seconds(n) / max(n, 1)  # seconds between strokes; each fades in over one step
    # `both`: before its delay a stroke takes the first keyframe (hidden), after the animation the last.
    keyframes = "@keyframes appear{from{opacity:0}to{opacity:1}}"
    drawing.defs.add(drawing.style(f"{keyframes}.stroke{{animation:appear {step:.4f}s linear both}}"))
    drawing.add(drawing.rect(insert=(0, 0), size=(width, height), fill=to_hex(painting.background)))
    for i, stroke in enumerate(painting.strokes.double().numpy()):
        group = drawing.g(class_="stroke", style=f"animation-delay:{i * step:.3f}s")
        for element in painting.brush.svg_elements(stroke, height, width, drawing):
            group.add(element)
        drawing.add(group)
    return drawing.tostring()


def write_animated_svg(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    write_bytes_atomic(path, animated_svg(painting, long_side).encode("utf-8"))


ANIMATION_WRITERS = {".mp4": write_mp4, ".svg": write_animated_svg, ".gif": write_gif}


def write_animation(painting: Painting, path: str | Path, long_side: int | None = None) -> None:
    """Write the making of the painting in the format its extension names; ValueError for an unknown one."""
    suffix = Path(path).suffix.lower()
    if suffix not in ANIMATION_WRITERS:
        kinds = ", ".join(ANIMATION_WRITERS)
        raise ValueError(f"cannot animate into {suffix or '(no extension)'!r} ({path}); use one of {kinds}")
    ANIMATION_WRITERS[suffix](painting, path, long_side)


def check_animation(kind: str) -> str:
    """The `--animation` choice, normalised; ValueError naming the choices otherwise."""
    key = kind.strip().lower()
    if key not in ANIMATIONS:
        raise ValueError(f"unknown animation {kind!r}; use one of {', '.join(ANIMATIONS)}")
    return key


def animation_files(kind: str) -> tuple[str, ...]:
    """The files of a painting's set that `--animation kind` asks for."""
    return {"mp4": ("process.mp4",), "gif": ("process.gif",), "both": ("process.gif", "process.mp4"), "none": ()}[
        check_animation(kind)
    ]
