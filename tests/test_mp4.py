"""painter.mp4, the one MP4 writer: odd sizes padded for H.264, every frame written, nothing left on error."""

from __future__ import annotations

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest

from painter.mp4 import write_mp4


def test_frames_become_an_h264_mp4_padded_to_even_sides(tmp_path):
    frames = [np.full((31, 45, 3), 20 * i, np.uint8) for i in range(6)]
    path = tmp_path / "out.mp4"
    write_mp4(iter(frames), path, fps=12)
    meta = iio.immeta(path, plugin="FFMPEG")
    assert meta["codec"] == "h264" and meta["size"] == (46, 32) and meta["fps"] == 12
    assert imageio_ffmpeg.count_frames_and_secs(str(path))[0] == 6
    last = iio.imread(path, index=5, plugin="FFMPEG")
    assert abs(int(last[:31, :45].mean()) - 100) <= 2  # the last frame's grey, through yuv420p
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


@pytest.mark.parametrize(
    "frames, message",
    [
        ([], "no frames to write into"),
        ([np.zeros((8, 8, 3), np.uint8), np.zeros((8, 10, 3), np.uint8)], "frames of .* differ in size"),
    ],
)
def test_bad_frames_leave_nothing(tmp_path, frames, message):
    with pytest.raises(ValueError, match=message):
        write_mp4(frames, tmp_path / "out.mp4", fps=10)
    assert list(tmp_path.iterdir()) == []
