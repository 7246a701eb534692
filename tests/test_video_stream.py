"""A clip painted in this process is streamed: frames are decoded as they are painted (progress from the
first frame, memory that does not grow with the clip), and the files match the whole-clip path's."""

from __future__ import annotations

import json

import imageio_ffmpeg
import numpy as np
import pytest
from test_video import FAST, moving_square

from painter.many.video import (
    ClipReader,
    VideoOptions,
    paint_streamed,
    read_clip,
    render_frames,
    save_streamed,
    video_metrics,
)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    return moving_square(tmp_path_factory.mktemp("clip") / "clip.mp4", frames=24, fps=12.0)


def test_frames_are_decoded_as_they_are_painted(long_clip, monkeypatch):
    decoded = []  # source frames ffmpeg has handed over, counted as they are pulled
    real = imageio_ffmpeg.read_frames

    def counting(path, *args, **kwargs):
        frames = real(path, *args, **kwargs)
        yield next(frames)  # the metadata
        for data in frames:
            decoded.append(1)
            yield data

    monkeypatch.setattr(imageio_ffmpeg, "read_frames", counting)
    reader = ClipReader(long_clip, VideoOptions(refine_steps=2))
    decoded.clear()  # opening it read up to the first frame
    seen_at_progress = []
    strokes, seconds = paint_streamed(
        reader, FAST, VideoOptions(refine_steps=2), lambda done: seen_at_progress.append((done, len(decoded)))
    )
    assert len(strokes) == len(seconds) == 24
    assert [done for done, _ in seen_at_progress] == list(range(1, 25))  # a report for every frame, from the first
    # When frame k is painted, at most frame k + 1 has been decoded: the clip is never read ahead whole.
    assert all(pulled <= done + 1 for done, pulled in seen_at_progress)


def test_the_streamed_files_match_the_whole_clip_path(long_clip, tmp_path):
    options = VideoOptions(refine_steps=2, max_frames=10)
    reader = ClipReader(long_clip, options, long_side=48)
    strokes, seconds = paint_streamed(reader, FAST, options)
    metrics = save_streamed(tmp_path / "out", reader, strokes, seconds, FAST, options, started=0.0)
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "out" / "painting.mp4"))
    assert frames == 10 and metrics["video"]["frames"] == 10
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["psnr"] == metrics["psnr"]
    # The same numbers as measuring the clip held whole.
    clip = read_clip(long_clip, options, long_side=48)
    painted = render_frames(strokes, FAST, 48, 36)
    whole = video_metrics(clip, painted, seconds, FAST, options, 1, 0.0)
    for key in ("psnr", "psnr_per_frame", "flicker", "painted_change", "source_change"):
        assert metrics[key] == whole[key], key
    assert np.isfinite(metrics["psnr"])
