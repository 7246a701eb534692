"""The upload check: what the page may send, refused with a message that says why (from a table)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from skimage import data

from painter.web.uploads import Limits, UploadError, check_image, keep_upload


def encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


CAT = Image.fromarray(data.chelsea()).resize((96, 64))
PNG = encoded(CAT, "PNG")
# 8000 x 7000 one-bit pixels compress to a few kB and would decode to 56 MP: a decompression bomb.
BOMB = encoded(Image.new("1", (8000, 7000)), "PNG")


@pytest.mark.parametrize(
    "payload, limits, status, message",
    [
        (b"", Limits(), 400, "The file is empty."),
        (b"just some text, not a picture", Limits(), 400, "This file is not an image"),
        (PNG, Limits(upload_bytes=1000), 413, "the limit is 0.001 MB"),
        (BOMB, Limits(), 413, "The image is 8000 x 7000 pixels (56 MP); the limit is 50 MP."),
        (PNG, Limits(pixels=96 * 64 - 1), 413, "the limit is"),
        (PNG[: len(PNG) // 2], Limits(), 400, "may be damaged or cut short"),
        (encoded(CAT, "PPM"), Limits(), 400, "PPM images are not supported"),
    ],
    ids=["empty", "text", "too-many-bytes", "decompression-bomb", "too-many-pixels", "truncated", "ppm"],
)
def test_bad_uploads_are_refused_with_a_reason(payload, limits, status, message):
    with pytest.raises(UploadError) as caught:
        check_image(payload, limits)
    assert message in str(caught.value)
    assert caught.value.status == status


def test_bomb_is_refused_from_its_header_without_decoding():
    assert len(BOMB) < 20_000  # tiny on disk; the check reads the header, so it costs nothing either


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF"])
def test_photos_in_common_formats_are_accepted(kind):
    width, height, shown = check_image(encoded(CAT, kind), Limits())
    assert (width, height) == (96, 64) and shown


def test_uploads_are_kept_under_a_name_the_server_chose(tmp_path):
    folder = tmp_path / "server" / "uploads"
    upload = keep_upload(PNG, "../../escape\x00.png", folder, Limits())
    assert [p.parent for p in (tmp_path / "server").rglob("*") if p.is_file()] == [folder]
    assert upload.path == folder / upload.id and len(upload.id) == 16 and upload.id.isalnum()
    assert upload.path.read_bytes() == PNG
    assert upload.name == "../../escape.png"  # shown on the page as given (printable), never used as a path
