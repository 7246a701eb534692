"""The one MP4 writer: frames (H, W, 3) uint8 piped to the ffmpeg that imageio-ffmpeg ships, as H.264
(yuv420p, which every player reads), written atomically. The making-of video (painter.animation) and
painted clips (painter.many.video) both use it."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from painter.files import atomic_path

X264_CRF = 26  # x264's quality scale (lower is better, 23 its default): brush texture stays, bytes halve
X264_PRESET = "medium"  # x264's default speed/size trade-off


def write_mp4(
    frames: Iterable[np.ndarray], path: str | Path, fps: float, crf: int = X264_CRF, preset: str = X264_PRESET
) -> None:
    """Write `frames` (each (H, W, 3) uint8, all one size; odd sides are padded by repeating the edge, as
    yuv420p needs even ones) as an H.264 MP4 at `fps` frames a second, no sound. OSError with ffmpeg's own
    message when ffmpeg fails, ValueError when there is no frame; nothing is left at `path` then."""
    import imageio_ffmpeg

    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f"no frames to write into {path}")
    height, width = first.shape[:2]
    pad = ((0, height % 2), (0, width % 2), (0, 0))
    with atomic_path(path) as tmp, tempfile.TemporaryFile() as log:
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width + width % 2}x{height + height % 2}",
            "-r", f"{fps:g}", "-i", "-",
            "-an", "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-movflags", "+faststart",  # the index first, so a phone starts playing before the download ends
            "-f", "mp4", str(tmp),
        ]  # fmt: skip
        try:
            ffmpeg = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        except OSError as err:
            raise OSError(f"cannot run ffmpeg ({command[0]}): {err.strerror or err}") from None
        try:
            for frame in itertools.chain([first], frames):
                if frame.shape[:2] != (height, width):
                    raise ValueError(f"frames of {path} differ in size: {frame.shape[:2]} after {(height, width)}")
                ffmpeg.stdin.write(np.ascontiguousarray(np.pad(frame, pad, mode="edge"), dtype=np.uint8).tobytes())
            ffmpeg.stdin.close()
        except BrokenPipeError:  # ffmpeg stopped early; its exit status and message say why
            with contextlib.suppress(BrokenPipeError):
                ffmpeg.stdin.close()
        except BaseException:  # our own error or Ctrl-C mid-way: stop ffmpeg, leave nothing
            ffmpeg.kill()
            ffmpeg.wait()
            raise
        status = ffmpeg.wait()
        if status != 0:
            log.seek(0)
            lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {status}"
            raise OSError(f"ffmpeg could not write {path}: {reason}")
