"""Plotter output: brush plot paths, layout, pens, ordering, well trips, and the G-code, HPGL and plot
SVG files parsed back. Paintings are small and random with fixed seeds."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import cairosvg
import numpy as np
import pytest
import torch
from PIL import Image

import brushes
from brushes.geometry import to_hex
from painter import cli
from painter.plotter import Machine, PlotSettings, plan_plot, preview_image
from painter.plotter.layout import PAPERS, fit_layout, parse_paper
from painter.plotter.order import (
    insert_redips,
    join_paths,
    nearest_neighbour,
    order_paths,
    pen_down_distance,
    pen_up_distance,
)
from painter.plotter.palette import kmeans, parse_palette, to_lab
from painter.plotter.paths import clip_polyline, polyline_length
from painter.plotter.preview import PX_PER_MM
from painter.plotter.sequence import pen_runs
from painter.plotter.writers import HPGL_UNITS_PER_MM, gcode_text, hpgl_text, plot_svg_text
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


# ---- parsers for what the writers produce ---------------------------------------------------------
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


# ---- brush plot paths ---------------------------------------------------------------------------
@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_plot_paths_follow_the_ink(brush):
    strokes = brush.sample(8, generator=torch.Generator().manual_seed(3)).double()
    strokes[:, brush.indices("alpha")] = 1.0
    _, alpha = brush.render(strokes, HEIGHT, WIDTH)  # (N, 1, H, W)
    near = torch.nn.functional.max_pool2d(alpha, 3, stride=1, padding=1)[:, 0].numpy()  # ink within a pixel
    for stroke, ink in zip(strokes.numpy(), near, strict=True):
        paths = brush.plot_paths(stroke, HEIGHT, WIDTH, 1.5)
        assert paths, "a visible stroke must be drawn"
        for path in paths:
            assert path.ndim == 2 and path.shape[1] == 2 and len(path) >= 2 and np.isfinite(path).all()
        points = np.concatenate(paths)
        points = points[(points[:, 0] >= 0) & (points[:, 0] < WIDTH) & (points[:, 1] >= 0) & (points[:, 1] < HEIGHT)]
        on_ink = ink[points[:, 1].astype(int), points[:, 0].astype(int)] > 0
        assert on_ink.all(), f"{brush.name} path points {points[~on_ink][:3]} lie off the stroke's ink"


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_invisible_strokes_have_no_paths(brush):
    stroke = brush.sample(1, generator=torch.Generator().manual_seed(4))[0].double().numpy()
    transparent = stroke.copy()
    transparent[brush.indices("alpha")] = 0.0
    assert brush.plot_paths(transparent, HEIGHT, WIDTH, 1.0) == []
    zero = stroke.copy()
    zero[brush.indices("shape")] = 0.0
    assert brush.plot_paths(zero, HEIGHT, WIDTH, 1.0) == []


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_a_stroke_narrower_than_the_tool_is_one_pass(brush):
    painting = placed(brush, 5, seed=5, size=0.2)
    for stroke in painting.strokes.double().numpy():
        assert len(brush.plot_paths(stroke, HEIGHT, WIDTH, 1000.0)) == 1


def distance_to_paths(points: np.ndarray, paths: list[np.ndarray]) -> np.ndarray:
    """Distance from each point (M, 2) to the nearest segment of any path. (M,)."""
    best = np.full(len(points), np.inf)
    for path in paths:
        a, b = path[:-1], path[1:]  # (S, 2)
        ab = b - a
        t = ((points[:, None] - a[None]) * ab[None]).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12)[None]
        nearest = a[None] + t.clip(0, 1)[..., None] * ab[None]  # (M, S, 2)
        best = np.minimum(best, np.hypot(*(points[:, None] - nearest).transpose(2, 0, 1)).min(axis=1))
    return best


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_wide_strokes_are_filled_with_passes(brush):
    painting = placed(brush, 3, seed=6, size=0.45, spread=(0.45, 0.55))
    strokes = painting.strokes.double()
    _, alpha = brush.render(strokes, HEIGHT, WIDTH)
    tool = 2.0
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    for stroke, a in zip(strokes.numpy(), alpha[:, 0].numpy(), strict=True):
        paths = brush.plot_paths(stroke, HEIGHT, WIDTH, tool)
        assert len(paths) >= 3, "a stroke several tool widths wide needs several passes"
        solid = a >= 0.9 * a.max()
        pixels = np.stack([xs[solid], ys[solid]], axis=1)
        covered = distance_to_paths(pixels, paths) <= 0.75 * tool + 1.0
        assert covered.mean() >= 0.9, f"{brush.name}: passes cover only {covered.mean():.0%} of the stroke"


# ---- layout, palette, paths -----------------------------------------------------------------------
def test_layout_fits_and_centres_the_canvas():
    assert parse_paper("A4") == PAPERS["a4"] and parse_paper("300x200mm") == (300.0, 200.0)
    for bad in ("b5", "300x200", "0x10mm", ""):
        with pytest.raises(ValueError, match="paper"):
            parse_paper(bad)
    wide = fit_layout(PAPERS["a4"], 10, "auto", 400, 200)
    assert (wide.paper_width, wide.paper_height) == (297.0, 210.0)
    x0, y0, x1, y1 = wide.drawing_box
    assert x0 == pytest.approx(10) and x1 == pytest.approx(287)  # fills the width, the limiting side
    assert (y0 + y1) / 2 == pytest.approx(105) and y0 >= 10
    tall = fit_layout(PAPERS["a4"], 10, "portrait", 400, 200)
    assert tall.paper_width == 210.0 and tall.drawing_box[2] == pytest.approx(200)
    with pytest.raises(ValueError, match="too small"):
        fit_layout(PAPERS["a4"], 105, "auto", 10, 10)


def test_palette_parses_hex_and_rejects_the_rest():
    assert parse_palette("#000000, #fff,#FF8000").tolist() == [[0, 0, 0], [1, 1, 1], [1, 128 / 255, 0]]
    for bad in ("", "#12", "red", "#00000g", "#000000,,#ffffff"):
        with pytest.raises(ValueError, match="palette"):
            parse_palette(bad)


def test_kmeans_is_deterministic_and_finds_clusters():
    rng = np.random.default_rng(0)
    centres = np.array([[20.0, 0, 0], [60, 40, -20], [90, -30, 50]])
    points = np.concatenate([c + rng.normal(0, 2, (40, 3)) for c in centres])
    found, labels = kmeans(points, 3)
    again, labels_again = kmeans(points, 3)
    assert np.array_equal(found, again) and np.array_equal(labels, labels_again)
    assert np.abs(np.sort(found[:, 0]) - centres[:, 0]).max() < 2
    assert len(set(labels[:40])) == len(set(labels[40:80])) == len(set(labels[80:])) == 1


def test_clipping_keeps_the_inside_parts():
    line = np.array([[-5.0, 5], [5, 5], [15, 5], [15, 8], [5, 8]])
    pieces = clip_polyline(line, (0, 0, 10, 10))
    assert [p.tolist() for p in pieces] == [[[0, 5], [5, 5], [10, 5]], [[10, 8], [5, 8]]]
    assert clip_polyline(np.array([[20.0, 20], [30, 30]]), (0, 0, 10, 10)) == []


@pytest.mark.parametrize("pens", [1, 3, 6])
def test_one_layer_per_pen_light_first(pens):
    painting = sampled(brushes.get_brush("rectangle"), 60, seed=7)
    plot = plan_plot(painting, PlotSettings(pens=pens, tool_width=TOOL))
    assert len(plot.layers) == plot.stats.layers == pens
    assert [layer.pen.number for layer in plot.layers] == list(range(1, pens + 1))
    lightness = [to_lab(np.array([layer.pen.colour]))[0, 0] for layer in plot.layers]
    assert lightness == sorted(lightness, reverse=True)
    dark = plan_plot(painting, PlotSettings(pens=pens, dark_first=True, tool_width=TOOL))
    assert [to_lab(np.array([layer.pen.colour]))[0, 0] for layer in dark.layers] == pytest.approx(sorted(lightness))


def test_fewer_colours_than_pens_and_the_users_palette():
    colours = torch.tensor([[0.9, 0.1, 0.1], [0.1, 0.1, 0.8]])
    painting = placed(brushes.get_brush("markerpen"), 30, seed=8, colours=colours)
    assert len(plan_plot(painting, PlotSettings(pens=8)).layers) == 2
    plot = plan_plot(painting, PlotSettings(palette="#000000,#0000ff,#ffff00,#ff0000"))
    # Only the red and blue pens are used; they keep their palette positions, light (red) first.
    assert [(layer.pen.number, to_hex(layer.pen.colour)) for layer in plot.layers] == [(4, "#ff0000"), (2, "#0000ff")]


def test_transparent_strokes_are_not_plotted():
    brush = brushes.get_brush("oilpaint")
    painting = placed(brush, 10, seed=9)
    painting.strokes[:5, brush.indices("alpha")] = 0.0
    half = Painting(brush, painting.strokes[5:], WIDTH, HEIGHT)
    settings = PlotSettings(pens=2)
    assert plan_plot(painting, settings).stats.paths == plan_plot(half, settings).stats.paths > 0


# ---- ordering and well trips ----------------------------------------------------------------------
def canonical(paths: list[np.ndarray], either_way: bool) -> list[tuple]:
    """Paths as sorted tuples; a path and its reverse are the same when `either_way`."""
    keys = []
    for p in paths:
        key = tuple(map(tuple, p))
        keys.append(min(key, key[::-1]) if either_way else key)
    return sorted(keys)


def test_ordering_never_adds_travel_and_keeps_every_path():
    rng = np.random.default_rng(10)
    for _ in range(40):
        paths = [rng.uniform(0, 100, (int(rng.integers(2, 5)), 2)) for _ in range(int(rng.integers(1, 25)))]
        for reverse in (True, False):
            ordered = order_paths(paths, (0.0, 0.0), reverse)
            assert pen_up_distance(ordered, (0.0, 0.0)) <= pen_up_distance(paths, (0.0, 0.0)) + 1e-9
            assert canonical(ordered, reverse) == canonical(paths, reverse)


@pytest.mark.parametrize("reverse", [True, False])
def test_nearest_neighbour_matches_a_brute_force_search(reverse):
    rng = np.random.default_rng(20)
    paths = [rng.uniform(0, 100, (3, 2)) for _ in range(300)]
    position, left, expected = np.zeros(2), list(range(len(paths))), []
    while left:  # the plain O(n^2) greedy walk the k-d tree version must reproduce
        options = [(np.hypot(*(paths[i][0] - position)), i, False) for i in left]
        if reverse:
            options += [(np.hypot(*(paths[i][-1] - position)), i, True) for i in left]
        _, i, backwards = min(options)
        expected.append(paths[i][::-1] if backwards else paths[i])
        left.remove(i)
        position = expected[-1][-1]
    got = nearest_neighbour(paths, (0.0, 0.0), reverse)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_ordering_cuts_pen_up_travel_on_paintings(brush):
    for seed in range(3):
        stats = plan_plot(sampled(brush, 40, seed), PlotSettings(pens=3, tool_width=TOOL)).stats
        assert stats.pen_up_after <= stats.pen_up_before
        assert stats.pen_up_after < 0.8 * stats.pen_up_before  # random strokes: big savings


def test_joining_keeps_the_tool_down_across_small_gaps_only():
    paths = [np.array([[0.0, 0], [10, 0]]), np.array([[10.0, 1], [0, 1]]), np.array([[0.0, 9], [10, 9]])]
    joined = join_paths(paths, 1.0)
    assert [len(p) for p in joined] == [4, 2]  # the 1 mm step is drawn, the 8 mm one is travelled
    assert np.array_equal(np.concatenate(joined), np.concatenate(paths))
    assert pen_down_distance(joined) == pytest.approx(pen_down_distance(paths) + 1.0)
    plain = plan_plot(
        placed(brushes.get_brush("rectangle"), 20, seed=19, size=0.3),
        PlotSettings(pens=2, join=0.0, hide_covered=False),
    )
    fewer = plan_plot(
        placed(brushes.get_brush("rectangle"), 20, seed=19, size=0.3),
        PlotSettings(pens=2, join=1.0, hide_covered=False),
    )
    assert fewer.stats.paths < plain.stats.paths / 2 and fewer.stats.pen_up_after < plain.stats.pen_up_after


def test_redips_cut_paths_every_so_many_millimetres():
    rng = np.random.default_rng(11)
    paths = [np.cumsum(rng.uniform(-5, 5, (int(rng.integers(2, 9)), 2)), axis=0) for _ in range(30)]
    cut, dips = insert_redips(paths, 12.5)
    assert dips[0] == 0
    assert sum(map(polyline_length, cut)) == pytest.approx(sum(map(polyline_length, paths)))
    spans = [sum(polyline_length(p) for p in cut[a:b]) for a, b in zip(dips, dips[1:] + [len(cut)], strict=True)]
    assert spans[:-1] == pytest.approx([12.5] * (len(spans) - 1))
    assert 0 < spans[-1] <= 12.5 + 1e-9


def test_gcode_visits_the_well_at_the_right_spacing():
    painting = placed(brushes.get_brush("watercolor"), 20, seed=12)
    settings = PlotSettings(pens=2, redip_every=40.0, paint_well=(5.0, 5.0))
    plot = plan_plot(painting, settings)
    parsed = parse_gcode(gcode_text(plot, Machine()))
    assert len(parsed["dabs"]) == plot.stats.redips >= 2 + int(plot.stats.pen_down // 40) - 1
    assert all(d == pytest.approx((5.0, 5.0)) for d in parsed["dabs"])
    # Paint drawn between consecutive dips within a layer, read back from the file: 40 mm each.
    spans, drawn = [], None
    for kind, value in parsed["events"]:
        if kind == "pause":
            drawn = None  # a new colour: its first dip loads the brush
        elif kind == "dab":
            if drawn is not None:
                spans.append(drawn)
            drawn = 0.0
        else:
            drawn += polyline_length(value)
    assert len(spans) >= 3 and spans == pytest.approx([40.0] * len(spans), abs=0.01)
    assert 0 < drawn <= 40.01
    assert plot.stats.pen_up_final > plot.stats.pen_up_after


# ---- keeping the painting's layering --------------------------------------------------------------
def test_pen_runs_keep_every_overlap_the_right_way_up():
    rng = np.random.default_rng(21)
    for _ in range(20):
        n = int(rng.integers(1, 60))
        corners = rng.uniform(0, 100, (n, 2))
        boxes = np.concatenate([corners, corners + rng.uniform(1, 30, (n, 2))], axis=1)
        pens = rng.integers(1, 5, n)
        runs = pen_runs(boxes, pens, [1, 2, 3, 4])
        run_of = np.empty(n, dtype=int)
        for r, (pen, members) in enumerate(runs):
            assert (pens[members] == pen).all()
            run_of[members] = r
        assert sorted(k for _, members in runs for k in members) == list(range(n))
        for i in range(n):
            for j in range(i + 1, n):
                overlap = (boxes[i, :2] <= boxes[j, 2:]).all() and (boxes[j, :2] <= boxes[i, 2:]).all()
                if overlap and pens[i] != pens[j]:
                    assert run_of[i] < run_of[j], (i, j)


def test_pen_runs_without_overlaps_need_one_run_per_pen():
    boxes = np.array([[10.0 * k, 0, 10 * k + 5, 5] for k in range(12)])
    pens = np.array([1, 2, 3] * 4)
    runs = pen_runs(boxes, pens, [3, 1, 2])
    assert [pen for pen, _ in runs] == [3, 1, 2] and all(len(members) == 4 for _, members in runs)


def test_keep_order_paints_a_light_stroke_over_a_dark_one():
    brush = brushes.get_brush("rectangle")
    strokes = torch.zeros(2, brush.size)
    strokes[0, :5] = torch.tensor([0.5, 0.5, 0.6, 0.6, 0.0])  # a big dark square, painted first
    strokes[1, :5] = torch.tensor([0.5, 0.5, 0.1, 0.1, 0.0])  # a small light square on top of it
    strokes[0, brush.indices("colour")] = 0.2
    strokes[1, brush.indices("colour")] = 0.8
    strokes[:, brush.indices("alpha")] = 1.0
    painting = Painting(brush, strokes, WIDTH, HEIGHT)
    light_first = plan_plot(painting, PlotSettings(pens=2, tool_width=TOOL))
    layered = plan_plot(painting, PlotSettings(pens=2, tool_width=TOOL, keep_order=True))
    assert [to_hex(layer.pen.colour) for layer in light_first.layers] == ["#cccccc", "#333333"]
    assert [to_hex(layer.pen.colour) for layer in layered.layers] == ["#333333", "#cccccc"]
    assert parse_gcode(gcode_text(layered, Machine()))["pauses"] == 1


def test_keep_order_on_a_painting_changes_pens_more_and_draws_the_same():
    painting = placed(brushes.get_brush("oilpaint"), 40, seed=22, size=0.2)
    plain = plan_plot(painting, PlotSettings(pens=3, tool_width=TOOL, join=0.0))
    layered = plan_plot(painting, PlotSettings(pens=3, tool_width=TOOL, keep_order=True, join=0.0))
    assert len(layered.layers) > len(plain.layers) == 3
    assert layered.stats.paths == plain.stats.paths
    assert layered.stats.pen_down == pytest.approx(plain.stats.pen_down)
    assert {layer.pen for layer in layered.layers} == {layer.pen for layer in plain.layers}


# ---- the files, parsed back -----------------------------------------------------------------------
def inside(points: np.ndarray, box: tuple[float, float, float, float], tolerance: float) -> bool:
    x0, y0, x1, y1 = box
    return bool(
        ((points[:, 0] >= x0 - tolerance) & (points[:, 0] <= x1 + tolerance)).all()
        and ((points[:, 1] >= y0 - tolerance) & (points[:, 1] <= y1 + tolerance)).all()
    )


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
@pytest.mark.parametrize("servo", [False, True], ids=["z", "servo"])
def test_gcode_stays_on_the_paper_one_path_per_pass(brush, servo):
    plot = plan_plot(sampled(brush, 25, seed=13), PlotSettings(pens=3, tool_width=TOOL))
    width, height, margin = plot.layout.paper_width, plot.layout.paper_height, plot.layout.margin
    parsed = parse_gcode(gcode_text(plot, Machine(servo=servo)), servo=servo)
    drawn = np.concatenate(parsed["paths"])
    assert inside(drawn, (margin, margin, width - margin, height - margin), 1e-3)
    assert inside(parsed["points"], (0, 0, width, height), 1e-3)
    assert len(parsed["paths"]) == plot.stats.paths
    assert parsed["pauses"] == len(plot.layers) - 1


@pytest.mark.parametrize("brush", BRUSHES, ids=IDS)
def test_every_painted_pass_is_one_pen_down_path(brush):
    painting = placed(brush, 8, seed=14, size=0.1, spread=(0.4, 0.6))
    plot = plan_plot(painting, PlotSettings(pens=2, tool_width=2.0, join=0.0, hide_covered=False))
    tool_px = plot.layout.to_canvas(2.0)
    passes = [p for s in painting.strokes.double().numpy() for p in brush.plot_paths(s, HEIGHT, WIDTH, tool_px)]
    assert all(inside(p, (0, 0, WIDTH, HEIGHT), 0) for p in passes)  # nothing clipped in this painting
    assert len(parse_gcode(gcode_text(plot, Machine()))["paths"]) == len(passes)
    assert len(parse_hpgl(hpgl_text(plot))["paths"]) == len(passes)
    assert sum(len(g.findall(f"{SVG}path")) for g in svg_layers(plot_svg_text(plot))) == len(passes)


def test_gcode_flips_y_to_the_bottom_left_origin():
    brush = brushes.get_brush("rectangle")
    stroke = torch.zeros(1, brush.size)
    stroke[0, :5] = torch.tensor([0.1, 0.1, 0.05, 0.02, 0.0])  # a small bar near the canvas's top-left
    stroke[0, brush.indices("alpha")] = 1.0
    plot = plan_plot(Painting(brush, stroke, WIDTH, HEIGHT), PlotSettings(pens=1, margin=0, tool_width=20))
    (path,) = parse_gcode(gcode_text(plot, Machine(pen_up=3, pen_down=-1)), pen_down_z=-1)["paths"]
    assert path[:, 0].max() < 0.3 * plot.layout.paper_width and path[:, 1].min() > 0.7 * plot.layout.paper_height


def test_hpgl_selects_each_pen_and_stays_inside():
    plot = plan_plot(
        sampled(brushes.get_brush("markerpen"), 30, seed=15), PlotSettings(paper="a3", pens=4, tool_width=TOOL)
    )
    parsed = parse_hpgl(hpgl_text(plot))
    assert parsed["pens"] == [layer.pen.number for layer in plot.layers] + [0]
    m, u = plot.layout.margin, HPGL_UNITS_PER_MM
    box = (m * u, m * u, (plot.layout.paper_width - m) * u, (plot.layout.paper_height - m) * u)
    assert inside(np.concatenate(parsed["paths"]), box, 0.5)
    assert len(parsed["paths"]) == plot.stats.paths


def test_plot_svg_has_named_layers_and_renders():
    plot = plan_plot(
        sampled(brushes.get_brush("oilpaint"), 20, seed=16),
        PlotSettings(pens=3, paper="letter", orientation="portrait", tool_width=TOOL),
    )
    text = plot_svg_text(plot)
    root = ET.fromstring(text)
    assert (root.get("width"), root.get("height")) == ("215.9mm", "279.4mm")
    layers = svg_layers(text)
    assert [g.get(f"{INKSCAPE}label") for g in layers] == [
        f"{i + 1} {to_hex(ly.pen.colour)}" for i, ly in enumerate(plot.layers)
    ]
    assert all(re.fullmatch(r"\d+ #[0-9a-f]{6}", g.get(f"{INKSCAPE}label")) for g in layers)
    assert sum(len(g.findall(f"{SVG}path")) for g in layers) == plot.stats.paths
    numbers = [float(v) for g in layers for p in g.findall(f"{SVG}path") for v in re.findall(r"-?[\d.]+", p.get("d"))]
    m, paper = plot.layout.margin, (plot.layout.paper_width, plot.layout.paper_height)
    assert inside(np.array(numbers).reshape(-1, 2), (m, m, paper[0] - m, paper[1] - m), 1e-3)
    image = np.asarray(
        Image.open(io.BytesIO(cairosvg.svg2png(bytestring=text.encode(), output_width=400))).convert("RGBA")
    )
    painted = image[..., 3] > 0
    assert painted.mean() > 0.02
    # Every pen's colour appears in the render.
    for layer in plot.layers:
        target = np.array([round(c * 255) for c in layer.pen.colour])
        assert (np.abs(image[..., :3].astype(int) - target).max(axis=-1) <= 2)[painted].any()


def test_preview_shows_the_pens_on_the_paper():
    settings = PlotSettings(pens=2, tool_width=2, join=0.0, hide_covered=False)
    plot = plan_plot(placed(brushes.get_brush("rectangle"), 12, seed=17, size=0.2), settings)
    image = preview_image(plot)
    assert image.shape == (round(plot.layout.paper_height * PX_PER_MM), round(plot.layout.paper_width * PX_PER_MM), 3)
    for layer in plot.layers:
        x, y = (layer.paths[0][0] + layer.paths[0][-1]) / 2 * PX_PER_MM  # a pass's middle
        assert np.abs(image[int(y), int(x)].astype(int) - np.array(layer.pen.colour) * 255).max() < 40


# ---- the command line -----------------------------------------------------------------------------
@pytest.fixture
def stroke_file(tmp_path):
    path = tmp_path / "strokes.json"
    path.write_text(sampled(brushes.get_brush("watercolor"), 15, seed=18).to_json())
    return path


@pytest.mark.parametrize("fmt", ["gcode", "hpgl", "svg"])
def test_cli_exports_and_summarises(stroke_file, tmp_path, capsys, fmt):
    out, preview = tmp_path / f"plot.{fmt}", tmp_path / "preview.png"
    argv = ["export", str(stroke_file), "--to", fmt, "-o", str(out), "--pens", "2", "--tool-width", "4"]
    argv += ["--preview", str(preview)]
    assert cli.main(argv + ["--redip-every", "100", "--paint-well=-20,10"]) == 0
    printed = capsys.readouterr().out
    assert out.stat().st_size > 0 and Image.open(preview).size[0] > 0
    assert "2 layers" in printed and "after ordering" in printed and "paint well" in printed


@pytest.mark.parametrize(
    "options",
    [
        ["--to", "dxf"],
        ["--paper", "b5"],
        ["--paper", "30x20"],
        ["--palette", "#00000,#ffffff"],
        ["--palette", "blue"],
        ["--margin", "150"],
        ["--paper", "40x40mm", "--margin", "20"],
        ["--redip-every", "50"],
        ["--paint-well", "10"],
        ["--tool-width", "0"],
        ["--pens", "0"],
        ["--preview", "preview.jpg"],
        ["--pens", "2", "--palette", "#000000"],
        ["--join", "-1"],
        ["--pen-up", "0", "--pen-down", "2"],
        ["--feed", "0"],
    ],
)
def test_cli_bad_input_is_one_line_and_writes_nothing(stroke_file, tmp_path, capsys, options):
    out = tmp_path / "out" / "plot.gcode"
    argv = ["export", str(stroke_file), "-o", str(out)] + (["--to", "gcode"] if "--to" not in options else [])
    assert cli.main(argv + [str(tmp_path / o) if o.endswith(".jpg") else o for o in options]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("paint: error:")
    assert not out.exists() and not list(tmp_path.glob("**/*.jpg")) and not list(tmp_path.glob("**/.plot*"))


def test_cli_missing_stroke_file(tmp_path, capsys):
    out = tmp_path / "plot.svg"
    assert cli.main(["export", str(tmp_path / "nope.json"), "--to", "svg", "-o", str(out)]) == 2
    assert "no such stroke file" in capsys.readouterr().err and not out.exists()
