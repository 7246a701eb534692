"""How a canvas is cut into blocks, level by level, and how a level's strokes are shared among its blocks.

Pure functions of numbers and tensors: a test calls them without building a painter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class LevelRules:
    """How many levels a painting gets and how finely they cut the canvas."""

    # The finest level cuts the longer side into this many blocks; None: as many as the budget and the
    # canvas call for (see `level_plan`), which gives the method's 5 for 500 strokes at 512 px.
    levels: int | None = None
    # Automatic levels add finer grids until a block gets about this many strokes: 12 keeps 500 strokes
    # at 512 px on the method's 5 levels, and a block's batch (and its memory) bounded at any budget.
    block_strokes: int = 12
    min_block_side: int = 24  # no grid cuts blocks smaller than this many canvas pixels (finer than a stroke)
    min_per_block: int = 4  # use fewer levels rather than give a block fewer strokes than this


@dataclass(frozen=True)
class Grid:
    """The blocks of one level: `rows` x `cols` squares of `side` pixels covering an H x W canvas."""

    side: int
    rows: int
    cols: int

    @classmethod
    def for_level(cls, m: int, height: int, width: int) -> Grid:
        side = math.ceil(max(height, width) / m)
        return cls(side, math.ceil(height / side), math.ceil(width / side))

    @property
    def blocks(self) -> int:
        return self.rows * self.cols

    def split(self, image: torch.Tensor, res: int) -> torch.Tensor:
        """Cut (C, H, W) into blocks resampled to res x res, padding with zeros. (blocks, C, res, res)."""
        c, h, w = image.shape
        # Shrink first, pad after: padding a 3 x 20000 photo to whole square blocks first would take GBs.
        # The photo is padded only to whole block pixels, then shrunk by exactly res / side, so block
        # pixels and canvas pixels line up as if the whole padded grid had been shrunk.
        rows, cols = (math.ceil(math.ceil(n * res / self.side) * self.side / res) for n in (h, w))
        padded = F.pad(image, (0, cols - w, 0, rows - h))[None]
        small = F.interpolate(
            padded, scale_factor=res / self.side, mode="bilinear", antialias=True, recompute_scale_factor=False
        )[0].clamp(0, 1)  # (C, ~h * res / side, ~w * res / side)
        small = F.pad(small, (0, self.cols * res - small.shape[2], 0, self.rows * res - small.shape[1]))
        tiles = small.view(c, self.rows, res, self.cols, res).permute(1, 3, 0, 2, 4)  # (rows, cols, C, res, res)
        return tiles.reshape(self.blocks, c, res, res).contiguous()  # a single row of blocks reshapes to a view

    def join(self, blocks: torch.Tensor) -> torch.Tensor:
        """The blocks (blocks, C, res, res) side by side again: (C, rows*res, cols*res), padding included."""
        _, c, res, _ = blocks.shape
        tiles = blocks.view(self.rows, self.cols, c, res, res).permute(2, 0, 3, 1, 4)  # (C, rows, res, cols, res)
        return tiles.reshape(c, self.rows * res, self.cols * res)


def level_plan(strokes: int, height: int, width: int, rules: LevelRules = LevelRules()) -> list[tuple[Grid, int]]:
    """(grid, strokes at that level) for every level, coarse to fine; the counts add up to exactly `strokes`.

    Level m cuts the longer side into m blocks. Without fixed `rules.levels`, levels are added until the
    blocks of all levels together would hold the budget at `rules.block_strokes` each, or until a finer
    grid would cut blocks smaller than `rules.min_block_side` pixels: a large budget gets more, finer
    levels rather than crowded blocks, and a small canvas is never cut finer than its pixels."""
    if strokes < 1:
        raise ValueError(f"the stroke budget must be at least 1, got {strokes}")
    if rules.levels is not None and rules.levels < 1:
        raise ValueError(f"levels must be at least 1, got {rules.levels}")
    grids = [Grid.for_level(1, height, width)]
    while len(grids) < (rules.levels or math.inf):
        finer = Grid.for_level(len(grids) + 1, height, width)
        if rules.levels is None and (
            strokes <= rules.block_strokes * sum(g.blocks for g in grids) or finer.side < rules.min_block_side
        ):
            break
        if finer.side == grids[-1].side:  # a photo thinner than the level count: nothing finer to cut
            break
        grids.append(finer)
    while len(grids) > 1 and strokes < rules.min_per_block * sum(g.blocks for g in grids):
        grids.pop()
    total = sum(g.blocks for g in grids)
    counts = [strokes * g.blocks // total for g in grids]
    counts[-1] += strokes - sum(counts)
    return [(g, n) for g, n in zip(grids, counts, strict=True) if n > 0]


def block_cap(count: int, blocks: int, focus: float) -> int:
    """The most strokes one block may get of a level's `count`: `focus` times the average, at least 1."""
    return max(1, math.ceil(count / blocks * focus))


def allocate(count: int, error: torch.Tensor, focus: float) -> torch.Tensor:
    """How many of a level's `count` strokes each block gets: in proportion to how far the block is from
    the photo (its `error`, (B,) >= 0), at most `focus` times the average. Returns (B,) whole numbers
    adding up to `count`."""
    blocks = error.shape[0]
    cap = block_cap(count, blocks, focus)
    weights = error.double().clamp_min(0) + 1e-9
    given = torch.zeros(blocks, dtype=torch.long)
    left = count
    while left > 0:
        open_weights = weights * (given < cap)
        share = (left * open_weights / open_weights.sum()).floor().long()
        share = torch.minimum(share, cap - given)
        if share.sum() == 0:  # the rest is less than one stroke per block: to the neediest
            share[open_weights.argmax()] = 1
        given += share
        left -= int(share.sum())
    return given


def spread(total: int, parts: int) -> list[int]:
    """`total` cut into `parts` whole numbers as equal as they can be, the larger ones last."""
    return [total * (r + 1) // parts - total * r // parts for r in range(parts)]
