"""A clip painted in this process is streamed: frames are decoded as they are painted (progress from the
first frame, memory that does not grow with the clip), and the files match the whole-clip path's."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace

import imageio_ffmpeg
import numpy as np
import pytest
from test_video import FAST, moving_square

from painter.many.pool import InlineRunner
from painter.many.video import (
    ClipReader,
    VideoOptions,
    chunk_tasks,
    one_ground,
    paint_chunk,
    paint_clip,
    paint_streamed,
    read_clip,
    render_frames,
    save_streamed,
    video_metrics,
)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    return moving_square(tmp_path_factory.mktemp("clip") / "clip.mp4", frames=24, fps=12.0)


def count_decoded(monkeypatch) -> list:
    """A list that grows by one for each source frame ffmpeg hands over from now on, as it is pulled."""
    decoded = []
    real = imageio_ffmpeg.read_frames

    def counting(path, *args, **kwargs):
        frames = real(path, *args, **kwargs)
        yield next(frames)  # the metadata
        for data in frames:
            decoded.append(1)
            yield data

    monkeypatch.setattr(imageio_ffmpeg, "read_frames", counting)
    return decoded


def test_frames_are_decoded_as_they_are_painted(long_clip, monkeypatch):
    decoded = count_decoded(monkeypatch)
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
    painted = render_frames(strokes, one_ground(FAST, reader.first), 48, 36)
    whole = video_metrics(clip, painted, seconds, FAST, options, 1, 0.0)
    for key in ("psnr", "psnr_per_frame", "flicker", "painted_change", "source_change"):
        assert metrics[key] == whole[key], key
    assert np.isfinite(metrics["psnr"])


def test_chunk_tasks_carry_no_frames_and_decode_theirs_one_at_a_time(long_clip, monkeypatch):
    """--workers / --ray: each chunk's worker decodes its own frames as it paints them; the tasks sent to it
    hold no decoded frame, so the driver's memory does not grow with the clip."""
    options = VideoOptions(refine_steps=2)
    reader = ClipReader(long_clip, options, long_side=48)
    tasks = chunk_tasks(reader, FAST, options, chunks=3)
    assert [(t.first, t.stop) for t in tasks] == [(0, 8), (8, 16), (16, 24)]
    frame_bytes = read_clip(long_clip, options, long_side=48).frames[0].nbytes
    assert all(len(pickle.dumps(t)) < frame_bytes for t in tasks)
    whole = read_clip(long_clip, options, long_side=48).frames
    for task in tasks:  # the same frames as the clip read whole, from the file or from its bytes (Ray)
        for source in (task, replace(task, data=long_clip.read_bytes())):
            np.testing.assert_array_equal(np.stack(list(source.frames())), np.stack(whole[task.first : task.stop]))

    decoded = count_decoded(monkeypatch)
    seen = []  # (frames painted of the last chunk, frames decoded for it so far)
    result = paint_chunk(tasks[2], lambda done, total: seen.append((done, len(decoded))))
    assert result.error is None and len(result.strokes) == 8
    # Frame 16 + k is painted having decoded at most frames 0 .. 16 + k + 1: never the chunk ahead whole.
    assert [done for done, _ in seen] == list(range(1, 9))
    assert all(pulled <= 16 + done + 1 for done, pulled in seen)


def test_a_clip_in_chunks_writes_the_streamed_files(long_clip, tmp_path):
    options = VideoOptions(refine_steps=2, max_frames=6)
    reader = ClipReader(long_clip, options, long_side=48)
    progress = []
    strokes, seconds = paint_clip(reader, FAST, options, InlineRunner(threads=1), 2, lambda *p: progress.append(p))
    assert len(strokes) == len(seconds) == 6 and progress[-1] == (6, 6)
    metrics = save_streamed(tmp_path / "out", reader, strokes, seconds, FAST, options, 0.0, chunks=2)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "contact.png",
        "frames.json",
        "metrics.json",
        "painting.mp4",
    ]
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "out" / "painting.mp4"))
    assert frames == 6 and metrics["video"] == {"source": str(long_clip), "frames": 6, "fps": 12.0, "chunks": 2}
    # The default toned ground is the clip's first frame's mean colour for every chunk, and the files say it.
    ground = reader.first.reshape(-1, 3).mean(axis=0) / 255
    document = json.loads((tmp_path / "out" / "frames.json").read_text())
    assert FAST.canvas == "auto" and document["background"] == pytest.approx(list(ground), abs=0.6 / 255)
    assert metrics["settings"]["canvas"] == "#" + "".join(f"{round(c * 255):02x}" for c in ground)
