"""The benchmark's photo set: scikit-image's bundled photos that load with no download, and crops of them.

Every photo here loads offline from the files scikit-image installs. Checked on 2026-12-07 (scikit-image
0.26, each loader in its own process with no network): astronaut, brick, camera, cat (= chelsea), chelsea,
clock, coffee, coins, colorwheel, grass, gravel, horse (a binary silhouette), hubble_deep_field,
immunohistochemistry, logo, microaneurysms (102 px), moon, page, retina, rocket, stereo_motorcycle and text
load; eagle, lily, skin and palisades_of_vogt need pooch and a download, so they are left out.

    from benchmarks.photos import PHOTOS, load
    image = load("rocket_horizon")      # (H, W, 3) uint8
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage import data


@dataclass(frozen=True)
class Photo:
    """One photo of the set: scikit-image's `source` loader, optionally cropped to rows x columns."""

    source: str  # the skimage.data function
    kind: str  # what it stands for in the set (the issue asks for each kind)
    rows: tuple[int, int] | None = None  # crop: first and past-the-last row of the source
    columns: tuple[int, int] | None = None  # crop: first and past-the-last column


# The set's one definition: name -> photo, a line each saying what kind it is.
PHOTOS: dict[str, Photo] = {
    "astronaut": Photo("astronaut", "portrait: a face, 512 x 512"),
    "chelsea": Photo("chelsea", "animal: a cat's fur and eyes, 451 x 300"),
    "coffee": Photo("coffee", "still life: a cup on a table, 600 x 400"),
    "rocket": Photo("rocket", "outdoor: a launch pad at dusk, dark smooth sky, 640 x 427"),
    "motorcycle": Photo("stereo_motorcycle", "vehicle in a cluttered garage (left view), 741 x 500"),
    "camera": Photo("camera", "grey, high contrast: a dark coat against a pale sky, 512 x 512"),
    "coins": Photo("coins", "grey: relief of metal coins, many small round edges, 384 x 303"),
    "page": Photo("page", "text, grey: black print on white paper, 384 x 191"),
    "moon": Photo("moon", "low contrast, grey: the moon's surface, 512 x 512"),
    "retina": Photo("retina", "medical: fine vessels on a dark surround, 1411 x 1411"),
    "hubble": Photo("hubble_deep_field", "astronomy: small bright galaxies on black, 1000 x 872"),
    "cells": Photo("immunohistochemistry", "microscopy: stained tissue, colour texture, 512 x 512"),
    "motorcycle_wide": Photo("stereo_motorcycle", "wide crop 2.3:1, 741 x 320", rows=(150, 470)),
    "rocket_horizon": Photo("rocket", "wide crop 3:1: sky, horizon and lights, 640 x 213", rows=(200, 413)),
    "astronaut_tall": Photo("astronaut", "tall crop 1:2.1: face and suit, 240 x 512", columns=(100, 340)),
}

HIGH_CONTRAST = "camera"  # RMS contrast 0.29 (the set's median is 0.21)

LOW_CONTRAST = "moon"  # 0.05, the lowest


def load(name: str) -> np.ndarray:
    """The photo `name` of PHOTOS as (H, W, 3) uint8 RGB, cropped as its entry says; ValueError naming an
    unknown photo."""
    if name not in PHOTOS:
        raise ValueError(f"no photo {name!r} in the benchmark set; there are: {', '.join(PHOTOS)}")
    photo = PHOTOS[name]
    image = source_image(photo.source)
    if photo.rows is not None:
        image = image[photo.rows[0] : photo.rows[1]]
    if photo.columns is not None:
        image = image[:, photo.columns[0] : photo.columns[1]]
    return np.ascontiguousarray(image)


def source_image(source: str) -> np.ndarray:
    """scikit-image's photo `source` whole, as (H, W, 3) uint8 RGB: grey photos repeated to three channels
    (so that both painters read the same file), an alpha channel dropped."""
    image = getattr(data, source)()
    if isinstance(image, tuple):  # stereo_motorcycle: (left, right, disparity); the left view
        image = image[0]
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    return image[:, :, :3]


def contrast(image: np.ndarray) -> float:
    """RMS contrast of an (H, W, 3) uint8 image: the standard deviation of its luma, in [0, 0.5]."""
    luma = image[:, :, :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255
    return float(luma.std())
