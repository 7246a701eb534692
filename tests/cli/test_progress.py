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
from painter.cli.progress import Reporter
from painter.progress_clock import Clock

FAST = ["--size", "48", "--steps", "4", "--strokes", "20", "--brush", "rectangle", "--renderer", "exact"]


def fake_job(*stages: tuple[int, float]):
    """A job whose schedule has stages of (steps, cost of one step)."""
    schedule = [SimpleNamespace(steps=steps, cost=cost, kind="block") for steps, cost in stages]
    return SimpleNamespace(schedule=schedule, total_steps=sum(s for s, _ in stages))


def step(job, stage: int, stage_step: int):
    """The Progress the engine reports after `stage_step` steps of `stage`."""
    steps = [s.steps for s in job.schedule]
    return SimpleNamespace(
        stage=stage,
        kind="block",
        stage_step=stage_step,
        stage_steps=steps[stage],
        step=sum(steps[:stage]) + stage_step,
        steps=sum(steps),
        strokes=1,
        loss=0.5,
        level=stage + 1,
        levels=len(steps),
    )


def test_the_eta_weights_later_stages_by_their_cost():
    # 10 cheap steps (cost 1) then 10 dear ones (cost 9): after the cheap ones, 90% of the work is left.
    job = fake_job((10, 1.0), (10, 9.0))
    clock = Clock(job)
    clock.started -= 10.0  # the cheap stage took 10 s
    assert clock.eta(step(job, 0, 10)) == pytest.approx(90.0, abs=0.1)  # counting steps alike would say 10 s
    assert clock.done(step(job, 1, 5)) == 10 + 45


def test_the_current_stage_goes_on_at_its_own_pace():
    job = fake_job((10, 1.0), (10, 1.0))
    clock = Clock(job)
    clock.started -= 10.0
    clock.last -= 10.0  # 5 steps of the first stage took 10 s: 2 s a step, where the costs say 1 unit
    # 5 steps left here at 2 s, then 10 units at 10 s per 5 units done.
    assert clock.eta(step(job, 0, 5)) == pytest.approx(5 * 2 + 10 * 2, abs=0.1)


def test_a_log_gets_a_line_per_stage():
    log = io.StringIO()  # not a terminal
    job = fake_job((3, 1.0), (2, 4.0))
    reporter = Reporter(job, "auto", log)
    for stage, stage_step in [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)]:
        reporter.update(step(job, stage, stage_step))
    reporter.close()
    lines = log.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["stage 1/2, level 1/2", "stage 2/2, level 2/2"]
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
