"""Gram-matrix style loss: VGG features from a user-supplied weights file, or a seeded random fallback.

Typical use (the painter)::

    extractor, is_vgg = style_features(resolve_vgg_path(args.vgg_weights))
    style = match_colour(style, photo) if preserve_colour else style  # (1, 3, H, W) in [0, 1]
    style_loss = StyleLoss(extractor, style)
    loss = content_loss + style_weight * style_loss(canvas)  # canvas: (B, 3, H, W)

Extractors take images (B, 3, H, W) in [0, 1] and return a list of feature maps (B, C_l, H_l, W_l), one per
style layer. Both are frozen (no parameter gradients); gradients flow to the input image only.

- VGG (``VGGFeatures``): the torchvision ImageNet vgg16 / vgg19 state dicts, read without torchvision. Max-pool
  is replaced by average-pool (Gatys et al. 2016: smoother gradients). Style layers: vgg16 relu1_2, relu2_2,
  relu3_3, relu4_3 (the reference method); vgg19 relu1_1 ... relu5_1 (Gatys et al.'s classic choice).
- Fallback (``RandomTextureFeatures``): a small VGG-like stack of fixed random convolutions (seeded, He-scaled),
  one per scale with average-pooling between, features after every ReLU. Random convolutional features are
  known to capture texture statistics reasonably (Ustyuzhaninov et al., ICLR 2017; He et al., NeurIPS 2016).
  It captures colour palette and fine-to-medium texture; expect weaker large-scale structure (swirls, long
  strokes) than with VGG. About 8x fewer multiply-adds than VGG-16, no download.

Loss scales differ between the two extractors (see ``StyleLoss``), so a style weight tuned for one does not
transfer exactly to the other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from painter.images import long_side_size

VGG_WEIGHTS_ENV = "PAINT_VGG_WEIGHTS"

# Convolutions per block and their widths; the same five blocks in both networks, only the depth differs.
_VGG_BLOCKS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
_VGG_WIDTHS = (64, 128, 256, 512, 512)
VGG_STYLE_LAYERS = {
    "vgg16": ("relu1_2", "relu2_2", "relu3_3", "relu4_3"),
    "vgg19": ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"),
}
# torchvision's ImageNet normalisation; the VGG weights expect it.
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def vgg_conv_layers(arch: str) -> list[tuple[str, int, int, int]]:
    """The conv layers of torchvision's `vgg16` / `vgg19` `features`: (relu name, index in features, in, out)."""
    if arch not in _VGG_BLOCKS:
        raise ValueError(f"unknown VGG architecture {arch!r}; expected one of {sorted(_VGG_BLOCKS)}")
    layers, index, channels = [], 0, 3
    for block, (count, width) in enumerate(zip(_VGG_BLOCKS[arch], _VGG_WIDTHS, strict=True), start=1):
        for k in range(1, count + 1):
            layers.append((f"relu{block}_{k}", index, channels, width))
            index += 2  # Conv2d, then ReLU
            channels = width
        index += 1  # MaxPool2d closes the block
    return layers


def _shape(tensor: torch.Tensor) -> tuple[int, ...]:
    return tuple(tensor.shape)


def _detect_arch(state: dict) -> str:
    """Which VGG the keys describe, from the conv indices that only one of the two layouts has."""
    indices = {int(k.split(".")[1]) for k in state if k.startswith("features.") and k.split(".")[1].isdigit()}
    layouts = {arch: {i for _, i, _, _ in vgg_conv_layers(arch)} for arch in _VGG_BLOCKS}
    only16, only19 = layouts["vgg16"] - layouts["vgg19"], layouts["vgg19"] - layouts["vgg16"]
    has16, has19 = bool(indices & only16), bool(indices & only19)
    if has16 != has19:
        return "vgg16" if has16 else "vgg19"
    found = ", ".join(f"features.{i}" for i in sorted(indices)[:8]) or "none"
    raise ValueError(
        "expected a torchvision vgg16 or vgg19 state dict (conv keys features.N.weight / features.N.bias, "
        f"vgg16 with convs at features.{{{','.join(map(str, sorted(layouts['vgg16'])))}}}); "
        f"found features layers: {found}"
    )


