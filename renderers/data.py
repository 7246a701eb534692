"""Training data for the neural renderers: a pool of random strokes drawn by the procedural renderer.

The slow brushes (watercolor, marker pen) take 3-6 ms per 64 px stroke on one CPU core, far slower than
the network learns from it, so strokes are pre-rendered in chunks, stored as uint8 in a cache folder
keyed by brush fingerprint and resolution, and reused across epochs. A background process keeps
filling the pool while training reads whatever chunks already exist.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import numpy as np
import torch

from brushes import Brush, get_brush
from renderers.atomic import atomic_path

CHUNK_STROKES = 2048  # strokes per cache file: ~11 s of watercolor rendering, 32 MB at 64 px
TRAIN_SEED = 10_000  # chunk i is drawn from seed TRAIN_SEED + i
VALID_SEED = 1  # the progress bar's validation strokes
EVAL_SEED = 2  # `paint eval-renderer`'s held-out strokes; never used for training


def random_strokes(brush: Brush, n: int, seed: int) -> torch.Tensor:
    """`n` strokes uniform in [0, 1] from a fixed seed. Shape: (n, P)."""
    return brush.sample(n, torch.Generator().manual_seed(seed))


def render_target(brush: Brush, strokes: torch.Tensor, resolution: int, batch: int = 8) -> torch.Tensor:
    """The procedural renderer's layers as one tensor, colour then alpha. Shape: (N, 4, R, R).
    Small batches: the bezier brushes' (N, segments, R, R) temporaries fall out of cache beyond ~16 strokes,
    which makes batch 256 four times slower per stroke than batch 8."""
    parts = []
    for start in range(0, len(strokes), batch):
        colour, alpha = brush.render(strokes[start : start + batch], resolution, resolution)
        parts.append(torch.cat([colour, alpha], dim=1))  # (n, 4, R, R)
    return torch.cat(parts)


def chunk_folder(root: str | Path, brush: Brush, resolution: int) -> Path:
    """Where one brush's pool lives; the fingerprint in the name keeps stale strokes from being reused."""
    return Path(root) / f"{brush.name}-{brush.fingerprint()}-{resolution}px"


def fill_pool(
    brush_name: str,
    resolution: int,
    root: str | Path,
    chunks: int,
    size: int = CHUNK_STROKES,
    parent: int | None = None,
) -> None:
    """Render and store the missing chunks 0..chunks-1 of a brush's pool, `size` strokes each, one file
    per chunk written atomically. With `parent` (a process id), stop once that process has gone."""
    brush = get_brush(brush_name)
    folder = chunk_folder(root, brush, resolution)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(chunks):
        path = folder / f"chunk{i:04d}.npz"
        if path.exists():
            continue
        if parent is not None and os.getppid() != parent:
            return  # the trainer was killed: a daemon process outlives a parent that dies by a signal
        strokes = random_strokes(brush, size, TRAIN_SEED + i)
        target = render_target(brush, strokes, resolution)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, strokes=strokes.numpy(), image=(target * 255 + 0.5).to(torch.uint8).numpy())


def _fill_in_background(brush_name: str, resolution: int, root: str, chunks: int, size: int, parent: int) -> None:
    torch.set_num_threads(1)  # leave the other core to the training loop
    fill_pool(brush_name, resolution, root, chunks, size, parent)


def start_filling(brush: Brush, resolution: int, root: str | Path, chunks: int, size: int) -> multiprocessing.Process:
    """Fill the pool in a background process (spawned, so it shares no torch thread state with training)."""
    process = multiprocessing.get_context("spawn").Process(
        target=_fill_in_background, args=(brush.name, resolution, str(root), chunks, size, os.getpid()), daemon=True
    )
    process.start()
    return process


class StrokePool:
    """The chunks of a brush's pool that exist so far, held in memory as uint8; `refresh` picks up new ones."""

    def __init__(self, brush: Brush, resolution: int, root: str | Path, seed: int = 0) -> None:
        self.folder = chunk_folder(root, brush, resolution)
        self.loaded: set[str] = set()
        self.strokes = torch.empty(0, brush.size)
        self.images = torch.empty(0, 4, resolution, resolution, dtype=torch.uint8)
        self.rng = torch.Generator().manual_seed(seed)

    def refresh(self) -> int:
        """Load chunks written since the last call. Returns the number of strokes in the pool."""
        new = sorted(p for p in self.folder.glob("chunk*.npz") if p.name not in self.loaded)
        if new:
            strokes, images = [self.strokes], [self.images]
            for path in new:
                with np.load(path) as data:
                    strokes.append(torch.from_numpy(data["strokes"]))
                    images.append(torch.from_numpy(data["image"]))
                self.loaded.add(path.name)
            self.strokes, self.images = torch.cat(strokes), torch.cat(images)
        return len(self.strokes)

    def __len__(self) -> int:
        return len(self.strokes)

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """`n` random strokes (n, P) and their layers (n, 4, R, R) as floats in [0, 1]."""
        assert len(self) > 0, "the stroke pool is empty"
        index = torch.randint(len(self), (n,), generator=self.rng)
        return self.strokes[index], self.images[index].float() / 255
