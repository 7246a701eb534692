"""The painter: compositing, the stroke budget, the transport loss, and `paint PHOTO` end to end."""

from __future__ import annotations

import io
import json

import cairosvg
import imageio.v3 as iio
import numpy as np
import pytest
import torch
from conftest import psnr
from PIL import Image
from skimage import data

import brushes
from painter.canvas import render_painting
from painter.cli import main
from painter.losses import l1_loss, transport_loss
from painter.progressive import (
    ExactRenderer,
    Grid,
    PainterConfig,
    ProgressivePainter,
    composite,
    edge_flow,
    level_plan,
    make_painter,
)


def test_composite_matches_painting_strokes_one_by_one():
    g = torch.Generator().manual_seed(0)
    background = torch.rand(2, 3, 8, 8, generator=g)
    colour = torch.rand(2, 5, 3, 8, 8, generator=g)
    alpha = torch.rand(2, 5, 1, 8, 8, generator=g)
    expected = background.clone()
    for i in range(5):
        expected = colour[:, i] * alpha[:, i] + expected * (1 - alpha[:, i])
    assert torch.allclose(composite(background, colour, alpha), expected, atol=1e-6)


@pytest.mark.parametrize("budget", [1, 7, 55, 300, 1000, 5000, 20000])
@pytest.mark.parametrize("height, width", [(384, 512), (96, 128), (1024, 683), (3, 2000), (50, 1000)])
def test_level_plan_spends_exactly_the_budget(budget, height, width):
    plan = level_plan(PainterConfig(strokes=budget), height, width)
    assert sum(n for _, n in plan) == budget
    for grid, _ in plan:  # the blocks cover the canvas
        assert grid.rows * grid.side >= height and grid.cols * grid.side >= width
    if budget < 20:
        assert len(plan) == 1  # a small budget is not spread thin over fine levels


def test_level_plan_follows_the_budget_and_the_size():
    config = PainterConfig(strokes=500)
    assert len(level_plan(config, 340, 512)) == 5  # the method's 5 levels for the default painting
    dense = level_plan(PainterConfig(strokes=5000), 683, 1024)
    assert len(dense) > 8
    finest, count = dense[-1]
    assert count / finest.blocks <= 2 * config.block_strokes  # blocks stay small batches, not crowds
    # A small canvas is never cut into blocks finer than min_block_side, whatever the budget.
    assert all(grid.side >= config.min_block_side for grid, _ in level_plan(PainterConfig(strokes=5000), 96, 128))
    assert len(level_plan(PainterConfig(strokes=5000, levels=3), 683, 1024)) == 3  # a fixed count still holds


def test_grid_splits_into_blocks_in_row_major_order():
    image = (torch.arange(2 * 6).float() / 12).view(1, 2, 6).repeat(3, 1, 1)
    grid = Grid.for_level(3, 2, 6)
    blocks = grid.split(image, 2)
    assert (grid.rows, grid.cols, grid.side) == (1, 3, 2) and blocks.shape == (3, 3, 2, 2)
    assert blocks[2, 0, 0, 0] == image[0, 0, 4]


def test_allocation_follows_the_error_and_respects_the_cap():
    painter = ProgressivePainter(
        brushes.get_brush("rectangle"), None, 16, torch.zeros(3, 32, 32), (1, 1, 1), PainterConfig(focus=2.0)
    )
    given = painter._allocate(40, torch.tensor([0.0, 0.1, 0.1, 0.8]))
    assert int(given.sum()) == 40 and int(given.max()) <= 20
    assert given[3] == 20 and given[0] <= given[1]


def test_transport_loss_moves_a_stroke_towards_a_target_it_does_not_touch():
    """L1 gives no gradient to a stroke's position when it does not overlap its target; the
    transport loss pulls it over."""
    brush = brushes.get_brush("rectangle")
    target = torch.zeros(1, 3, 64, 64)
    target[..., 24:40, 4:20] = 1.0  # a white square on the left
    x = torch.tensor([[0.75, 0.5, 0.25, 0.25, 0.0, 1.0, 1.0, 1.0, 1.0]], requires_grad=True)  # one on the right

    def canvas(strokes):
        colour, alpha = brush.render(strokes, 64, 64)
        return colour * alpha

    l1_loss(canvas(x), target).backward()
    assert x.grad[0, 0] == 0  # no pull from the pixel loss
    optimiser = torch.optim.Adam([x], lr=0.02)
    for _ in range(40):
        optimiser.zero_grad()
        transport_loss(canvas(x), target).backward()
        optimiser.step()
    assert x[0, 0] < 0.5  # moved more than halfway towards the square (centre x = 0.19)


