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
