"""Limited paints: stroke colours quantised to N pens (k-means in CIELAB) or mapped to the user's own.

Colours are (N, 3) float arrays of r, g, b in [0, 1]. Distances are CIE76 (Euclidean in L*a*b*), so
"nearest" means nearest to the eye rather than nearest in RGB numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage.color import rgb2lab

from painter.canvas import parse_colour

KMEANS_SEED = 20240601  # fixed: the same painting always gets the same pens
KMEANS_RESTARTS = 4  # k-means++ can start badly; the best of a few starts is stable in practice
KMEANS_ITERATIONS = 100  # Lloyd's iterations converge in tens on stroke colours


@dataclass(frozen=True)
class Pen:
    """A paint or pen: its number (the machine's pen slot and the layer's name) and colour (r, g, b)."""

    number: int
    colour: tuple[float, float, float]


def parse_palette(text: str) -> np.ndarray:
    """'#rrggbb,#rgb,...' (any colour parse_colour reads) -> (K, 3) colours in [0, 1]; ValueError naming
    the entry that does not parse."""
    colours = []
    for entry in text.split(","):
        try:
            colours.append(parse_colour(entry))
        except ValueError:
            message = f"palette colour {entry.strip()!r} in {text!r} is not a colour (white, black, #rrggbb or #rgb)"
            raise ValueError(message) from None
    return np.array(colours, dtype=np.float64)


def to_lab(colours: np.ndarray) -> np.ndarray:
    """(N, 3) rgb in [0, 1] -> (N, 3) CIELAB."""
    return rgb2lab(np.clip(colours, 0, 1).reshape(-1, 1, 3)).reshape(-1, 3)


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(N, D) and (K, D) -> (N, K) squared Euclidean distances."""
    return ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)


def kmeans(
    points: np.ndarray, k: int, seed: int = KMEANS_SEED, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic k-means: k-means++ starts from a seeded generator, Lloyd's iterations, best of
    KMEANS_RESTARTS by inertia. points (N, D), k <= number of distinct points; weights (N,) > 0 make a
    point count that many times (default 1 each). Returns centres (k, D) and each point's cluster (N,)."""
    assert 1 <= k <= len(np.unique(points, axis=0)), (k, len(points))
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(KMEANS_RESTARTS):
        centres = points[[rng.choice(len(points), p=weights / weights.sum())]]
        while len(centres) < k:  # k-means++: far (and heavy) points are likelier next centres
            nearest = _squared_distances(points, centres).min(axis=1) * weights
            if nearest.sum() <= 0:  # every weighted point sits on a centre: any distinct point will do
                nearest = _squared_distances(points, centres).min(axis=1)
            centres = np.vstack([centres, points[rng.choice(len(points), p=nearest / nearest.sum())]])
        for _ in range(KMEANS_ITERATIONS):
            labels = _squared_distances(points, centres).argmin(axis=1)
            moved = centres.copy()
            for j in range(k):
                members = labels == j
                if weights[members].sum() > 0:
                    moved[j] = np.average(points[members], axis=0, weights=weights[members])
                else:  # an emptied cluster takes the point worst served by the others
                    moved[j] = points[_squared_distances(points, moved).min(axis=1).argmax()]
            if np.allclose(moved, centres):
                break
            centres = moved
        labels = _squared_distances(points, centres).argmin(axis=1)
        inertia = float((((points - centres[labels]) ** 2).sum(axis=1) * weights).sum())
        if best is None or inertia < best[0]:
            best = (inertia, centres, labels)
    assert best is not None
    return best[1], best[2]


def _plot_order(pens: list[Pen], dark_first: bool) -> list[Pen]:
    """Light colours first (a dark pen's lines survive a light pen drawn over them, not the reverse)."""
    lightness = {pen.number: to_lab(np.array([pen.colour]))[0, 0] for pen in pens}
    return sorted(pens, key=lambda pen: (lightness[pen.number] * (1 if dark_first else -1), pen.number))


def quantise(
    colours: np.ndarray, pens: int, dark_first: bool = False, weights: np.ndarray | None = None
) -> tuple[list[Pen], np.ndarray]:
    """Cluster stroke colours (N, 3) into at most `pens` pens, each stroke counted by its weight (N,)
    (e.g. how much of it is drawn; default 1 each). A pen's colour is the weighted mean of its strokes'
    colours. Pens come in plot order and are numbered 1, 2, ... in that order.
    Returns the pens and each stroke's pen number (N,)."""
    if pens < 1:
        raise ValueError(f"the number of pens must be at least 1, got {pens}")
    if len(colours) == 0:
        return [], np.zeros(0, dtype=int)
    weights = np.ones(len(colours)) if weights is None else np.maximum(np.asarray(weights, dtype=np.float64), 1e-9)
    lab = to_lab(colours)
    k = min(pens, len(np.unique(lab, axis=0)))
    _, labels = kmeans(lab, k, weights=weights)
    means = [
        tuple(float(c) for c in np.average(colours[labels == j], axis=0, weights=weights[labels == j]))
        for j in range(k)
    ]
    ordered = _plot_order([Pen(j, means[j]) for j in range(k)], dark_first)  # numbered by cluster for now
    renumber = {pen.number: i + 1 for i, pen in enumerate(ordered)}
    return [Pen(renumber[p.number], p.colour) for p in ordered], np.array([renumber[j] for j in labels], dtype=int)


OWN_PENS = 64  # a painting in at most this many colours, all as '#rrggbb' gives them, was painted in a palette
GRID = 1e-3  # how far from a whole 8-bit level a colour value read back from strokes.json may be (6 digits)


def own_pens(colours: np.ndarray, dark_first: bool = False) -> tuple[list[Pen], np.ndarray] | None:
    """The painting's own colours as pens, when it was painted in a palette (`paint --palette` or `--pens`):
    stroke colours (N, 3) taking at most OWN_PENS distinct values, every one on the 8-bit grid (a freely
    painted one never is). Pens in plot order, numbered 1, 2, ...; each stroke's pen number (N,). None
    when the colours are not such a palette's."""
    levels = colours * 255
    if len(colours) == 0 or np.abs(levels - levels.round()).max() > GRID:
        return None
    distinct, labels = np.unique(levels.round().astype(int), axis=0, return_inverse=True)
    if len(distinct) > OWN_PENS:
        return None
    ordered = _plot_order([Pen(j, tuple(float(v) / 255 for v in c)) for j, c in enumerate(distinct)], dark_first)
    renumber = {pen.number: i + 1 for i, pen in enumerate(ordered)}
    pens = [Pen(renumber[p.number], p.colour) for p in ordered]
    return pens, np.array([renumber[j] for j in labels.reshape(-1)], dtype=int)


def match_palette(colours: np.ndarray, palette: np.ndarray, dark_first: bool = False) -> tuple[list[Pen], np.ndarray]:
    """Map stroke colours (N, 3) to the nearest of the user's colours (K, 3). Pen numbers are
    positions in the palette (1-based), so they match the user's pen slots; only pens in use are
    returned, in plot order. Returns the pens and each stroke's pen number (N,)."""
    if len(palette) == 0:
        raise ValueError("the palette has no colours")
    if len(colours) == 0:
        return [], np.zeros(0, dtype=int)
    numbers = _squared_distances(to_lab(colours), to_lab(palette)).argmin(axis=1) + 1
    used = [Pen(int(n), tuple(float(c) for c in palette[n - 1])) for n in np.unique(numbers)]
    return _plot_order(used, dark_first), numbers
