"""The progressive painter: strokes optimised by gradient descent through a differentiable renderer,
coarse to fine.

At level m the canvas is cut into square blocks, m along its longer side; every block gets a share
of the stroke budget, seeded where the canvas differs most from the photo, and all blocks are
optimised together as one batch. A block's strokes are composited in one vectorised pass (a
cumulative product of transparencies), never re-rendered one by one. After each level the strokes
are mapped to the whole canvas and drawn by the brush's exact renderer, which becomes the fixed
background of the next level. The painter knows nothing of brush names: it sees the brush's
spec (which values are x, y, sizes, colours), a render function and a loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from brushes import Brush
from painter.canvas import blank_canvas, draw
from painter.images import resize
from painter.losses import l1_loss, transport_loss
from painter.optim import RMSprop
from painter.palette import Palette
from painter.refine import refine
from painter.strokes import Painting
from painter.windows import ExactPixels, WindowRenderer, exact_windows, network_windows

# A differentiable renderer for one block: strokes (N, P) -> colour (N, 3, R, R), alpha (N, 1, R, R).
RenderFn = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class PainterConfig:
    strokes: int = 500  # the budget: the painting has at most this many and at least 90% of it
    # The finest level cuts the longer side into this many blocks; None: as many as the budget and the
    # canvas call for (see `level_plan`), which gives the method's 5 for 500 strokes at 512 px.
    levels: int | None = None
    # Automatic levels add finer grids until a block gets about this many strokes: 12 keeps 500 strokes
    # at 512 px on the method's 5 levels, and a block's batch (and its memory) bounded at any budget.
    block_strokes: int = 12
    min_block_side: int = 24  # no grid cuts blocks smaller than this many canvas pixels (finer than a stroke)
    steps: int = 40  # optimiser steps per level through the main renderer
    rounds: int = 4  # strokes join a level in this many rounds, each seeded where the canvas is worst
    focus: float = 2.0  # a block far from the photo gets up to this many times the average strokes
    lr: float = 0.005  # RMSprop step size, the top of the range the method found stable
    transport_weight: float = 0.1  # weight of the transport loss against L1, as in the method
    min_per_block: int = 4  # use fewer levels rather than give a block fewer strokes than this
    shape_range: tuple[float, float] = (0.1, 0.9)  # positions and sizes stay inside the block
    # New strokes point along the photo's edges (the flow of its structure tensor) instead of at random,
    # as a painter lays a flat region in one direction; the optimiser may still turn them.
    follow_edges: bool = True
    # Last steps of each level through the exact renderer, when one is given. Off by default: it costs
    # 5x the network's time for oil paint, and the whole-canvas pass below gains more.
    exact_steps: int = 0
    # Then all strokes are optimised together on the whole canvas (see painter.refine): on 300
    # rectangles, 60 steps at 256 px took PSNR from 19.4 to 21.6 dB in about 10 s.
    global_steps: int = 60
    # Long side, in pixels, of the canvas the whole-canvas pass works on; None: from the budget, so that
    # strokes stay several pixels wide (256 px up to ~450 strokes, the canvas's own size at most).
    global_side: int | None = None
    global_lr: float = 0.002  # Adam step size of the whole-canvas pass
    # Then the whole-canvas pass goes on through the brush's exact renderer, at the pixels each stroke
    # inks and shows (see windows.ExactPixels): the network's likeness of the brush limits what its
    # steps reach. Chelsea, 500 oil strokes: 40 network steps gave 26.50 dB; 15 network steps and 12
    # exact ones at 0.002 gave 27.35 dB in less time (8.2 s against 9.9 s). Not with a palette, whose
    # colours the exact renderer would not keep.
    polish_steps: int = 0
    polish_lr: float = 0.002
    # The whole-canvas pass moves strokes hidden under later ones to where the painting misses most.
    reseed: bool = True
    opaque: bool = False  # fix alpha at 1, for physical media where paint does not blend
    seed: int = 0


@dataclass
class Progress:
    """Where the painter is: reported after every optimiser step."""

    level: int
    levels: int
    step: int
    steps: int
    strokes: int  # strokes placed so far, the current level's included
    loss: float
    stage: str = "level"  # "level" while painting block by block, "refine" for the final whole-canvas pass


@dataclass
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


def composite(background: torch.Tensor, colour: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Lay K strokes in order onto each block in one pass: stroke i shows through the later ones by
    prod_{j>i} (1 - alpha_j). background (B, 3, R, R), colour (B, K, 3, R, R), alpha (B, K, 1, R, R).
    Returns (B, 3, R, R)."""
    kept = torch.cumprod((1 - alpha).flip(1), dim=1).flip(1)  # (B, K, 1, R, R): prod_{j>=i}
    shows = torch.cat([kept[:, 1:], torch.ones_like(kept[:, :1])], dim=1)  # prod_{j>i}
    return (colour * alpha * shows).sum(dim=1) + background * kept[:, 0]