def load_vgg_state_dict(path: str | os.PathLike) -> tuple[str, dict[str, torch.Tensor]]:
    """Read and check a torchvision vgg16/vgg19 ImageNet state dict; returns (arch, {features.N.weight|bias})."""
    path = Path(path)
    _check_weights_file(path, "vgg_weights")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several unrelated types for a file that is not a checkpoint
        raise ValueError(f"{path}: cannot be read as a PyTorch state dict file ({type(err).__name__})") from err
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]  # a common wrapper around the same keys
    if not isinstance(state, dict):
        raise ValueError(f"{path}: expected a state dict (a dict of tensors), got {type(state).__name__}")
    if any(k.endswith("running_mean") for k in state):
        raise ValueError(f"{path}: batch-norm VGG (vgg16_bn / vgg19_bn) is not supported; expected plain vgg16/vgg19")
    try:
        arch = _detect_arch(state)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    weights = {}
    for _, index, c_in, c_out in vgg_conv_layers(arch):
        for suffix, shape in (("weight", (c_out, c_in, 3, 3)), ("bias", (c_out,))):
            key = f"features.{index}.{suffix}"
            if key not in state:
                raise ValueError(f"{path}: {arch} state dict is missing {key} (expected shape {shape})")
            value = state[key]
            if not isinstance(value, torch.Tensor) or _shape(value) != shape:
                got = _shape(value) if isinstance(value, torch.Tensor) else type(value).__name__
                raise ValueError(f"{path}: {key} should have shape {shape}, got {got}")
            if not value.is_floating_point():
                raise ValueError(f"{path}: {key} should hold floats, got {value.dtype}")
            if not torch.isfinite(value).all():
                raise ValueError(f"{path}: {key} holds NaN or infinite values; the file is damaged")
            weights[key] = value.float()
    return arch, weights


