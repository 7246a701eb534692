"""renderers.train: a tiny renderer learns, and an interrupted run resumes from its checkpoint."""

from __future__ import annotations

import pytest
import torch
from tiny_nets import tiny, tiny_training

import brushes
from renderers import RendererConfig, load_renderer
from renderers.checkpoint import load_checkpoint, save_checkpoint
from renderers.train import train_renderer

pytestmark = pytest.mark.usefixtures("one_thread")


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


def test_training_starts_from_an_earlier_version_of_the_brush(tmp_path, monkeypatch):
    # A changed brush (its version bumped) rejects its old weights for painting, but training may start
    # from them: the new run's first loss is the old network's, far below a random start's.
    brush, cache = brushes.get_brush("rectangle"), tmp_path / "cache"
    old = tmp_path / "old.pt"
    trained = train_renderer(
        brush, old, tiny_training(300, batch=32, lr=5e-3), tiny(brush), cache=cache, progress=False
    )
    monkeypatch.setattr(type(brush), "version", brush.version + 1)
    with pytest.raises(ValueError, match="retrain the renderer"):
        load_renderer(brush, old)
    config = tiny_training(5, batch=32, lr=1e-4, warmup=1)
    started = train_renderer(brush, tmp_path / "new.pt", config, cache=cache, progress=False, start_from=old)
    fresh = train_renderer(brush, tmp_path / "fresh.pt", config, tiny(brush), cache=cache, progress=False)
    assert started["losses"][0] < 0.5 * fresh["losses"][0]
    assert abs(started["losses"][0] - sum(trained["losses"][-40:]) / 40) < 0.5 * trained["losses"][-40]
    assert load_checkpoint(tmp_path / "new.pt", brush)["fingerprint"] == brush.fingerprint()