def level_plan(config: PainterConfig, height: int, width: int) -> list[tuple[Grid, int]]:
    """(grid, strokes at that level) for every level; the counts add up to exactly the budget.

    Level m cuts the longer side into m blocks. Without a fixed `config.levels`, levels are added until
    the blocks of all levels together would hold the budget at `config.block_strokes` each, or until a
    finer grid would cut blocks smaller than `config.min_block_side` pixels: a large budget gets more,
    finer levels rather than crowded blocks, and a small canvas is never cut finer than its pixels."""
    if config.strokes < 1:
        raise ValueError(f"the stroke budget must be at least 1, got {config.strokes}")
    if config.levels is not None and config.levels < 1:
        raise ValueError(f"levels must be at least 1, got {config.levels}")
    grids = [Grid.for_level(1, height, width)]
    while len(grids) < (config.levels or math.inf):
        finer = Grid.for_level(len(grids) + 1, height, width)
        if config.levels is None and (
            config.strokes <= config.block_strokes * sum(g.blocks for g in grids) or finer.side < config.min_block_side
        ):
            break
        if finer.side == grids[-1].side:  # a photo thinner than the level count: nothing finer to cut
            break
        grids.append(finer)
    while len(grids) > 1 and config.strokes < config.min_per_block * sum(g.blocks for g in grids):
        grids.pop()
    total = sum(g.blocks for g in grids)
    counts = [config.strokes * g.blocks // total for g in grids]
    counts[-1] += config.strokes - sum(counts)
    return [(g, n) for g, n in zip(grids, counts, strict=True) if n > 0]


@dataclass
class ProgressivePainter:
    """Paints `target` (3, H, W) with `brush`, optimising through `render` (blocks of `resolution` px).

    Iterate `run()` for progress; `painting()` gives the strokes so far at any moment, so an
    interrupted run still yields a painting."""

    brush: Brush
    render: RenderFn
    resolution: int
    target: torch.Tensor
    background: tuple[float, float, float]
    config: PainterConfig = field(default_factory=PainterConfig)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    # An extra term added to the loss, e.g. a style loss: extra_loss(canvas (1, 3, h, w), scale), the level's
    # blocks joined into the whole canvas at `scale` block px per canvas px (see `_extra`).
    extra_loss: Callable[[torch.Tensor, float], torch.Tensor] | None = None
    # Which parameter groups the optimiser may change ("shape", "colour", "alpha"); the rest stay as seeded.
    trainable: tuple[str, ...] = ("shape", "colour", "alpha")
    # The groups the extra loss may change (None: all trainable ones). ("colour",) lets a style loss recolour
    # strokes while their shapes follow the photo alone.
    extra_trainable: tuple[str, ...] | None = None
    # A second, exact renderer for the last `config.exact_steps` steps of every level (None: none).
    exact_render: RenderFn | None = None
    # How the final whole-canvas pass draws strokes in their windows (None: the brush's exact renderer).
    global_render: WindowRenderer | None = None
    # Paint only in these colours (see painter.palette): every renderer draws strokes in them, and the
    # strokes keep their free colours until `painting()` snaps them (None: any colour).
    palette: Palette | None = None

    def __post_init__(self) -> None:
        _, self.height, self.width = self.target.shape
        self.canvas = blank_canvas(self.height, self.width, self.background)
        self.done: list[torch.Tensor] = []  # strokes of finished levels, canvas coordinates
        self.current: torch.Tensor | None = None  # the level being optimised, canvas coordinates
        self.generator = torch.Generator().manual_seed(self.config.seed)
        self._shape = self.brush.indices("shape")
        self._alpha = self.brush.indices("alpha")
        groups = ("shape", "colour", "alpha")
        self._frozen = sorted(i for g in groups if g not in self.trainable for i in self.brush.indices(g))
        extra = self.trainable if self.extra_trainable is None else self.extra_trainable
        self._extra_frozen = sorted(i for g in self.trainable if g not in extra for i in self.brush.indices(g))
        angles = self.brush.kinds("angle")
        self._flow = edge_flow(self.target) if self.config.follow_edges and angles else None
        if self.palette is not None:
            self.render = self.palette.render(self.render)
            if self.exact_render is not None:
                self.exact_render = self.palette.render(self.exact_render)
            self.global_render = self.palette.render(self.global_render or exact_windows(self.brush))

    def painting(self) -> Painting:
        """The painting so far, in painting order."""
        parts = self.done + ([self.current] if self.current is not None else [])
        strokes = torch.cat(parts) if parts else torch.zeros(0, self.brush.size)
        if self.palette is not None:
            strokes = self.palette.snap(strokes)
        return Painting(self.brush, strokes.detach().clamp(0, 1), self.width, self.height, self.background)

    def total_steps(self) -> int:
        """How many progress reports `run()` will yield."""
        plan = level_plan(self.config, self.height, self.width)
        levels = sum(self._steps(max(1, math.ceil(count / grid.blocks * self.config.focus)))[0] for grid, count in plan)
        return levels + self.config.global_steps + self._polish_steps()

    def _polish_steps(self) -> int:
        return self.config.polish_steps if self.palette is None else 0

    def _steps(self, per_block: int) -> tuple[int, int]:
        """(total steps, rounds) of a level whose blocks get `per_block` strokes."""
        rounds = min(per_block, self.config.rounds)
        exact = self.config.exact_steps if self.exact_render is not None else 0
        return max(1, self.config.steps // rounds) * rounds + exact, rounds

    def run(self) -> Iterator[Progress]:
        plan = level_plan(self.config, self.height, self.width)
        placed = 0
        for level, (grid, count) in enumerate(plan, start=1):
            yield from self._paint_level(grid, count, level, len(plan), placed)
            placed += count
            self.done.append(self.current)
            self.current = None
            draw(self.brush, self.done[-1] if self.palette is None else self.palette.snap(self.done[-1]), self.canvas)
        cfg = self.config
        # Denser paintings have smaller strokes, which need more pixels to be seen: ~12 px per
        # sqrt(stroke), e.g. 256 px for 450 strokes, 660 px for 3,000.
        side = min(cfg.global_side or max(256, round(12 * math.sqrt(placed))), max(self.height, self.width))
        total = cfg.global_steps + self._polish_steps()
        passes = [(cfg.global_steps, cfg.global_lr, self.global_render, self._reseed if cfg.reseed else None)]
        passes.append((self._polish_steps(), cfg.polish_lr, ExactPixels(self.brush), None))
        done = 0
        for count, lr, render, reseed in passes:
            if not count or not placed:
                continue
            steps = refine(
                self.brush, torch.cat(self.done), self.target, self.background, count, side,
                lr=lr, opaque=cfg.opaque, render=render, reseed=reseed,
            )  # fmt: skip
            for step, loss, refined in steps:
                self.done = [refined]
                yield Progress(len(plan), len(plan), done + step, total, placed, loss, stage="refine")
            done += count

    # ---- one level ---------------------------------------------------------------------------------
    def _paint_level(self, grid: Grid, count: int, level: int, levels: int, placed: int) -> Iterator[Progress]:
        res, cfg, dev = self.resolution, self.config, self.device
        self._grid = grid  # the extra loss sees the blocks joined (see `_extra`)
        target = grid.split(self.target, res).to(dev)  # (B, 3, R, R)
        inside = grid.split(torch.ones(1, self.height, self.width), res).gt(0.5).float().to(dev)  # (B, 1, R, R)
        background = grid.split(self.canvas, res).to(dev)  # (B, 3, R, R)
        error = ((background - target).abs() * inside).mean(dim=(1, 2, 3)).cpu()
        given = self._allocate(count, error)  # (B,)
        per_block = int(given.max())
        active = (torch.arange(per_block)[None, :] < given[:, None]).float().to(dev)  # (B, K) used slots
        # Strokes join in rounds, each seeded where the canvas so far is worst, then all strokes of
        # the level so far are optimised together.
        total, rounds = self._steps(per_block)
        steps = max(1, cfg.steps // rounds)
        sizes = [per_block * (r + 1) // rounds - per_block * r // rounds for r in range(rounds)]
        b, p = grid.blocks, self.brush.size
        params = torch.zeros(b, 0, p, device=dev)
        canvas = background
        done = 0
        for new in sizes:
            seeds = self._seed(target.cpu(), canvas.detach().cpu(), inside.cpu(), new, per_block, grid).to(dev)
            params = torch.cat([params.detach(), seeds], dim=1).requires_grad_(True)  # (B, k, P)
            mask = active[:, : params.shape[1]]
            # canvas: the last one seeds the next round
            for loss, canvas in self._optimise(params, mask, self.render, steps, background, target, inside):  # noqa: B007
                done += 1
                self.current = self._to_canvas(params.detach().cpu(), mask.cpu(), grid)
                yield Progress(level, levels, done, total, placed + count, loss)
        if self.exact_render is not None and cfg.exact_steps:
            # A few last steps through the exact renderer correct what the network got slightly wrong.
            params = params.detach().requires_grad_(True)
            exact = self._optimise(params, active, self.exact_render, cfg.exact_steps, background, target, inside)
            for loss, _ in exact:
                done += 1
                self.current = self._to_canvas(params.detach().cpu(), active.cpu(), grid)
                yield Progress(level, levels, done, total, placed + count, loss)

    def _optimise(
        self,
        params: torch.Tensor,
        mask: torch.Tensor,
        render: RenderFn,
        steps: int,
        background: torch.Tensor,
        target: torch.Tensor,
        inside: torch.Tensor,
    ) -> Iterator[tuple[float, torch.Tensor]]:
        """`steps` optimiser steps on the strokes params (B, k, P) of every block, drawn through `render`
        over background (B, 3, R, R); mask (B, k) switches unused slots off. Yields (loss, canvas)."""
        cfg, res = self.config, self.resolution
        b, k, p = params.shape
        optimiser = RMSprop(params, lr=cfg.lr)
        # Blocks get different numbers of strokes, so many slots are empty (up to half at focus 2): only
        # the used ones go through the renderer, the others stay transparent.
        used = mask.reshape(-1).nonzero()[:, 0]  # (n,)
        for _ in range(steps):
            drawn, cover = render(params.view(b * k, p)[used])  # (n, 3, R, R), (n, 1, R, R)
            colour = drawn.new_zeros(b * k, 3, res, res).index_copy(0, used, drawn).view(b, k, 3, res, res)
            alpha = cover.new_zeros(b * k, 1, res, res).index_copy(0, used, cover).view(b, k, 1, res, res)
            canvas = composite(background, colour, alpha)
            loss = l1_loss(canvas, target, inside)
            if cfg.transport_weight:
                loss = loss + cfg.transport_weight * transport_loss(canvas * inside, target * inside)
            extra = self._extra(canvas, inside) if self.extra_loss is not None else None
            optimiser.zero_grad()
            if extra is not None and self._extra_frozen:
                # Two backward passes through the renderer: the extra term's gradient is masked apart.
                (extra_grad,) = torch.autograd.grad(extra, params, retain_graph=True)
                extra_grad[..., self._extra_frozen] = 0
                loss.backward()
                params.grad += extra_grad
                loss = loss + extra
            else:
                loss = loss if extra is None else loss + extra
                loss.backward()
            if self._frozen:
                params.grad[..., self._frozen] = 0
            optimiser.step()
            with torch.no_grad():
                self._clamp(params)
            yield float(loss.detach()), canvas

    def _extra(self, canvas: torch.Tensor, inside: torch.Tensor) -> torch.Tensor:
        """The extra loss on the level's canvas as its blocks show it: the blocks joined into one image at
        `resolution / side` block px per canvas px and cropped to the photo (edge blocks reach past it into
        zero padding, which would count in image statistics). A style loss thus sees the whole painting, and
        no block has to hold the whole style by itself. canvas (B, 3, R, R), inside (B, 1, R, R) -> scalar."""
        grid = self._grid
        mask = grid.join(inside)[0]  # (rows*R, cols*R); the photo is its top-left part
        h, w = int(mask[:, 0].sum()), int(mask[0].sum())
        return self.extra_loss(grid.join(canvas)[None, :, :h, :w], self.resolution / grid.side)  # (1, 3, h, w)

    def _allocate(self, count: int, error: torch.Tensor) -> torch.Tensor:
        """How many of a level's `count` strokes each block gets: in proportion to how far the block
        is from the photo, at most `focus` times the average. error (B,) -> (B,) whole numbers."""
        blocks = error.shape[0]
        cap = max(1, math.ceil(count / blocks * self.config.focus))
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

    def _seed(
        self, target: torch.Tensor, background: torch.Tensor, inside: torch.Tensor, k: int, size_for: int, grid: Grid
    ) -> torch.Tensor:
        """K new strokes per block where the block differs most from the photo, in the photo's
        colour there, sized so that `size_for` of them would cover the block, pointing along the
        photo's edge flow when `follow_edges` (else as the brush places them). (B, K, P)."""
        b, _, res, _ = target.shape
        error = (background - target).abs().mean(dim=1, keepdim=True) * inside  # (B, 1, R, R)
        error = F.avg_pool2d(error, 5, stride=1, padding=2)[:, 0] ** 2  # smooth, then favour the worst
        weights = error.reshape(b, -1) + 1e-6 * inside.reshape(b, -1) + 1e-12
        picks = torch.multinomial(weights, k, replacement=weights.shape[1] < k, generator=self.generator)  # (B, K)
        py, px = picks // res, picks % res
        xy = torch.stack([(px + 0.5) / res, (py + 0.5) / res], dim=-1).reshape(b * k, 2)
        smooth = F.avg_pool2d(target, 3, stride=1, padding=1)  # (B, 3, R, R): colour of the area, not one pixel
        rgb = smooth.reshape(b, 3, -1).gather(2, picks[:, None, :].expand(-1, 3, -1)).permute(0, 2, 1).reshape(b * k, 3)
        size = min(0.6, max(0.15, 1.6 / math.sqrt(size_for)))
        self._seed_size = size * grid.side / max(self.height, self.width)  # the same, on the whole canvas
        strokes = self.brush.place(xy, rgb, size, res, res, self.generator).view(b, k, -1)
        if self._flow is not None:
            # Where each seed lies on the whole canvas, as a fraction of its height and width.
            rows, cols = torch.arange(b) // grid.cols, torch.arange(b) % grid.cols
            across = (cols[:, None] + xy[:, 0].view(b, k)) * grid.side / self.width  # (B, K)
            down = (rows[:, None] + xy[:, 1].view(b, k)) * grid.side / self.height
            self._follow_flow(strokes, across, down)
        self._clamp(strokes)
        return strokes

    def _follow_flow(self, strokes: torch.Tensor, across: torch.Tensor, down: torch.Tensor) -> None:
        """Turn strokes (..., P) along the edge flow at canvas fractions across, down (...), +-5 degrees."""
        fh, fw = self._flow.shape
        flow = self._flow[(down * fh).long().clamp(0, fh - 1), (across * fw).long().clamp(0, fw - 1)]
        jitter = 0.03 * torch.randn(flow.shape, generator=self.generator)  # so strokes do not look ruled
        for i in self.brush.kinds("angle"):
            strokes[..., i] = (flow + jitter).remainder(1.0)

    def _reseed(self, error: torch.Tensor, n: int) -> torch.Tensor:
        """N new canvas-relative strokes (n, P) where error (h, w, the whole canvas at any scale) is
        largest, in the photo's colour there, at the finest level's size. For the whole-canvas pass."""
        h, w = error.shape
        weights = F.avg_pool2d(error[None, None], 5, stride=1, padding=2).reshape(-1) ** 2 + 1e-12
        picks = torch.multinomial(weights, n, replacement=weights.numel() < n, generator=self.generator)
        xy = torch.stack([(picks % w + 0.5) / w, (picks // w + 0.5) / h], dim=1)  # (n, 2) fractions
        photo = F.avg_pool2d(resize(self.target[None], (h, w)), 3, stride=1, padding=1)[0]  # (3, h, w)
        rgb = photo.reshape(3, -1)[:, picks].T  # (n, 3)
        strokes = self.brush.place(xy, rgb, self._seed_size, self.height, self.width, self.generator)
        if self._flow is not None:
            self._follow_flow(strokes, xy[:, 0], xy[:, 1])
        strokes = strokes.clamp(0, 1)
        if self.config.opaque:
            strokes[:, self._alpha] = 1.0
        return strokes

    def _clamp(self, params: torch.Tensor) -> None:
        """Keep values where the renderer is valid: shapes inside the block, the rest in [0, 1]."""
        params.clamp_(0.0, 1.0)
        low, high = self.config.shape_range
        for i in self._shape:
            if self.brush.params[i].kind != "angle":
                params[..., i].clamp_(low, high)
        if self.config.opaque:
            params[..., self._alpha] = 1.0

    def _to_canvas(self, params: torch.Tensor, active: torch.Tensor, grid: Grid) -> torch.Tensor:
        """Block-relative strokes (B, K, P) to canvas-relative ones (n, P), the k-th stroke of every
        block before the (k+1)-th, so the painting grows evenly over the canvas."""
        b, k, _ = params.shape
        out = params.clone()
        rows = torch.arange(b) // grid.cols
        cols = torch.arange(b) % grid.cols
        s = float(grid.side)
        for i in self.brush.kinds("x"):
            out[..., i] = (cols[:, None] * s + params[..., i] * s) / self.width
        for i in self.brush.kinds("y"):
            out[..., i] = (rows[:, None] * s + params[..., i] * s) / self.height
        for i in self.brush.kinds("size"):
            out[..., i] = params[..., i] * s / max(self.height, self.width)
        order = out.transpose(0, 1).reshape(b * k, -1)  # (K*B, P), stroke-index major
        keep = active.transpose(0, 1).reshape(-1) > 0
        return order[keep].clamp(0, 1)


FLOW_SIDE = 256  # the edge flow is measured on the photo shrunk to this long side: directions are smooth


def edge_flow(image: torch.Tensor) -> torch.Tensor:
    """The direction of the photo's edges at every point, as a stroke angle in [0, 1) (0..180 degrees,
    clockwise, y down), from the structure tensor (the summed outer products of colour gradients).

    Two blurs of the tensor are added: a narrow one that follows local edges, and a wide one (an
    eighth of the photo) that dominates only where the photo is flat, so a plain sky takes the direction
    of the nearest edges instead of noise. image (3, H, W) -> (h, w) at FLOW_SIDE px long side."""
    _, h, w = image.shape
    scale = FLOW_SIDE / max(h, w)
    small = resize(image[None], (max(3, round(h * scale)), max(3, round(w * scale))))  # (1, 3, h, w), 3+ for gradients
    gx = small[..., :, 2:] - small[..., :, :-2]
    gy = small[..., 2:, :] - small[..., :-2, :]
    gx, gy = F.pad(gx, (1, 1, 0, 0), mode="replicate"), F.pad(gy, (0, 0, 1, 1), mode="replicate")
    tensor = torch.cat([(gx * gx).sum(1, keepdim=True), (gx * gy).sum(1, keepdim=True), (gy * gy).sum(1, keepdim=True)])
    tensor = tensor.permute(1, 0, 2, 3)  # (1, 3 as xx xy yy, h, w)
    side = max(tensor.shape[-2:])
    narrow = _blur(tensor, max(1, side // 128))
    wide = _blur(tensor, max(1, side // 16))
    xx, xy, yy = (narrow + wide)[0]
    across = 0.5 * torch.atan2(2 * xy, xx - yy)  # the direction of steepest change
    return ((across + math.pi / 2) / math.pi).remainder(1.0)  # along the edge


def _blur(image: torch.Tensor, radius: int) -> torch.Tensor:
    """Box blur of (1, C, h, w) with a (2 * radius + 1) square, twice (close to a Gaussian), edges replicated."""
    for _ in range(2):
        image = F.avg_pool2d(F.pad(image, (radius,) * 4, mode="replicate"), 2 * radius + 1, stride=1)
    return image


QUALITIES = ("draft", "normal", "fine")  # the presets `painter_config` knows, fastest first
REFINE_STROKE_STEPS = 90_000  # strokes x whole-canvas steps, at most, for the network-drawn pass


def painter_config(
    brush: Brush,
    strokes: int,
    quality: str = "normal",
    *,
    seed: int = 0,
    opaque: bool = False,
    steps: int | None = None,
    renderer: str = "neural",
) -> PainterConfig:
    """The painter's settings for a budget, a quality preset and a brush; `steps` overrides the preset's
    steps per level. ValueError naming an unknown quality."""
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; use one of {', '.join(QUALITIES)}")
    config = PainterConfig(strokes=strokes, seed=seed, opaque=opaque)
    # Steps per level, network-drawn whole-canvas steps and their step size, exact whole-canvas steps.
    # Chelsea, 500 oil strokes at 512 px, 2 threads: before the exact steps, normal was (20, 40, 0.003,
    # 0): 26.49 dB in 15.1 s of painting; (14, 10, 0.005, 10) gave 27.00 dB in 12.1 s, (12, 10, 0.005,
    # 8) 26.84 dB in 11.3 s, (10, 8, 0.005, 8) 26.46 dB in 8.6 s. Time goes with strokes x steps.
    config.steps, config.global_steps, config.global_lr, config.polish_steps = {
        "draft": (8, 8, 0.006, 6),
        "normal": (12, 10, 0.005, 8),
        "fine": (16, 20, 0.005, 16),
    }[quality]
    if brush.cheap_raster and renderer == "neural":
        # Exact steps cost little for such a brush, so its whole-canvas pass is all exact, and each level
        # ends with exact steps: on 300 rectangles (astronaut), 20 exact steps per level and 120 whole-
        # canvas steps took PSNR from 21.15 to 21.64 dB for 10 s more. 1,000 on chelsea with (20, 10
        # exact, 60 at 0.003): 30.89 dB (primitive's 1,000 rectangles: 27.72 dB).
        config.steps, global_steps, config.global_lr = {
            "draft": (12, 20, 0.004),
            "normal": (20, 40, 0.003),
            "fine": (40, 60, 0.002),
        }[quality]
        config.exact_steps, config.global_steps, config.polish_steps = config.steps // 2, global_steps * 2, 0
    else:
        # Drawn through the network, the whole-canvas pass costs one network pass per stroke and step:
        # very large budgets get fewer steps, as small strokes settle fast.
        cap = REFINE_STROKE_STEPS * config.global_steps // (40 * strokes)
        config.global_steps = min(config.global_steps, max(15, cap))
    if steps is not None:
        config.steps = steps
    return config


def make_painter(
    brush: Brush,
    net: RenderFn,
    resolution: int,
    target: torch.Tensor,
    background: tuple[float, float, float],
    config: PainterConfig,
    *,
    renderer: str = "neural",
    device: torch.device | None = None,
    extra_loss: Callable[[torch.Tensor, float], torch.Tensor] | None = None,
    extra_trainable: tuple[str, ...] | None = None,
    palette: Palette | None = None,
) -> ProgressivePainter:
    """The painter for `target` (3, H, W) optimising through `net` (blocks of `resolution` px); with the
    neural renderer, the brush's exact renderer corrects each level and the network draws the final
    whole-canvas pass (the exact one for brushes with a cheap raster)."""
    neural = renderer == "neural"
    return ProgressivePainter(
        brush,
        net,
        resolution,
        target,
        background,
        config,
        device=device or torch.device("cpu"),
        exact_render=ExactRenderer(brush, resolution) if neural else None,
        global_render=network_windows(_in_precision(net, "auto")) if neural and not brush.cheap_raster else None,
        extra_loss=extra_loss,
        extra_trainable=extra_trainable,
        palette=palette,
    )


def _in_precision(net: RenderFn, precision: str) -> RenderFn:
    """The network computing in `precision` when it can (see NeuralRenderer.in_precision), else itself."""
    return net.in_precision(precision) if hasattr(net, "in_precision") else net


def level_sides(config: PainterConfig, height: int, width: int) -> list[int]:
    """Canvas pixels a block covers at every level, coarse to fine."""
    return [grid.side for grid, _ in level_plan(config, height, width)]


class ExactRenderer(torch.nn.Module):
    """The brush's own renderer at res x res, used directly as the differentiable renderer.
    Exact but slower for curve brushes, and its gradients live only at stroke edges."""

    def __init__(self, brush: Brush, resolution: int) -> None:
        super().__init__()
        self.brush, self.resolution = brush, resolution

    def forward(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.brush.render(strokes, self.resolution, self.resolution)
