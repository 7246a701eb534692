"""Neural renderers: training, checkpoints, the load_renderer contract and the shipped weights."""

from __future__ import annotations

import pytest
import torch

import brushes
from painter.cli import main
from renderers import NeuralRenderer, RendererConfig, load_renderer, shipped_weights
from renderers.train import TrainConfig, evaluate, load_checkpoint, save_checkpoint, train_renderer

ALL = brushes.all_brushes()
PSNR_FLOOR = 25.0  # dB on 200 held-out strokes; the shipped weights measure well above it (see the model card)


def tiny(brush: brushes.Brush) -> RendererConfig:
    """A 16 px renderer small enough to train in seconds."""
    return RendererConfig.for_brush(
        brush, resolution=16, base=4, fc_width=32, raster_channels=(8, 4), shade_channels=(8,), colour_resolution=8
    )


def tiny_training(steps: int, **overrides) -> TrainConfig:
    settings = dict(steps=steps, batch=16, lr=3e-3, warmup=5, pool_chunks=1, chunk=256, valid_strokes=32)
    return TrainConfig(**{**settings, **overrides})


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead
    yield
    torch.set_num_threads(before)


def test_tiny_renderer_learns(tmp_path):
    brush = brushes.get_brush("rectangle")
    config = tiny_training(300, batch=32, lr=5e-3)  # ~3 s; a few dozen steps only move the mask's bias
    summary = train_renderer(brush, tmp_path / "r.pt", config, tiny(brush), cache=tmp_path / "cache", progress=False)
    losses = summary["losses"]
    assert len(losses) == 300
    assert sum(losses[-40:]) / 40 < 0.6 * sum(losses[:40]) / 40


def test_checkpoint_resume_round_trip(tmp_path):
    brush, out, cache = brushes.get_brush("rectangle"), tmp_path / "r.pt", tmp_path / "cache"
    train_renderer(brush, out, tiny_training(10), tiny(brush), cache=cache, progress=False)
    first = load_checkpoint(out, brush)
    assert first["step"] == 10 and first["fingerprint"] == brush.fingerprint()
    assert first["config"] == tiny(brush).to_dict()

    # An interrupted run leaves a checkpoint with the optimiser state; resuming continues from its step.
    net = load_renderer(brush, out)
    optimiser = torch.optim.Adam(net.parameters())
    save_checkpoint(out, net, brush, {"step": 10, "optimiser": optimiser.state_dict(), "seconds": 1.0})
    summary = train_renderer(brush, out, tiny_training(15), cache=cache, resume=True, progress=False)
    assert summary["step"] == 15 and len(summary["losses"]) == 5
    resumed = load_checkpoint(out, brush)
    assert resumed["step"] == 15 and resumed["seconds"] >= 1.0 and "optimiser" not in resumed
    assert RendererConfig.from_dict(resumed["config"]) == tiny(brush)


@pytest.mark.parametrize("brush", ALL, ids=lambda b: b.name)
def test_shapes_and_ranges(brush):
    net = NeuralRenderer(tiny(brush)).eval()
    colour, alpha = net(brush.sample(5, torch.Generator().manual_seed(0)))
    assert colour.shape == (5, 3, 16, 16) and alpha.shape == (5, 1, 16, 16)
    for image in (colour, alpha):
        assert image.min() >= 0 and image.max() <= 1


@pytest.mark.parametrize("brush", ALL, ids=lambda b: b.name)
def test_gradients_reach_every_stroke_parameter(brush):
    net = load_renderer(brush)
    strokes = brush.sample(8, torch.Generator().manual_seed(1)).requires_grad_(True)
    colour, alpha = net(strokes)
    (colour * alpha + 0.5 * (1 - alpha)).square().sum().backward()
    assert (strokes.grad.abs().sum(dim=0) > 0).all(), strokes.grad.abs().sum(dim=0)
    assert all(p.grad is None for p in net.parameters())  # weights are frozen: the painter moves strokes only


def test_fingerprint_mismatch_asks_for_retraining(tmp_path):
    brush = brushes.get_brush("rectangle")
    net = NeuralRenderer(tiny(brush))
    save_checkpoint(tmp_path / "r.pt", net, brush, {"step": 0})
    checkpoint = torch.load(tmp_path / "r.pt", weights_only=True)
    checkpoint["fingerprint"] = "0123456789abcdef"
    torch.save(checkpoint, tmp_path / "r.pt")
    with pytest.raises(ValueError, match="paint train-renderer --brush rectangle"):
        load_renderer(brush, tmp_path / "r.pt")
    with pytest.raises(ValueError, match="watercolor"):
        load_renderer(brushes.get_brush("watercolor"), tmp_path / "r.pt")
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_renderer(brush, tmp_path / "missing.pt")


@pytest.mark.parametrize("brush", ALL, ids=lambda b: b.name)
def test_shipped_weights_beat_the_floor(brush):
    assert shipped_weights(brush).stat().st_size < 10_500_000
    net = load_renderer(brush)
    assert not net.training and net.resolution == 64
    assert evaluate(net, brush, strokes=200, seed=7) > PSNR_FLOOR


def test_cli_eval_renderer(capsys):
    assert main(["eval-renderer", "--brush", "rectangle"]) == 0
    assert any(line.startswith("PSNR ") and line.endswith(" dB") for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize(
    "argv, named",
    [
        (["eval-renderer", "--brush", "crayon"], "crayon"),
        (["eval-renderer", "--brush", "rectangle", "--weights", "nowhere.pt"], "nowhere.pt"),
        (["train-renderer", "--brush", "rectangle", "--steps", "0"], "0"),
    ],
)
def test_cli_bad_input_is_one_line(argv, named, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and named in err
