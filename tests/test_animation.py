"""The making of a painting: process.mp4 read back with imageio, and the animated SVG played in a real
browser (Debian's headless Chromium through Playwright) and in a static renderer (cairosvg)."""

from __future__ import annotations

import io
import os
import shutil
import stat
from pathlib import Path

import cairosvg
import imageio.v3 as iio
import numpy as np
import pytest
import torch
from conftest import psnr

import brushes
from painter import animation
from painter.canvas import blank_canvas, draw, render_painting
from painter.cli import main
from painter.files import to_uint8
from painter.strokes import Painting

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def sampled(brush: str, n: int, width: int = 160, height: int = 120, seed: int = 0) -> Painting:
    b = brushes.get_brush(brush)
    return Painting(b, b.sample(n, torch.Generator().manual_seed(seed)), width, height)


@pytest.fixture
def stroke_file(tmp_path):
    path = tmp_path / "strokes.json"
    path.write_text(sampled("oilpaint", 40).to_json())
    return path


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("n", [0, 7, 90, 500, 1000, 5000])
def test_the_strokes_go_down_at_a_steady_pace_then_the_painting_is_held(n):
    counts = animation.stroke_counts(n)
    hold = round(animation.HOLD_S * animation.FPS)
    making = counts[:-hold]
    assert len(making) == round(animation.making_seconds(n) * animation.FPS)
    assert counts[-hold:] == [n] * hold
    if n:
        assert making[0] == 0 and making[-1] < n  # from the bare canvas; the last stroke lands on the hold
        steps = np.diff(making + [n])
        assert steps.max() - steps.min() <= 1  # steady: every frame adds the same number of strokes, +-1
        assert animation.MIN_MAKING_S <= len(making) / animation.FPS <= animation.MAX_MAKING_S


def test_mp4_has_the_expected_frames_and_duration_and_ends_on_the_painting(tmp_path):
    painting = sampled("markerpen", 50)
    path = tmp_path / "process.mp4"
    animation.write_mp4(painting, path, 161)  # an odd height (121) is made even for H.264
    meta = iio.immeta(path, plugin="FFMPEG")
    video = iio.imread(path, plugin="FFMPEG", index=None)  # (F, H, W, 3)
    expected = len(animation.stroke_counts(50))
    assert meta["codec"] == "h264" and meta["fps"] == animation.FPS
    assert video.shape == (expected, 120, 160, 3)
    assert meta["duration"] == pytest.approx(expected / animation.FPS, abs=0.05)
    assert expected / animation.FPS == animation.making_seconds(50) + animation.HOLD_S
    assert video[0].min() >= 245  # the bare white canvas
    finished = to_uint8(draw(painting.brush, painting.strokes, blank_canvas(120, 160, painting.background)))
    assert psnr(video[-1], finished) >= 30
    assert psnr(video[len(video) // 3], finished) < 25  # part-way it is not finished yet
    assert not [p for p in tmp_path.iterdir() if p.name != "process.mp4"]  # no temporary file left


def test_mp4_default_size_is_phone_sized(tmp_path):
    painting = sampled("rectangle", 5, width=64, height=48)
    animation.write_mp4(painting, tmp_path / "p.mp4")
    assert iio.immeta(tmp_path / "p.mp4", plugin="FFMPEG")["size"] == (720, 540)


def fake_ffmpeg(tmp_path: Path, script: str) -> str:
    exe = tmp_path / "ffmpeg"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return str(exe)


@pytest.mark.parametrize(
    "script, message",
    [
        ('cat > /dev/null; echo "some noise" >&2; echo "Unknown encoder libx264" >&2; exit 1', "Unknown encoder"),
        ('echo "Conversion failed!" >&2; exit 1', "Conversion failed!"),  # stops reading at once: a broken pipe
        (None, "cannot run ffmpeg"),
    ],
)
def test_ffmpeg_failing_is_one_line_exit_2_and_nothing_written(
    tmp_path, stroke_file, capsys, monkeypatch, script, message
):
    exe = fake_ffmpeg(tmp_path, script) if script else str(tmp_path / "no-such-ffmpeg")
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", exe)
    out = tmp_path / "out" / "x.mp4"
    code, _, err = run(["render", stroke_file, "-o", out, "--size", 32], capsys)
    assert code == 2
    assert err.count("\n") == 1 and message in err and err.startswith("paint: error:")
    assert not out.parent.exists() or not list(out.parent.iterdir())


def test_render_writes_mp4_and_animated_svg(tmp_path, stroke_file, capsys):
    code, out, err = run(["render", stroke_file, "-o", tmp_path / "x.mp4", "--size", 160], capsys)
    assert code == 0, err
    assert iio.immeta(tmp_path / "x.mp4", plugin="FFMPEG")["size"] == (160, 120)
    code, _, err = run(["render", stroke_file, "-o", tmp_path / "x.svg", "--animated"], capsys)
    assert code == 0, err
    text = (tmp_path / "x.svg").read_text()
    assert text.count('class="stroke"') == 40 and "@keyframes" in text and "<script" not in text
    code, _, err = run(["render", stroke_file, "-o", tmp_path / "still.svg"], capsys)
    assert code == 0 and "@keyframes" not in (tmp_path / "still.svg").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "{tmp}/x.png", "--animated"], "--animated needs an .svg, .mp4 or .gif output"),
        (["-o", "{tmp}/x.webm"], "unknown output type '.webm'"),
    ],
)
def test_render_bad_animation_output_is_one_line(tmp_path, stroke_file, capsys, args, message):
    code, _, err = run(["render", stroke_file, *(a.format(tmp=tmp_path) for a in args)], capsys)
    assert code == 2 and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["strokes.json"]


