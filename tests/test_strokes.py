"""The strokes.json format: round trip and validation of every kind of bad file."""

from __future__ import annotations

import json

import pytest
import torch

import brushes
from painter.strokes import KEYS, Painting, load_painting, painting_from_dict

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
    with pytest.raises(ValueError):
        painting.size_at(0)


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
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(good()).replace("0.", "NaN, 0.", 1).replace("[NaN, ", "[NaN, ", 1))
    with pytest.raises(ValueError):
        load_painting(nan)
