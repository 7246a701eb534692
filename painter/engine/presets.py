"""The quality presets: how many optimiser steps each stage of a painting takes (torch-free, so the settings
and the command line can list the qualities without loading the engine)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

QUALITIES = ("draft", "normal", "fine")  # fastest first


@dataclass(frozen=True)
class Preset:
    """Steps of each stage kind for one quality."""

    level_steps: int  # steps per level through the block renderer
    level_exact_steps: int  # then steps per level through the brush's own renderer
    canvas_steps: int  # whole-canvas steps through the network (or the brush's windows, for cheap brushes)
    canvas_lr: float  # their Adam step size
    exact_steps: int  # then whole-canvas steps through the brush's own renderer, at the pixels strokes ink
    exact_lr: float = 0.002


# Steps at up to SMALL strokes. Chelsea, 500 oil strokes at 512 px, 2 threads: before the exact steps, normal
# was (20, 40, 0.003, 0): 26.49 dB in 15.1 s of painting; (14, 10, 0.005, 10) gave 27.00 dB in 12.1 s, (12, 10,
# 0.005, 8) 26.84 dB in 11.3 s, (10, 8, 0.005, 8) 26.46 dB in 8.6 s. Time goes with strokes x steps.
NETWORK_PRESETS = {
    "draft": Preset(8, 0, 8, 0.006, 6),
    "normal": Preset(12, 0, 10, 0.005, 8),
    "fine": Preset(16, 0, 20, 0.005, 16),
}
# Steps from LARGE strokes on. A dense painting's strokes are small and many, and the peer it is measured against
# (a hill-climber placing one shape at a time) takes time in proportion to its shapes: at 1,000 oil strokes,
# the small-budget normal steps gave 27.99 / 24.91 dB (chelsea / coffee) in 0.55-0.64x primitive's time,
# below its 28.57 / 25.15 dB, and (16, 20, 16) gave 29.09 / 26.03 dB in 0.82-0.86x; on four photos tuned on by
# neither, -1.27 / -2.20 dB against -0.29 / -0.76 dB. So normal takes what fine took, and fine more.
# Then (2026-12-07, oil paint version 2) normal's exact steps went from 16 to 24, the cheapest dB of the three
# kinds: moon at 1,000 strokes +0.43 dB for 11 s more (more canvas steps: +0.15 dB for 7 s, more level steps:
# +0.14 dB for 6 s), rocket at 3,000 +0.58 dB for 6 s more (8%).
LARGE_PRESETS = {
    "draft": Preset(10, 0, 12, 0.006, 10),
    "normal": Preset(16, 0, 20, 0.005, 24),
    "fine": Preset(20, 0, 30, 0.005, 32),
}
SMALL, LARGE = 500, 1000  # budgets between them get steps in between, so more budget never means fewer steps
# Brushes with a cheap raster (rectangles) paint exactly wherever it pays: each level ends with exact steps
# and the whole-canvas pass draws whole windows exactly: on 300 rectangles (astronaut), 20 exact steps per
# level and 120 whole-canvas steps took PSNR from 21.15 to 21.64 dB for 10 s more. 1,000 on chelsea with
# (20, 10 exact, 60 at 0.003): 30.89 dB (primitive's 1,000 rectangles: 27.72 dB). Normal's whole-canvas steps
# went from 80 to 100 (2026-12-07): at 300 rectangles, 110 steps gave moon, cells, page and coins +0.20, +0.08,
# +0.18 and +0.22 dB for 7-20% more time (the moon was 0.04 dB behind primitive, time 0.81x its). Then 130
# (2026-12-07, on the toned ground, which made the pass a third faster): against 100, hubble +0.26, coins
# +0.17, astronaut +0.13, page +0.07, rocket +0.05, cells +0.03, moon -0.25 dB, for 0-20% more time.
CHEAP_PRESETS = {
    "draft": Preset(12, 6, 40, 0.004, 0),
    "normal": Preset(20, 10, 130, 0.003, 0),
    "fine": Preset(40, 20, 160, 0.002, 0),
}
# Strokes x whole-canvas steps, at most, for the network-drawn pass: it costs one network pass per stroke and
# step, so very large budgets get fewer steps, as small strokes settle fast (never fewer than MIN_CANVAS_STEPS).
CANVAS_STROKE_STEPS = 90_000 // 40
MIN_CANVAS_STEPS = 15


def preset(quality: str, cheap_raster: bool, neural: bool, strokes: int = SMALL) -> Preset:
    """The steps for a quality and a budget, for a brush whose raster is cheap or not, painted through its
    network or not. ValueError naming an unknown quality."""
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; use one of {', '.join(QUALITIES)}")
    if cheap_raster and neural:
        return CHEAP_PRESETS[quality]
    small, large = NETWORK_PRESETS[quality], LARGE_PRESETS[quality]
    share = min(1.0, max(0.0, (strokes - SMALL) / (LARGE - SMALL)))

    def between(name: str):
        low, high = getattr(small, name), getattr(large, name)
        return low + (high - low) * share if isinstance(low, float) else round(low + (high - low) * share)

    return Preset(*(between(f.name) for f in dataclasses.fields(Preset)))


def canvas_steps(base: int, strokes: int) -> int:
    """The network-drawn whole-canvas steps for `strokes` strokes: `base`, fewer for very large budgets."""
    return min(base, max(MIN_CANVAS_STEPS, CANVAS_STROKE_STEPS * base // strokes))
