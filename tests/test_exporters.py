"""painter.exporters: the GIF's frames, a painting without strokes, and write failures that name the file and
leave nothing."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
import torch

import brushes
from painter import exporters
from painter.canvas import frames
from painter.cli import main
from painter.files import to_uint8
from painter.strokes import Painting

OIL = brushes.get_brush("oilpaint")


def painting(n: int) -> Painting:
    return Painting(OIL, OIL.sample(n, torch.Generator().manual_seed(0)), 40, 30, background=(0.2, 0.4, 0.6))


def stroke_file(tmp_path, n: int) -> Path:
    path = tmp_path / "strokes.json"
    path.write_text(painting(n).to_json())
    return path


def test_every_gif_frame_is_the_painting_at_that_stage(tmp_path):
    brush = brushes.get_brush("watercolor")  # translucent layers: many colours in every frame
    strokes = brush.sample(60, torch.Generator().manual_seed(4))
    art = Painting(brush, strokes, 120, 90, background=(1.0, 1.0, 1.0))
    exporters.write_gif(art, tmp_path / "p.gif")
    gif = iio.imread(tmp_path / "p.gif", index=None)[..., :3].astype(float)
    true = np.stack([to_uint8(f) for f in frames(art, 120, exporters.GIF_FRAMES)]).astype(float)
    assert gif.shape == true.shape
    mse = ((gif - true) ** 2).mean(axis=(1, 2, 3))
    assert (10 * np.log10(255**2 / np.maximum(mse, 1e-9)) > 28).all()  # 256 colours a frame


@pytest.mark.parametrize("ext", ["png", "svg", "gif"])
def test_a_painting_without_strokes_is_the_bare_canvas(tmp_path, capsys, ext):
    out = tmp_path / f"empty.{ext}"
    assert main(["render", str(stroke_file(tmp_path, 0)), "-o", str(out)]) == 0, capsys.readouterr().err
    if ext != "svg":
        image = iio.imread(out, index=0)  # a GIF's first (here only) frame
        assert image.shape[:2] == (30, 40)
        assert np.abs(image[..., :3].astype(int) - [51, 102, 153]).max() <= 1


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_full_disk_names_the_file_and_leaves_no_temporary_file(tmp_path, monkeypatch, capsys):
    full = Path("/dev/full")
    if not full.exists() or not stat.S_ISCHR(full.stat().st_mode):  # a container may bind a plain file there
        pytest.skip("needs /dev/full as the kernel's character device (it answers every write with ENOSPC)")

    def write_to_a_full_disk(self, data):
        with open("/dev/full", "wb") as f:  # the kernel answers every write with ENOSPC
            f.write(data)

    monkeypatch.setattr(Path, "write_bytes", write_to_a_full_disk)
    out = tmp_path / "out" / "painting.svg"
    with pytest.raises(OSError) as caught:
        exporters.write(painting(3), out)
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == f"[Errno 28] cannot write {str(out)!r}: No space left on device"
    assert main(["render", str(stroke_file(tmp_path, 3)), "-o", str(out)]) == 2
    assert capsys.readouterr().err == f"paint: error: [Errno 28] cannot write {str(out)!r}: No space left on device\n"
    assert not out.exists() and leftovers(out.parent) == []


@pytest.mark.parametrize("ext", ["png", "svg", "gif"])
def test_an_output_that_is_a_folder_names_the_file_and_leaves_nothing(tmp_path, capsys, ext):
    out = tmp_path / f"taken.{ext}"
    out.mkdir()
    assert main(["render", str(stroke_file(tmp_path, 3)), "-o", str(out)]) == 2
    assert capsys.readouterr().err == f"paint: error: [Errno 21] cannot write {str(out)!r}: Is a directory\n"
    assert leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_made_is_named(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "painting.png"
    assert main(["render", str(stroke_file(tmp_path, 3)), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"paint: error: [Errno 17] cannot write {str(out)!r}: File exists: ") and "afile" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that folder permissions stop")
def test_a_read_only_folder_names_the_file(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = folder / "painting.png"
        assert main(["render", str(stroke_file(tmp_path, 3)), "-o", str(out)]) == 2
        assert capsys.readouterr().err == f"paint: error: [Errno 13] cannot write {str(out)!r}: Permission denied\n"
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_png_written_band_by_band_reads_back_as_its_pixels(tmp_path):
    """write_png_rows: noise (every byte value, neighbours that wrap under the Sub filter) in bands of 1, 7
    and 12 rows reads back exactly, by PIL."""
    image = np.random.default_rng(4).integers(0, 256, (20, 33, 3), dtype=np.uint8)
    exporters.write_png_rows(tmp_path / "n.png", 33, 20, iter([image[:1], image[1:8], image[8:]]))
    np.testing.assert_array_equal(iio.imread(tmp_path / "n.png"), image)
