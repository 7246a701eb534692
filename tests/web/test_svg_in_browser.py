"""SVG files drawn by a real browser (Chromium through Playwright) match the PNG of the same painting, and
stay small: every stroke reuses one shared definition of its brush's texture."""

from __future__ import annotations

import io

import imageio.v3 as iio
import pytest
import torch
from conftest import psnr
from PIL import Image
from synthetic import stroke_photo

import brushes
from painter.canvas import render_painting
from painter.cli import main
from painter.exporters import painting_svg
from painter.files import to_uint8
from painter.strokes import Painting

WIDTH, HEIGHT = 512, 384


def painting_of(brush, n: int = 500) -> Painting:
    """n strokes placed as a painting places them: a tenth of the canvas long, mostly opaque."""
    g = torch.Generator().manual_seed(11)
    strokes = brush.place(torch.rand(n, 2, generator=g), torch.rand(n, 3, generator=g), 0.1, HEIGHT, WIDTH, g)
    see_through = torch.rand(n, generator=g) < 0.2
    strokes[see_through, brush.column("alpha")] = 0.6  # some translucent strokes: group opacity in the SVG
    return Painting(brush, strokes, width=WIDTH, height=HEIGHT, background=(0.95, 0.93, 0.88))


def in_chromium(browser, svg: str) -> torch.Tensor:
    """The SVG as Chromium draws it at one CSS pixel a pixel, (H, W, 3) uint8."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
    try:
        page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
        return iio.imread(io.BytesIO(page.screenshot()))[..., :3]
    finally:
        page.close()


def test_500_oil_strokes_are_under_400_kb_and_match_the_png_in_chromium(browser):
    painting = painting_of(brushes.get_brush("oilpaint"))
    svg = painting_svg(painting)
    assert len(svg.encode()) < 400_000
    assert svg.count("<use") == 500 and svg.count('id="oilpaint-strips"') == 1
    assert psnr(to_uint8(render_painting(painting)), in_chromium(browser, svg)) >= 40.0


@pytest.mark.parametrize("flags", [["--two-colour"], ["--like", "markerpen"]], ids=["two-colour", "marker"])
def test_a_scanned_brush_svg_matches_the_png_in_chromium(browser, tmp_path, monkeypatch, capsys, flags):
    monkeypatch.setenv("PAINT_HOME", str(tmp_path / "home"))
    texture = tmp_path / "stroke.png"
    Image.fromarray(stroke_photo(angle=-20.0, paper=(0.9, 0.88, 0.8))).save(texture)
    assert main(["brushes", "new", "scan", "--texture", str(texture), *flags]) == 0
    capsys.readouterr()
    painting = painting_of(brushes.get_brush("scan"))
    svg = painting_svg(painting)
    assert len(svg.encode()) < 400_000 and svg.count("<image") == 1
    # Browsers filter a shrunken image their own way (Chromium and cairosvg agree only to 35-45 dB);
    # the raster's mipmaps come within 30 of both (31.6 dB measured here).
    assert psnr(to_uint8(render_painting(painting)), in_chromium(browser, svg)) >= 30.0
