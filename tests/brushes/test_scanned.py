"""Brushes made from a scan of one real stroke: finding the stroke, drawing with it, the user folder,
the commands that make and remove them, and everything else working with such a brush."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import cairosvg
import imageio.v3 as iio
import numpy as np
import pytest
import torch
from conftest import make_stroke, psnr
from PIL import Image
from skimage import data
from synthetic import stroke_photo

import brushes
from brushes.home import user_brush_dir
from brushes.scanned import ScannedBrush
from painter import PaintSettings, paint
from painter.brush_maker import texture_from_image
from painter.canvas import render_painting
from painter.cli import main
from painter.exporters import painting_svg
from painter.files import to_uint8
from painter.strokes import Painting, load_painting

ROOT = Path(__file__).resolve().parents[2]
QUICK = dict(strokes=16, size=48, steps=3, animation="none")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty user folder of this test's own."""
    folder = tmp_path / "home"
    monkeypatch.setenv("PAINT_HOME", str(folder))
    return folder


def save(tmp_path: Path, image: np.ndarray, name: str = "stroke.png") -> Path:
    path = tmp_path / name
    Image.fromarray(image).save(path)
    return path


@pytest.fixture
def stroke_png(tmp_path):
    return save(tmp_path, stroke_photo(angle=30.0, paper=(0.93, 0.9, 0.8)))


def make(name: str, texture: Path, *flags: str) -> int:
    return main(["brushes", "new", name, "--texture", str(texture), *flags])


@pytest.fixture
def dab(home, stroke_png, capsys):
    """A two-colour brush 'dab' made with the command, in the test's user folder."""
    assert make("dab", stroke_png, "--two-colour") == 0
    capsys.readouterr()
    return brushes.get_brush("dab")


# ---- finding the stroke ----------------------------------------------------------------------------
def reference_texture(tmp_path) -> np.ndarray:
    return texture_from_image(save(tmp_path, stroke_photo(angle=0.0), "level.png"))[0]


@pytest.mark.parametrize("angle", [0.0, 30.0, 110.0, -60.0])
@pytest.mark.parametrize("paper", [(1.0, 1.0, 1.0), (0.9, 0.85, 0.7)], ids=["white", "tinted"])
def test_the_stroke_is_found_levelled_and_normalised_at_any_angle_on_any_paper(tmp_path, angle, paper):
    texture, aspect = texture_from_image(save(tmp_path, stroke_photo(angle=angle, paper=paper)))
    assert texture.shape == (32, 128) and texture.dtype == np.float32
    assert aspect == pytest.approx(50 / 200, abs=0.03)  # the dab is 200 x 50 px
    border = np.concatenate([texture[0], texture[-1], texture[:, 0], texture[:, -1]])
    assert border.max() == 0  # a clear edge: the SVG image and the raster agree outside the box
    assert texture[8:24, 20:108].mean() > 0.6  # the body of the stroke fills the middle of the box
    assert texture[:, :64].sum() > texture[:, 64:].sum()  # the heavier end (where paint lands) first
    # The same stroke on white paper gives the same texture; at another angle, much the same (the
    # synthetic photo's one-pixel streaks alias differently at each angle; levelling may turn it over).
    on_white = texture_from_image(save(tmp_path, stroke_photo(angle=angle), "white.png"))[0]
    assert np.corrcoef(texture.ravel(), on_white.ravel())[0, 1] > 0.99
    reference = reference_texture(tmp_path)
    assert max(np.corrcoef(t.ravel(), reference.ravel())[0, 1] for t in (texture, texture[::-1])) > 0.8


def test_a_stroke_is_the_texture_placed_in_its_box(tmp_path):
    texture, aspect = texture_from_image(save(tmp_path, stroke_photo(angle=20.0)))
    brush = ScannedBrush("probe", texture, aspect)
    # A box exactly the canvas (128 x 32 px) holds the texture texel for pixel.
    level = make_stroke(brush, x=0.5, y=0.5, length=1.0, thickness=0.25, angle=0.0, r=0.2, g=0.4, b=0.6, alpha=1)
    colour, alpha = brush.render(level, 32, 128)
    assert psnr(alpha[0, 0].numpy(), texture) > 45
    assert torch.allclose(colour[0, :, 10, 100], torch.tensor([0.2, 0.4, 0.6]))
    # Turned a quarter (angle 0.5 = 90 degrees, clockwise with y down) on a 32 x 128 canvas: the
    # texture turned the same way, its start (column 0) at the top.
    upright = make_stroke(brush, x=0.5, y=0.5, length=1.0, thickness=0.25, angle=0.5, alpha=1)
    _, alpha = brush.render(upright, 128, 32)
    assert psnr(alpha[0, 0].numpy(), np.rot90(texture, k=-1)) > 40
    half = upright.clone()
    half[0, -1] = 0.5
    assert torch.allclose(brush.render(half, 128, 32)[1], alpha * 0.5)


