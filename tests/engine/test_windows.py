"""Drawing strokes in windows: the sorted-pairs compositing and its gradient against the slow, obvious way."""

from __future__ import annotations

import pytest
import torch

import brushes
from painter.engine.windows import ExactPixels, ExactWindows, NetworkWindows, draw_windows, window_layout


def _plain_painting(brush, strokes, background, weights):
    """The painting drawn the slow, obvious way (every stroke on the whole canvas, one after another),
    and the gradient of (painting * weights).sum() by plain autograd."""
    params = strokes.clone().requires_grad_(True)
    _, height, width = background.shape
    colour, alpha = brush.render(params, height, width)
    canvas = background
    for i in range(len(strokes)):
        canvas = colour[i] * alpha[i] + canvas * (1 - alpha[i])
    (canvas * weights).sum().backward()
    return canvas.detach(), params.grad


def _windowed_painting(brush, strokes, background, weights):
    params = strokes.clone().requires_grad_(True)
    places = window_layout(brush, strokes, *background.shape[1:])
    out = draw_windows(ExactWindows(brush), params, places, background)
    (out * weights).sum().backward()
    return out.detach(), params.grad


@pytest.mark.parametrize(
    ("name", "count", "size"),
    [("rectangle", 10, 0.3), ("oilpaint", 10, 0.3), ("markerpen", 10, 0.3), ("oilpaint", 150, 0.08)],
)
def test_windowed_drawing_and_its_gradient_match_plain_autograd(name, count, size, monkeypatch):
    """Composited from sorted window pixels, the painting and its gradient are those of laying the strokes
    one by one on the whole canvas; exactly so for translucent strokes when opaque ones are not damped."""
    import painter.engine.windows as windows

    monkeypatch.setattr(windows, "OPAQUE", 1.0)  # exact for alpha < 1, which these strokes have
    brush = brushes.get_brush(name)
    g = torch.Generator().manual_seed(1)
    xy, rgb = torch.rand(count, 2, generator=g), torch.rand(count, 3, generator=g)
    strokes = brush.place(xy, rgb, size, 40, 48, g).double()
    strokes[:, -1] = 0.1 + 0.8 * torch.rand(count, generator=g).double()
    background = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    weights = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    out, grad = _windowed_painting(brush, strokes, background, weights)
    canvas, plain = _plain_painting(brush, strokes, background, weights)
    assert torch.allclose(out, canvas, atol=1e-9)
    assert torch.allclose(grad, plain, atol=1e-8)


def test_opaque_strokes_composite_with_finite_gradients_close_to_exact():
    brush = brushes.get_brush("oilpaint")
    g = torch.Generator().manual_seed(3)
    strokes = brush.place(torch.rand(30, 2, generator=g), torch.rand(30, 3, generator=g), 0.3, 40, 48, g).double()
    strokes[:, -1] = 1.0  # fully opaque: the stroke's interior hides everything below it
    background = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    weights = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    out, grad = _windowed_painting(brush, strokes, background, weights)
    canvas, plain = _plain_painting(brush, strokes, background, weights)
    assert torch.isfinite(grad).all()
    assert torch.allclose(out, canvas, atol=1e-7)
    assert torch.allclose(grad, plain, atol=1e-5 * plain.abs().max().item())


def test_drawing_in_chunks_gives_the_same_canvas_and_gradient(monkeypatch):
    """Many strokes are rendered in chunks recomputed in the backward pass; nothing may change but memory."""
    import painter.engine.windows as windows

    brush = brushes.get_brush("oilpaint")
    g = torch.Generator().manual_seed(2)
    strokes = brush.place(torch.rand(12, 2, generator=g), torch.rand(12, 3, generator=g), 0.2, 40, 48, g).double()
    places = window_layout(brush, strokes, 40, 48)
    background = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    results = []
    for chunk, recomputed in ((1000, 1000), (5, 3)):  # in one piece; past 5 strokes, in chunks of 3
        monkeypatch.setattr(windows, "RENDER_CHUNK", chunk)
        monkeypatch.setattr(windows, "RECOMPUTED_CHUNK", recomputed)
        params = strokes.clone().requires_grad_(True)
        out = draw_windows(ExactWindows(brush), params, places, background)
        (out * background).sum().backward()
        results.append((out.detach(), params.grad))
    assert torch.allclose(results[0][0], results[1][0]) and torch.allclose(results[0][1], results[1][1])