class _Normalise(nn.Module):
    """[0, 1] RGB -> ImageNet-normalised RGB. Shape: (B, 3, H, W)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return (image - self.mean) / self.std


class VGGFeatures(nn.Module):
    """Frozen VGG conv stack (avg-pool) returning the style layers' ReLU maps [(B, C_l, H_l, W_l)] of (B, 3, H, W).

    Example: ``VGGFeatures(*load_vgg_state_dict("vgg16-397923af.pth"))``. With ``weights=None`` the convs keep
    PyTorch's random init (for timing and tests only).
    """

    def __init__(self, arch: str = "vgg16", weights: dict[str, torch.Tensor] | None = None):
        super().__init__()
        self.arch = arch
        self.layers = VGG_STYLE_LAYERS[arch]
        all_convs = vgg_conv_layers(arch)
        # Stop at the deepest style layer: later convs cost time and never reach the loss.
        last = [name for name, *_ in all_convs].index(self.layers[-1])
        self.names = [name for name, *_ in all_convs[: last + 1]]
        self.normalise = _Normalise()
        self.convs = nn.ModuleList(nn.Conv2d(c_in, c_out, 3, padding=1) for _, _, c_in, c_out in all_convs[: last + 1])
        if weights is not None:
            with torch.no_grad():  # strict=False: self.convs ends at the last style layer
                for conv, (_, index, _, _) in zip(self.convs, all_convs, strict=False):
                    conv.weight.copy_(weights[f"features.{index}.weight"])
                    conv.bias.copy_(weights[f"features.{index}.bias"])
        # A block ends where the next layer name starts a new block number.
        self._pool_after = {a for a, b in pairwise(self.names) if a.split("_")[0] != b.split("_")[0]}
        self.requires_grad_(False)
        self.eval()

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        x = self.normalise(image)
        features = []
        for name, conv in zip(self.names, self.convs, strict=True):
            x = F.relu(conv(x))
            if name in self.layers:
                features.append(x)
            if name in self._pool_after:
                x = F.avg_pool2d(x, 2, ceil_mode=True)  # ceil: odd sizes and tiny images keep every pixel
        return features


class RandomTextureFeatures(nn.Module):
    """Fixed random conv stack (avg-pool between layers): [(B, C_l, H/2^l, W/2^l)] of (B, 3, H, W), l = 0..4.

    Built deterministically from ``seed`` (same seed, same network, on any machine), no download. Like VGG, one
    3x3 conv + ReLU per scale and a 2x average-pool between scales, so the five feature maps see receptive
    fields of about 3, 8, 18, 38 and 78 px: texture statistics from fine grain to large blobs.
    """

    def __init__(self, seed: int = 0, widths: Sequence[int] = (64, 128, 128, 256, 256)):
        super().__init__()
        self.seed = seed
        self.layers = tuple(f"random{i + 1}" for i in range(len(widths)))
        self.normalise = _Normalise()  # same input scaling as VGG, so both see the same numbers
        generator = torch.Generator().manual_seed(seed)
        self.convs = nn.ModuleList()
        c_in = 3
        for width in widths:
            conv = nn.Conv2d(c_in, width, 3, padding=1, bias=False)
            # He scaling (std sqrt(2 / fan_in)) keeps activations the same size through every ReLU layer, so no
            # layer's Gram dominates the loss by accident of depth. Deep random nets scaled this way give usable
            # style statistics (He, Wang & Hopcroft 2016, "A powerful generative model using random weights for
            # the deep image representation"); in a texture-synthesis check they beat single-layer random filter
            # banks clearly.
            std = (2.0 / (c_in * 9)) ** 0.5
            with torch.no_grad():
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * std)
            self.convs.append(conv)
            c_in = width
        self.requires_grad_(False)
        self.eval()

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        x = self.normalise(image)
        features = []
        for level, conv in enumerate(self.convs):
            if level:
                x = F.avg_pool2d(x, 2, ceil_mode=True)
            x = F.relu(conv(x))
            features.append(x)
        return features


def resolve_vgg_path(arg: str | None) -> Path | None:
    """The VGG weights file named (vgg_weights), else $PAINT_VGG_WEIGHTS, else None. Missing file: FileNotFoundError."""
    source = "vgg_weights"
    if not arg:
        arg, source = os.environ.get(VGG_WEIGHTS_ENV) or None, VGG_WEIGHTS_ENV
    if arg is None:
        return None
    path = Path(arg).expanduser()
    _check_weights_file(path, source)
    return path


def _check_weights_file(path: Path, source: str) -> None:
    """FileNotFoundError when nothing is at `path`; ValueError naming a folder, device or pipe, which torch
    would read for ever (/dev/zero) or wait on."""
    from painter.files import special_kind

    kind = special_kind(path)
    if kind is not None:
        raise ValueError(f"VGG weights {path} (from {source}) is {kind}, not a file")
    if not path.exists():
        raise FileNotFoundError(f"VGG weights file not found: {path} (from {source})")


def style_features(weights_path: Path | None, seed: int = 0) -> tuple[nn.Module, bool]:
    """The style feature extractor: VGG from weights_path, else the seeded random fallback. Returns (net, is_vgg)."""
    if weights_path is None:
        return RandomTextureFeatures(seed), False
    return VGGFeatures(*load_vgg_state_dict(weights_path)), True


class _SelfOuter(torch.autograd.Function):
    """X X^T with a one-matmul backward. Shape: (B, C, N) -> (B, C, C).

    Autograd's generic backward for X @ X^T does two matmuls and adds them; using dG + dG^T instead halves the
    cost, and the Grams are a third of the fallback network's time per step.
    """

    @staticmethod
    def forward(ctx, flat: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(flat)
        return flat @ flat.transpose(1, 2)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        (flat,) = ctx.saved_tensors
        return (grad + grad.transpose(1, 2)) @ flat


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Channel co-activation, normalised by c*h*w. Shape: (B, C, H, W) -> (B, C, C)."""
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)  # (B, C, HW)
    return _SelfOuter.apply(flat) / (c * h * w)


def fit_size(image: torch.Tensor, max_side: int) -> torch.Tensor:
    """Downscale (antialiased, differentiable) so the long side is at most max_side. Shape: (B, C, H, W)."""
    h, w = image.shape[-2:]
    if max(h, w) <= max_side:
        return image
    size = long_side_size(h, w, max_side)
    return F.interpolate(image, size=size, mode="bilinear", antialias=True, align_corners=False)


def luminance(image: torch.Tensor) -> torch.Tensor:
    """Rec. 601 luma Y = 0.299 R + 0.587 G + 0.114 B. Shape: (B, 3, H, W) -> (B, 1, H, W)."""
    weights = image.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    return (image * weights).sum(dim=1, keepdim=True)


