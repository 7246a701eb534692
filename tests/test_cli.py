"""The `paint` command line: render, brushes, and one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import cairosvg
import imageio.v3 as iio
import pytest
import torch
from conftest import psnr

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
