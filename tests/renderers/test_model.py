"""renderers.model and the shipped weights: shapes, ranges, gradients, and the weights' quality."""

from __future__ import annotations

import pytest
import torch
from tiny_nets import tiny

import brushes
from painter.cli import main
from renderers import NeuralRenderer, load_renderer, shipped_weights
from renderers.train import evaluate

ALL = brushes.all_brushes()
PSNR_FLOOR = 25.0  # dB on 200 held-out strokes; the shipped weights measure well above it (see the model card)

pytestmark = pytest.mark.usefixtures("one_thread")


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


@pytest.mark.parametrize("brush", ALL, ids=lambda b: b.name)
def test_shipped_weights_beat_the_floor(brush):
    assert shipped_weights(brush).stat().st_size < 10_500_000
    net = load_renderer(brush)
    assert not net.training and net.resolution == 64
    assert evaluate(net, brush, strokes=200, seed=7) > PSNR_FLOOR


def test_cli_eval_renderer(capsys):
    assert main(["eval-renderer", "--brush", "rectangle"]) == 0
    assert any(line.startswith("PSNR ") and line.endswith(" dB") for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("brush", ["oilpaint", "markerpen"])
def test_bfloat16_draws_what_float32_draws_and_passes_gradients(brush):
    """Computing in bfloat16 is only a speed-up: the strokes look the same and gradients still reach them."""
    b = brushes.get_brush(brush)
    strokes = b.sample(64, torch.Generator().manual_seed(4))
    exact = load_renderer(b)
    colour, alpha = exact(strokes)
    fast = exact.in_precision("bfloat16")
    params = strokes.clone().requires_grad_(True)
    fast_colour, fast_alpha = fast(params)
    assert fast_colour.dtype == fast_alpha.dtype == torch.float32
    assert (fast_colour * fast_alpha - colour * alpha).abs().mean() < 0.003
    (fast_colour * fast_alpha).sum().backward()
    assert params.grad.abs().sum(dim=0).gt(0).all()
    assert exact.compute_dtype == torch.float32  # the copy shares weights, not the precision


def test_precision_auto_follows_the_cpu_and_unknown_ones_are_named(monkeypatch):
    import renderers.model

    net = load_renderer(brushes.get_brush("rectangle"))
    monkeypatch.setattr(renderers.model, "bfloat16_is_native", lambda: False)
    assert net.in_precision("auto").compute_dtype == torch.float32
    monkeypatch.setattr(renderers.model, "bfloat16_is_native", lambda: True)
    assert net.in_precision("auto").compute_dtype == torch.bfloat16
    with pytest.raises(ValueError, match="unknown precision 'half'"):
        net.in_precision("half")