# ---- bad textures ----------------------------------------------------------------------------------
BAD = [
    ("blank", lambda: np.full((120, 160, 3), 240, np.uint8), "is blank: nothing in it differs from the paper colour"),
    ("small", lambda: stroke_photo(size=(20, 30), length=20, thickness=6), "is too small (30x20 px)"),
    ("speck", lambda: speck(), "holds no stroke: the largest patch of paint is only"),
]


def speck() -> np.ndarray:
    image = np.full((200, 200, 3), 250, np.uint8)
    image[100:104, 100:104] = 20
    return image


@pytest.mark.parametrize("case, image, message", BAD, ids=[c[0] for c in BAD])
def test_a_bad_texture_is_one_line_exit_2_and_no_brush(home, tmp_path, capsys, case, image, message):
    path = save(tmp_path, image())
    assert make("mine", path) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"paint: error: the texture {str(path)!r} ") and message in err
    assert err.count("\n") == 1
    assert not (home / "brushes" / "mine").exists() and "mine" not in brushes.brush_names()


@pytest.mark.parametrize(
    "args, message",
    [
        (["ok", "--texture", "README.md"], "the texture 'README.md' is not an image (PNG, JPEG, ...)"),
        (["ok", "--texture", "missing.png"], "no texture image 'missing.png'"),
        (["oilpaint", "--texture", "STROKE"], "'oilpaint' is a built-in brush; give your brush another name"),
        (["My Brush", "--texture", "STROKE"], "a brush name is a lower-case letter"),
        (["ok", "--texture", "STROKE", "--like", "crayon"], "argument --like: invalid choice: 'crayon'"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(home, stroke_png, capsys, monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    argv = ["brushes", "new", *[str(stroke_png) if a == "STROKE" else a for a in args]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("paint: error: ") and message in err and err.count("\n") == 1
    assert not (home / "brushes").exists() or not any((home / "brushes").iterdir())


# ---- the user folder and the registry ----------------------------------------------------------------
def test_the_brush_lives_in_the_user_folder_and_the_registry_finds_it(dab, home, capsys):
    folder = home / "brushes" / "dab"
    assert sorted(p.name for p in folder.iterdir()) == ["brush.json", "texture.png"]
    spec = json.loads((folder / "brush.json").read_text())
    assert spec["two_colour"] is True and spec["like"] == "oilpaint"
    assert "dab" in brushes.brush_names() and dab.names[5:11] == ["r0", "g0", "b0", "r1", "g1", "b1"]
    assert not list((ROOT / "brushes").glob("*dab*"))  # nothing of it inside the package
    # A new process, as after a reinstall of the package, finds it in the user folder.
    found = subprocess.run(
        [sys.executable, "-c", "import brushes; print(brushes.get_brush('dab').description)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert found.returncode == 0 and found.stdout.strip() == dab.description
    assert main(["brushes"]) == 0
    assert f"dab (12 values): {dab.description}" in capsys.readouterr().out
    assert main(["brushes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dab"]["user"] is True


def test_a_second_brush_of_the_same_name_is_refused(dab, stroke_png, capsys):
    before = (user_brush_dir() / "dab" / "texture.png").read_bytes()
    assert make("dab", stroke_png) == 2
    assert "a brush named 'dab' exists; remove it first: paint brushes remove dab" in capsys.readouterr().err
    assert (user_brush_dir() / "dab" / "texture.png").read_bytes() == before


def test_remove_takes_the_users_brush_and_never_a_built_in_one(dab, home, capsys):
    built_in = {name: brushes.get_brush(name) for name in ("oilpaint", "markerpen", "watercolor", "rectangle")}
    assert main(["brushes", "remove", "oilpaint"]) == 2
    assert "'oilpaint' is a built-in brush; only brushes made with 'paint brushes new' can be removed" in (
        capsys.readouterr().err
    )
    assert main(["brushes", "remove", "dab"]) == 0
    assert not (home / "brushes" / "dab").exists() and "dab" not in brushes.brush_names()
    assert all(brushes.get_brush(name) is brush for name, brush in built_in.items())
    assert main(["brushes", "remove", "dab"]) == 2
    assert "no brush of yours is named 'dab'; yours: none" in capsys.readouterr().err


def test_preview_sheet_draws_the_users_brush(dab, tmp_path, capsys):
    sheet = tmp_path / "sheet.png"
    assert main(["brushes", "--preview", str(sheet)]) == 0
    image = iio.imread(sheet)
    assert image.shape[0] == 5 * (22 + 160)  # four built-in rows and the user's


# ---- painting, exporting, plotting -----------------------------------------------------------------
def test_it_paints_through_the_exact_renderer_until_trained_and_says_so_once(dab, tmp_path, capsys):
    photo = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).resize((72, 48)).save(photo)
    out = tmp_path / "out"
    flags = ["--strokes", "12", "--size", "48", "--steps", "2", "--no-animation"]
    assert main([str(photo), "--brush", "dab", "-o", str(out), *flags]) == 0
    err = capsys.readouterr().err
    note = "paint: note: brush 'dab' has no trained renderer yet, so it paints through its exact renderer"
    assert err.count(note) == 1
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["settings"]["renderer"] == "exact" and metrics["strokes"] == 12
    painting = load_painting(out / "strokes.json")
    assert painting.brush is dab
    # exported for a plotter, and read by vpype's reader of paint's plots
    gcode = tmp_path / "plot.gcode"
    assert main(["export", str(out / "strokes.json"), "--to", "gcode", "-o", str(gcode), "--pens", "2"]) == 0
    assert "G21" in gcode.read_text()


def test_palette_painting_uses_only_the_palette(dab, tmp_path):
    photo = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).save(photo)  # whole, with its dark and light parts
    result = paint(photo, PaintSettings(brush="dab", palette="#000000,#c08040,#ffffff", **QUICK))
    ends = result.painting.strokes[:, dab.indices("colour")].unflatten(1, (2, 3))
    assert (ends[:, 0] == ends[:, 1]).all()
    used = {tuple(round(float(c) * 255) for c in end) for end in ends[:, 0]}
    assert used <= {(0, 0, 0), (192, 128, 64), (255, 255, 255)}  # never a photo colour between them


def test_plot_paths_fill_the_ink_of_the_box(dab):
    stroke = make_stroke(dab, x=0.5, y=0.5, length=0.5, thickness=0.125, angle=0.0, alpha=1)[0].numpy()
    paths = dab.plot_paths(stroke, 100, 200, tool_width=2.0)
    points = np.concatenate(paths)
    # The box is 100 x 25 px about (100, 50); the passes stay in it and cover most of its length.
    assert points[:, 0].min() >= 50 and points[:, 0].max() <= 150 and np.ptp(points[:, 0]) > 80
    assert points[:, 1].min() >= 37.5 and points[:, 1].max() <= 62.5 and len(paths) >= 8


@pytest.mark.parametrize("flags", [["--two-colour"], ["--like", "markerpen"]], ids=["two-colour", "marker"])
def test_svg_reuses_one_texture_is_small_and_agrees_with_the_png(home, stroke_png, capsys, flags):
    assert make("svgtest", stroke_png, *flags) == 0
    brush = brushes.get_brush("svgtest")
    strokes = brush.sample(500, torch.Generator().manual_seed(7))
    strokes[:, brush.kinds("size")] *= 0.3  # painting-sized strokes, not canvas-sized ones
    painting = Painting(brush, strokes, width=512, height=384, background=(0.95, 0.93, 0.88))
    svg = painting_svg(painting)
    assert len(svg.encode()) < 400_000
    root = ET.fromstring(svg)
    assert len(root.findall(".//{http://www.w3.org/2000/svg}image")) == 1  # one embedded copy of the texture
    raster = to_uint8(render_painting(painting))
    vector = iio.imread(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode())))[..., :3]
    assert psnr(raster, vector) >= 33.0


def test_a_batch_paints_every_photo_with_it(dab, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(data.chelsea()).resize((48, 32)).save(folder / "cat.png")
    Image.fromarray(data.coffee()).resize((48, 32)).save(folder / "coffee.png")
    flags = ["--brush", "dab", "--strokes", "6", "--size", "32", "--steps", "2", "--no-animation", "--quiet"]
    assert main([str(folder), "-o", str(tmp_path / "out"), *flags]) == 0
    for stem in ("cat", "coffee"):
        painting = load_painting(tmp_path / "out" / f"{stem}-dab" / "strokes.json")
        assert painting.brush is dab and len(painting) == 6


def test_vpype_reads_its_plot(dab, tmp_path):
    vp = pytest.importorskip("vpype")
    from painter.plotter import PlotSettings, plan_plot
    from painter.vpype_plugin import PX_PER_MM, plot_document

    strokes = dab.place(torch.rand(30, 2), torch.rand(30, 3), 0.1, 150, 200, torch.Generator().manual_seed(0))
    plot = plan_plot(Painting(dab, strokes, width=200, height=150), PlotSettings(pens=2, tool_width=0.7))
    document = plot_document(plot)
    assert isinstance(document, vp.Document) and list(document.layers) == [1, 2]
    assert document.length() / PX_PER_MM == pytest.approx(plot.stats.pen_down) and plot.stats.pen_down > 0


def test_once_trained_it_paints_through_its_own_network(dab, tmp_path):
    from renderers import NeuralRenderer, RendererConfig, user_weights
    from renderers.checkpoint import save_checkpoint

    # An untrained network stands in for a trained one: what matters is which renderer the job opens.
    save_checkpoint(user_weights(dab), NeuralRenderer(RendererConfig.for_brush(dab)), dab, {"step": 0})
    photo = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).resize((72, 48)).save(photo)
    result = paint(photo, PaintSettings(brush="dab", **QUICK))
    assert result.metrics["settings"]["renderer"] == "neural"
    assert result.metrics["settings"]["renderer_weights"] == "trained"


def test_the_command_offers_what_a_brush_can_be_like():
    from brushes.scanned import LIKE
    from painter.cli.brushes import LIKE as OFFERED

    assert set(OFFERED) == set(LIKE)
