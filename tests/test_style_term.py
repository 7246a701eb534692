"""`paint PHOTO --style IMAGE`: the style term in the painter, colour mode, kept colours, VGG weights, bad input."""

from __future__ import annotations

import contextlib
import io
import json

import imageio.v3 as iio
import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

import brushes
from painter.cli import main
from painter.engine.block_stage import block_stages
from painter.engine.objective import GROUPS, objective_for
from painter.engine.painter import make_painter
from painter.engine.plan import LevelRules, level_plan
from painter.job import PaintJob
from painter.settings import PaintSettings
from painter.style_loss import VGG_WEIGHTS_ENV, vgg_conv_layers

# Tiny and fast: the exact renderer needs no trained weights; 24 strokes make two levels on a 64 px photo.
FAST = ["--brush", "rectangle", "--renderer", "exact", "--strokes", "24", "--size", "64", "--steps", "8"]
FAST += ["--quiet", "--no-animation"]


def run(argv: list) -> tuple[int, str]:
    """Run `paint` in-process; returns (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


def vgg16_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    """A full-shape torchvision vgg16 state dict with He-scaled random weights (features stay alive 10 layers deep)."""
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for _, index, c_in, c_out in vgg_conv_layers("vgg16"):
        he = (2 / (9 * c_in)) ** 0.5
        state[f"features.{index}.weight"] = torch.randn(c_out, c_in, 3, 3, generator=generator) * he
        state[f"features.{index}.bias"] = torch.zeros(c_out)
    return state


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("style")
    Image.fromarray(data.chelsea()).resize((96, 64)).save(folder / "cat.png")
    Image.fromarray(data.coffee()).resize((96, 64)).save(folder / "coffee.png")  # dark reds: far from the cat
    torch.save(vgg16_state_dict(), folder / "vgg16.pth")
    return folder


@pytest.fixture(scope="module")
def paintings(files):
    """The same photo and seed painted without style (weight 0), with style, and with style in preserved colours."""
    style = ["--style", files / "coffee.png"]
    runs = {
        "plain": [*style, "--style-weight", "0"],
        "styled": [*style, "--style-weight", "0.5"],
        "preserved": [*style, "--style-weight", "0.5", "--preserve-colour"],
    }
    results = {}
    for name, options in runs.items():
        out = files / name
        code, err = run([files / "cat.png", *FAST, *options, "--out", out])
        assert code == 0, err
        results[name] = (out, err, json.loads((out / "metrics.json").read_text()))
    return results


def mean_colour(path) -> np.ndarray:
    return iio.imread(path)[..., :3].reshape(-1, 3).mean(axis=0) / 255


def test_styled_painting_is_closer_to_the_style(paintings, files):
    _, _, plain = paintings["plain"]
    out, err, styled = paintings["styled"]
    assert styled["style_loss"]["photo"] == plain["style_loss"]["photo"]  # the same yardstick for both
    assert styled["style_loss"]["painting"] < 0.7 * plain["style_loss"]["painting"]
    assert styled["psnr"] > 10  # still a painting of the photo, not of the style image
    assert iio.imread(out / "style.png").shape == (64, 96, 3)
    assert (out / "painting.png").exists() and (out / "strokes.json").exists()
    settings = styled["settings"]
    assert styled["run"]["style"]["extractor"] == "random"
    assert settings["style_mode"] == "all" and settings["style_weight"] == 0.5
    # The fallback is announced in one line that says how to give VGG weights.
    assert len(err.strip().splitlines()) == 1 and "--vgg-weights" in err and VGG_WEIGHTS_ENV in err


def test_preserve_colour_keeps_the_photos_colours(paintings, files):
    photo = mean_colour(files / "cat.png")
    preserved = np.abs(mean_colour(paintings["preserved"][0] / "painting.png") - photo).max()
    styled = np.abs(mean_colour(paintings["styled"][0] / "painting.png") - photo).max()
    assert preserved < 0.06 and preserved < styled / 2
    assert paintings["preserved"][2]["settings"]["preserve_colour"] is True


def test_the_weight_means_the_same_for_vgg_and_the_fallback(files):
    """At weight w the photo itself pays w, at every level, whichever network measures the style."""
    from painter.images import load_photo, resize_long_side
    from painter.style_loss import RandomTextureFeatures, VGGFeatures
    from painter.style_term import StyleTerm

    photo, style = load_photo(files / "cat.png"), load_photo(files / "coffee.png")
    for net in (RandomTextureFeatures(0), VGGFeatures("vgg16")):
        term = StyleTerm(net, style, photo, weight=0.3, resolution=64, sides=[96, 48])
        for side in (96, 48):
            scale = 64 / side
            photo_at_scale = resize_long_side(photo, round(96 * scale))[None]
            assert float(term(photo_at_scale, scale)) == pytest.approx(0.3, rel=1e-4)
        assert float(term(style[None] * 0 + 1, 64 / 48)) > 3 * 0.3  # a white canvas is much further from it


def painter_after_one_step(extra_trainable, weight: float = 1.0):
    """One optimiser step on one block, with an extra loss that pulls the canvas towards black."""
    brush = brushes.get_brush("rectangle")
    target = torch.from_numpy(data.chelsea()[::8, ::8].copy()).permute(2, 0, 1).float() / 255  # (3, 38, 57)
    schedule = block_stages(level_plan(6, 38, 57, LevelRules(levels=1)), 1, 0, "exact", rounds=1)  # one step
    objective = objective_for(
        brush, style=lambda canvas, scale: weight * canvas.mean(), style_groups=extra_trainable or GROUPS
    )
    painter = make_painter(brush, target, schedule, resolution=16, objective=objective)
    for _ in painter.run():
        pass
    strokes = painter.painting().strokes
    return strokes[:, brush.indices("shape")], strokes[:, brush.indices("colour")]


def test_colour_mode_lets_the_extra_loss_change_only_colours():
    shape_none, colour_none = painter_after_one_step(None, weight=0.0)
    shape_colour, colour_colour = painter_after_one_step(("colour",))
    shape_all, _ = painter_after_one_step(None)
    assert torch.equal(shape_colour, shape_none)  # shapes moved by the photo alone
    assert not torch.allclose(colour_colour, colour_none)  # colours answered to the extra loss
    assert not torch.allclose(shape_all, shape_none)  # in "all" mode the shapes do too


def test_extra_loss_sees_the_levels_blocks_joined_and_cropped_to_the_photo():
    """A 38 x 57 photo painted at 16 px blocks: one 57 px block, then 2 x 2 blocks of 29 px. The extra loss sees
    each level's canvas whole, without the padding below the photo, which would count in a style loss's Grams."""
    brush = brushes.get_brush("rectangle")
    seen = []

    def extra(canvas, scale):
        seen.append((tuple(canvas.shape), scale))
        return canvas.sum() * 0

    schedule = block_stages(level_plan(20, 38, 57, LevelRules(levels=2)), 1, 0, "exact", rounds=1)
    objective = objective_for(brush, style=extra)
    painter = make_painter(brush, torch.rand(3, 38, 57), schedule, resolution=16, objective=objective)
    for _ in painter.run():
        pass
    assert seen[0] == ((1, 3, 11, 16), 16 / 57)  # 38 / 57 * 16 = 10.7 rows
    (_, _, h, w), scale = seen[-1]
    assert w == 32 and abs(h - 38 * 16 / 29) <= 1 and scale == 16 / 29


def test_vgg_weights_work_end_to_end(files):
    out = files / "vgg"
    options = ["--style", files / "coffee.png", "--vgg-weights", files / "vgg16.pth", "--style-mode", "colour"]
    code, err = run([files / "cat.png", *FAST, "--strokes", "8", "--steps", "4", *options, "--out", out])
    assert code == 0, err
    assert err == ""  # no fallback note
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["run"]["style"]["extractor"] == "vgg16"
    assert metrics["run"]["style"]["vgg_weights"] == str(files / "vgg16.pth")
    assert metrics["style_loss"]["photo"] > 0 and metrics["style_loss"]["painting"] > 0


def test_vgg_weights_from_the_environment(files, monkeypatch):
    monkeypatch.setenv(VGG_WEIGHTS_ENV, str(files / "vgg16.pth"))
    settings = PaintSettings(brush="rectangle", strokes=8, size=64, renderer="exact", style=str(files / "coffee.png"))
    job = PaintJob(files / "cat.png", settings)
    assert job.style.extractor == "vgg16"
    assert [t.name for t in job.painter.tools.objective.terms][-1] == "style" and job.style.term.before > 0


def bad_weights(folder, case):
    path = folder / f"{case}.pth"
    if case == "text":
        path.write_text("not a checkpoint")
    elif case == "shape":  # vgg16's layout (features.17 is a vgg16-only conv) but a grey-image first conv
        torch.save({"features.0.weight": torch.zeros(64, 1, 3, 3), "features.17.weight": torch.zeros(1)}, path)
    elif case == "keys":
        torch.save({"fc.weight": torch.zeros(3, 3)}, path)
    return path


@pytest.mark.parametrize(
    "case, message",
    [
        ("style-text", "--style: cannot read"),
        ("style-missing", "--style: no such photo"),
        ("weights-text", "cannot be read as a PyTorch state dict"),
        ("weights-shape", "features.0.weight should have shape (64, 3, 3, 3)"),
        ("weights-keys", "expected a torchvision vgg16 or vgg19 state dict"),
        ("weights-missing", "VGG weights file not found"),
        ("env-missing", f"(from {VGG_WEIGHTS_ENV})"),
        ("mode", "invalid choice: 'texture'"),
        ("weight", "must be a number of at least 0"),
        ("no-style", "--preserve-colour: needs --style"),
    ],
)
def test_bad_style_input_exits_2_and_writes_nothing(files, tmp_path, monkeypatch, case, message):
    style = ["--style", files / "coffee.png"]
    options = {
        "style-text": ["--style", bad_weights(tmp_path, "text")],
        "style-missing": ["--style", tmp_path / "nope.jpg"],
        "weights-text": [*style, "--vgg-weights", bad_weights(tmp_path, "text")],
        "weights-shape": [*style, "--vgg-weights", bad_weights(tmp_path, "shape")],
        "weights-keys": [*style, "--vgg-weights", bad_weights(tmp_path, "keys")],
        "weights-missing": [*style, "--vgg-weights", tmp_path / "nope.pth"],
        "env-missing": style,
        "mode": [*style, "--style-mode", "texture"],
        "weight": [*style, "--style-weight", "-1"],
        "no-style": ["--preserve-colour"],
    }[case]
    if case == "env-missing":
        monkeypatch.setenv(VGG_WEIGHTS_ENV, str(tmp_path / "gone.pth"))
    out = tmp_path / "out"
    code, err = run([files / "cat.png", *FAST, *options, "--out", out])
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert not out.exists()