def test_animation_choices():
    assert animation.check_animation(" MP4 ") == "mp4"
    assert animation.animation_files("both") == ("process.gif", "process.mp4")
    assert animation.animation_files("none") == ()
    with pytest.raises(ValueError, match="unknown animation 'webm'; use one of mp4, gif, both, none"):
        animation.check_animation("webm")
    with pytest.raises(ValueError, match="cannot animate into '.png'"):
        animation.write_animation(sampled("oilpaint", 1), "x.png")


@pytest.mark.parametrize("brush", ["oilpaint", "watercolor"])
def test_animated_svg_without_css_animation_is_the_finished_painting(brush):
    painting = sampled(brush, 12)
    png = iio.imread(io.BytesIO(cairosvg.svg2png(bytestring=animation.animated_svg(painting).encode())))
    assert psnr(png[..., :3], to_uint8(render_painting(painting))) >= 30


def chromium_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return os.access(CHROMIUM, os.X_OK)


@pytest.mark.skipif(not chromium_available(), reason="needs Playwright and a Chromium at /usr/bin/chromium")
def test_animated_svg_plays_in_a_browser_and_ends_on_the_painting(tmp_path):
    """Real time: a page left to play for the whole animation shows painting.png; a second page, its
    animations seeked to half-way (test-side only: the SVG has no script), shows a painting not done."""
    from playwright.sync_api import sync_playwright

    painting = sampled("oilpaint", 60)
    svg = tmp_path / "painting-animated.svg"
    animation.write_animated_svg(painting, svg)
    expected = to_uint8(render_painting(painting))
    seconds = animation.making_seconds(len(painting))
    viewport = {"width": painting.width, "height": painting.height}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            played = browser.new_page(viewport=viewport)
            played.goto(svg.as_uri())
            played.wait_for_timeout(seconds * 1000 + 1000)
            end = iio.imread(played.screenshot())[..., :3]
            seeked = browser.new_page(viewport=viewport)
            seeked.goto(svg.as_uri())
            seeked.evaluate(f"document.getAnimations().forEach(a => {{ a.pause(); a.currentTime = {seconds * 500}; }})")
            middle = iio.imread(seeked.screenshot())[..., :3]
        finally:
            browser.close()
    assert end.shape == expected.shape
    assert psnr(end, expected) >= 30
    assert psnr(middle, expected) < 20
