"""Photos for the engine's tests: scikit-image's cat and coffee, small."""

from __future__ import annotations

import pytest
from PIL import Image
from skimage import data


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engine")
    Image.fromarray(data.chelsea()).resize((96, 64)).save(folder / "cat.png")
    Image.fromarray(data.coffee()).resize((96, 64)).save(folder / "coffee.png")
    return folder
