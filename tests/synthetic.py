"""A synthetic photo of one streaky brush stroke on paper, for the tests of brushes made from scans."""

from __future__ import annotations

import numpy as np


def stroke_photo(
    angle: float = 30.0,
    paper: tuple[float, float, float] = (1.0, 1.0, 1.0),
    paint: tuple[float, float, float] = (0.15, 0.2, 0.55),
    size: tuple[int, int] = (240, 320),
    length: float = 200.0,
    thickness: float = 50.0,
    seed: int = 0,
) -> np.ndarray:
    """(H, W, 3) uint8: a dab `length` x `thickness` px at `angle` degrees (clockwise, y down) in the
    middle of paper of colour `paper` with a little grain; the paint thins in streaks along the stroke
    and its ends are rounded and ragged, as a loaded brush leaves them."""
    rng = np.random.default_rng(seed)
    h, w = size
    ys, xs = np.mgrid[:h, :w] + 0.5
    theta = np.radians(angle)
    dx, dy = xs - w / 2, ys - h / 2
    u = dx * np.cos(theta) + dy * np.sin(theta)  # along the stroke
    v = -dx * np.sin(theta) + dy * np.cos(theta)  # across it
    across = v / (thickness / 2)  # -1..1 inside
    # Rounded ends, each bristle row with its own ragged end.
    rows = 24
    row = np.clip(((across + 1) / 2 * rows).astype(int), 0, rows - 1)
    ragged = rng.uniform(0.0, 0.08, rows)[row] * length
    reach = length / 2 * np.sqrt(np.clip(1 - across**2, 0, 1)) ** 0.3 - ragged
    inside = (np.abs(across) <= 1) & (np.abs(u) <= reach)
    streaks = 0.55 + 0.45 * rng.uniform(0, 1, rows)[row]  # some bristles carry less paint
    fade = np.clip(1.2 - (u / (length / 2)) * 0.5, 0, 1)  # the paint runs out towards the end
    alpha = np.where(inside, streaks * fade, 0.0)
    grain = rng.normal(0, 0.01, (h, w, 1))
    colour = np.array(paper) * (1 - alpha[..., None]) + np.array(paint) * alpha[..., None] + grain
    return (np.clip(colour, 0, 1) * 255 + 0.5).astype(np.uint8)
