"""The library API: paint(photo, settings) -> PaintResult, PaintJob step by step, and the output folder rule."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import cairosvg
import imageio.v3 as iio
import numpy as np
import pytest
import torch
from conftest import psnr
from PIL import Image
from skimage import data

from painter import PaintJob, PaintSettings, paint
from painter.files import to_uint8

FAST = PaintSettings(brush="rectangle", strokes=12, size=48, renderer="exact", steps=4)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).resize((72, 48)).save(path)
    return path


def test_paint_returns_a_painting_that_resembles_the_photo(photo):
    seen = []
    result = paint(photo, FAST, progress=seen.append)
    assert 11 <= len(result.painting) <= 12 and result.image.shape == (3, 32, 48)
    assert seen and seen[-1].strokes == len(result.painting)
    blank = np.ones((32, 48, 3))
    small = np.asarray(Image.open(photo).convert("RGB").resize((48, 32), Image.LANCZOS)) / 255
    painted = result.image.permute(1, 2, 0).numpy()
    assert psnr(painted, small) > psnr(blank, small) + 3
    m = result.metrics
    assert m["strokes"] == len(result.painting) and m["interrupted"] is False
    assert m["settings"] == FAST.to_dict() and m["run"]["fit_width"] == 48


def test_save_writes_the_whole_set_and_the_svg_matches_the_png(photo, tmp_path):
    folder = paint(photo, FAST).save(tmp_path / "out")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "metrics.json",
        "painting-animated.svg",
        "painting.png",
        "painting.svg",
        "process.gif",
        "strokes.json",
    ]
    png = iio.imread(folder / "painting.png")
    svg = iio.imread(io.BytesIO(cairosvg.svg2png(url=str(folder / "painting.svg"))))[..., :3]
    assert psnr(png, svg) >= 30
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial set left beside it


def test_an_earlier_painting_is_replaced_as_a_whole(photo, tmp_path):
    out = tmp_path / "out"
    paint(photo, FAST).save(out)
    first = (out / "strokes.json").read_text()
    paint(photo, FAST.replace(seed=1, animation="none")).save(out)
    assert not (out / "process.gif").exists()  # nothing of the first run is left beside the second
    assert (out / "strokes.json").read_text() != first
    assert json.loads((out / "metrics.json").read_text())["settings"]["seed"] == 1


@pytest.mark.parametrize("case", ["other files", "photo inside", "a file", "unwritable"])
def test_unsuitable_output_folders_are_refused_before_painting(photo, tmp_path, case):
    from painter.output_folder import check_folder

    folder = {"other files": tmp_path / "mine", "photo inside": tmp_path, "a file": photo}.get(case)
    if case == "other files":
        folder.mkdir()
        (folder / "notes.txt").write_text("keep me")
    if case == "unwritable":
        folder = "/proc/paint-test/out"
    message = {
        "other files": "holds other files",
        "photo inside": "holds the photo being painted",
        "a file": "is a file",
        "unwritable": "not writable",
    }[case]
    with pytest.raises(ValueError, match=message):
        check_folder(folder, photo)


def test_the_animation_setting_chooses_the_making_of_files(photo, tmp_path):
    folder = paint(photo, FAST.replace(animation="mp4")).save(tmp_path / "mp4")
    assert (folder / "process.mp4").stat().st_size > 0 and not (folder / "process.gif").exists()
    folder = paint(photo, FAST.replace(animation="none")).save(tmp_path / "none")
    assert sorted(p.name for p in folder.iterdir()) == ["metrics.json", "painting.png", "painting.svg", "strokes.json"]


def test_the_default_ground_is_toned_to_the_photo_and_the_files_say_so(tmp_path):
    dark = np.zeros((32, 48, 3), np.uint8)
    dark[..., 2] = 40
    dark[8:16, 8:16] = (250, 200, 120)  # a small bright patch on a dark ground, like a star field
    result = paint(dark, FAST)
    mean = dark.reshape(-1, 3).mean(axis=0) / 255
    assert result.painting.background == pytest.approx(tuple(mean), abs=1e-6)
    folder = result.save(tmp_path / "toned")
    assert json.loads((folder / "strokes.json").read_text())["background"] == pytest.approx(list(mean), abs=1e-4)
    assert paint(dark, FAST.replace(pens=2)).painting.background == (1.0, 1.0, 1.0)  # pens: on white paper
    assert paint(dark, FAST.replace(canvas="black")).painting.background == (0.0, 0.0, 0.0)


def test_a_stopped_job_gives_the_strokes_so_far(photo):
    job = PaintJob(photo, FAST.replace(strokes=40))
    for progress in job.run():
        if progress.level == 2:
            break
    result = job.finish(interrupted=True)
    assert 0 < len(result.painting) < 40 and result.metrics["interrupted"] is True


def test_a_job_stopped_before_its_first_stroke_still_saves(photo, tmp_path):
    job = PaintJob(photo, FAST)
    result = job.finish(interrupted=True)
    assert len(result.painting) == 0
    folder = result.save(tmp_path / "empty")
    bare = iio.imread(folder / "painting.png").reshape(-1, 3)
    toned = np.asarray(Image.open(photo).convert("RGB")).reshape(-1, 3).mean(axis=0)  # the default ground
    assert (bare == bare[0]).all() and np.abs(bare[0] - toned).max() <= 2
    assert len(json.loads((folder / "strokes.json").read_text())["strokes"]) == 0


@pytest.mark.parametrize("name", ["p.png", "p.jpg", "p.webp", "p.svg", "p.json", "p.gif"])
def test_write_one_file_chosen_by_its_extension(photo, tmp_path, name):
    result = paint(photo, FAST)
    path = result.write(tmp_path / name)
    assert path.stat().st_size > 0 and [p.name for p in tmp_path.iterdir() if p.name.startswith("p.")] == [name]


def test_same_seed_same_strokes(photo):
    assert paint(photo, FAST).painting.strokes.equal(paint(photo, FAST).painting.strokes)


def test_a_job_takes_an_array_a_pil_image_or_bytes_as_its_photo(photo):
    from_path = PaintJob(photo, FAST)
    array = np.asarray(Image.open(photo).convert("RGB"))
    for given in (array, array / 255.0, Image.open(photo), photo.read_bytes()):
        job = PaintJob(given, FAST)
        assert torch.allclose(job.photo, from_path.photo, atol=1e-6)
        assert job.fit_size == (48, 32) and job.total_steps == from_path.total_steps
    assert len(job.painting()) == 0  # before run(): the painting so far is a blank canvas
    with pytest.raises(ValueError, match="^cannot read frame 7 as an image"):
        PaintJob(b"not a picture", FAST, name="frame 7")


def test_a_result_shows_itself_in_a_notebook(photo):
    result = paint(np.asarray(Image.open(photo).convert("RGB")), FAST)
    shown = iio.imread(io.BytesIO(result._repr_png_()))
    assert shown.shape == (32, 48, 3)
    assert np.array_equal(shown, np.asarray(to_uint8(result.image)))


def test_the_readme_notebook_example_runs(photo, monkeypatch):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    code = next(b for b in blocks if "_repr_png_" in b)
    fast = "PaintSettings(brush='rectangle', strokes=12, size=48, renderer='exact', steps=4)"
    assert 'Image.open("photo.jpg")' in code and "PaintSettings(strokes=300, size=256)" in code
    code = code.replace('"photo.jpg"', repr(str(photo))).replace("PaintSettings(strokes=300, size=256)", fast)
    *body, last = code.strip().splitlines()
    scope: dict = {}
    exec("\n".join(body), scope)  # noqa: S102 - the README's own example
    shown = eval(last.split("#")[0], scope)  # noqa: S307 - a notebook shows the cell's last value
    assert iio.imread(io.BytesIO(shown._repr_png_())).shape == (32, 48, 3)
