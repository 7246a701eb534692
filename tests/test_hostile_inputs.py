"""Hostile files given to the command line and the library: each is one plain error line naming the file and
what is wrong with it, exit code 2, and nothing written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from painter.cli import main
from painter.images import load_photo
from painter.palette_file import read_palette_file
from painter.plotter import PlotSettings
from painter.style_loss import resolve_vgg_path
from painter.web.uploads import Limits, UploadError, check_image

QUICK = ["--brush", "rectangle", "--strokes", "2", "--size", "48", "--renderer", "exact", "--steps", "1"]


def float_tiff(path: Path, value: float, where: tuple[int, int] = (3, 7)) -> Path:
    """A 32-bit float TIFF (PIL mode 'F') of 0.5 with one sample set to `value` at (y, x)."""
    pixels = np.full((20, 30), 0.5, dtype=np.float32)
    pixels[where] = value
    Image.fromarray(pixels, mode="F").save(path)
    return path


def photo(path: Path) -> Path:
    Image.new("RGB", (40, 30), (200, 120, 40)).save(path)
    return path


def paint(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, float("-nan")], ids=["nan", "inf", "-inf", "-nan"])
def test_non_finite_pixels_are_refused_when_the_photo_is_read(tmp_path, capsys, value):
    bad = float_tiff(tmp_path / "float.tif", value)
    expected = f"{bad} has NaN or infinite pixels (1, the first at x=7, y=3)"
    with pytest.raises(ValueError) as caught:
        load_photo(bad)
    assert str(caught.value) == expected
    out = tmp_path / "out"
    assert paint([str(bad), "-o", str(out), *QUICK], capsys) == (2, f"paint: error: {expected}\n")
    style = ["--style", str(bad)]
    assert paint([str(photo(tmp_path / "p.png")), "-o", str(out), *QUICK, *style], capsys) == (
        2,
        f"paint: error: --style: {expected}\n",
    )
    assert not out.exists()
    with pytest.raises(UploadError) as caught:
        check_image(bad.read_bytes(), Limits())
    assert caught.value.status == 400
    assert (
        str(caught.value)
        == "The image has NaN or infinite pixels (1, the first at x=7, y=3); save it with finite values."
    )


def test_finite_float_pixels_are_still_read_and_clipped(tmp_path):
    image = load_photo(float_tiff(tmp_path / "float.tif", 7.5))  # out of range, but a number: clipped to white
    assert image.shape == (3, 20, 30) and float(image[0, 3, 7]) == 1.0 and abs(float(image[0, 0, 0]) - 0.5) < 1e-6


def special_files(tmp_path: Path) -> list[tuple[str, str]]:
    """(path, what paint calls it) for every kind of non-file this machine can make."""
    tmp_path.mkdir()
    found = [(str(tmp_path), "a directory")]
    for device in ("/dev/zero", "/dev/null", "/dev/urandom"):
        if Path(device).exists() and stat.S_ISCHR(os.stat(device).st_mode):
            found.append((device, "a character device"))
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    found.append((str(fifo), "a pipe (FIFO)"))
    (tmp_path / "a.jpg").symlink_to(tmp_path / "b.jpg")
    (tmp_path / "b.jpg").symlink_to(tmp_path / "a.jpg")
    found.append((str(tmp_path / "a.jpg"), "a loop of symbolic links"))
    (tmp_path / "to-zero.png").symlink_to("/dev/zero")
    found.append((str(tmp_path / "to-zero.png"), "a character device"))
    return found


def test_devices_pipes_and_link_loops_are_named_not_read(tmp_path, capsys):
    out = tmp_path / "out"
    for path, kind in special_files(tmp_path / "odd"):
        with pytest.raises(ValueError) as caught:
            load_photo(path)
        assert str(caught.value) == f"{path} is {kind}, not a photo"
        if kind != "a directory":  # paint's argument may be a folder of photos: a batch
            assert paint([path, "-o", str(out), *QUICK], capsys) == (
                2,
                f"paint: error: {path} is {kind}, not a photo\n",
            )
        with pytest.raises(ValueError) as caught:
            resolve_vgg_path(path)
        assert str(caught.value) == f"VGG weights {path} (from vgg_weights) is {kind}, not a file"
    assert not out.exists()


def test_missing_vgg_weights_are_still_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="^VGG weights file not found: .*missing.pth"):
        resolve_vgg_path(str(tmp_path / "missing.pth"))


def test_a_palette_file_may_start_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "paints.txt"
    path.write_bytes("\ufeff#c03020 cadmium red\r\n# blues\r\n#2050a0\r\n".encode())  # as Windows Notepad saves
    assert read_palette_file(path) == "#c03020,#2050a0"


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"#c03020\n" * 8_001, "is larger than 64,000 bytes, the limit for a palette file"),
        (b"#c03020\n" * 65, "holds more than 64 colours (line 65)"),
        (b"#c03020\n\xff\xfe\n", "is not UTF-8 text (byte 8)"),
        (b"#c03020\n" + b"x" * 5000 + b"\n", "line 2: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is not a colour"),
        (b"\xef\xbb\xbf\n// nothing\n", "holds no colours"),
    ],
    ids=["too large", "too many colours", "not UTF-8", "a long bad colour", "no colours"],
)
def test_a_palette_file_is_bounded_like_a_stroke_file(tmp_path, content, problem):
    path = tmp_path / "paints.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError) as caught:
        read_palette_file(path)
    assert str(caught.value) == f"palette file {str(path)!r} {problem}"


def test_a_palette_file_that_is_a_device_or_pipe_is_named(tmp_path):
    for path, kind in special_files(tmp_path / "odd"):
        with pytest.raises(ValueError) as caught:
            read_palette_file(path)
        assert str(caught.value) == f"palette file {path!r} is {kind}, not a file"
    with pytest.raises(FileNotFoundError):
        read_palette_file(tmp_path / "missing.txt")


@pytest.mark.parametrize("width", [1e-300, 0.01, 0.29, 0.0, -1.0, float("nan"), float("inf"), 400.0])
def test_the_tool_width_has_a_lower_bound_named_in_the_error(width):
    with pytest.raises(ValueError) as caught:
        PlotSettings(tool_width=width)
    assert str(caught.value) == (
        "tool_width must be at least 0.3 mm (finer tools multiply the paths and the time to plan them) and at most "
        f"the paper's short side (210 mm), got {width:g}"
    )
    assert PlotSettings(tool_width=0.3).tool_width == 0.3


def test_a_single_file_output_that_is_the_photo_by_any_name_is_refused(tmp_path, capsys, monkeypatch):
    original = photo(tmp_path / "in.png")
    before = original.read_bytes()
    (tmp_path / "link.png").symlink_to(original)
    os.link(original, tmp_path / "hard.png")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    for output in ["in.png", "./in.png", str(original), "sub/../in.png", "link.png", "hard.png"]:
        code, err = paint(["in.png", "-o", output, *QUICK], capsys)
        assert (code, err) == (
            2,
            f"paint: error: output file {Path(output)} is in.png, which is being painted; choose another name\n",
        )
    style = photo(tmp_path / "style.png")
    code, err = paint(["in.png", "--style", "style.png", "-o", str(style), *QUICK], capsys)
    assert (code, err) == (
        2,
        f"paint: error: output file {style} is style.png, which is being painted; choose another name\n",
    )
    assert original.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.png", "link.png", "hard.png", "sub", "style.png"]
    )


@pytest.mark.parametrize("output", ["painting.bmp", "x.tif", "x.txt", "scan.PDF"])
def test_an_unknown_output_kind_is_refused_before_painting(tmp_path, capsys, output):
    source = photo(tmp_path / "in.png")
    code, err = paint([str(source), "-o", str(tmp_path / output), *QUICK], capsys)
    suffix = Path(output).suffix.lower()
    kinds = ".png, .jpg, .jpeg, .webp, .svg, .json, .gif, .mp4"
    assert (code, err) == (
        2,
        f"paint: error: unknown output type {suffix!r} for {tmp_path / output}; use one of {kinds} (or end a folder's "
        "name with /)\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


@pytest.mark.parametrize("output", ["xyz:-", "bmp:-", ":-"])
def test_an_unknown_standard_output_kind_is_refused(tmp_path, capsys, output):
    code, err = paint([str(photo(tmp_path / "in.png")), "-o", output, *QUICK], capsys)
    kinds = "-, png:-, jpg:-, webp:-, svg:-, json:-, gif:-"
    assert (code, err) == (2, f"paint: error: unknown kind {output[:-2]!r} for standard output; use one of {kinds}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_a_folder_whose_name_has_a_dot_still_works_ending_in_a_slash(tmp_path, capsys):
    out = tmp_path / "v1.2"
    code, _ = paint([str(photo(tmp_path / "in.png")), "-o", f"{out}/", *QUICK, "--no-animation", "--quiet"], capsys)
    assert code == 0 and (out / "painting.png").is_file()


@pytest.mark.parametrize("how, code", [("interrupt", 130), ("terminate", 143)])
def test_a_signal_while_writing_stops_it_at_once_and_keeps_the_strokes(tmp_path, capsys, monkeypatch, how, code):
    import json
    import signal
    import time

    import painter.output_folder as output_folder

    def stopped_while_writing(result, folder):
        (folder / "strokes.json").write_text(result.painting.to_json(), encoding="utf-8")
        if how == "interrupt":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        raise AssertionError("SIGTERM did not stop the writing")

    monkeypatch.setattr(output_folder, "_write_set", stopped_while_writing)
    out = tmp_path / "out"
    code_given, err = paint([str(photo(tmp_path / "in.png")), "-o", str(out), *QUICK, "--quiet"], capsys)
    assert code_given == code
    assert err == f"paint: stopped writing; kept {out}/strokes.json ('paint render' draws it)\n"
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "strokes.json"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["written"] == "strokes only" and metrics["strokes"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
