"""painter.plotter.palette: parsing palettes and deterministic k-means."""

from __future__ import annotations

import numpy as np
import pytest

from painter.plotter.palette import kmeans, parse_palette


def test_palette_parses_hex_and_rejects_the_rest():
    assert parse_palette("#000000, #fff,#FF8000").tolist() == [[0, 0, 0], [1, 1, 1], [1, 128 / 255, 0]]
    for bad in ("", "#12", "red", "#00000g", "#000000,,#ffffff"):
        with pytest.raises(ValueError, match="palette"):
            parse_palette(bad)


def test_kmeans_is_deterministic_and_finds_clusters():
    rng = np.random.default_rng(0)
    centres = np.array([[20.0, 0, 0], [60, 40, -20], [90, -30, 50]])
    points = np.concatenate([c + rng.normal(0, 2, (40, 3)) for c in centres])
    found, labels = kmeans(points, 3)
    again, labels_again = kmeans(points, 3)
    assert np.array_equal(found, again) and np.array_equal(labels, labels_again)
    assert np.abs(np.sort(found[:, 0]) - centres[:, 0]).max() < 2
    assert len(set(labels[:40])) == len(set(labels[40:80])) == len(set(labels[80:])) == 1


def test_pens_follow_the_ink_that_shows_not_the_number_of_strokes():
    """A red subject drawn in 10 large strokes among 200 tiny blue-ish detail strokes: by stroke count two
    pens go to the blues; weighted by drawn ink, one pen is the subject's red."""
    from painter.plotter.palette import quantise

    rng = np.random.default_rng(1)
    red = np.tile([[0.8, 0.1, 0.1]], (10, 1)) + rng.normal(0, 0.01, (10, 3))
    blues = np.stack([np.full(200, 0.1), rng.uniform(0.2, 0.6, 200), np.full(200, 0.8)], axis=1)
    colours = np.clip(np.concatenate([red, blues]), 0, 1)
    ink = np.concatenate([np.full(10, 400.0), np.full(200, 1.0)])  # mm drawn per stroke

    def has_red(pens):
        return any(p.colour[0] > 0.6 and p.colour[2] < 0.3 for p in pens)

    assert not has_red(quantise(colours, 2)[0])
    pens, numbers = quantise(colours, 2, weights=ink)
    assert has_red(pens)
    assert len(set(numbers[:10])) == 1 and numbers[0] not in set(numbers[10:])