def match_colour(style: torch.Tensor, photo: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Give style the photo's RGB mean and covariance (Gatys et al. 2016, colour histogram matching).

    Shape: style (B, 3, H, W), photo (B or 1, 3, H', W') -> (B, 3, H, W), clamped to [0, 1].
    Example: ``StyleLoss(net, match_colour(style, photo))`` keeps the photo's palette and the style's texture.
    """
    if style.shape[1] != 3 or photo.shape[1] != 3:
        raise ValueError(
            f"match_colour expects RGB images (B, 3, H, W); got {tuple(style.shape)}, {tuple(photo.shape)}"
        )

    def stats(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        flat = image.double().flatten(2)  # (B, 3, N)
        mean = flat.mean(dim=2, keepdim=True)  # (B, 3, 1)
        centred = flat - mean
        cov = centred @ centred.transpose(1, 2) / flat.shape[2]  # (B, 3, 3)
        return mean, cov + eps * torch.eye(3, dtype=cov.dtype)  # eps: a flat image has a singular covariance

    def sqrtm(cov: torch.Tensor, power: float) -> torch.Tensor:
        # Symmetric square root rather than Cholesky: it does not depend on the channel order, and Gatys et al.
        # found it gives the most natural colours.
        values, vectors = torch.linalg.eigh(cov)
        return vectors @ torch.diag_embed(values.clamp_min(eps) ** power) @ vectors.transpose(1, 2)

    mean_s, cov_s = stats(style)
    mean_p, cov_p = stats(photo)
    transform = sqrtm(cov_p, 0.5) @ sqrtm(cov_s, -0.5)  # (B, 3, 3)
    flat = style.double().flatten(2)  # (B, 3, N)
    matched = (transform @ (flat - mean_s) + mean_p).clamp(0, 1)  # (B, 3, N)
    # Clamping to [0, 1] drags the mean away from the photo's (dark photos clip at 0); a few shift-and-clamp
    # rounds win most of it back without touching the covariance.
    for _ in range(3):
        matched = (matched + mean_p - matched.mean(dim=2, keepdim=True)).clamp(0, 1)
    return matched.view_as(style).to(style.dtype)


class StyleLoss(nn.Module):
    """Sum over style layers of the MSE between Gram matrices of an image and of a fixed style image.

    Shape: forward (B, 3, H, W) in [0, 1] -> scalar (mean over the batch). Both images are first downscaled to
    at most ``max_side`` px on the long side: the loss runs inside the optimisation loop on a CPU, and Gram
    statistics of textures change little with resolution. Zero when the image is the style image itself.
    ``luminance_only``: compare luma only (replicated to 3 channels), the other colour-preserving variant.
    Scale: with the random fallback at 256 px, two unrelated photos score ~1e-4 (astronaut vs chelsea 2.2e-4,
    chelsea vs coffee 1.1e-4); VGG's scale depends on the weights. Dividing by the loss of the starting canvas
    gives a weight that means the same for both.
    Example: ``StyleLoss(RandomTextureFeatures(0), style)(canvas).backward()``.
    """

    def __init__(
        self,
        extractor: nn.Module,
        style_image: torch.Tensor,
        max_side: int = 256,
        luminance_only: bool = False,
        layer_weights: Sequence[float] | None = None,
    ):
        super().__init__()
        if style_image.dim() != 4 or style_image.shape[:2] != (1, 3):
            raise ValueError(f"style image should have shape (1, 3, H, W), got {tuple(style_image.shape)}")
        self.extractor = extractor
        self.max_side = max_side
        self.luminance_only = luminance_only
        with torch.no_grad():
            grams = [gram_matrix(f) for f in extractor(self._prepare(style_image))]
        weights = [1.0] * len(grams) if layer_weights is None else list(layer_weights)
        if len(weights) != len(grams):
            raise ValueError(
                f"layer_weights should have {len(grams)} entries (one per style layer), got {len(weights)}"
            )
        self.layer_weights = weights
        for i, gram in enumerate(grams):
            self.register_buffer(f"gram{i}", gram)  # (1, C, C); buffers follow .to(device)

    def _prepare(self, image: torch.Tensor) -> torch.Tensor:
        image = fit_size(image, self.max_side)
        if self.luminance_only:
            image = luminance(image).expand(-1, 3, -1, -1)  # (B, 3, H, W), grey
        return image

    def style_grams(self) -> list[torch.Tensor]:
        """The precomputed style Grams, one (1, C_l, C_l) per layer."""
        return [getattr(self, f"gram{i}") for i in range(len(self.layer_weights))]

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        features = self.extractor(self._prepare(image))
        loss = image.new_zeros(())
        for weight, feature, target in zip(self.layer_weights, features, self.style_grams(), strict=True):
            gram = gram_matrix(feature)  # (B, C, C)
            loss = loss + weight * F.mse_loss(gram, target.expand_as(gram))
        return loss
