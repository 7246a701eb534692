"""Contact sheets of the last benchmark run: for each case, every photo beside primitive's painting and
paint's, each labelled with its PSNR. Drawn from the pictures benchmarks/paint_photos.py saved (listed in
RUNS/last-run.json); one PNG per case, docs/benchmark-sheet-<case>.png.

    python benchmarks/contact_sheet.py                          # every case of the last run
    python benchmarks/contact_sheet.py --cases oil-3000 --out /tmp
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

ROOT = Path(__file__).resolve().parents[1]
CELL = (240, 180)  # each picture fits this box (px), keeping its shape; wide crops get short cells
LABEL = 18  # px above each picture for its label
GAP = 6  # px between pictures
GROUPS_PER_ROW = 2  # photos side by side: a 15-photo set makes a sheet about 1.5 times taller than wide
BACKGROUND = (255, 255, 255)


def sheet(title: str, rows: list[dict], runs: Path) -> Image.Image:
    """One case's sheet: a title, then (photo, primitive, paint) for each row of last-run.json."""
    font = ImageFont.load_default(size=13)
    columns = 3 * GROUPS_PER_ROW
    lines = (len(rows) + GROUPS_PER_ROW - 1) // GROUPS_PER_ROW
    width = columns * (CELL[0] + GAP) + GAP * GROUPS_PER_ROW
    height = LABEL + GAP + lines * (CELL[1] + LABEL + GAP)
    page = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(page)
    draw.text((GAP, 2), title, fill=(0, 0, 0), font=font)
    for index, row in enumerate(rows):
        top = LABEL + GAP + (index // GROUPS_PER_ROW) * (CELL[1] + LABEL + GAP)
        left = (index % GROUPS_PER_ROW) * (3 * (CELL[0] + GAP) + GAP) + GAP
        peer, paint = row["primitive"], row["paint"]
        cells = [
            (runs / "photos" / f"{row['photo']}.png", row["label"]),
            (runs / peer["image"], f"primitive {peer['psnr']:.2f} dB") if peer else (None, "no primitive"),
            (runs / paint["image"], f"paint {paint['psnr']:.2f} dB"),
        ]
        for column, (path, label) in enumerate(cells):
            x = left + column * (CELL[0] + GAP)
            draw.text((x, top), label, fill=(0, 0, 0), font=font)
            if path is not None:
                with Image.open(path) as picture:  # scaled up or down, so all three show at one size
                    page.paste(
                        ImageOps.contain(picture.convert("RGB"), CELL, Image.Resampling.LANCZOS), (x, top + LABEL)
                    )
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=ROOT / "benchmarks" / "runs", help="the benchmark's --runs")
    parser.add_argument("--cases", nargs="+", help="some of the last run's cases (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the sheets (docs)")
    args = parser.parse_args()
    listing = args.runs / "last-run.json"
    if not listing.is_file():
        parser.exit(2, f"error: no benchmark run in {args.runs} (no last-run.json): run benchmarks/paint_photos.py\n")
    run = json.loads(listing.read_text(encoding="utf-8"))
    cases = args.cases or [name for name, case in run["cases"].items() if case["rows"]]
    unknown = [name for name in cases if not run["cases"].get(name, {}).get("rows")]
    if unknown:
        parser.exit(2, f"error: the last run has no results for {', '.join(unknown)}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in cases:
        case = run["cases"][name]
        page = sheet(f"{case['title']} (code {run['version']})", case["rows"], args.runs)
        path = args.out / f"benchmark-sheet-{name}.png"
        tmp = path.with_name(f".{path.name}.tmp.png")
        page.save(tmp, optimize=True)
        os.replace(tmp, path)
        print(path)


if __name__ == "__main__":
    main()
