"""Style loss: VGG weight loading (torchvision layout), Gram loss behaviour, random fallback, colour helpers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage import data, filters

from painter.style_loss import (
    VGG_WEIGHTS_ENV,
    RandomTextureFeatures,
    StyleLoss,
    VGGFeatures,
    gram_matrix,
    load_vgg_state_dict,
    luminance,
    match_colour,
    resolve_vgg_path,
    style_features,
    vgg_conv_layers,
)

# Conv positions in torchvision's `features` Sequential, written out independently of the code under test.
TORCHVISION_CONVS = {
    "vgg16": [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28],
    "vgg19": [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34],
}


def as_tensor(array: np.ndarray, size: int = 128) -> torch.Tensor:
    """uint8 (H, W, 3) -> float (1, 3, h, w) in [0, 1], cropped square and resized for speed."""
    image = torch.from_numpy(np.ascontiguousarray(array)).permute(2, 0, 1)[None].float() / 255  # (1, 3, H, W)
    side = min(image.shape[-2:])
    image = image[..., :side, :side]
    return torch.nn.functional.interpolate(image, size=(size, size), mode="bilinear", antialias=True)


def torchvision_state_dict(arch: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """A full-shape state dict in torchvision's key layout, classifier included (the loader must ignore it)."""
    generator = torch.Generator().manual_seed(seed)
    state, c_in = {}, 3
    widths = iter([64, 64, 128, 128] + [256] * (3 if arch == "vgg16" else 4) + [512] * (6 if arch == "vgg16" else 8))
    for index in TORCHVISION_CONVS[arch]:
        c_out = next(widths)
        state[f"features.{index}.weight"] = torch.randn(c_out, c_in, 3, 3, generator=generator) * 0.01
        state[f"features.{index}.bias"] = torch.randn(c_out, generator=generator) * 0.01
        c_in = c_out
    state["classifier.6.weight"] = torch.zeros(1000, 8)  # shape irrelevant: never read
    state["classifier.6.bias"] = torch.zeros(1000)
    return state


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_conv_layout_matches_torchvision(arch):
    assert [index for _, index, _, _ in vgg_conv_layers(arch)] == TORCHVISION_CONVS[arch]


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_loads_torchvision_state_dict(arch, tmp_path):
    state = torchvision_state_dict(arch)
    path = tmp_path / f"{arch}.pth"
    torch.save(state, path)

    extractor, is_vgg = style_features(path)

    assert is_vgg and isinstance(extractor, VGGFeatures) and extractor.arch == arch
    # The weights land in the right convs: compare the first and the deepest conv the extractor keeps.
    assert torch.equal(extractor.convs[0].weight, state["features.0.weight"])
    deepest = TORCHVISION_CONVS[arch][len(extractor.convs) - 1]
    assert torch.equal(extractor.convs[-1].bias, state[f"features.{deepest}.bias"])
    features = extractor(torch.rand(1, 3, 32, 48))
    expected = {"vgg16": [64, 128, 256, 512], "vgg19": [64, 128, 256, 512, 512]}[arch]
    assert [f.shape[1] for f in features] == expected
    assert [f.shape[-2:] for f in features] == [(32 >> i, 48 >> i) for i in range(len(expected))]


def write_wrong_file(kind: str, path):
    if kind == "garbage":
        path.write_bytes(b"\x89PNG this is not a checkpoint" * 10)
        return
    if kind == "not a dict":
        torch.save(torch.zeros(3), path)
        return
    state = torchvision_state_dict("vgg16")
    if kind == "wrong shape":
        state["features.0.weight"] = torch.zeros(64, 3, 5, 5)
    elif kind == "missing key":
        del state["features.10.bias"]
    elif kind == "no conv keys":
        state = {"classifier.6.weight": torch.zeros(1000, 8)}
    elif kind == "nan values":
        state["features.5.weight"][0, 0, 0, 0] = float("nan")
    torch.save(state, path)


