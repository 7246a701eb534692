"""The block stage: one level of the grid. Its blocks get their share of the level's strokes, seeded where
each block misses the photo most, and all blocks are optimised together as one batch through a block
renderer over the fixed canvas of the levels before. A block's strokes are composited in one vectorised
pass (a cumulative product of transparencies), never re-rendered one by one."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from painter.engine.objective import View, descend
from painter.engine.plan import Grid, allocate, block_cap, spread
from painter.engine.state import PaintingState, Tools
from painter.optim import RMSprop


@dataclass
class BlockStage:
    """One level: `count` strokes over the blocks of `grid`, joining in `rounds` rounds of network steps
    (each round seeded where the canvas so far is worst), then `exact_steps` steps through the brush's own
    renderer, which correct what the network got slightly wrong."""

    level: int  # 1 = the coarsest
    levels: int
    grid: Grid
    count: int  # strokes this level adds
    network_steps: int  # steps through the main block renderer, spread over the rounds
    rounds: int
    exact_steps: int = 0
    renderer: str = "network"  # the main block renderer: "network", or "exact" when painting without one
    lr: float = 0.005  # RMSprop step size, the top of the range the method found stable
    focus: float = 2.0  # a block far from the photo gets up to this many times the average strokes
    shape_range: tuple[float, float] = (0.1, 0.9)  # positions and sizes stay inside the block
    cost: float = 1.0  # estimated cost of one step, relative to other stages (see painter.engine.schedule)
    kind = "block"

    @property
    def steps(self) -> int:
        return self.network_steps + self.exact_steps

    def describe(self) -> dict:
        return {
            "kind": self.kind, "renderer": self.renderer, "steps": self.steps, "level": self.level,
            "blocks": self.grid.blocks, "block_px": self.grid.side, "strokes": self.count,
            "exact_steps": self.exact_steps, "lr": self.lr,
        }  # fmt: skip

    def run(self, state: PaintingState, tools: Tools) -> Iterator[float]:
        """Paint the level, yielding the loss after every step; its strokes end on state.done."""
        res, dev, grid = tools.resolution, tools.device, self.grid
        target = grid.split(state.target, res).to(dev)  # (B, 3, R, R)
        inside = grid.split(torch.ones(1, state.height, state.width), res).gt(0.5).float().to(dev)  # (B, 1, R, R)
        background = grid.split(state.canvas, res).to(dev)  # (B, 3, R, R)
        # How much a miss counts where the eye looks (1 everywhere without an attention map). (B, 1, R, R)
        looked = (
            inside
            if state.attention is None
            else grid.split(state.weight(state.height, state.width), res).to(dev) * inside
        )
        error = ((background - target).abs() * looked).mean(dim=(1, 2, 3)).cpu()
        given = allocate(self.count, error, self.focus)  # (B,)
        per_block = int(given.max())
        active = (torch.arange(per_block)[None, :] < given[:, None]).float().to(dev)  # (B, K) used slots
        rounds = min(per_block, self.rounds)
        view = _Blocks(self, state, target, inside, res)
        params = torch.zeros(grid.blocks, 0, tools.brush.size, device=dev)
        canvas = background
        for new, steps in zip(spread(per_block, rounds), spread(self.network_steps, rounds), strict=True):
            seeds = self._seed(state, tools, target.cpu(), canvas.detach().cpu(), looked.cpu(), new, per_block)
            params = torch.cat([params.detach(), seeds.to(dev)], dim=1).requires_grad_(True)  # (B, k, P)
            mask = active[:, : params.shape[1]]
            render = tools.block[self.renderer]
            for loss, canvas in self._optimise(params, mask, render, steps, background, view, tools):  # noqa: B007
                state.current = self._to_canvas(state, tools, params.detach().cpu(), mask.cpu())
                yield loss
        if self.exact_steps:
            params = params.detach().requires_grad_(True)
            for loss, _ in self._optimise(
                params, active, tools.block["exact"], self.exact_steps, background, view, tools
            ):
                state.current = self._to_canvas(state, tools, params.detach().cpu(), active.cpu())
                yield loss
        state.add_level(self._to_canvas(state, tools, params.detach().cpu(), active.cpu()))

    def _optimise(self, params, mask, render, steps: int, background, view: _Blocks, tools: Tools):
        """`steps` steps on the strokes params (B, k, P) of every block, drawn through `render` over
        background (B, 3, R, R); mask (B, k) switches unused slots off. Yields (loss, canvas)."""
        b, k, p = params.shape
        res = tools.resolution
        optimiser = RMSprop(params, lr=self.lr)
        # Blocks get different numbers of strokes, so many slots are empty (up to half at focus 2): only
        # the used ones go through the renderer, the others stay transparent.
        used = mask.reshape(-1).nonzero()[:, 0]  # (n,)

        for _ in range(steps):
            drawn, cover = render(params.view(b * k, p)[used])  # (n, 3, R, R), (n, 1, R, R)
            colour = drawn.new_zeros(b * k, 3, res, res).index_copy(0, used, drawn).view(b, k, 3, res, res)
            alpha = cover.new_zeros(b * k, 1, res, res).index_copy(0, used, cover).view(b, k, 1, res, res)
            canvas = composite(background, colour, alpha)
            loss = descend(
                params, optimiser, view.at(canvas), tools.objective, self.kind, lambda x: self._clamp(x, tools)
            )
            yield loss, canvas

    def _seed(self, state, tools, target, background, looked, k: int, size_for: int) -> torch.Tensor:
        """K new strokes per block (B, K, P), sized so that `size_for` of them would cover the block, where the
        block misses the photo most, each pixel's miss weighted by looked (B, 1, R, R): 0 outside the photo."""
        b, _, res, _ = target.shape
        size = min(0.6, max(0.15, 1.6 / math.sqrt(size_for)))
        state.stroke_size = size * self.grid.side / max(state.height, state.width)  # the same, on the whole canvas
        if k == 0:
            return torch.zeros(b, 0, tools.brush.size)
        miss = (background - target).abs().mean(dim=1) * looked[:, 0]  # (B, R, R)
        grid, width, height = self.grid, state.width, state.height
        rows, cols = torch.arange(b) // grid.cols, torch.arange(b) % grid.cols

        def to_canvas(xy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            across = (cols[:, None] + xy[..., 0]) * grid.side / width  # (B, K)
            return across, (rows[:, None] + xy[..., 1]) * grid.side / height

        strokes = tools.seeder.place(miss, target, k, size, (res, res), to_canvas, floor=1e-6 * (looked[:, 0] > 0))
        self._clamp(strokes, tools)
        return strokes

    def _clamp(self, params: torch.Tensor, tools: Tools) -> None:
        """Keep values where the renderer is valid: shapes inside the block, the rest in [0, 1]."""
        params.clamp_(0.0, 1.0)
        low, high = self.shape_range
        for i in tools.brush.indices("shape"):
            if tools.brush.params[i].kind != "angle":
                params[..., i].clamp_(low, high)
        if tools.opaque:
            params[..., tools.brush.indices("alpha")] = 1.0

    def _to_canvas(self, state: PaintingState, tools: Tools, params: torch.Tensor, active: torch.Tensor):
        """Block-relative strokes (B, K, P) to canvas-relative ones (n, P), the k-th stroke of every
        block before the (k+1)-th, so the painting grows evenly over the canvas."""
        b, k, _ = params.shape
        brush, grid = tools.brush, self.grid
        out = params.clone()
        rows, cols = torch.arange(b) // grid.cols, torch.arange(b) % grid.cols
        s = float(grid.side)
        for i in brush.kinds("x"):
            out[..., i] = (cols[:, None] * s + params[..., i] * s) / state.width
        for i in brush.kinds("y"):
            out[..., i] = (rows[:, None] * s + params[..., i] * s) / state.height
        for i in brush.kinds("size"):
            out[..., i] = params[..., i] * s / max(state.height, state.width)
        order = out.transpose(0, 1).reshape(b * k, -1)  # (K*B, P), stroke-index major
        keep = active.transpose(0, 1).reshape(-1) > 0
        return order[keep].clamp(0, 1)


class _Blocks:
    """The view loss terms get of a level's blocks (see objective.View)."""

    def __init__(self, stage: BlockStage, state: PaintingState, target, inside, resolution: int) -> None:
        self.grid, self.target, self.inside, self.resolution = stage.grid, target, inside, resolution

    def at(self, canvas: torch.Tensor) -> View:
        return View(canvas, self.target, self.inside, lambda: self.whole(canvas))

    def whole(self, canvas: torch.Tensor) -> tuple[torch.Tensor, float]:
        """The blocks joined into one image at `resolution / side` block px per canvas px and cropped to the
        photo (edge blocks reach past it into zero padding, which would count in image statistics): a style
        loss sees the whole painting, and no block has to hold the whole style by itself. (1, 3, h, w)."""
        mask = self.grid.join(self.inside)[0]  # (rows*R, cols*R); the photo is its top-left part
        h, w = int(mask[:, 0].sum()), int(mask[0].sum())
        return self.grid.join(canvas)[None, :, :h, :w], self.resolution / self.grid.side


def composite(background: torch.Tensor, colour: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Lay K strokes in order onto each block in one pass: stroke i shows through the later ones by
    prod_{j>i} (1 - alpha_j). background (B, 3, R, R), colour (B, K, 3, R, R), alpha (B, K, 1, R, R).
    Returns (B, 3, R, R)."""
    kept = torch.cumprod((1 - alpha).flip(1), dim=1).flip(1)  # (B, K, 1, R, R): prod_{j>=i}
    shows = torch.cat([kept[:, 1:], torch.ones_like(kept[:, :1])], dim=1)  # prod_{j>i}
    return (colour * alpha * shows).sum(dim=1) + background * kept[:, 0]


def block_stages(
    plan: list[tuple[Grid, int]], network_steps: int, exact_steps: int, renderer: str, rounds: int = 4, **options
) -> list[BlockStage]:
    """A block stage per level of `plan` (see plan.level_plan). Strokes join a level in up to `rounds`
    rounds (fewer when a block gets fewer strokes), each round taking an equal share of at least one step
    per round of `network_steps`."""
    stages = []
    for level, (grid, count) in enumerate(plan, start=1):
        joins = min(block_cap(count, grid.blocks, options.get("focus", 2.0)), rounds)
        steps = max(1, network_steps // joins) * joins
        stages.append(BlockStage(level, len(plan), grid, count, steps, joins, exact_steps, renderer, **options))
    return stages


class ExactRenderer(torch.nn.Module):
    """The brush's own renderer at res x res, as a block renderer. Exact but slower for curve brushes, and
    its gradients live only at stroke edges."""

    def __init__(self, brush, resolution: int) -> None:
        super().__init__()
        self.brush, self.resolution = brush, resolution

    def forward(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.brush.render(strokes, self.resolution, self.resolution)
