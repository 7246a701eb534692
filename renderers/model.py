"""The dual-pathway neural renderer: stroke parameters -> (colour, alpha) images, differentiable.

Rasterisation path: shape parameters only -> fully connected -> a small feature map -> 3x3 convolutions
with PixelShuffle upsampling -> the stroke's mask. Shading path: all parameters -> fully connected ->
transposed convolutions -> a low-resolution colour image, upsampled bilinearly (every brush's colour is
smooth; the sharp detail lives in the mask). alpha = (product of the alpha parameters) * mask, which is
exactly how every procedural brush applies its opacity, so the network never has to learn it.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from brushes import Brush


@dataclass
class RendererConfig:
    """Everything needed to rebuild a network; stored in every checkpoint."""

    brush: str = ""  # the brush imitated; its fingerprint is stored beside the config
    params: int = 0  # stroke vector length P, from the brush spec
    shape_indices: tuple[int, ...] = ()  # the rasterisation path sees only these, from the spec
    alpha_indices: tuple[int, ...] = ()  # multiplied onto the mask, from the spec
    resolution: int = 64  # the painter optimises 64 px blocks of a ~512 px canvas
    base: int = 8  # side of the first raster feature map; 3 PixelShuffle steps reach 64
    fc_width: int = 256  # hidden width of both paths' fully connected layers; 512 costs 15% more for no clear gain
    # Channels per raster level (8, 16, 32 px): thin where pixels are many. (64, 32, 16) took 3x the time
    # (~1 s per forward+backward of 256 strokes on one core), far over the 100 ms budget.
    raster_channels: tuple[int, ...] = (32, 16, 8)
    shade_channels: tuple[int, ...] = (32, 16)  # per shading level (4, 8 px), then a conv to RGB at 16 px
    colour_resolution: int = 16  # colour is a gradient at most; 16 px bilinearly upsampled loses ~nothing

    @classmethod
    def for_brush(cls, brush: Brush, **overrides) -> RendererConfig:
        """A config sized from the brush's spec; `overrides` change the defaults above."""
        return cls(
            brush=brush.name,
            params=brush.size,
            shape_indices=tuple(brush.indices("shape")),
            alpha_indices=tuple(brush.indices("alpha")),
            **overrides,
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RendererConfig:
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
        return cls(**{**data, **tuples})

    def __post_init__(self) -> None:
        levels = len(self.raster_channels)
        if self.base * 2**levels != self.resolution:
            raise ValueError(
                f"resolution {self.resolution} is not base {self.base} doubled {levels} times (raster_channels)"
            )
        if self.colour_resolution != 4 * 2 ** len(self.shade_channels):
            raise ValueError(f"colour_resolution {self.colour_resolution} must be 4 doubled once per shade level")


def _upsample_block(c_in: int, c_out: int, last: bool) -> nn.Sequential:
    """3x3 conv at the current size, then a 3x3 conv to 4x the channels rearranged to twice the size."""
    layers: list[nn.Module] = [
        nn.Conv2d(c_in, c_in, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_in, 4 * c_out, 3, padding=1),
        nn.PixelShuffle(2),
    ]
    if not last:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class RasterPath(nn.Module):
    """Shape parameters (N, S) -> mask logits (N, 1, R, R)."""

    def __init__(self, config: RendererConfig) -> None:
        super().__init__()
        c0 = config.raster_channels[0]
        self.shape0 = (c0, config.base, config.base)
        self.fc = nn.Sequential(
            nn.Linear(len(config.shape_indices), config.fc_width),
            nn.ReLU(inplace=True),
            nn.Linear(config.fc_width, config.fc_width),
            nn.ReLU(inplace=True),
            nn.Linear(config.fc_width, c0 * config.base**2),
            nn.ReLU(inplace=True),
        )
        outs = config.raster_channels[1:] + (1,)
        self.up = nn.Sequential(
            *[
                _upsample_block(c_in, c_out, last=i == len(outs) - 1)
                for i, (c_in, c_out) in enumerate(zip(config.raster_channels, outs, strict=True))
            ]
        )
        # Start with an almost empty mask, as most pixels are. From sigmoid(0) = 0.5 everywhere the first
        # steps push every logit down so hard that a watercolor run saturated at 0 and never recovered.
        nn.init.constant_(self.up[-1][-2].bias, -3.0)

    def forward(self, shape: torch.Tensor) -> torch.Tensor:
        x = self.fc(shape).view(-1, *self.shape0)  # (N, C0, base, base)
        return self.up(x)  # (N, 1, R, R)


class ShadePath(nn.Module):
    """All parameters (N, P) -> colour logits (N, 3, Rc, Rc) at the low colour resolution."""

    def __init__(self, config: RendererConfig) -> None:
        super().__init__()
        c0 = config.shade_channels[0]
        self.shape0 = (c0, 4, 4)
        self.fc = nn.Sequential(
            nn.Linear(config.params, config.fc_width),
            nn.ReLU(inplace=True),
            nn.Linear(config.fc_width, c0 * 16),
            nn.ReLU(inplace=True),
        )
        layers: list[nn.Module] = []
        outs = config.shade_channels[1:] + (config.shade_channels[-1],)
        for c_in, c_out in zip(config.shade_channels, outs, strict=True):
            # DCGAN's upsampling step: a 4x4 transposed conv with stride 2 doubles the size.
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(True)]
        layers.append(nn.Conv2d(outs[-1], 3, 3, padding=1))
        self.up = nn.Sequential(*layers)

    def forward(self, strokes: torch.Tensor) -> torch.Tensor:
        x = self.fc(strokes).view(-1, *self.shape0)  # (N, C0, 4, 4)
        return self.up(x)  # (N, 3, Rc, Rc)


