"""painter.cli.common and the command's start: number options, user errors against bugs, exit codes, no
torch before a command needs it, and the OpenMP policy applied by the command rather than by an import."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from painter.cli import main
from painter.cli.common import REPORT_BUG, number

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(
    "reader, text, expected",
    [
        (number(int, 1), "3", 3),
        (number(int, 1), "0", "must be at least 1, got 0"),
        (number(int, 1), "2.5", "expected a whole number, got '2.5'"),
        (number(int, 0, 65535), "70000", "must be between 0 and 65535, got 70000"),
        (number(float, 0), "-1", "must be a number of at least 0, got -1"),
        (number(float, 0), "inf", "expected a number, got 'inf'"),
        (number(float, 0), "nan", "expected a number, got 'nan'"),
        (number(float, 0, above=True), "0", "must be a number more than 0, got 0"),
        (number(float, 0, 1, what="a share between 0 and 1"), "x", "expected a share between 0 and 1, got 'x'"),
        (number(float, 0, 1), "1.5", "must be a number between 0 and 1, got 1.5"),
        (number(float, high=2), "3", "must be a number of at most 2, got 3"),
        (number(float), "inf", float("inf")),  # unbounded: the library it is for names its own limits
        (number(float, what="seconds"), "soon", "expected seconds, got 'soon'"),
    ],
)
def test_number_options(reader, text, expected):
    if isinstance(expected, str):
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            reader(text)
        assert str(caught.value) == expected
    else:
        assert reader(text) == expected and type(reader(text)) is type(expected)


def test_no_number_converter_outside_the_factory():
    """Every number flag of every command is built by number(): no hand-written converter is left."""
    from painter.cli import build_parser

    def actions(parser):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from actions(sub)
            else:
                yield action

    types = {a.type for a in actions(build_parser()) if a.type is not None}
    names = {t.__qualname__ for t in types}
    assert names <= {"number.<locals>.read", "point_mm"}, names


def loaded_modules(*argv: str, stdin: str = "") -> tuple[int, str, list[str]]:
    """Run `paint argv` in a fresh interpreter: its exit code, stderr and the torch modules it loaded."""
    script = (
        "import json, sys\n"
        "from painter.__main__ import main\n"
        f"sys.argv = ['paint', *{list(argv)!r}]\n"
        "try:\n"
        "    code = main()\n"
        "except SystemExit as stop:  # argparse's own --help exits\n"
        "    code = stop.code\n"
        "print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] == 'torch')]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, input=stdin, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    code, torch_modules = json.loads(done.stdout.strip().splitlines()[-1])
    return code, done.stderr, torch_modules


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["--version"], 0, ""),
        (["--help"], 0, ""),
        (["export", "--help"], 0, ""),
        (["cat.jpg", "--quality", "best"], 2, "argument --quality: invalid choice: 'best'"),
        (["cat.jpg", "--strokes", "many"], 2, "argument --strokes: expected a whole number, got 'many'"),
        (["cat.jpg", "--size", "8"], 2, "--size: must be between 32 and 4096, got 8"),
        (["cat.jpg", "--colour", "red"], 2, "unrecognized arguments: --colour red"),
        (["render"], 2, "the following arguments are required"),
    ],
)
def test_help_version_and_usage_errors_load_no_torch(argv, code, message):
    got, err, torch_modules = loaded_modules(*argv)
    assert got == code and torch_modules == []
    if message:
        assert err.count("\n") == 1 and err.startswith("paint: error: ") and message in err, err


def test_version_answers_quickly():
    """Measured here under whatever load the machine has; the target, 0.5 s idle, is in the README."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "painter", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("paint ")
    assert time.perf_counter() - started < 5  # importing torch alone took 2.7 s idle, up to 25 s loaded


def test_a_user_error_is_one_line_and_a_bug_shows_its_traceback(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "missing.txt"
    assert main([str(tmp_path / "cat.png"), "--palette-file", str(missing), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("paint: error: ") and "missing.txt" in err

    from PIL import Image
    from skimage import data

    Image.fromarray(data.chelsea()).resize((48, 32)).save(tmp_path / "cat.png")

    def broken(self):  # a ValueError deep inside the painting is a bug, not the user's mistake
        raise ValueError("an internal invariant broke")

    monkeypatch.setattr("painter.job.PaintJob.run", broken)
    code = main([str(tmp_path / "cat.png"), "--size", "32", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback (most recent call last)" in err and "ValueError: an internal invariant broke" in err
    assert err.rstrip().endswith(REPORT_BUG)
    assert not (tmp_path / "out").exists()


def test_openmp_policy_is_set_by_the_command_not_by_an_import():
    script = (
        "import os\n"
        "import painter.cli, painter.job\n"
        "before = os.environ.get('GOMP_SPINCOUNT')\n"
        "from painter.omp import use_paint_threads\n"
        "print(before, use_paint_threads(), os.environ['GOMP_SPINCOUNT'], os.environ['OMP_WAIT_POLICY'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120).stdout
    # Importing sets nothing; called after torch loaded, it says the policy came too late for this process.
    assert out.split() == ["None", "False", "10000", "PASSIVE"]
    env["GOMP_SPINCOUNT"] = "5"  # a user's own value wins
    script = (
        "from painter.omp import use_paint_threads; import os; print(use_paint_threads(), os.environ['GOMP_SPINCOUNT'])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60).stdout
    assert out.split() == ["True", "5"]


def test_every_setting_has_its_flag_and_the_settings_choices():
    from dataclasses import fields

    from painter import settings
    from painter.cli import build_parser
    from painter.cli.common import flag

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    options = {o: a for a in sub.choices["photo"]._actions for o in a.option_strings}
    assert {flag(f.name) for f in fields(settings.PaintSettings)} <= set(options)
    chosen = {"quality": settings.QUALITIES, "device": settings.DEVICES, "renderer": settings.RENDERERS}
    chosen |= {"animation": settings.ANIMATIONS, "style_mode": settings.STYLE_MODES}
    for name, choices in chosen.items():
        assert options[flag(name)].choices is choices, name  # the settings' own tuple, not a copy
