"""A tiny network config and training settings, so renderer tests run in seconds."""

from __future__ import annotations

import brushes
from renderers import RendererConfig
from renderers.train import TrainConfig


def tiny(brush: brushes.Brush) -> RendererConfig:
    """A 16 px renderer small enough to train in seconds."""
    return RendererConfig.for_brush(
        brush, resolution=16, base=4, fc_width=32, raster_channels=(8, 4), shade_channels=(8,), colour_resolution=8
    )


def tiny_training(steps: int, **overrides) -> TrainConfig:
    settings = dict(steps=steps, batch=16, lr=3e-3, warmup=5, pool_chunks=1, chunk=256, valid_strokes=32)
    return TrainConfig(**{**settings, **overrides})
