"""What the stages promise beyond step counts: a style painting's canvas stage lowers its loss (style term
included), a palette painting stays in its palette in every stage, and a loss term moves only its groups."""

from __future__ import annotations

import torch

import brushes
from painter import PaintJob, PaintSettings
from painter.engine.objective import GROUPS, Objective, Term, View


def test_a_style_paintings_canvas_stage_lowers_its_loss(files):
    job = PaintJob(
        files / "cat.png", PaintSettings(size=64, strokes=40, style=str(files / "coffee.png"), animation="none")
    )
    canvas = [r.loss for r in job.run() if r.kind == "canvas" and r.stage == len(job.schedule) - 2]
    assert len(canvas) >= 8
    assert sum(canvas[-3:]) < 0.9 * sum(canvas[:3])
    assert "style" in [t["name"] for t in job.finish().metrics["run"]["stages"][-1]["terms"]]


def test_a_palette_painting_is_drawn_in_its_palette_in_every_stage(files):
    palette = ["#202020", "#d04020", "#f0e8d0", "#3060a0"]
    job = PaintJob(files / "cat.png", PaintSettings(brush="rectangle", size=48, strokes=20, palette=",".join(palette),
                                                    renderer="exact", steps=2, animation="none"))  # fmt: skip
    colours = torch.tensor([[int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)] for h in palette])
    tools, stage = job.painter.tools, None
    for report in job.run():
        if report.stage_step != report.stage_steps:
            continue
        strokes = job.painter.state.strokes()
        # What each drawer of the stages draws from the free strokes, at the pixels they ink: palette colours only.
        for name, drawer in tools.drawers.items():
            places = drawer.layout(strokes, 32, 48)
            colour, alpha = drawer.draw(strokes, places, 32, 48)
            inked = colour[:, alpha > 0.5].T  # (m, 3)
            assert _off_palette(inked, colours) < 1e-6, (report.stage, name)
        stage = report.stage
    assert stage == len(job.schedule) - 1
    used = job.painting().strokes[:, job.brush.indices("colour")]
    assert _off_palette(used, colours) < 1e-6


def _off_palette(colours: torch.Tensor, palette: torch.Tensor) -> float:
    """How far the colours (n, 3) furthest from the palette (k, 3) are from their nearest palette colour."""
    return float((colours[:, None] - palette[None]).abs().amax(dim=-1).min(dim=1).values.max())


def test_a_term_moves_only_the_stroke_values_of_its_groups():
    brush = brushes.get_brush("rectangle")
    params = torch.rand(4, brush.size, requires_grad=True)
    colour = brush.indices("colour")

    def loss(view):
        return (view.canvas**2).sum()

    objective = Objective(brush, [Term("all", 1.0, loss), Term("colour only", 1.0, loss, groups=("colour",))])
    view = View(params * 2, params, 1.0, lambda: (params, 1.0))
    objective.minimise(params, view, "block")
    expected = 8 * params.detach()  # d/dp (2p)^2 = 8p for the free term ...
    expected[:, colour] *= 2  # ... and again for the colour term, on colours only
    assert torch.allclose(params.grad, expected)
    assert set(GROUPS) == {"shape", "colour", "alpha"}
