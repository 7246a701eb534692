"""paint as a vpype plugin: real vpype runs `paintread`, found through the entry point that pyproject.toml
declares, and gets the layers, paths, drawn length, colours and names that `paint export` writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import brushes
from painter.cli import main
from painter.strokes import Painting

vp = pytest.importorskip("vpype")
vpype_cli = pytest.importorskip("vpype_cli")
tomllib = pytest.importorskip("tomllib")
from click.testing import CliRunner  # noqa: E402 - vpype brings click

from painter.vpype_plugin import PX_PER_MM, paintread, plot_document  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def stroke_file(tmp_path):
    """A painting of 80 oil-paint dabs in a handful of colour families, 200 x 150 px."""
    brush = brushes.get_brush("oilpaint")
    generator = torch.Generator().manual_seed(3)
    strokes = brush.sample(80, generator)
    family = torch.randint(0, 5, (80,), generator=generator)
    base = torch.rand(5, 3, generator=generator)
    colour = brush.indices("colour")
    strokes[:, colour] = (base[family].repeat(1, len(colour) // 3) + 0.05 * torch.rand(80, len(colour))).clamp(0, 1)
    path = tmp_path / "strokes.json"
    path.write_text(Painting(brush, strokes, width=200, height=150).to_json())
    return path


def installed_entry_point(tmp_path: Path) -> dict[str, str]:
    """An environment in which importlib.metadata finds pyproject.toml's vpype.plugins entry points, as
    `pip install` would record them (the test venv may hold an older install of this package)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    plugins = project["entry-points"]["vpype.plugins"]
    info = tmp_path / "site" / "paint_strokes_under_test-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: paint-strokes-under-test\nVersion: 0\n")
    (info / "entry_points.txt").write_text(
        "[vpype.plugins]\n" + "".join(f"{name} = {target}\n" for name, target in plugins.items())
    )
    path = os.pathsep.join([str(info.parent), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def summary(svg: Path) -> list[tuple[str, str, int, float]]:
    """Per layer of a plot SVG, as vpype reads it: name, colour, path count and drawn length (mm)."""
    document = vp.read_multilayer_svg(str(svg), quantization=0.1)
    return [
        (
            layer.property(vp.METADATA_FIELD_NAME),
            layer.property(vp.METADATA_FIELD_COLOR).as_hex()[:7],
            len(layer),
            layer.length() / PX_PER_MM,
        )
        for _, layer in sorted(document.layers.items())
    ]


def test_vpype_paintread_agrees_with_paint_export(tmp_path, stroke_file, capsys):
    out = tmp_path / "vpype.svg"
    command = [sys.executable, "-m", "vpype_cli", "paintread", stroke_file, "--pens", "4", "linesort"]
    command += ["write", out]
    done = subprocess.run(
        [str(c) for c in command], env=installed_entry_point(tmp_path), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert main(["export", str(stroke_file), "--to", "svg", "-o", str(tmp_path / "export.svg"), "--pens", "4"]) == 0
    capsys.readouterr()
    ours, theirs = summary(out), summary(tmp_path / "export.svg")
    assert len(ours) == len(theirs) == 4
    for (name, colour, paths, length), (name_e, colour_e, paths_e, length_e) in zip(ours, theirs, strict=True):
        assert (name, colour, paths) == (name_e, colour_e, paths_e)
        assert name.split()[1] == colour
        assert length == pytest.approx(length_e, rel=1e-3)


def test_plot_document_holds_the_plan(stroke_file):
    from painter.plotter import PlotSettings, plan_plot
    from painter.strokes import load_painting

    plot = plan_plot(load_painting(stroke_file), PlotSettings(pens=3, tool_width=0.7, origin="top-left"))
    document = plot_document(plot)
    assert list(document.layers) == [1, 2, 3]
    assert document.page_size == pytest.approx((297 * PX_PER_MM, 210 * PX_PER_MM))  # a landscape painting
    for layer, (_, lines) in zip(plot.layers, sorted(document.layers.items()), strict=True):
        assert len(lines) == len(layer.paths)
        assert lines.property(vp.METADATA_FIELD_PEN_WIDTH) == pytest.approx(0.7 * PX_PER_MM)
        first = lines.lines[0]
        assert first.real / PX_PER_MM == pytest.approx(layer.paths[0][:, 0])
        assert first.imag / PX_PER_MM == pytest.approx(layer.paths[0][:, 1])
    assert document.length() / PX_PER_MM == pytest.approx(plot.stats.pen_down)


def invoke(args: list[str]):
    """vpype's own command line, in this process, with paintread added as its entry point adds it."""
    vpype_cli.cli.add_command(paintread)
    return CliRunner().invoke(vpype_cli.cli, [str(a) for a in args], catch_exceptions=False)


def test_options_may_follow_the_file_and_later_commands_keep_theirs(tmp_path, stroke_file):
    out = tmp_path / "out.svg"
    result = invoke(
        [
            "paintread",
            stroke_file,
            "--palette",
            "#000000,#ffffff",
            "--portrait",
            "write",
            "-p",
            "a3",
            "--landscape",
            out,
        ]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert 0 < text.index('"2 #ffffff"') < text.index('"1 #000000"')  # named by palette position, light first
    assert 'height="29.7cm"' in text and 'width="42.0cm"' in text  # write's own --landscape reached write
    result = invoke(["paintread", "--pens", "2", stroke_file, "write", out])  # vpype's usual order works too
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--palette", "#12345g"], "palette colour '#12345g'"),
        (["--palette", ""], "palette colour ''"),
        (["--pens", "2", "--palette", "#000000"], "give either --pens or --palette"),
        (["--paper", "a9"], "unknown paper 'a9'"),
    ],
)
def test_bad_options_are_one_line(stroke_file, args, message):
    result = invoke(["paintread", stroke_file, *args])
    assert result.exit_code != 0 and message in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1


def test_a_missing_file_is_one_line(tmp_path):
    result = invoke(["paintread", tmp_path / "nope.json"])
    assert result.exit_code != 0 and "no such stroke file" in result.output


def test_export_device_hpgl_goes_through_vpypes_profile_and_stays_on_the_plotters_paper(tmp_path, stroke_file, capsys):
    """`paint export --to hpgl --device hp7475a`: HPGL in that plotter's units, every coordinate inside the
    limits its profile gives for A4, one pen select per layer."""
    import re

    out = tmp_path / "cat.hpgl"
    assert main(["export", str(stroke_file), "--to", "hpgl", "--device", "hp7475a", "-o", str(out)]) == 0
    text = out.read_text()
    paper = vp.config_manager.get_plotter_config("hp7475a").paper_config("a4")
    (x_low, x_high), (y_low, y_high) = paper.x_range, paper.y_range
    numbers = [int(n) for cmd in re.findall(r"P[AUD]([-0-9,]*);", text) for n in cmd.split(",") if n]
    xs, ys = numbers[0::2], numbers[1::2]
    assert len(xs) > 100
    assert x_low <= min(xs) and max(xs) <= x_high and y_low <= min(ys) and max(ys) <= y_high
    assert text.startswith("IN;") and len(re.findall(r"SP[1-9];", text)) >= 4
    # Drawn at the profile's scale: the painting spans most of the paper's usable width in plotter units.
    assert max(xs) - min(xs) > 0.5 * (x_high - x_low)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "svg", "--device", "hp7475a"], "--device is for --to hpgl"),
        (["--to", "hpgl", "--device", "nosuchplotter"], "device 'nosuchplotter'"),
    ],
)
def test_export_device_errors_are_one_line(tmp_path, stroke_file, capsys, args, message):
    out = tmp_path / "out.file"
    assert main(["export", str(stroke_file), *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and not out.exists()
