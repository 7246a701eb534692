"""The strokes.json format: round trip and validation of every kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import brushes
from painter.cli import main
from painter.strokes import KEYS, MAX_IMAGE_SIDE, MAX_STROKES, Painting, load_painting, painting_from_dict

ALL = brushes.all_brushes()


def sample_painting(brush, n=5, seed=0):
    strokes = brush.sample(n, torch.Generator().manual_seed(seed))
    return Painting(brush, strokes, width=300, height=200, background=(0.1, 0.2, 0.3))


@pytest.mark.parametrize("brush", ALL, ids=[b.name for b in ALL])
def test_round_trip(tmp_path, brush):
    painting = sample_painting(brush)
    path = tmp_path / "strokes.json"
    path.write_text(painting.to_json())
    data = json.loads(path.read_text())
    assert tuple(data) == KEYS
    assert data["params"] == brush.names and data["format"] == "paint-strokes" and data["version"] == 1
    back = load_painting(path)
    assert back.brush is brush and (back.width, back.height) == (300, 200)
    assert back.background == pytest.approx((0.1, 0.2, 0.3))
    assert torch.allclose(back.strokes, painting.strokes, atol=1e-6)


def test_size_at_keeps_aspect_ratio():
    painting = sample_painting(brushes.get_brush("rectangle"))
    assert painting.size_at(None) == (200, 300)
    assert painting.size_at(900) == (600, 900)
    assert painting.size_at(30) == (20, 30)
    with pytest.raises(ValueError, match="positive number of pixels"):
        painting.size_at(0)
    assert max(painting.size_at(MAX_IMAGE_SIDE)) == MAX_IMAGE_SIDE
    with pytest.raises(ValueError, match=f"size 1000000 pixels is over the limit of {MAX_IMAGE_SIDE} pixels a side"):
        painting.size_at(1_000_000)


def good():
    return sample_painting(brushes.get_brush("markerpen"), n=3).to_dict()


def changed(**updates):
    data = good()
    data.update(updates)
    return data


BAD = {
    "not an object": ([1, 2], "JSON object"),
    "missing key": ({k: v for k, v in good().items() if k != "strokes"}, "missing key"),
    "extra key": (changed(colour="red"), "unexpected key"),
    "wrong format": (changed(format="svg"), "'format'"),
    "wrong version": (changed(version=2), "version"),
    "version true": (changed(version=True), "unsupported version True"),
    "width of a million": (changed(width=10**6), f"'width' is 1000000 pixels, over the limit of {MAX_IMAGE_SIDE}"),
    "height of 10^30": (changed(height=10**30), f"'height' is {10**30} pixels, over the limit"),
    "zero width": (changed(width=0), "'width'"),
    "float height": (changed(height=12.5), "'height'"),
    "short background": (changed(background=[1, 1]), "'background'"),
    "unknown brush": (changed(brush="crayon"), "unknown brush 'crayon'"),
    "params mismatch": (changed(params=["a", "b"]), "'params'"),
    "too few values": (changed(strokes=[[0.5] * 11]), "stroke 0 has 11 values"),
    "too many values": (changed(strokes=[[0.5] * 12, [0.5] * 13]), "stroke 1 has 13 values"),
    "value above one": (changed(strokes=[[0.5] * 11 + [1.5]]), "outside [0, 1]"),
    "negative value": (changed(strokes=[[-0.1] + [0.5] * 11]), "outside [0, 1]"),
    "nan": (changed(strokes=[[float("nan")] + [0.5] * 11]), "not a finite number"),
    "string value": (changed(strokes=[["0.5"] + [0.5] * 11]), "must be a number"),
    "strokes not a list": (changed(strokes={"a": 1}), "'strokes'"),
    "too many strokes": (
        changed(strokes=[[0.5] * 12] * (MAX_STROKES + 1)),
        f"{MAX_STROKES + 1} strokes is over the limit of {MAX_STROKES} strokes a file",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_files_are_rejected_with_the_problem_named(case):
    data, message = BAD[case]
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        painting_from_dict(data)


def test_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_painting(tmp_path / "nope.json")
    with pytest.raises(ValueError, match="directory"):
        load_painting(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_painting(bad)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError):
        load_painting(binary)


def with_value_in_a_stroke(tmp_path, literal: str):
    """A stroke file whose first stroke's first value is the JSON text `literal` (e.g. NaN)."""
    data = good()
    data["strokes"][0][0] = "PLACEHOLDER"
    path = tmp_path / "value.json"
    path.write_text(json.dumps(data).replace('"PLACEHOLDER"', literal))
    return path


@pytest.mark.parametrize(
    "literal, message", [("NaN", "stroke 0 x0 is nan, not a finite number"), ("1e999", "stroke 0 x0 is inf")]
)
def test_non_finite_values_in_a_stroke(tmp_path, literal, message):
    with pytest.raises(ValueError, match=message):
        load_painting(with_value_in_a_stroke(tmp_path, literal))


def test_deeply_nested_arrays_are_refused_without_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="deep.json: arrays or objects nested too deeply"):
        load_painting(path)


def test_a_whole_number_of_5000_digits_is_refused_by_name(tmp_path):
    path = tmp_path / "digits.json"
    path.write_text(json.dumps(good()).replace('"width": 300', '"width": ' + "9" * 5000))
    with pytest.raises(ValueError, match=r"digits.json: a whole number of 5000 digits \(999999999999...\)"):
        load_painting(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_devices_are_not_read():
    with pytest.raises(ValueError, match="^/dev/zero is a character device, not a stroke file$"):
        load_painting("/dev/zero")


def test_reading_stops_at_the_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(sample_painting(brushes.get_brush("oilpaint"), n=50).to_json())
    monkeypatch.setattr("painter.strokes.MAX_FILE_BYTES", 2_000_000)
    assert len(load_painting(path)) == 50
    monkeypatch.setattr("painter.strokes.MAX_FILE_BYTES", 1_000)  # the same file is now over the limit
    with pytest.raises(ValueError, match="big.json is larger than 1,000 bytes, the limit for a stroke file"):
        load_painting(path)


def test_render_refuses_a_huge_size_before_writing(tmp_path, capsys):
    path = tmp_path / "strokes.json"
    path.write_text(json.dumps(good()))
    assert main(["render", str(path), "-o", str(tmp_path / "out.png"), "--size", "1000000"]) == 2
    err = capsys.readouterr().err
    assert err == f"paint: error: size 1000000 pixels is over the limit of {MAX_IMAGE_SIDE} pixels a side\n"
    assert not (tmp_path / "out.png").exists()
