"""painter.images: hostile and unusual photos, each built small in the test."""

from __future__ import annotations

import struct
import time
import zlib

import numpy as np
import pytest
import torch
from PIL import Image, PngImagePlugin
from skimage import data

from painter.images import MAX_PIXELS, load_photo, long_side_size


def png_header_only(path, width: int, height: int) -> None:
    """A PNG that claims width x height 8-bit gray pixels but holds a few bytes of data: anything that
    decodes it before checking the size would spend gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "width, height, pixels",
    [(15_000, 14_000, "15000 x 14000 = 210,000,000"), (30_000, 20_000, "600,000,000")],
    ids=["just over (PIL only warns)", "far over (PIL refuses)"],
)
def test_too_many_pixels_are_refused_from_the_header(tmp_path, width, height, pixels):
    path = tmp_path / "bomb.png"
    png_header_only(path, width, height)
    began = time.perf_counter()
    with pytest.raises(ValueError) as caught:
        load_photo(path)
    assert str(caught.value) == f"{path} is {pixels} pixels, over the limit of {MAX_PIXELS:,} pixels"
    assert time.perf_counter() - began < 2  # nothing was decoded


@pytest.mark.parametrize("kind", ["zTXt", "iTXt"])
def test_a_text_chunk_that_inflates_too_far_names_the_file(tmp_path, kind):
    info = PngImagePlugin.PngInfo()
    text = "a" * (PngImagePlugin.MAX_TEXT_CHUNK + 1)  # compresses to a few kB
    if kind == "zTXt":
        info.add_text("comment", text, zip=True)
    else:
        info.add_itxt("comment", text, zip=True)
    path = tmp_path / "text-bomb.png"
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(path, pnginfo=info)
    assert path.stat().st_size < 100_000
    with pytest.raises(ValueError, match=f"(?i)cannot read {path} as an image: decompressed data too large"):
        load_photo(path)


def test_a_large_jpeg_is_decoded_reduced_when_a_small_size_is_wanted(tmp_path):
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    path = tmp_path / "big.jpg"
    Image.fromarray(small).resize((1600, 1200), Image.Resampling.NEAREST).save(path, quality=95)
    full = load_photo(path)
    assert full.shape == (3, 1200, 1600)
    reduced = load_photo(path, max_side=200)
    assert reduced.shape == (3, 150, 200)  # 1/8 scale: the smallest that still reaches 200
    assert load_photo(path, max_side=500).shape == (3, 600, 800)  # 1/4 scale (400 wide) would fall short of 500
    assert load_photo(path, max_side=900).shape == (3, 1200, 1600)  # less than twice the size: not reduced
    same = torch.nn.functional.interpolate(full[None], size=(150, 200), mode="area")[0]
    assert (reduced - same).abs().mean() < 0.02


def test_reduced_decoding_keeps_the_exif_rotation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "r.jpg"
    Image.fromarray(np.zeros((800, 1600, 3), np.uint8)).save(path, exif=exif)
    assert load_photo(path, max_side=200).shape == (3, 200, 100)


def test_max_side_must_be_a_positive_whole_number(tmp_path):
    with pytest.raises(ValueError, match="max_side must be a positive whole number of pixels, got 0"):
        load_photo(tmp_path / "any.jpg", max_side=0)


def test_integer_images_scale_by_their_types_range(tmp_path):
    full32 = np.zeros((4, 8), np.int32)
    full32[:, :4] = 2**31 - 1  # white
    full32[:, 4:] = 2**30  # half
    Image.fromarray(full32).save(tmp_path / "deep32.tif")
    image = load_photo(tmp_path / "deep32.tif")
    assert float(image[:, :, :4].min()) == pytest.approx(1.0)
    assert float(image[:, :, 4:].mean()) == pytest.approx(0.5, abs=1e-3)  # was 1.0: scaled as if 16-bit

    Image.fromarray(np.full((4, 4), 16383, np.uint16)).save(tmp_path / "deep16.tif")
    assert float(load_photo(tmp_path / "deep16.tif").mean()) == pytest.approx(0.25, abs=1e-3)
    Image.fromarray(np.full((4, 4), 200, np.uint16)).save(tmp_path / "dark16.png")
    assert float(load_photo(tmp_path / "dark16.png").mean()) == pytest.approx(200 / 65535, abs=1e-4)  # not 200/255


def test_long_side_size_keeps_the_aspect_ratio():
    assert long_side_size(200, 300, 900) == (600, 900)
    assert long_side_size(1, 1000, 10) == (1, 10)


def test_open_photo_takes_a_path_bytes_an_array_or_a_pil_image(tmp_path):
    from painter.images import open_photo

    rgba = np.array(Image.fromarray(data.chelsea()).resize((40, 30)).convert("RGBA"))
    rgba[:5, :5, 3] = 0  # a transparent corner: composited on the background by every route
    path = tmp_path / "cat.png"
    Image.fromarray(rgba).save(path)
    expected = open_photo(path, (0.0, 0.0, 1.0))
    assert expected.shape == (3, 30, 40) and expected[:, 0, 0].tolist() == [0.0, 0.0, 1.0]
    given = {
        "bytes": path.read_bytes(),
        "uint8 array": rgba,
        "float array": rgba.astype(np.float64) / 255,
        "PIL image": Image.fromarray(rgba),
    }
    for kind, photo in given.items():
        assert torch.allclose(open_photo(photo, (0.0, 0.0, 1.0)), expected, atol=1e-6), kind
    gray = np.array(Image.fromarray(data.chelsea()).convert("L"))
    assert torch.equal(open_photo(gray)[0], open_photo(gray)[2]) and open_photo(gray).shape[0] == 3


@pytest.mark.parametrize(
    "photo, message",
    [
        (b"", "the photo's bytes is empty, not a photo"),
        (b"not an image", "cannot read the photo's bytes as an image"),
        (np.zeros((4, 4, 2), np.uint8), "the array has shape (4, 4, 2); a photo is (H, W, 3), (H, W, 4) or (H, W)"),
        (np.zeros((0, 4, 3), np.uint8), "the array has shape (0, 4, 3)"),
        (np.full((4, 4, 3), 2.0), "the array has float values outside [0, 1]"),
        (np.full((4, 4, 3), np.nan), "the array has float values outside [0, 1]"),
        (np.zeros((4, 4, 3), np.int64), "the array is int64; give uint8, or floats in [0, 1]"),
        (12, "expected a photo as a path, bytes, a numpy array or a PIL image, got int"),
    ],
)
def test_open_photo_names_what_is_wrong(photo, message):
    from painter.images import open_photo

    with pytest.raises(ValueError) as caught:
        open_photo(photo)
    assert str(caught.value).startswith(message)


def test_a_name_says_which_photo_in_errors():
    from painter.images import open_photo

    with pytest.raises(ValueError, match="^cannot read standard input as an image"):
        open_photo(b"GIF89a broken", name="standard input")
