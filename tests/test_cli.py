"""The `paint` command line: painting a photo, render, brushes, and one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys

import cairosvg
import imageio.v3 as iio
import numpy as np
import pytest
import torch
from conftest import psnr
from PIL import Image
from skimage import data

import brushes
from painter.cli import main
from painter.strokes import Painting


@pytest.fixture
def stroke_file(tmp_path):
    brush = brushes.get_brush("oilpaint")
    strokes = brush.place(
        torch.rand(40, 2, generator=torch.Generator().manual_seed(0)),
        torch.rand(40, 3, generator=torch.Generator().manual_seed(1)),
        0.15,
        120,
        160,
        torch.Generator().manual_seed(2),
    )
    path = tmp_path / "strokes.json"
    path.write_text(Painting(brush, strokes, width=160, height=120).to_json())
    return path


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_render_png_svg_gif_agree(tmp_path, stroke_file, capsys):
    for ext in ("png", "svg", "gif"):
        code, _, err = run(["render", stroke_file, "-o", tmp_path / f"out.{ext}", "--size", 320], capsys)
        assert code == 0, err
    png = iio.imread(tmp_path / "out.png")
    assert png.shape == (240, 320, 3)
    svg = iio.imread(io.BytesIO(cairosvg.svg2png(url=str(tmp_path / "out.svg"))))[..., :3]
    assert psnr(png, svg) >= 30
    gif = iio.imread(tmp_path / "out.gif", index=None)
    assert 10 <= gif.shape[0] <= 90 and gif.shape[1:3] == (240, 320)
    assert gif[0][..., :3].min() >= 250  # starts on the blank white canvas
    assert psnr(gif[-1][..., :3], png) > 25  # ends on the finished painting (GIF palette costs a little)
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_render_default_size_is_the_files_own(tmp_path, stroke_file, capsys):
    code, _, _ = run(["render", stroke_file, "-o", tmp_path / "p.png"], capsys)
    assert code == 0 and iio.imread(tmp_path / "p.png").shape == (120, 160, 3)


def test_brushes_json_lists_every_brush(capsys):
    code, out, _ = run(["brushes", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and set(data) == set(brushes.brush_names())
    for name, spec in data.items():
        assert spec["params"] == brushes.get_brush(name).names


def test_brushes_preview_sheet(tmp_path, capsys):
    code, _, _ = run(["brushes", "--preview", tmp_path / "sheet.png"], capsys)
    sheet = iio.imread(tmp_path / "sheet.png")
    assert code == 0 and sheet.shape[0] > 4 * 100
    assert sheet.std() > 20  # strokes, not a blank page


def write_json(tmp_path, text, name="s.json"):
    path = tmp_path / name
    path.write_text(text)
    return path


def bad_inputs(tmp_path, stroke_file):
    good = json.loads(stroke_file.read_text())

    def variant(**kw):
        return write_json(tmp_path, json.dumps({**good, **kw}), f"{'-'.join(kw)}-{len(str(kw))}.json")

    return {
        "missing file": ([tmp_path / "missing.json"], "no such stroke file"),
        "directory": ([tmp_path], "directory"),
        "malformed json": ([write_json(tmp_path, "{", "broken.json")], "not valid JSON"),
        "unknown brush": ([variant(brush="crayon")], "unknown brush"),
        "wrong count": ([variant(strokes=[[0.5] * 5])], "has 5 values"),
        "out of range": ([variant(strokes=[[2.0] * 12])], "outside [0, 1]"),
        "nan": ([write_json(tmp_path, json.dumps({**good, "strokes": [[float("nan")] * 12]}), "nan.json")], "finite"),
    }


@pytest.mark.parametrize(
    "case", ["missing file", "directory", "malformed json", "unknown brush", "wrong count", "out of range", "nan"]
)
def test_bad_stroke_files_exit_2_with_one_line_and_no_output(tmp_path, stroke_file, capsys, case):
    args, message = bad_inputs(tmp_path, stroke_file)[case]
    out = tmp_path / "out" / "p.png"
    code, _, err = run(["render", *args, "-o", out], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err
    assert not out.exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["render", "{file}", "-o", "{tmp}/p.jpg"], "unknown output type '.jpg'"),
        (["render", "{file}", "-o", "{tmp}/p.png", "--size", "0"], "must be at least 1"),
        (["render", "{file}", "-o", "{tmp}/p.png", "--size", "big"], "expected a whole number"),
        (["render", "{file}"], "required"),
        (["paint-it-black.jpg"], "no such photo"),  # an unknown word is taken as the photo to paint
        (["brushes", "--preview", "{tmp}/sheet.jpg"], "PNG"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, stroke_file, capsys, argv, message):
    argv = [a.format(file=stroke_file, tmp=tmp_path) for a in argv]
    code, _, err = run(argv, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err
    assert not list(tmp_path.glob("p.*")) and not list(tmp_path.glob("sheet*"))


def test_console_script_reports_errors_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "painter.cli", "render", str(tmp_path / "none.json"), "-o", str(tmp_path / "x.png")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# ---- paint PHOTO ------------------------------------------------------------------------------------
def photo_file(tmp_path, name="cat.png", size=(96, 64)):
    path = tmp_path / name
    Image.fromarray(data.chelsea()).resize(size).save(path)
    return path


FAST = ["--size", "64", "--steps", "8", "--quiet"]


# One torch thread: with two, the exact rectangle path gave other strokes in about one run of three (found
# 2026-12-07, also at the presets before that day). The strokes first differ by about 1e-9, in the last
# steps of the whole-canvas pass; the reseeding's inputs and picks are the same in every run, and the pass
# alone from the same strokes (no reseed) was the same in 5 runs of 5: a float sum whose split between two
# threads depends on where a tensor lies in memory is the suspect, not yet found. Same seed, same strokes
# holds on one thread, which this test asserts.
@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("renderer", ["exact", "neural"])
def test_paint_photo_end_to_end(tmp_path, capsys, renderer):
    photo = photo_file(tmp_path)
    out = tmp_path / "out"
    args = [photo, "--brush", "rectangle", "--strokes", "30", "--renderer", renderer, "--out", out, *FAST]
    code, _, err = run(args, capsys)
    assert code == 0, err
    for name in ("painting.png", "painting.svg", "strokes.json", "process.gif", "metrics.json"):
        assert (out / name).stat().st_size > 0
    png = iio.imread(out / "painting.png")
    assert png.shape == (43, 64, 3)
    strokes = json.loads((out / "strokes.json").read_text())
    assert strokes["brush"] == "rectangle" and 27 <= len(strokes["strokes"]) <= 30
    svg = iio.imread(io.BytesIO(cairosvg.svg2png(url=str(out / "painting.svg"))))[..., :3]
    assert psnr(png, svg) >= 30
    # The painting resembles the photo far better than the blank canvas, toned to the photo's mean colour, does.
    photo_small = np.asarray(Image.open(photo).convert("RGB").resize((64, 43), Image.LANCZOS))
    blank = np.broadcast_to(photo_small.reshape(-1, 3).mean(axis=0).round().astype(np.uint8), photo_small.shape)
    assert psnr(png, photo_small) > psnr(blank, photo_small) + 3
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["strokes"] == len(strokes["strokes"]) and metrics["psnr"] > 10 and metrics["seconds"] > 0
    assert metrics["settings"]["renderer"] == renderer
    # Same seed, same strokes.
    code, _, _ = run([*args[: -len(FAST) - 2], "--out", tmp_path / "again", *FAST], capsys)
    assert json.loads((tmp_path / "again" / "strokes.json").read_text())["strokes"] == strokes["strokes"]


def test_render_size_draws_larger_and_no_animation_skips_the_gif(tmp_path, capsys):
    out = tmp_path / "big"
    code, _, err = run(
        [
            photo_file(tmp_path),
            "--brush",
            "rectangle",
            "--strokes",
            "10",
            "--renderer",
            "exact",
            "--render-size",
            "160",
            "--no-animation",
            "--out",
            out,
            *FAST,
        ],
        capsys,
    )
    assert code == 0, err
    assert iio.imread(out / "painting.png").shape == (108, 160, 3)  # 43 x 64 fitted, scaled by 2.5
    assert not (out / "process.gif").exists()


def bad_photo(tmp_path, case):
    if case == "missing":
        return tmp_path / "nope.jpg"
    if case == "directory":
        return tmp_path
    path = tmp_path / f"{case}.jpg"
    path.write_bytes(b"" if case == "empty" else b"this is not an image at all")
    return path


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "no such photo"),
        ("directory", "is empty; there is nothing to paint"),
        ("empty", "empty file"),
        ("text", "cannot read"),
    ],
)
def test_unreadable_photos_exit_2_and_write_nothing(tmp_path, capsys, case, message):
    out = tmp_path / "out"
    code, _, err = run([bad_photo(tmp_path, case), "--out", out, *FAST], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err
    assert not out.exists()


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--strokes", "0", "must be at least 1"),
        ("--strokes", "-5", "must be at least 1"),
        ("--brush", "crayon", "unknown brush"),
        ("--canvas", "mauve", "--canvas: expected auto, white, black or #rrggbb, got 'mauve'"),
        ("--size", "100000", "--size: must be between 32 and 4096, got 100000"),
        ("--strokes", "1000000000", "--strokes: must be between 1 and 50000"),
        ("--render-size", "100000", "--render-size: must be between 16 and 16384"),
        ("--seed", "18446744073709551616", "--seed: must be between 0 and 9223372036854775807"),
        ("--quality", "best", "invalid choice: 'best'"),
        ("--style-weight", "0.5", "--style-weight: needs --style"),
        ("--size", "8", "--size: must be between 32"),
        ("--device", "tpu", "invalid choice"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, option, value, message):
    out = tmp_path / "out"
    code, _, err = run([photo_file(tmp_path), option, value, "--out", out, "--quiet"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err
    assert not out.exists()


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_stops_cleanly_and_writes_the_strokes_so_far(tmp_path, signum, code):
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "painter",
        str(photo_file(tmp_path, size=(192, 128))),
        "--brush",
        "rectangle",
        "--strokes",
        "400",
        "--size",
        "128",
        "--steps",
        "200",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    seen = ""
    while "level 2/" not in seen:  # wait until painting is under way
        char = proc.stderr.read(1)
        assert char, f"paint ended before it could be interrupted: {seen[-300:]}"
        seen += char
    proc.send_signal(signum)
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == code
    assert "Traceback" not in rest and "stopped; writing the strokes painted so far" in rest
    strokes = json.loads((out / "strokes.json").read_text())["strokes"]
    assert 0 < len(strokes) < 400
    assert iio.imread(out / "painting.png").shape == (85, 128, 3)
    assert json.loads((out / "metrics.json").read_text())["interrupted"] is True
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial set left behind


def test_options_may_come_before_the_photo(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = run(["--strokes", "6", "--brush", "rectangle", photo_file(tmp_path), "--out", out, *FAST], capsys)
    assert code == 0, err
    assert len(json.loads((out / "strokes.json").read_text())["strokes"]) == 6


def test_help_shows_the_painting_options_with_defaults_and_version(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for text in (
        "--strokes N",
        "stroke budget (500)",
        "--quality",
        "(normal)",
        "--brush",
        "(oilpaint)",
        "paint render",
    ):
        assert text in out
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.startswith("paint ")


def test_python_dash_m_painter_runs_the_command():
    result = subprocess.run([sys.executable, "-m", "painter", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("paint ")


@pytest.mark.parametrize("name", ["painting.svg", "painting.jpg", "painting.webp", "strokes.json"])
def test_one_output_file_chosen_by_its_extension(tmp_path, capsys, name):
    photo = photo_file(tmp_path)
    code, _, err = run([photo, "--brush", "rectangle", "--strokes", "6", "-o", tmp_path / name, *FAST], capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cat.png", name])


def test_stdin_photo_and_stdout_png(tmp_path):
    photo = photo_file(tmp_path).read_bytes()
    args = ["-", "--brush", "rectangle", "--strokes", "6", "-o", "-", *FAST]
    result = subprocess.run([sys.executable, "-m", "painter", *args], input=photo, capture_output=True)
    assert result.returncode == 0, result.stderr
    assert iio.imread(io.BytesIO(result.stdout)).shape == (43, 64, 3)


def test_an_unwritable_output_is_found_before_painting(tmp_path, capsys):
    code, _, err = run([photo_file(tmp_path), "--out", "", *FAST], capsys)
    assert code == 2 and "the output name is empty" in err
    code, _, err = run([photo_file(tmp_path), "--out", "/proc/paint-out", *FAST], capsys)
    assert code == 2 and "not writable" in err and len(err.strip().splitlines()) == 1
    code, _, err = run([photo_file(tmp_path), "--out", tmp_path, *FAST], capsys)
    assert code == 2 and "holds the photo being painted" in err
