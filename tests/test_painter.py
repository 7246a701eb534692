"""The painter: compositing, the stroke budget, the transport loss, and `paint PHOTO` end to end."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import psnr
from PIL import Image
from skimage import data

import brushes
from painter.canvas import render_painting
from painter.engine.block_stage import composite
from painter.engine.painter import make_painter
from painter.engine.plan import Grid, LevelRules, allocate, level_plan
from painter.engine.schedule import ScheduleOptions, build_schedule
from painter.engine.seeder import edge_flow
from painter.losses import l1_loss, transport_loss


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
    plan = level_plan(budget, height, width)
    assert sum(n for _, n in plan) == budget
    for grid, _ in plan:  # the blocks cover the canvas
        assert grid.rows * grid.side >= height and grid.cols * grid.side >= width
    if budget < 20:
        assert len(plan) == 1  # a small budget is not spread thin over fine levels


def test_level_plan_follows_the_budget_and_the_size():
    rules = LevelRules()
    assert len(level_plan(500, 340, 512)) == 5  # the method's 5 levels for the default painting
    dense = level_plan(5000, 683, 1024)
    assert len(dense) > 8
    finest, count = dense[-1]
    assert count / finest.blocks <= 2 * rules.block_strokes  # blocks stay small batches, not crowds
    # A small canvas is never cut into blocks finer than min_block_side, whatever the budget.
    assert all(grid.side >= rules.min_block_side for grid, _ in level_plan(5000, 96, 128))
    assert len(level_plan(5000, 683, 1024, LevelRules(levels=3))) == 3  # a fixed count still holds


def test_grid_splits_into_blocks_in_row_major_order():
    image = (torch.arange(2 * 6).float() / 12).view(1, 2, 6).repeat(3, 1, 1)
    grid = Grid.for_level(3, 2, 6)
    blocks = grid.split(image, 2)
    assert (grid.rows, grid.cols, grid.side) == (1, 3, 2) and blocks.shape == (3, 3, 2, 2)
    assert blocks[2, 0, 0, 0] == image[0, 0, 4]


def test_allocation_follows_the_error_and_respects_the_cap():
    given = allocate(40, torch.tensor([0.0, 0.1, 0.1, 0.8]), focus=2.0)
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
    options = ScheduleOptions("draft", neural=False, steps=8, **overrides)
    schedule = build_schedule(the_brush, strokes, *target.shape[1:], options)
    painter = make_painter(the_brush, target, schedule, resolution=16, seed=seed)
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
