"""How `paint PHOTO` reports progress: an ETA weighted by stage cost, JSON lines for scripts, a line per
stage (no carriage returns) when stderr is a log, and nothing with --quiet."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from PIL import Image
from skimage import data

from painter.cli import main
from painter.cli.progress import Clock, Reporter

FAST = ["--size", "48", "--steps", "4", "--strokes", "20", "--brush", "rectangle", "--renderer", "exact"]


def fake_job(*stages: tuple[int, float]):
    """A job whose schedule has stages of (steps, cost of one step)."""
    schedule = [SimpleNamespace(steps=steps, cost=cost, kind="block") for steps, cost in stages]
    return SimpleNamespace(schedule=schedule, total_steps=sum(s for s, _ in stages))


def step(stage: int, stage_step: int, step: int, steps: int):
    return SimpleNamespace(
        stage=stage, kind="block", stage_step=stage_step, step=step, steps=steps, strokes=1, loss=0.5, level=1
    )


def test_the_eta_weights_steps_by_their_stage_cost():
    # 10 cheap steps (cost 1) then 10 dear ones (cost 9): after the cheap ones, 90% of the work is left.
    clock = Clock(fake_job((10, 1.0), (10, 9.0)))
    clock.started -= 10.0  # the cheap stage took 10 s
    eta = clock.eta(step(0, 10, 10, 20), 10)
    assert eta == pytest.approx(90.0, rel=0.01)  # counting steps alike would say 10 s
    assert clock.done(step(1, 5, 15, 20), 15) == 10 + 45


def test_without_a_schedule_every_step_counts_alike():
    clock = Clock(SimpleNamespace(total_steps=40))
    clock.started -= 4.0
    assert clock.eta(SimpleNamespace(stage="level", step=2, steps=8), 10) == pytest.approx(12.0, rel=0.01)


def test_a_log_gets_a_line_per_stage():
    log = io.StringIO()  # not a terminal
    reporter = Reporter(fake_job((3, 1.0), (2, 4.0)), "auto", log)
    for n, (stage, stage_step) in enumerate([(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)], start=1):
        reporter.update(step(stage, stage_step, n, 5))
    reporter.close()
    lines = log.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["stage 1/2 (block)", "stage 2/2 (block)"]
    assert "\r" not in log.getvalue()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).resize((72, 48)).save(path)
    return path


def test_progress_json_is_one_object_per_step(photo, tmp_path, capsys):
    assert main([str(photo), *FAST, "--progress", "json", "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in err.splitlines()]
    assert records and [r["step"] for r in records] == list(range(1, len(records) + 1))
    assert records[-1]["step"] == records[-1]["steps"] and records[-1]["eta"] == 0
    for r in records:
        assert set(r) == {"stage", "step", "steps", "strokes", "loss", "elapsed", "eta"}
        assert r["elapsed"] >= 0 and (r["eta"] is None or r["eta"] >= 0)
    assert [r["elapsed"] for r in records] == sorted(r["elapsed"] for r in records)
    assert out.startswith(f"wrote {tmp_path / 'out'}/: ")  # the summary still goes to stdout


def test_a_log_of_a_painting_has_no_carriage_returns_and_quiet_says_nothing(photo, tmp_path, capsys):
    assert main([str(photo), *FAST, "--out", str(tmp_path / "a")]) == 0
    out, err = capsys.readouterr()
    assert "\r" not in err and err.startswith("paint: ") and len(err.splitlines()) >= 2
    assert all(" left" in line for line in err.splitlines())
    assert main([str(photo), *FAST, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main([str(photo), *FAST, "--quiet", "--progress", "json"]) == 2
    assert "give either --quiet or --progress json" in capsys.readouterr().err