def bilinear_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """The (n_out, n_in) matrix of 1-D bilinear upsampling (half-pixel centres, edges clamped), on the CPU
    whatever the default device: under the meta device (checkpoint checks) interpolating loads torch's
    meta kernels, 1.8 s at every start."""
    eye = torch.eye(n_in, device="cpu").view(n_in, 1, n_in)  # (n_in signals, 1 channel, n_in samples)
    return F.interpolate(eye, size=n_out, mode="linear", align_corners=False).view(n_in, n_out).T.contiguous()


class NeuralRenderer(nn.Module):
    """Imitates `brush.render(strokes, R, R)`.

    Shape: strokes (N, P) in [0, 1] -> colour (N, 3, R, R), alpha (N, 1, R, R), both in [0, 1].
    Example: `colour, alpha = NeuralRenderer(RendererConfig.for_brush(brush))(brush.sample(8))`.
    """

    def __init__(self, config: RendererConfig) -> None:
        super().__init__()
        self.config = config
        self.resolution = config.resolution
        self.register_buffer("shape_index", torch.tensor(config.shape_indices, dtype=torch.long), persistent=False)
        self.register_buffer("alpha_index", torch.tensor(config.alpha_indices, dtype=torch.long), persistent=False)
        self.register_buffer("upsample", bilinear_matrix(config.colour_resolution, config.resolution), persistent=False)
        self.raster = RasterPath(config)
        self.shade = ShadePath(config)
        # oneDNN's convolutions run ~15% faster on a CPU with channels-last weights (forward+backward measured).
        self.to(memory_format=torch.channels_last)
        # The precision the layers compute in; outputs are float32 either way. See `in_precision`.
        self.compute_dtype = torch.float32

    def in_precision(self, precision: str) -> NeuralRenderer:
        """This renderer computing in "float32", "bfloat16", or "auto": bfloat16 on a CPU with native
        bfloat16 arithmetic (AVX-512 BF16 or AMX), float32 elsewhere (emulated bfloat16 is slower). A copy
        that shares the weights; outputs are float32 either way.

        Measured on chelsea and coffee, 500 oil strokes (one thread, AMD EPYC): the painter's whole-canvas
        pass took 0.8x the CPU time at the same PSNR (26.505 / 24.379 dB against 26.509 / 24.390), but
        the block stage lost 0.16 / 0.26 dB, so the painter asks for it in the whole-canvas pass only."""
        if precision == "auto":
            precision = "bfloat16" if self.upsample.device.type == "cpu" and bfloat16_is_native() else "float32"
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}; expected auto, {', '.join(PRECISIONS)}")
        twin = copy.copy(self)  # shares parameters and buffers
        twin.compute_dtype = PRECISIONS[precision]
        return twin

    def forward(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.compute_dtype != torch.float32 and strokes.dtype == torch.float32:
            with torch.autocast(strokes.device.type, dtype=self.compute_dtype):
                mask, colour = self._layers(strokes)
            mask, colour = mask.float(), colour.float()
        else:
            mask, colour = self._layers(strokes)
        # Bilinear upsampling as two small matrix products: torch's upsample kernel is several times slower on a CPU.
        colour = self.upsample @ colour @ self.upsample.T  # (N, 3, R, R)
        opacity = strokes[:, self.alpha_index].prod(dim=1)  # (N,); 1 when the brush has no alpha parameter
        return colour, mask * opacity[:, None, None, None]

    def _layers(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The mask (N, 1, R, R) and the colour at its own size (N, 3, Rc, Rc)."""
        return torch.sigmoid(self.raster(strokes[:, self.shape_index])), torch.sigmoid(self.shade(strokes))


PRECISIONS = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def bfloat16_is_native() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (as oneDNN sees it)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def pick_device(name: str) -> torch.device:
    """'cpu', 'cuda' or 'auto' (cuda when available)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; expected cpu, cuda or auto")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but torch sees no CUDA device")
    return torch.device(name)
