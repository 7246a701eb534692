"""Shared helpers for the plotter tests: paintings to plot and parsers for what the writers write."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import torch

import brushes
from painter.strokes import Painting

BRUSHES = brushes.all_brushes()
IDS = [b.name for b in BRUSHES]
HEIGHT, WIDTH = 72, 96
INKSCAPE = "{http://www.inkscape.org/namespaces/inkscape}"
SVG = "{http://www.w3.org/2000/svg}"
TOOL = 4.0  # mm: random strokes span much of the canvas; a broad tool keeps their pass count (and the tests) small


def placed(brush, n: int, seed: int, size: float = 0.08, spread: tuple[float, float] = (0.0, 1.0), colours=None):
    """A painting of n placed strokes, centres uniform in `spread` (fractions of the canvas)."""
    g = torch.Generator().manual_seed(seed)
    xy = spread[0] + (spread[1] - spread[0]) * torch.rand(n, 2, generator=g)
    rgb = torch.rand(n, 3, generator=g) if colours is None else colours[torch.randint(len(colours), (n,), generator=g)]
    return Painting(brush, brush.place(xy, rgb, size, HEIGHT, WIDTH, generator=g), WIDTH, HEIGHT)


def sampled(brush, n: int, seed: int) -> Painting:
    """A painting of n uniformly random strokes: many reach past the canvas edge."""
    return Painting(brush, brush.sample(n, generator=torch.Generator().manual_seed(seed)), WIDTH, HEIGHT)


def parse_gcode(text: str, servo: bool = False, pen_down_z: float = 0.0) -> dict:
    """Pen-down paths (machine mm), every XY point visited, pauses, well visits (pen down with no
    drawing move before the pen goes up), and all of these as events in file order."""
    down, position = False, (0.0, 0.0)
    paths, points, pauses, dabs, events = [], [], 0, [], []
    for raw in text.splitlines():
        line = raw.split(";")[0].strip()
        if not line:
            continue
        words = dict((w[0], w[1:]) for w in line.split())
        if line.startswith("M0"):
            pauses += 1
            events.append(("pause", None))
        went_down = went_up = False
        if servo and "M" in words and words["M"] in ("3", "5"):
            went_down, went_up = words["M"] == "3", words["M"] == "5"
        if not servo and "Z" in words:
            z = float(words["Z"])
            went_down, went_up = abs(z - pen_down_z) < 1e-9, abs(z - pen_down_z) >= 1e-9
        if went_down and not down:
            paths.append([position])
        if went_up and down:
            if len(paths[-1]) == 1:
                dabs.append(position)  # down and straight up again: a dip in the well
                events.append(("dab", position))
            else:
                events.append(("path", np.array(paths[-1])))
        down = down and not went_up or went_down
        if "X" in words or "Y" in words:
            position = (float(words.get("X", position[0])), float(words.get("Y", position[1])))
            points.append(position)
            if down:
                assert words.get("G") == "1", raw
                paths[-1].append(position)
    return {
        "paths": [np.array(p) for p in paths if len(p) > 1],
        "points": np.array(points),
        "pauses": pauses,
        "dabs": dabs,
        "events": events,
    }


def parse_hpgl(text: str) -> dict:
    """Pen selects in order, pen-down paths (plotter units) and every point."""
    pens, paths, points = [], [], []
    for command in text.replace("\n", "").split(";"):
        if not command:
            continue
        op, args = command[:2], command[2:]
        numbers = [int(v) for v in args.split(",")] if args else []
        if op == "SP":
            pens.append(numbers[0])
            continue
        xy = list(zip(numbers[0::2], numbers[1::2], strict=True))
        points += xy
        if op == "PD" and xy:
            paths.append(np.array(xy, dtype=float))
        else:
            assert op in ("IN", "PA", "PU", "PD"), command
    return {"pens": pens, "paths": paths, "points": np.array(points, dtype=float)}


def svg_layers(text: str) -> list[ET.Element]:
    root = ET.fromstring(text)
    return [g for g in root.iter(f"{SVG}g") if g.get(f"{INKSCAPE}groupmode") == "layer"]
