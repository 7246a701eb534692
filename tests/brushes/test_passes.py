"""brushes.passes through each brush's plot_paths: machine passes that follow the ink and fill wide strokes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import brushes
from painter.strokes import Painting

BRUSHES = brushes.all_brushes()
IDS = [b.name for b in BRUSHES]
HEIGHT, WIDTH = 72, 96


def placed(brush, n: int, seed: int, size: float, spread: tuple[float, float] = (0.0, 1.0)) -> Painting:
    """A painting of n placed strokes, centres uniform in `spread` (fractions of the canvas)."""
    g = torch.Generator().manual_seed(seed)
    xy = spread[0] + (spread[1] - spread[0]) * torch.rand(n, 2, generator=g)
    rgb = torch.rand(n, 3, generator=g)
    return Painting(brush, brush.place(xy, rgb, size, HEIGHT, WIDTH, generator=g), WIDTH, HEIGHT)


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_plot_paths_follow_the_ink(brush):
    strokes = brush.sample(8, generator=torch.Generator().manual_seed(3)).double()
    strokes[:, brush.indices("alpha")] = 1.0
    _, alpha = brush.render(strokes, HEIGHT, WIDTH)  # (N, 1, H, W)
    near = torch.nn.functional.max_pool2d(alpha, 3, stride=1, padding=1)[:, 0].numpy()  # ink within a pixel
    for stroke, ink in zip(strokes.numpy(), near, strict=True):
        paths = brush.plot_paths(stroke, HEIGHT, WIDTH, 1.5)
        assert paths, "a visible stroke must be drawn"
        for path in paths:
            assert path.ndim == 2 and path.shape[1] == 2 and len(path) >= 2 and np.isfinite(path).all()
        points = np.concatenate(paths)
        points = points[(points[:, 0] >= 0) & (points[:, 0] < WIDTH) & (points[:, 1] >= 0) & (points[:, 1] < HEIGHT)]
        on_ink = ink[points[:, 1].astype(int), points[:, 0].astype(int)] > 0
        assert on_ink.all(), f"{brush.name} path points {points[~on_ink][:3]} lie off the stroke's ink"


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_invisible_strokes_have_no_paths(brush):
    stroke = brush.sample(1, generator=torch.Generator().manual_seed(4))[0].double().numpy()
    transparent = stroke.copy()
    transparent[brush.indices("alpha")] = 0.0
    assert brush.plot_paths(transparent, HEIGHT, WIDTH, 1.0) == []
    zero = stroke.copy()
    zero[brush.indices("shape")] = 0.0
    assert brush.plot_paths(zero, HEIGHT, WIDTH, 1.0) == []


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_a_stroke_narrower_than_the_tool_is_one_pass(brush):
    painting = placed(brush, 5, seed=5, size=0.2)
    for stroke in painting.strokes.double().numpy():
        assert len(brush.plot_paths(stroke, HEIGHT, WIDTH, 1000.0)) == 1


def distance_to_paths(points: np.ndarray, paths: list[np.ndarray]) -> np.ndarray:
    """Distance from each point (M, 2) to the nearest segment of any path. (M,)."""
    best = np.full(len(points), np.inf)
    for path in paths:
        a, b = path[:-1], path[1:]  # (S, 2)
        ab = b - a
        t = ((points[:, None] - a[None]) * ab[None]).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12)[None]
        nearest = a[None] + t.clip(0, 1)[..., None] * ab[None]  # (M, S, 2)
        best = np.minimum(best, np.hypot(*(points[:, None] - nearest).transpose(2, 0, 1)).min(axis=1))
    return best


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_wide_strokes_are_filled_with_passes(brush):
    painting = placed(brush, 3, seed=6, size=0.45, spread=(0.45, 0.55))
    strokes = painting.strokes.double()
    _, alpha = brush.render(strokes, HEIGHT, WIDTH)
    tool = 2.0
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    for stroke, a in zip(strokes.numpy(), alpha[:, 0].numpy(), strict=True):
        paths = brush.plot_paths(stroke, HEIGHT, WIDTH, tool)
        assert len(paths) >= 3, "a stroke several tool widths wide needs several passes"
        solid = a >= 0.9 * a.max()
        pixels = np.stack([xs[solid], ys[solid]], axis=1)
        covered = distance_to_paths(pixels, paths) <= 0.75 * tool + 1.0
        assert covered.mean() >= 0.9, f"{brush.name}: passes cover only {covered.mean():.0%} of the stroke"
