"""painter.palette: painting in a fixed palette (not test_palette.py: pytest would mix it up with plotter's)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

import brushes
from painter import PaintSettings, SettingsError, paint
from painter.canvas import render_painting
from painter.cli import main
from painter.images import resize_long_side
from painter.metrics import similarity
from painter.palette import Palette, hex_colour, map_to_nearest, photo_palette
from painter.palette_file import read_palette_file
from painter.plotter import PlotSettings, plan_plot
from painter.plotter.palette import own_pens, parse_palette
from painter.plotter.paths import stroke_colours
from painter.strokes import painting_from_dict

PALETTE = "#1b1b1b,#c03020,#2050a0,#e8c040,#f4f0e6"  # the issue's: black, red, blue, yellow, cream
QUICK = dict(strokes=16, size=48, steps=3, animation="none")


@pytest.fixture(scope="module")
def chelsea(tmp_path_factory):
    path = tmp_path_factory.mktemp("photo") / "chelsea.png"
    Image.fromarray(data.chelsea()).save(path)
    return path


def stroke_hexes(painting) -> set[str]:
    """Every colour value triple of every stroke, as '#rrggbb'; asserts each is exactly an 8-bit colour."""
    columns = painting.brush.indices("colour")
    values = painting.strokes[:, columns].double().numpy().reshape(-1, 3)  # (N * ends, 3)
    assert np.abs(values * 255 - np.round(values * 255)).max() < 1e-3
    return {hex_colour(rgb) for rgb in values}


@pytest.mark.parametrize("opaque", [False, True])
@pytest.mark.parametrize("brush", [b.name for b in brushes.all_brushes()])
def test_every_stroke_is_painted_in_palette_colours(chelsea, brush, opaque):
    result = paint(chelsea, PaintSettings(brush=brush, palette=PALETTE, opaque=opaque, **QUICK))
    painting = result.painting
    palette = torch.tensor(parse_palette(PALETTE), dtype=torch.float32)  # (K, 3)
    ends = painting.strokes[:, painting.brush.indices("colour")].unflatten(1, (-1, 3))  # (N, ends, 3)
    # In memory, each end is exactly one of the palette's float32 colours, and both ends the same one.
    assert ((ends[:, :, None, :] == palette).all(dim=-1).any(dim=-1)).all()
    assert (ends == ends[:, :1]).all()
    # What strokes.json stores reads back as the palette's own 8-bit colours.
    again = painting_from_dict(json.loads(painting.to_json()))
    assert stroke_hexes(again) <= set(PALETTE.split(","))
    assert len(stroke_hexes(again)) >= 2  # chelsea is not one colour: the test sees real choices
    if opaque:
        assert (painting.strokes[:, painting.brush.indices("alpha")] == 1).all()
    assert result.metrics["settings"]["palette"] == PALETTE
    assert result.metrics["run"]["palette"] == PALETTE.split(",")


@pytest.mark.parametrize("seed", [0, 1])
def test_painting_in_the_palette_beats_mapping_a_free_painting_afterwards(chelsea, seed):
    # Measured +5.2 and +5.5 dB (seeds 0, 1; +5.9 for seed 2): chelsea's browns lie between the palette's paints,
    # so strokes placed and shaped for the paints they really have gain most.
    settings = PaintSettings(brush="markerpen", strokes=60, size=64, seed=seed, animation="none")
    in_palette = paint(chelsea, settings.replace(palette=PALETTE))
    free = paint(chelsea, settings)
    mapped = map_to_nearest(free.painting, parse_palette(PALETTE))
    assert stroke_hexes(mapped) <= set(PALETTE.split(","))
    mapped_psnr = similarity(render_painting(mapped, 64), free.photo)["psnr"]
    assert in_palette.metrics["psnr"] > mapped_psnr + 2.0, (in_palette.metrics["psnr"], mapped_psnr)


def test_pens_picks_at_most_that_many_colours_from_the_photo(chelsea):
    result = paint(chelsea, PaintSettings(brush="rectangle", renderer="exact", pens=3, **QUICK))
    picked = result.metrics["run"]["palette"]
    assert 2 <= len(picked) <= 3
    assert stroke_hexes(result.painting) <= set(picked)
    # The colours come from the photo as fitted (the cat's browns and greys, not the white canvas), always the same.
    photo = resize_long_side(torch.tensor(data.chelsea()).permute(2, 0, 1).float() / 255, 48)
    again = photo_palette(photo, 3)
    assert [hex_colour(c) for c in again] == sorted(picked)
    assert (again.mean(axis=1) < 0.8).all()


def test_export_of_a_palette_painting_has_one_layer_per_paint_with_its_colour(chelsea):
    painting = paint(chelsea, PaintSettings(brush="oilpaint", palette=PALETTE, opaque=True, **QUICK)).painting
    painting = painting_from_dict(json.loads(painting.to_json()))  # as `paint export` reads it
    plot = plan_plot(painting, PlotSettings())
    layers = [hex_colour(layer.pen.colour) for layer in plot.layers]
    assert sorted(layers) == sorted(stroke_hexes(painting))  # one layer per paint used, none merged or made up
    assert len(layers) >= 2
    # A freely painted one is no palette painting: it is quantised to the 4 default pens as before.
    free = paint(chelsea, PaintSettings(brush="oilpaint", **QUICK)).painting
    assert own_pens(stroke_colours(free)) is None
    assert len(plan_plot(free, PlotSettings()).layers) == 4


def test_export_keeps_more_paints_than_the_default_four(tmp_path, capsys):
    """The command: `paint --palette` then `paint export` with no --pens writes every paint as a layer."""
    bands = np.repeat(np.round(parse_palette(PALETTE) * 255 * 0.9 + 10).astype(np.uint8), 16, axis=0)  # (80, 3)
    photo = tmp_path / "bands.png"
    Image.fromarray(np.repeat(bands[None], 48, axis=0)).save(photo)  # five bands near the five paints
    out = tmp_path / "painting"
    settings = ["--brush", "rectangle", "--renderer", "exact", "--strokes", "40", "--size", "64", "--steps", "4"]
    assert main([str(photo), *settings, "--palette", PALETTE, "--opaque", "-o", str(out), "--quiet"]) == 0
    used = stroke_hexes(painting_from_dict(json.loads((out / "strokes.json").read_text())))
    assert len(used) == 5
    svg = tmp_path / "plot.svg"
    assert main(["export", str(out / "strokes.json"), "--to", "svg", "-o", str(svg)]) == 0
    assert f"{len(used)} layers" in capsys.readouterr().out
    text = svg.read_text().lower()
    assert all(colour in text for colour in used)


def test_palette_file_reads_colours_names_and_comments(tmp_path):
    path = tmp_path / "paints.txt"
    path.write_text("# my paints\n#1B1B1B  ivory black\n\n  #c03020 cadmium red\n// blue is next\n2050a0\n#fff\n#\n")
    assert read_palette_file(path) == "#1b1b1b,#c03020,#2050a0,#ffffff"
    path.write_text("#1b1b1b\nochre\n")
    with pytest.raises(ValueError, match="line 2: 'ochre' is not a colour"):
        read_palette_file(path)
    path.write_text("# nothing but a comment\n\n")
    with pytest.raises(ValueError, match="holds no colours"):
        read_palette_file(path)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (dict(palette=""), "palette", "expected colours"),
        (dict(palette="#1b1b1b,ochre"), "palette", "'ochre'"),
        (dict(palette="#1b1b1b,,#fff"), "palette", "''"),
        (dict(palette=",".join(["#000"] * 65)), "palette", "at most 64 colours, got 65"),
        (dict(pens=0), "pens", "between 1 and 64"),
        (dict(pens=65), "pens", "between 1 and 64"),
        (dict(pens=True), "pens", "whole number"),
        (dict(palette="#000,#fff", pens=2), "pens", "not both"),
    ],
)
def test_bad_palettes_are_refused_naming_the_field(changes, field, message):
    with pytest.raises(SettingsError, match=message) as err:
        PaintSettings(**changes)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--palette", "#1b1b1b,ochre"], "--palette: palette colour 'ochre'"),
        (["--palette", ""], "--palette: expected colours"),
        (["--pens", "65"], "--pens: must be between 1 and 64"),
        (["--palette", "#000", "--pens", "2"], "not allowed with"),
        (["--palette-file", "missing.txt"], "palette file 'missing.txt' does not exist"),
        (["--palette-file", "EMPTY"], "holds no colours"),
    ],
)
def test_bad_palette_flags_give_one_line_exit_2_and_write_nothing(chelsea, tmp_path, capsys, flags, message):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    flags = [str(empty) if f == "EMPTY" else f for f in flags]
    out = tmp_path / "out"
    code = main([str(chelsea), "--strokes", "4", "--size", "32", *flags, "-o", str(out), "--quiet"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists()


def test_a_palette_is_drawn_exactly_and_differentiably_in_shape():
    brush = brushes.get_brush("oilpaint")
    palette = Palette(brush, parse_palette("#000,#fff,#c03020"))
    rgb = torch.tensor([[0.1, 0.1, 0.1], [0.9, 0.8, 0.9], [0.7, 0.3, 0.1]])  # nearest: black, white, red
    strokes = brush.place(torch.tensor([[0.5, 0.5]] * 3), rgb, 0.3, 64, 64)
    strokes.requires_grad_(True)
    drawn = palette.drawn(strokes)
    assert [hex_colour(c) for c in drawn[:, brush.columns("r0", "b0")].tolist()] == ["#000000", "#ffffff", "#c03020"]
    assert (drawn[:, brush.columns("r0", "b0")] == drawn[:, brush.columns("r1", "b1")]).all()
    drawn.sum().backward()
    shape, colour = brush.indices("shape"), brush.indices("colour")
    assert (strokes.grad[:, shape] == 1).all() and (strokes.grad[:, colour] == 0).all()
    assert torch.equal(palette.snap(strokes), drawn.detach())
