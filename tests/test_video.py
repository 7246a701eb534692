"""Painting a video: reading a clip written here with imageio-ffmpeg, warm-started frames, the outputs."""

from __future__ import annotations

import json

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest

from painter import PaintSettings
from painter.cli import main
from painter.many.video import (
    VideoOptions,
    chunk_bounds,
    flicker,
    load_frames,
    one_ground,
    paint_frames,
    read_clip,
    render_frames,
)

FAST = PaintSettings(brush="rectangle", strokes=16, size=48, renderer="exact", steps=3, animation="none")
FLAGS = ["--brush", "rectangle", "--strokes", "16", "--size", "48", "--renderer", "exact", "--steps", "3", "--quiet"]


def moving_square(path, frames: int = 6, fps: float = 8.0):
    """A clip of a yellow square sliding right over a still colour gradient, 64 x 48 px."""
    h, w = 48, 64
    yy, xx = np.mgrid[0:h, 0:w]
    writer = imageio_ffmpeg.write_frames(str(path), (w, h), fps=fps, codec="libx264", macro_block_size=1, quality=9)
    writer.send(None)
    for t in range(frames):
        frame = np.stack([xx * 4, np.full_like(xx, 90), yy * 5], axis=-1).clip(0, 255).astype(np.uint8)
        frame[16:32, 8 + 3 * t : 22 + 3 * t] = (250, 240, 40)
        writer.send(np.ascontiguousarray(frame))
    writer.close()
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return moving_square(tmp_path_factory.mktemp("clip") / "clip.mp4")


def test_a_clip_becomes_a_painted_mp4_with_every_frame(clip, tmp_path):
    out = tmp_path / "out"
    assert main([str(clip), "--out", str(out), *FLAGS]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["contact.png", "frames.json", "metrics.json", "painting.mp4"]
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out / "painting.mp4"))
    assert frames == 6 and seconds == pytest.approx(6 / 8, abs=0.05)
    paintings, fps = load_frames(out / "frames.json")
    assert fps == 8 and len(paintings) == 6 and {len(p) for p in paintings} == {16}
    assert (paintings[0].width, paintings[0].height) == (48, 36)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["video"]["frames"] == 6 and metrics["psnr"] > 15 and metrics["flicker"] > 0
    assert iio.imread(out / "contact.png").shape[2] == 3
    # The same command again replaces the earlier clip's folder as a whole.
    assert main([str(clip), "--out", str(out), *FLAGS, "--max-frames", "2"]) == 0
    assert len(load_frames(out / "frames.json")[0]) == 2


def test_warm_started_frames_flicker_less_than_independent_ones(clip):
    frames = read_clip(clip).frames
    settings = one_ground(FAST, frames[0])  # the toned ground the frames are painted on, to draw them on
    painted = {}
    for independent in (False, True):
        options = VideoOptions(refine_steps=10, independent=independent)
        strokes = [f.strokes for f in paint_frames(frames, FAST, options)]
        painted[independent] = flicker(render_frames(strokes, settings, 48, 36), frames)
    warm, alone = painted[False], painted[True]
    assert warm["source_change"] == alone["source_change"] > 0
    assert warm["flicker"] < alone["flicker"]


def test_read_clip_cuts_and_samples_by_time(clip):
    assert len(read_clip(clip).frames) == 6
    assert len(read_clip(clip, VideoOptions(max_frames=4)).frames) == 4
    assert len(read_clip(clip, VideoOptions(start=0.25)).frames) == 4  # frames at 0.25 s .. 0.625 s
    assert len(read_clip(clip, VideoOptions(start=0.25, end=0.5)).frames) == 2
    halved = read_clip(clip, VideoOptions(fps=4))
    assert halved.fps == 4 and len(halved.frames) == 3
    assert max(read_clip(clip, long_side=32).frames[0].shape[:2]) == 32


@pytest.mark.parametrize(
    "case, message",
    [
        ("not a video", "cannot read"),
        ("nothing after start", "has no frames between 5 s"),
        ("end before start", "must come after start"),
    ],
)
def test_bad_video_input_is_one_line_exit_2_and_nothing_written(clip, tmp_path, capsys, case, message):
    video = clip
    extra = []
    if case == "not a video":
        video = tmp_path / "broken.mp4"
        video.write_bytes(b"this is no video")
    if case == "nothing after start":
        extra = ["--start", "5"]
    if case == "end before start":
        extra = ["--start", "0.5", "--end", "0.25"]
    out = tmp_path / "out"
    assert main([str(video), "--out", str(out), *FLAGS, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_chunks_cover_the_clip_in_order():
    assert chunk_bounds(10, 3) == [(0, 3), (3, 7), (7, 10)]
    assert chunk_bounds(2, 4) == [(0, 1), (1, 2)]
    assert chunk_bounds(5, 1) == [(0, 5)]


def test_a_clip_gets_the_ground_a_photo_of_its_first_frame_gets():
    frame = np.zeros((8, 12, 3), np.uint8)
    frame[..., 0] = 200
    frame[:4, :, 2] = 100  # mean (200, 0, 50)
    assert one_ground(FAST, frame).canvas == "#c80032"
    assert one_ground(FAST.replace(pens=2), frame).canvas == "#ffffff"  # pens go on white paper, as for a photo
    assert one_ground(FAST.replace(canvas="black"), frame).canvas == "black"
