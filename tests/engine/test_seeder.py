"""The seeder: the same strokes for the same seed, placed where the painting misses most, in the photo's colour."""

from __future__ import annotations

import torch

import brushes
from painter.engine.seeder import Seeder, edge_flow


def _seed(seed: int, brush="rectangle"):
    the_brush = brushes.get_brush(brush)
    miss = torch.zeros(2, 32, 32)
    miss[0, 4:10, 20:28] = 1.0  # block 0 misses top right
    miss[1, 24:30, 2:8] = 1.0  # block 1 bottom left
    photo = torch.zeros(2, 3, 32, 32)
    photo[0, 0] = 1.0  # red
    photo[1, 2] = 1.0  # blue
    seeder = Seeder(the_brush, torch.Generator().manual_seed(seed), opaque=True)
    return the_brush, seeder.place(miss, photo, 20, 0.2, (32, 32))


def test_the_same_seed_places_the_same_strokes_and_another_seed_others():
    _, a = _seed(3)
    _, b = _seed(3)
    _, c = _seed(4)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_strokes_go_where_the_painting_misses_most_in_the_photos_colour_there():
    brush, strokes = _seed(0)
    x, y = strokes[..., brush.kinds("x")[0]], strokes[..., brush.kinds("y")[0]]  # (2, 20) fractions
    # Smoothed over 5 px, the weights reach 2 px past each patch: every stroke lands on or next to its patch.
    assert ((x[0] > 17 / 32) & (x[0] < 31 / 32) & (y[0] > 1 / 32) & (y[0] < 13 / 32)).all()
    assert ((x[1] > 0) & (x[1] < 11 / 32) & (y[1] > 21 / 32) & (y[1] < 1)).all()
    colour = strokes[..., brush.indices("colour")]
    assert torch.allclose(colour[0].mean(0), torch.tensor([1.0, 0.0, 0.0]), atol=0.05)
    assert torch.allclose(colour[1].mean(0), torch.tensor([0.0, 0.0, 1.0]), atol=0.05)
    assert (strokes[..., brush.indices("alpha")] == 1).all()  # opaque


def test_strokes_follow_the_edge_flow_when_given():
    brush = brushes.get_brush("oilpaint")
    rows = torch.arange(64).float().view(1, 64, 1)
    stripes = (rows // 8 % 2).expand(3, 64, 64)  # edges along x: strokes should lie along x (angle 0)
    seeder = Seeder(brush, torch.Generator().manual_seed(0), edge_flow(stripes))
    strokes = seeder.place(torch.ones(1, 16, 16), torch.rand(1, 3, 16, 16), 50, 0.2, (64, 64))
    angle = strokes[0, :, brush.kinds("angle")[0]]
    assert float(torch.minimum(angle, 1 - angle).median()) < 0.05
