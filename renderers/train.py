"""Train a neural renderer to imitate one brush's procedural renderer.

Reads top to bottom: config -> data -> model -> optimiser -> loop -> eval -> checkpoint. The checkpoint
file (renderers.checkpoint) holds the model config, the brush fingerprint, the weights, the optimiser
state and the step, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from brushes import Brush
from renderers.checkpoint import build_from_checkpoint, load_checkpoint, save_checkpoint
from renderers.data import (
    CHUNK_STROKES,
    EVAL_SEED,
    VALID_SEED,
    StrokePool,
    fill_pool,
    random_strokes,
    render_target,
    start_filling,
)
from renderers.model import NeuralRenderer, RendererConfig, pick_device


# ---- config ---------------------------------------------------------------------------------------
@dataclass
class TrainConfig:
    steps: int = 10_000  # what fits in ~45 min on a busy 2-core CPU; PSNR still creeps up after that
    batch: int = 64  # the reference's batch; larger batches cost CPU time without converging faster per second
    lr: float = 2e-3  # Adam, higher than the reference's 2e-4: a small net and a short budget
    lr_final: float = 2e-5  # cosine decay to here; the last steps polish edges
    warmup: int = 200  # steps of linear warm-up; a high lr straight away can kill the mask's ReLUs
    pool_chunks: int = 64  # pool size in chunks: 131k strokes, ~1.6 GB of uint8 at 64 px
    chunk: int = CHUNK_STROKES  # strokes per pool file
    valid_strokes: int = 256  # fixed strokes for the progress bar's PSNR; cheap enough to run often
    valid_every: int = 500  # steps between validations (a validation costs about 10 training steps)
    checkpoint_every: int = 1000  # steps between checkpoints: ~1 min of work lost at most
    seed: int = 0  # initial weights and batch order


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up, then cosine decay from lr to lr_final over the remaining steps."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = min(1.0, (step - config.warmup) / max(1, config.steps - config.warmup))
    return config.lr_final + (config.lr - config.lr_final) * 0.5 * (1 + math.cos(math.pi * progress))


# ---- loss and evaluation --------------------------------------------------------------------------
def layer_loss(colour: torch.Tensor, alpha: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """MSE on the foreground (colour * alpha) and on alpha, as the method says. target: (N, 4, R, R)."""
    return F.mse_loss(colour * alpha, target[:, :3] * target[:, 3:]) + F.mse_loss(alpha, target[:, 3:])


def on_grey(colour: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Each stroke composited on a mid-grey canvas. Shape: (N, 3, R, R)."""
    return colour * alpha + 0.5 * (1 - alpha)


@torch.no_grad()
def psnr(net: torch.nn.Module, strokes: torch.Tensor, target: torch.Tensor, batch: int = 256) -> float:
    """PSNR in dB of the network against the procedural layers `target` (N, 4, R, R), both composited
    on mid-grey; the mean squared error is pooled over every pixel of every stroke."""
    was_training = net.training
    net.eval()
    device = next(net.parameters()).device
    total = 0.0
    for start in range(0, len(strokes), batch):
        colour, alpha = net(strokes[start : start + batch].to(device))
        want = target[start : start + batch].to(device)
        total += F.mse_loss(on_grey(colour, alpha), on_grey(want[:, :3], want[:, 3:]), reduction="sum").item()
    net.train(was_training)
    mse = total / (target.shape[0] * 3 * target.shape[2] * target.shape[3])
    return 10 * math.log10(1 / max(mse, 1e-12))


def evaluate(net: NeuralRenderer, brush: Brush, strokes: int = 2000, seed: int = EVAL_SEED) -> float:
    """`paint eval-renderer`: PSNR (dB) on `strokes` held-out random strokes at the network's resolution."""
    held_out = random_strokes(brush, strokes, seed)
    return psnr(net, held_out, render_target(brush, held_out, net.resolution))


def resumable_checkpoint(path: str | Path, brush: Brush) -> dict:
    """The checkpoint at `path` to continue training `brush` from: load_checkpoint's checks and a step count;
    FileNotFoundError / ValueError naming the file. The command line calls it before any training starts."""
    checkpoint = load_checkpoint(path, brush)
    _check_resumable(checkpoint, Path(path))
    return checkpoint


def _check_resumable(checkpoint: dict, path: Path) -> None:
    """A checked checkpoint must also say where training stopped to be resumed; ValueError otherwise."""
    where = f"renderer weights {str(path)!r}"
    step = checkpoint.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"{where}: 'step' is {step!r}, not a step count, so training cannot resume from it")
    for key in ("seconds", "valid_psnr"):
        value = checkpoint.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: {key!r} is {value!r}, not a number")