@pytest.mark.parametrize("name", ["rectangle", "oilpaint"])
def test_drawing_only_the_pixels_strokes_cover_changes_nothing(name):
    """A layout given the renderer keeps only the window pixels near a stroke's ink: far fewer pairs to
    composite, the same painting and the same gradient."""
    brush = brushes.get_brush(name)
    g = torch.Generator().manual_seed(5)
    strokes = brush.place(torch.rand(40, 2, generator=g), torch.rand(40, 3, generator=g), 0.25, 60, 80, g).double()
    background = torch.rand(3, 60, 80, dtype=torch.double, generator=g)
    results = []
    for places in (window_layout(brush, strokes, 60, 80), ExactWindows(brush).layout(strokes, 60, 80)):
        params = strokes.clone().requires_grad_(True)
        out = draw_windows(ExactWindows(brush), params, places, background)
        (out * background).sum().backward()
        results.append((len(places.order), out.detach(), params.grad))
    (full, out, grad), (pruned, pruned_out, pruned_grad) = results
    assert pruned < 0.7 * full
    assert torch.allclose(pruned_out, out, atol=1e-12)
    # Opaque strokes' damped logs make the gradient's sums large and cancelling: equal to ~1e-5 of its scale.
    assert torch.allclose(pruned_grad, grad, atol=1e-5 * grad.abs().max().item())


def test_windows_larger_than_the_network_are_sampled_where_drawn_as_an_enlargement_would_give():
    """Coarse strokes' windows are not enlarged whole: their drawn pixels are sampled from the network's
    raster, with the values a bilinear enlargement has there."""
    brush = brushes.get_brush("oilpaint")
    g = torch.Generator().manual_seed(6)
    strokes = brush.place(torch.rand(6, 2, generator=g), torch.rand(6, 3, generator=g), 0.9, 90, 120, g)

    def small_net(local):  # a stand-in network drawing 16 px rasters
        return brush.render(local, 16, 16)

    class Enlarged(ExactWindows):  # whole windows, each the network's raster enlarged to the window's size
        def window(self, local, side):
            colour, alpha = small_net(local)
            return tuple(
                torch.nn.functional.interpolate(t, size=(side, side), mode="bilinear") for t in (colour, alpha)
            )

    background = torch.rand(3, 90, 120, generator=g)
    network = NetworkWindows(brush, small_net)
    places = network.layout(strokes, 90, 120)
    assert min(size for size, _, _ in places.sizes) > 16
    sampled = draw_windows(network, strokes, places, background)
    whole = draw_windows(Enlarged(brush), strokes, places, background)
    assert torch.allclose(sampled, whole, atol=1e-5)


@pytest.mark.parametrize(("name", "opacity"), [("oilpaint", None), ("markerpen", None), ("rectangle", 0.5)])
def test_exact_pairs_draw_the_painting_and_its_gradient_from_the_pixels_that_show(name, opacity, monkeypatch):
    """Drawn at the (stroke, pixel) pairs each stroke inks and shows, the painting is that of the plain way
    up to what the strokes left out let through (VISIBLE), and so, nearly, is its gradient."""
    import painter.engine.windows as windows

    brush = brushes.get_brush(name)
    g = torch.Generator().manual_seed(8)
    strokes = brush.place(torch.rand(60, 2, generator=g), torch.rand(60, 3, generator=g), 0.3, 40, 48, g).double()
    if opacity is not None:
        strokes[:, -1] = opacity
    background = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    weights = torch.rand(3, 40, 48, dtype=torch.double, generator=g)
    render = ExactPixels(brush)
    monkeypatch.setattr(windows, "PAIR_CHUNK", 2000)  # several chunks, recomputed in the backward pass
    places = render.layout(strokes, 40, 48)
    params = strokes.clone().requires_grad_(True)
    out = draw_windows(render, params, places, background)
    (out * weights).sum().backward()
    canvas, plain = _plain_painting(brush, strokes, background, weights)
    windowed = window_layout(brush, strokes, 40, 48)
    assert len(places.pairs.pixel) < 0.5 * len(windowed.pairs.pixel)  # far fewer pairs than whole windows
    assert (out - canvas).abs().max() < 2 * windows.VISIBLE
    # Within 1% of the gradient's scale for shape and colour; opacity's gradient counts what an opaque
    # stroke would uncover if it thinned, partly the pairs left out under it: within 3%.
    error = (params.grad - plain).abs() / plain.abs().max()
    alpha = brush.indices("alpha")
    assert error.max() < 0.03 and error[:, [i for i in range(brush.size) if i not in alpha]].max() < 0.01