def photo_file(tmp_path, name="cat.png", size=(96, 64)):
    path = tmp_path / name
    Image.fromarray(data.chelsea()).resize(size).save(path)
    return path


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


FAST = ["--size", "64", "--steps", "8", "--quiet"]


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
    # The painting resembles the photo far better than the blank canvas does.
    photo_small = np.asarray(Image.open(photo).convert("RGB").resize((64, 43), Image.LANCZOS))
    assert psnr(png, photo_small) > psnr(np.full_like(photo_small, 255), photo_small) + 3
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


def test_inputs_alpha_grayscale_sixteen_bit_and_exif_rotation(tmp_path):
    from painter.images import load_photo

    rgba = np.zeros((10, 20, 4), np.uint8)
    rgba[..., 0] = 255  # red, but fully transparent on the left half
    rgba[:, 10:, 3] = 255
    Image.fromarray(rgba).save(tmp_path / "a.png")
    image = load_photo(tmp_path / "a.png", background=(0.0, 0.0, 1.0))
    assert image.shape == (3, 10, 20)
    assert torch.allclose(image[:, 5, 2], torch.tensor([0.0, 0.0, 1.0]))  # canvas colour shows through
    assert torch.allclose(image[:, 5, 15], torch.tensor([1.0, 0.0, 0.0]))

    Image.fromarray(np.full((8, 8), 128, np.uint8)).save(tmp_path / "g.png")
    gray = load_photo(tmp_path / "g.png")
    assert gray.shape == (3, 8, 8) and abs(float(gray.mean()) - 128 / 255) < 1e-3

    Image.fromarray(np.full((8, 8), 65535 // 4, np.uint16)).save(tmp_path / "deep.png")
    deep = load_photo(tmp_path / "deep.png")
    assert abs(float(deep.mean()) - 0.25) < 0.01

    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(np.zeros((10, 30, 3), np.uint8)).save(tmp_path / "r.jpg", exif=exif)
    assert load_photo(tmp_path / "r.jpg").shape == (3, 30, 10)


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
    [("missing", "no such photo"), ("directory", "directory"), ("empty", "empty file"), ("text", "cannot read")],
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
        ("--canvas", "mauve", "bad colour"),
        ("--size", "8", "at least 32"),
        ("--device", "tpu", "invalid choice"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, option, value, message):
    out = tmp_path / "out"
    code, _, err = run([photo_file(tmp_path), option, value, "--out", out, "--quiet"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err
    assert not out.exists()


def test_ctrl_c_stops_cleanly_and_writes_the_strokes_so_far(tmp_path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "painter.cli",
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
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 130
    assert "Traceback" not in rest and "interrupted" in rest
    strokes = json.loads((out / "strokes.json").read_text())["strokes"]
    assert 0 < len(strokes) < 400
    assert iio.imread(out / "painting.png").shape == (85, 128, 3)


def test_edge_flow_follows_stripes():
    rows = torch.arange(64).float().view(1, 64, 1)
    horizontal = (rows // 8 % 2).expand(3, 64, 64)  # stripes along x: strokes should lie along x (angle 0)
    flow = edge_flow(horizontal)
    along = torch.minimum(flow, 1 - flow)  # angle distance from 0 (0 and 1 are the same direction)
    assert float(along.median()) < 0.05
    assert float((edge_flow(horizontal.transpose(1, 2)) - 0.5).abs().median()) < 0.05  # and along y: 90 degrees


def paint_directly(target, strokes, seed=0, brush="rectangle", **overrides):
    """The painter run to the end through the exact renderer at 16 px blocks; the painting."""
    the_brush = brushes.get_brush(brush)
    config = PainterConfig(strokes=strokes, steps=8, global_steps=8, seed=seed, **overrides)
    painter = make_painter(the_brush, ExactRenderer(the_brush, 16), 16, target, (1, 1, 1), config, renderer="exact")
    for _ in painter.run():
        pass
    return painter.painting()


@pytest.mark.parametrize("height, width", [(100, 200), (64, 200), (50, 1000), (3, 2000), (2000, 3), (1, 300)])
def test_wide_tall_and_thin_photos_paint(height, width):
    """A landscape 2:1 or wider once crashed in the seeding; thin strips must paint too."""
    g = torch.Generator().manual_seed(0)
    painting = paint_directly(torch.rand(3, height, width, generator=g), 40)
    assert len(painting) == 40 and (painting.width, painting.height) == (width, height)


def test_more_strokes_resemble_the_photo_better():
    photo = torch.from_numpy(np.array(Image.fromarray(data.chelsea()).resize((96, 64)))).permute(2, 0, 1) / 255.0

    def score(strokes):
        return psnr(render_painting(paint_directly(photo.float(), strokes)), photo)

    assert score(120) > score(30) + 1.0
