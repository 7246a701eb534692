"""renderers.checkpoint: which file a weights name means, and every kind of bad checkpoint refused by
name, through the library and the command line (exit 2, one line, no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from tiny_nets import tiny

import brushes
from painter.cli import main
from renderers import NeuralRenderer, load_renderer, resolve_weights, shipped_weights, user_weights
from renderers.checkpoint import load_checkpoint, save_checkpoint

RECTANGLE = brushes.get_brush("rectangle")
OIL = brushes.get_brush("oilpaint")

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The user's folder, here a fresh temporary one."""
    monkeypatch.setenv("PAINT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def saved(path, brush=RECTANGLE):
    """A valid checkpoint of a tiny network at `path`; returns it as a dict for editing."""
    save_checkpoint(path, NeuralRenderer(tiny(brush)), brush, {"step": 3})
    return torch.load(path, weights_only=True)


def test_weights_are_named_by_path_or_by_name(home):
    assert resolve_weights(RECTANGLE, None) == shipped_weights(RECTANGLE)
    assert resolve_weights(RECTANGLE, "shipped") == shipped_weights(RECTANGLE)
    assert resolve_weights(RECTANGLE, "mine") == home / "renderers" / "rectangle-mine.pt"
    assert resolve_weights(RECTANGLE, "mine.pt") == Path("mine.pt")
    assert resolve_weights(RECTANGLE, "./mine") == Path("mine")
    saved(user_weights(RECTANGLE, "mine"))
    assert load_renderer(RECTANGLE, "mine").resolution == 16


def test_the_default_user_folder_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("PAINT_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert user_weights(RECTANGLE) == tmp_path / "paint" / "renderers" / "rectangle-trained.pt"
    assert "site-packages" not in str(user_weights(RECTANGLE))


def test_train_renderer_writes_into_the_user_folder_by_default(home, capsys):
    # --resume reads the default output first, so the error shows where training would write.
    assert main(["train-renderer", "--brush", "rectangle", "--resume"]) == 2
    assert str(home / "renderers" / "rectangle-trained.pt") in capsys.readouterr().err


def bad_checkpoint(path, case):
    """Write one kind of bad checkpoint to `path`."""
    if case == "empty file":
        path.write_bytes(b"")
        return
    if case == "garbage":
        path.write_bytes(b"this is not a checkpoint\x00\x01")
        return
    if case == "a bare tensor":
        torch.save(torch.zeros(3), path)
        return
    checkpoint = saved(path)
    model = checkpoint["model"]
    if case == "no config":
        del checkpoint["config"]
    elif case == "bad config":
        checkpoint["config"]["resolution"] = 100
    elif case == "config for another spec":
        checkpoint["config"]["params"] = 5
    elif case == "wrong shape":
        model["raster.fc.0.weight"] = torch.zeros(3, 3)
    elif case == "missing tensor":
        del model["shade.fc.0.bias"]
    elif case == "nan weights":
        model["raster.fc.0.weight"][0, 0] = float("nan")
    elif case == "infinite weights":
        model["shade.fc.0.bias"][1] = float("inf")
    elif case == "another brush":
        checkpoint["brush"] = "watercolor"
    elif case == "changed spec":
        checkpoint["fingerprint"] = "0123456789abcdef"
    torch.save(checkpoint, path)


BAD = {
    "empty file": "the file is empty",
    "garbage": "not a checkpoint torch can read",
    "a bare tensor": "holds a Tensor, not a checkpoint",
    "no config": "not a renderer checkpoint, it has no 'config'",
    "bad config": "bad network config: resolution 100",
    "config for another spec": "config params 5 does not match the brush spec",
    "wrong shape": "'raster.fc.0.weight' has shape (3, 3), the network needs (32, 5)",
    "missing tensor": "do not fit the network in their config ('shade.fc.0.bias' missing)",
    "nan weights": "'raster.fc.0.weight' holds NaN or infinite values",
    "infinite weights": "'shade.fc.0.bias' holds NaN or infinite values",
    "another brush": "are for brush 'watercolor', not 'rectangle'",
    "changed spec": "retrain the renderer for 'rectangle'",
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_checkpoints_are_refused_naming_the_file_and_problem(tmp_path, capsys, case):
    path = tmp_path / "weights.pt"
    bad_checkpoint(path, case)
    with pytest.raises(ValueError) as caught:
        load_checkpoint(path, RECTANGLE)
    assert str(path) in str(caught.value) and BAD[case] in str(caught.value)
    assert main(["eval-renderer", "--brush", "rectangle", "--weights", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and BAD[case] in err and str(path) in err


def test_missing_weights_and_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no renderer weights .*missing.pt"):
        load_renderer(RECTANGLE, tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="a directory, not a file"):
        load_renderer(RECTANGLE, tmp_path)


@pytest.mark.parametrize(
    "case, message",
    [("garbage", "not a checkpoint torch can read"), ("no step", "'step' is None, not a step count")],
)
def test_resuming_from_a_bad_checkpoint_is_one_line(tmp_path, capsys, case, message):
    path = tmp_path / "weights.pt"
    if case == "garbage":
        bad_checkpoint(path, "garbage")
    else:
        checkpoint = saved(path)
        del checkpoint["step"]
        torch.save(checkpoint, path)
    argv = ["train-renderer", "--brush", "rectangle", "--out", str(path), "--resume", "--cache", str(tmp_path / "c")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and str(path) in err
    assert not (tmp_path / "c").exists()  # refused before any training data is drawn


@pytest.mark.parametrize(
    "argv, named",
    [
        (["eval-renderer", "--brush", "crayon"], "crayon"),
        (["eval-renderer", "--brush", "rectangle", "--weights", "nowhere.pt"], "nowhere.pt"),
        (["train-renderer", "--brush", "rectangle", "--steps", "0"], "0"),
        (["train-renderer", "--brush", "rectangle", "--lr", "0"], "0"),
        (["train-renderer", "--brush", "rectangle", "--start-from", "nowhere.pt"], "nowhere.pt"),
        # weights of another brush are no start: "for brush 'oilpaint', not 'rectangle'"
        (["train-renderer", "--brush", "rectangle", "--start-from", str(shipped_weights(OIL))], "'oilpaint'"),
    ],
)
def test_cli_bad_input_is_one_line(argv, named, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and named in err


def test_loading_weights_does_not_import_the_training_code():
    # torch itself may import tqdm and multiprocessing; what matters is that loading adds nothing of training.
    script = (
        "import sys, torch, brushes\n"
        "before = set(sys.modules)\n"
        "import renderers\n"
        "renderers.load_renderer(brushes.get_brush('rectangle'))\n"
        "added = set(sys.modules) - before\n"
        "print(sorted(m for m in added if m.split('.')[0] in ('tqdm', 'multiprocessing', 'painter') or m in "
        "('renderers.train', 'renderers.data')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
