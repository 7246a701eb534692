"""The benchmark's photo set (benchmarks/photos.py): every photo loads offline, at the size and of the kind
its line promises, and the crops really are 2:1 or wider and tall."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest

# benchmarks/ is a folder of scripts, not an installed package: load the module from its file.
_SPEC = importlib.util.spec_from_file_location(
    "bench_photos", Path(__file__).resolve().parents[1] / "benchmarks" / "photos.py"
)
photos = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = photos  # dataclasses look their module up there
_SPEC.loader.exec_module(photos)


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    return {name: photos.load(name) for name in photos.PHOTOS}


def test_the_set_has_every_kind_the_issue_asks_for():
    kinds = [photo.kind for photo in photos.PHOTOS.values()]
    assert len(kinds) >= 10
    for wanted in ("portrait", "animal", "still life", "outdoor", "grey", "high contrast", "low contrast"):
        assert any(wanted in kind for kind in kinds), wanted
    assert sum(kind.startswith("wide crop") for kind in kinds) >= 1
    assert sum(kind.startswith("tall crop") for kind in kinds) >= 1


def test_each_photo_loads_as_rgb_at_the_size_its_line_says(images):
    for name, photo in photos.PHOTOS.items():
        image = images[name]
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3, name
        width, height = map(int, re.search(r"(\d+) x (\d+)$", photo.kind).groups())
        assert image.shape[:2] == (height, width), name


def test_crops_are_two_to_one_or_wider_and_tall(images):
    for name, photo in photos.PHOTOS.items():
        height, width = images[name].shape[:2]
        if photo.kind.startswith("wide crop"):
            assert width >= 2 * height, name
        if photo.kind.startswith("tall crop"):
            assert height >= 2 * width, name
        if photo.rows or photo.columns:  # a crop is a real cut of its source, not the whole photo
            assert photo.kind.startswith(("wide crop", "tall crop")), name
            whole = photos.source_image(photo.source)
            top, left = (photo.rows or (0,))[0], (photo.columns or (0,))[0]
            assert images[name].size < whole.size, name
            assert (whole[top : top + height, left : left + width] == images[name]).all(), name


def test_grey_photos_are_grey_and_the_contrast_labels_hold(images):
    for name, photo in photos.PHOTOS.items():
        image = images[name].astype(int)
        is_grey = bool((image[:, :, 0] == image[:, :, 1]).all() and (image[:, :, 1] == image[:, :, 2]).all())
        assert is_grey == ("grey" in photo.kind), name
    contrasts = {name: photos.contrast(image) for name, image in images.items()}
    assert contrasts[photos.LOW_CONTRAST] == min(contrasts.values()) and contrasts[photos.LOW_CONTRAST] < 0.1
    assert "low contrast" in photos.PHOTOS[photos.LOW_CONTRAST].kind
    assert "high contrast" in photos.PHOTOS[photos.HIGH_CONTRAST].kind
    assert contrasts[photos.HIGH_CONTRAST] >= np.percentile(list(contrasts.values()), 75)


def test_an_unknown_photo_is_named():
    with pytest.raises(ValueError, match="no photo 'lena' in the benchmark set"):
        photos.load("lena")
