"""`paint export`: the command line over the plotter package."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from plots import sampled

import brushes
from painter import cli


@pytest.fixture
def stroke_file(tmp_path):
    path = tmp_path / "strokes.json"
    path.write_text(sampled(brushes.get_brush("watercolor"), 15, seed=18).to_json())
    return path


@pytest.mark.parametrize("fmt", ["gcode", "hpgl", "svg"])
def test_cli_exports_and_summarises(stroke_file, tmp_path, capsys, fmt):
    out, preview = tmp_path / f"plot.{fmt}", tmp_path / "preview.png"
    argv = ["export", str(stroke_file), "--to", fmt, "-o", str(out), "--pens", "2", "--tool-width", "4"]
    argv += ["--preview", str(preview)]
    assert cli.main(argv + ["--redip-every", "100", "--paint-well=-20,10"]) == 0
    printed = capsys.readouterr().out
    assert out.stat().st_size > 0 and Image.open(preview).size[0] > 0
    assert "2 layers" in printed and "after ordering" in printed and "paint well" in printed


@pytest.mark.parametrize(
    "options",
    [
        ["--to", "dxf"],
        ["--paper", "b5"],
        ["--paper", "30x20"],
        ["--palette", "#00000,#ffffff"],
        ["--palette", "blue"],
        ["--margin", "150"],
        ["--paper", "40x40mm", "--margin", "20"],
        ["--redip-every", "50"],
        ["--paint-well", "10"],
        ["--tool-width", "0"],
        ["--pens", "0"],
        ["--preview", "preview.jpg"],
        ["--pens", "2", "--palette", "#000000"],
        ["--join", "-1"],
        ["--pen-up", "0", "--pen-down", "2"],
        ["--feed", "0"],
    ],
)
def test_cli_bad_input_is_one_line_and_writes_nothing(stroke_file, tmp_path, capsys, options):
    out = tmp_path / "out" / "plot.gcode"
    argv = ["export", str(stroke_file), "-o", str(out)] + (["--to", "gcode"] if "--to" not in options else [])
    assert cli.main(argv + [str(tmp_path / o) if o.endswith(".jpg") else o for o in options]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("paint: error:")
    assert not out.exists() and not list(tmp_path.glob("**/*.jpg")) and not list(tmp_path.glob("**/.plot*"))


def test_cli_missing_stroke_file(tmp_path, capsys):
    out = tmp_path / "plot.svg"
    assert cli.main(["export", str(tmp_path / "nope.json"), "--to", "svg", "-o", str(out)]) == 2
    assert "no such stroke file" in capsys.readouterr().err and not out.exists()


HOSTILE = {
    "nan paint well": (["--redip-every", "50", "--paint-well", "nan,nan"], "paint_well (nan, nan) mm is not within"),
    "well 1,000 km away": (
        ["--redip-every", "50", "--paint-well", "1e9,0"],
        "paint_well (1e+09, 0) mm is not within 1000 mm of the a4 paper",
    ),
    "infinite feed": (["--feed", "inf"], "feed must be 1 to 100000 mm/min, got inf"),
    "nan feed": (["--feed", "nan"], "feed must be 1 to 100000 mm/min, got nan"),
    "nan servo pen-down": (
        ["--servo", "--pen-down", "nan"],
        "pen_down must be 0 to 100000 as a servo S value, got nan",
    ),
    "absurd pen-up z": (["--pen-up", "1e30"], "pen_up must be -200 to 200 mm of Z, got 1e+30"),
    "tool as wide as a km": (
        ["--tool-width", "1e9"],
        "tool_width must be at least 0.3 mm (finer tools multiply the paths and the time to plan them) and at most "
        "the paper's short side (210 mm), got 1e+09",
    ),
    "tool of 1e-300 mm": (
        ["--tool-width", "1e-300"],
        "tool_width must be at least 0.3 mm (finer tools multiply the paths and the time to plan them) and at most "
        "the paper's short side (210 mm), got 1e-300",
    ),
    "redip every 0.1 micron": (
        ["--redip-every", "0.0001", "--paint-well", "0,0"],
        "redip_every must be at least 1 mm, got 0.0001",
    ),
    "redip without a well": (["--redip-every", "50"], "redip_every needs paint_well"),
    "infinite join": (["--join", "inf"], "join must be zero or more millimetres, got inf"),
    "infinite margin": (["--margin", "inf"], "margin must be zero or more millimetres, got inf"),
    "paper of a km": (["--paper", "1000000x1000mm"], "paper '1000000x1000mm' is over the limit of 10000 mm a side"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_numbers_are_refused_by_name_and_nothing_is_written(stroke_file, tmp_path, capsys, case):
    options, message = HOSTILE[case]
    out = tmp_path / "plot.gcode"
    assert cli.main(["export", str(stroke_file), "--to", "gcode", "-o", str(out), *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("paint: error: ") and err.count("\n") == 1 and message in err, err
    assert not out.exists()


def test_a_file_without_strokes_exports_an_empty_plot(tmp_path, capsys):
    path = tmp_path / "empty.json"
    path.write_text(sampled(brushes.get_brush("oilpaint"), 0, seed=0).to_json())
    out, preview = tmp_path / "plot.gcode", tmp_path / "plot.png"
    assert cli.main(["export", str(path), "--to", "gcode", "-o", str(out), "--preview", str(preview)]) == 0
    assert "0 layers, 0 paths" in capsys.readouterr().out
    text = out.read_text()
    assert "G1" not in text and text.rstrip().endswith("M2 ; end") and preview.exists()


def test_when_the_preview_cannot_be_written_neither_file_is(stroke_file, tmp_path, capsys):
    out, preview = tmp_path / "plot.gcode", tmp_path / "taken.png"
    preview.mkdir()  # a folder where the preview should go: it cannot be written
    assert cli.main(["export", str(stroke_file), "--to", "gcode", "-o", str(out), "--preview", str(preview)]) == 2
    assert capsys.readouterr().err == f"paint: error: [Errno 21] cannot write {str(preview)!r}: Is a directory\n"
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["strokes.json", "taken.png"]


def test_a_redip_distance_that_multiplies_the_file_is_warned_about(stroke_file, tmp_path, capsys):
    out = tmp_path / "plot.gcode"
    argv = ["export", str(stroke_file), "--to", "gcode", "-o", str(out), "--paint-well=-20,10", "--tool-width", "4"]
    assert cli.main([*argv, "--redip-every", "1"]) == 0
    printed = capsys.readouterr()
    trips = int(re.search(r"  ([\d,]+) trips to the paint well", printed.out).group(1).replace(",", ""))
    paths = int(re.search(r"  \d+ layers, (\d+) paths", printed.out).group(1))
    warning = next(line for line in printed.err.splitlines() if "redip" in line)
    assert warning == (
        f"paint: warning: redip every 1 mm makes {trips:,} trips to the paint well, {paths / (paths - trips):.0f} "
        f"times the {paths - trips:,} paths painted, and a {out.stat().st_size / 1e6:.1f} MB file; --redip-every is "
        "the millimetres painted between trips"
    )
    assert paths / (paths - trips) >= 10
    assert cli.main([*argv, "--redip-every", "2000"]) == 0  # a trip now and then: no warning
    assert "redip every" not in capsys.readouterr().err