@pytest.mark.parametrize(
    "kind, message",
    [
        ("wrong shape", "features.0.weight should have shape (64, 3, 3, 3), got (64, 3, 5, 5)"),
        ("missing key", "missing features.10.bias (expected shape (256,))"),
        ("not a dict", "expected a state dict (a dict of tensors), got Tensor"),
        ("garbage", "cannot be read as a PyTorch state dict"),
        ("no conv keys", "expected a torchvision vgg16 or vgg19 state dict"),
        ("nan values", "features.5.weight holds NaN or infinite values"),
    ],
)
def test_wrong_weights_file_names_the_problem(kind, message, tmp_path):
    path = tmp_path / "weights.pth"
    write_wrong_file(kind, path)
    with pytest.raises(ValueError) as err:
        load_vgg_state_dict(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_resolve_vgg_path(tmp_path, monkeypatch):
    from_arg, from_env = tmp_path / "a.pth", tmp_path / "b.pth"
    from_arg.write_bytes(b"x")
    from_env.write_bytes(b"x")
    monkeypatch.delenv(VGG_WEIGHTS_ENV, raising=False)
    assert resolve_vgg_path(None) is None
    monkeypatch.setenv(VGG_WEIGHTS_ENV, str(from_env))
    assert resolve_vgg_path(None) == from_env
    assert resolve_vgg_path(str(from_arg)) == from_arg  # the option wins over the environment
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        resolve_vgg_path(str(tmp_path / "nope.pth"))


def test_style_loss_zero_for_style_image_and_grows_with_difference():
    textured = as_tensor(data.astronaut())
    blurred = torch.from_numpy(filters.gaussian(textured[0].permute(1, 2, 0).numpy(), sigma=2, channel_axis=-1))
    blurred = blurred.permute(2, 0, 1)[None].float()  # (1, 3, H, W)
    flat = textured.mean(dim=(2, 3), keepdim=True).expand_as(textured)  # same mean colour, no texture
    loss = StyleLoss(RandomTextureFeatures(seed=0), textured)

    values = [loss(x).item() for x in (textured, blurred, flat)]

    assert values[0] == 0.0
    assert 0 < values[1] < values[2]


def test_style_loss_prefers_the_style_image_and_has_gradients():
    cat, coffee = as_tensor(data.chelsea()), as_tensor(data.coffee())
    loss = StyleLoss(RandomTextureFeatures(seed=0), cat)
    image = coffee.clone().requires_grad_(True)
    value = loss(image)
    value.backward()
    assert value.item() > 0
    assert image.grad is not None and image.grad.abs().sum() > 0
    # A small step against the gradient makes the coffee picture more cat-like in style.
    with torch.no_grad():
        stepped = image - 1e-3 * image.grad / image.grad.abs().max()
    assert loss(stepped).item() < value.item()


def test_random_fallback_is_deterministic():
    image = as_tensor(data.coffee(), size=64)
    first, second = RandomTextureFeatures(seed=3)(image), RandomTextureFeatures(seed=3)(image)
    other = RandomTextureFeatures(seed=4)(image)
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert not torch.allclose(first[0], other[0])
    extractor, is_vgg = style_features(None)
    assert not is_vgg and isinstance(extractor, RandomTextureFeatures)
    assert not any(p.requires_grad for p in extractor.parameters())


def test_gram_matrix_normalisation():
    features = torch.ones(2, 4, 3, 5)
    gram = gram_matrix(features)
    assert gram.shape == (2, 4, 4)
    torch.testing.assert_close(gram, torch.full((2, 4, 4), 1 / 4))  # sum of 15 ones / (4 * 3 * 5)
    features = torch.rand(2, 4, 3, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(gram_matrix, (features,))  # the hand-written backward


def test_match_colour_moves_style_mean_to_photo():
    style, photo = as_tensor(data.chelsea()), as_tensor(data.coffee())
    matched = match_colour(style, photo)
    photo_mean, matched_mean = photo.mean(dim=(0, 2, 3)), matched.mean(dim=(0, 2, 3))
    before = (style.mean(dim=(0, 2, 3)) - photo_mean).abs().max()
    after = (matched_mean - photo_mean).abs().max()
    assert before > 0.1  # the two pictures differ in colour, so the test means something
    assert after < 0.01  # not exact only because of the clamp to [0, 1]
    assert matched.shape == style.shape and matched.min() >= 0 and matched.max() <= 1


def test_luminance():
    image = torch.stack([torch.ones(2, 2), torch.zeros(2, 2), torch.zeros(2, 2)])[None]  # pure red (1, 3, 2, 2)
    torch.testing.assert_close(luminance(image), torch.full((1, 1, 2, 2), 0.299))
    grey = StyleLoss(RandomTextureFeatures(), as_tensor(data.chelsea(), 64), luminance_only=True)
    coloured = as_tensor(data.chelsea(), 64)
    assert grey(coloured).item() == 0.0  # colour is ignored: the image and its own luma match exactly
    assert grey(coloured[:, [2, 1, 0]]).item() > 0  # but a change in luma is not
