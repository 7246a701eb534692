"""Palette benchmark: painting in a fixed palette against painting freely and mapping every stroke to its
nearest palette colour afterwards, on scikit-image's bundled photos, same brush, budget and seed.

For each photo and palette (the issue's five paints, and `--pens 6` picked from the photo):
  a) paint with the palette (`paint --palette`);
  b) paint freely, then map every stroke to the palette colour nearest its colour in CIELAB, as
     `paint export --palette` maps strokes to pens, and draw it again;
  b') the same mapping in RGB, the space PSNR is scored in, so that (a)'s gain is not only (b)'s
     choice of colour space.
Prints PSNR (dB, against the photo at the fitted size) and seconds, and appends the table to
benchmarks/palette.md with the date and the machine. One process, one thread per run: run it on an
idle machine with OMP_NUM_THREADS=1.

    python benchmarks/palette.py                                  # 3 photos x 2 palettes, 300 oil strokes
    python benchmarks/palette.py --photos chelsea --brush markerpen --strokes 100 --size 128 --no-save
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This folder's renderers.py would hide the `renderers` package the painter imports: take the folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from painter import PaintSettings, paint  # noqa: E402
from painter.canvas import render_painting  # noqa: E402
from painter.metrics import similarity  # noqa: E402
from painter.palette import Palette, map_to_nearest  # noqa: E402
from painter.plotter.paths import stroke_colours  # noqa: E402
from painter.strokes import Painting  # noqa: E402

PHOTOS = ("chelsea", "coffee", "astronaut")
ISSUE_PALETTE = "#1b1b1b,#c03020,#2050a0,#e8c040,#f4f0e6"  # black, red, blue, yellow, cream


def machine() -> str:
    """The machine, as paint_photos.py names it in its tables."""
    spec = importlib.util.spec_from_file_location("paint_photos", HERE / "paint_photos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.machine()


def map_in_rgb(painting: Painting, colours: np.ndarray) -> Painting:
    """Every stroke recoloured in the palette colour (K, 3) nearest its colour in RGB."""
    nearest = torch.cdist(torch.tensor(stroke_colours(painting)), torch.tensor(colours)).argmin(dim=1)
    chosen = torch.tensor(colours, dtype=torch.float32)[nearest]
    strokes = Palette(painting.brush, colours).recolour(painting.strokes, chosen)
    return Painting(painting.brush, strokes, painting.width, painting.height, painting.background)


def measure(photo: Path, settings: PaintSettings, free, palette: str | None, pens: int | None) -> dict:
    """PSNRs (dB) of painting in the palette and of mapping the free painting `free` (a PaintResult) to it."""
    started = time.perf_counter()
    in_palette = paint(photo, settings.replace(palette=palette, pens=pens))
    seconds = time.perf_counter() - started
    colours = np.array([[int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)] for h in in_palette.metrics["run"]["palette"]])
    side = max(free.painting.width, free.painting.height)

    def score(painting: Painting) -> float:
        return similarity(render_painting(painting, side), free.photo)["psnr"]

    return {
        "palette": score(in_palette.painting),
        "lab": score(map_to_nearest(free.painting, colours)),
        "rgb": score(map_in_rgb(free.painting, colours)),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", nargs="+", default=list(PHOTOS), choices=PHOTOS)
    parser.add_argument("--brush", default="oilpaint")
    parser.add_argument("--strokes", type=int, default=300)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--opaque", action="store_true", help="opaque strokes, as a plotter lays them")
    parser.add_argument("--no-save", action="store_true", help="print only; do not append to palette.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = PaintSettings(
        brush=args.brush, strokes=args.strokes, size=args.size, seed=args.seed, opaque=args.opaque, animation="none"
    )
    header = (
        "| photo | palette | a) in the palette | b) free, mapped (Lab) | b') free, mapped (RGB) | a - b | a - b' "
        "| free | seconds a / b |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|"]
    print(header, flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.photos:
            photo = Path(scratch) / f"{name}.png"
            Image.fromarray(getattr(data, name)()).save(photo)
            started = time.perf_counter()
            free = paint(photo, settings)
            seconds = time.perf_counter() - started
            for label, palette, pens in (("issue's 5 paints", ISSUE_PALETTE, None), ("--pens 6", None, 6)):
                r = measure(photo, settings, free, palette, pens)
                line = (
                    f"| {name} | {label} | {r['palette']:.2f} | {r['lab']:.2f} | {r['rgb']:.2f} | "
                    f"{r['palette'] - r['lab']:+.2f} | {r['palette'] - r['rgb']:+.2f} | {free.metrics['psnr']:.2f} | "
                    f"{r['seconds']:.0f} / {seconds:.0f} |"
                )
                lines.append(line)
                print(line, flush=True)
    if not args.no_save:
        stamp = datetime.date.today().isoformat()
        with open(HERE / "palette.md", "a", encoding="utf-8") as f:
            brush = args.brush + (", opaque" if args.opaque else "")
            title = f"{brush}, {args.strokes} strokes at {args.size} px, seed {args.seed}, quality normal, one thread"
            f.write(f"\n## {stamp}: {title} ({machine()})\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