# ---- the loop -------------------------------------------------------------------------------------
def _open_pool(brush: Brush, resolution: int, cache, config: TrainConfig, start: int):
    """The stroke pool to train from, and the background process filling it (None if one chunk is enough).
    The first chunk is drawn here so training can start; the rest fill in the background."""
    fill_pool(brush.name, resolution, cache, 1, config.chunk)
    filler = None
    if config.pool_chunks > 1:
        filler = start_filling(brush, resolution, cache, config.pool_chunks, config.chunk)
    pool = StrokePool(brush, resolution, cache, seed=config.seed + start)
    pool.refresh()
    return pool, filler


def _run_state(config: TrainConfig, step: int, valid_psnr: float, seconds: float, dev, optimiser=None) -> dict:
    """What a checkpoint records of the run besides the weights (the optimiser only to resume from)."""
    extra = {"optimiser": optimiser.state_dict()} if optimiser is not None else {}
    return {
        "step": step,
        "valid_psnr": valid_psnr,
        "seconds": seconds,
        "train": asdict(config),
        "hardware": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, {dev}",
        **extra,
    }


def _open_optimiser(net: NeuralRenderer, config: TrainConfig, checkpoint: dict | None, out: Path):
    """Adam over the network, with the checkpoint's moments when it has them."""
    optimiser = torch.optim.Adam(net.parameters(), lr=config.lr)
    if checkpoint and "optimiser" in checkpoint:
        try:
            optimiser.load_state_dict(checkpoint["optimiser"])
        except (ValueError, KeyError, TypeError, RuntimeError) as err:
            raise ValueError(f"renderer weights {str(out)!r}: the optimiser state does not fit ({err})") from None
    return optimiser


def train_renderer(
    brush: Brush,
    out: str | Path,
    config: TrainConfig | None = None,
    model: RendererConfig | None = None,
    device: str = "cpu",
    resume: bool = False,
    cache: str | Path = ".cache/renderers",
    progress: bool = True,
    start_from: str | Path | None = None,
) -> dict:
    """Train (or with `resume`, continue training) a renderer for `brush`, checkpointing to `out`. With
    `start_from`, the network starts from those weights (for an earlier version of the brush, say) instead
    of random ones: a changed brush is learnt again in a fraction of the steps.

    Returns a summary: step, valid_psnr, seconds (wall time over all runs), losses (one per step of
    this run). The file at `out` ends up holding the float32 weights without optimiser state.
    """
    out = Path(out)
    config = config or TrainConfig()
    dev = pick_device(device)
    torch.manual_seed(config.seed)

    # data
    model = model or RendererConfig.for_brush(brush)
    checkpoint = resumable_checkpoint(out, brush) if resume else None
    initial = checkpoint  # the weights the network starts from: a run to resume, or given ones, or none
    if initial is None and start_from is not None:
        initial = load_checkpoint(start_from, brush, same_spec=False)
    if initial is not None:  # the network those weights fit
        model = RendererConfig.from_dict(initial["config"])
    start = checkpoint["step"] if checkpoint else 0
    pool, filler = _open_pool(brush, model.resolution, cache, config, start)
    valid = random_strokes(brush, config.valid_strokes, VALID_SEED)
    valid_target = render_target(brush, valid, model.resolution)

    # model and optimiser
    net = build_from_checkpoint(initial) if initial else NeuralRenderer(model)
    net.to(dev).train()
    optimiser = _open_optimiser(net, config, checkpoint, out)
    seconds = checkpoint.get("seconds", 0.0) if checkpoint else 0.0
    valid_psnr = checkpoint.get("valid_psnr", float("nan")) if checkpoint else float("nan")

    def state(step: int, with_optimiser: bool) -> dict:
        kept = optimiser if with_optimiser else None
        return _run_state(config, step, valid_psnr, seconds + time.perf_counter() - began, dev, kept)

    losses = []
    began = time.perf_counter()
    bar = tqdm(range(start, config.steps), initial=start, total=config.steps, disable=not progress, desc=brush.name)
    try:
        for step in bar:
            for group in optimiser.param_groups:
                group["lr"] = learning_rate(config, step)
            strokes, target = pool.batch(config.batch)
            colour, alpha = net(strokes.to(dev))
            loss = layer_loss(colour, alpha, target.to(dev))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            losses.append(loss.item())

            done = step + 1
            if done % 200 == 0 and filler is not None:
                pool.refresh()
            if done % config.valid_every == 0 or done == config.steps:
                valid_psnr = psnr(net, valid, valid_target)
            if done % config.checkpoint_every == 0 and done < config.steps:
                save_checkpoint(out, net, brush, state(done, with_optimiser=True))
            bar.set_postfix(loss=f"{loss.item():.2e}", psnr=f"{valid_psnr:.2f}", pool=len(pool), refresh=False)
    finally:
        if filler is not None and filler.is_alive():
            filler.terminate()

    # final checkpoint: the shipped form, no optimiser state (a later --resume restarts Adam's moments)
    step = max(start, config.steps)
    final = state(step, with_optimiser=False)
    save_checkpoint(out, net, brush, final)
    return {"step": step, "valid_psnr": valid_psnr, "seconds": final["seconds"], "losses": losses}
