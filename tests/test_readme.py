"""Every shell example in the README is run: by `make`, by this file (the cheap ones), or by a named test
that runs the same command with small settings. A README command that does not work is a bug, and a new
one without an entry in COVERED fails here until someone says what runs it."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"

# The set-up lines: the same steps as `make setup` (a virtual environment, torch first, then the package),
# which every other test here runs under; they reach the package index, so no test runs them as written.
SETUP = "make setup"
RUN_HERE = "run here"  # cheap: this file runs it (see test_cheap_readme_commands_run)

# Each README command (its words as the shell splits them, comments dropped) and what runs it.
COVERED = {
    "python3 -m venv .venv && . .venv/bin/activate": SETUP,
    "pip install torch --index-url https://download.pytorch.org/whl/cpu": SETUP,
    "pip install paint-strokes": SETUP,
    "uv venv && . .venv/bin/activate": SETUP,
    "uv pip install torch --index-url https://download.pytorch.org/whl/cpu": SETUP,
    "uv pip install paint-strokes": SETUP,
    ". .venv/bin/activate": SETUP,
    "make demo": "make demo",
    "make test": "make test",
    ".venv/bin/paint outputs/chelsea.png --brush watercolor": "tests/test_cli.py::test_paint_photo_end_to_end",
    "paint photo.jpg": "tests/test_cli.py::test_paint_photo_end_to_end",
    "paint photo.jpg --brush watercolor --strokes 1000 --render-size 2048": (
        "tests/test_cli.py::test_render_size_draws_larger_and_no_animation_skips_the_gif"
    ),
    "paint photo.jpg -o painting.svg": "tests/test_cli.py::test_one_output_file_chosen_by_its_extension",
    "paint serve": "tests/web/test_server.py::test_paint_serve_prints_its_url_serves_and_stops_cleanly_on_sigterm",
    "paint holiday/ --out paintings/": (
        "tests/test_batch.py::test_one_corrupt_photo_fails_alone_and_the_summary_names_it"
    ),
    "paint clip.mp4 --brush markerpen --strokes 300": (
        "tests/test_video.py::test_a_clip_becomes_a_painted_mp4_with_every_frame"
    ),
    "paint photo.jpg --style starry_night.jpg": "tests/test_style_term.py::test_styled_painting_is_closer_to_the_style",
    "paint photo.jpg --palette #1b1b1b,#c03020,#2050a0,#e8c040,#f4f0e6 --opaque": (
        "tests/test_palette_painting.py::test_export_keeps_more_paints_than_the_default_four"
    ),
    "paint render strokes.json -o process.mp4": "tests/test_animation.py::test_render_writes_mp4_and_animated_svg",
    "paint brushes": RUN_HERE,
    "paint brushes new dab --texture stroke.jpg --two-colour": (
        "tests/brushes/test_scanned.py::test_the_brush_lives_in_the_user_folder_and_the_registry_finds_it"
    ),
    "paint export strokes.json --to gcode -o painting.gcode --pens 4 --preview plot.png": (
        "tests/plotter/test_cli_export.py::test_cli_exports_and_summarises"
    ),
    "vpype paintread strokes.json --pens 4 linesort write out.svg": (
        "tests/test_vpype_plugin.py::test_vpype_paintread_agrees_with_paint_export"
    ),
    "paint eval-renderer --brush oilpaint": "tests/renderers/test_model.py::test_cli_eval_renderer",
}


def readme_blocks(language: str) -> list[str]:
    """The text of every fenced block of `language` in the README."""
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def readme_commands() -> list[str]:
    """Every command line of the README's shell blocks, as its words joined by one space."""
    commands = []
    for block in readme_blocks("sh"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(" ".join(words))
    return commands


def test_every_readme_command_says_what_runs_it():
    commands = readme_commands()
    assert len(commands) >= 10
    missing = [command for command in commands if command not in COVERED]
    assert not missing, f"README commands nothing runs (add them to COVERED): {missing}"
    gone = [command for command in COVERED if command not in commands]
    assert not gone, f"COVERED names commands the README no longer has: {gone}"


@pytest.mark.parametrize("command", sorted(c for c, by in COVERED.items() if "::" in by))
def test_the_test_named_runs_that_command_with_its_options(command):
    """The named test exists, and its file uses the command's subcommand and every option it shows."""
    path, name = COVERED[command].split("::")
    source = (ROOT / path).read_text(encoding="utf-8")
    assert re.search(rf"^def {name}\(", source, flags=re.M), f"{path} has no test {name}"
    words = command.split()
    program = words[0].rsplit("/", 1)[-1]
    subcommand = words[1] if len(words) > 1 and re.fullmatch(r"[a-z-]+", words[1]) else None
    if subcommand:
        assert f'"{subcommand}"' in source, f"{path} never runs `{program} {subcommand}`"
    for word in words:
        if word.startswith("--"):
            assert f'"{word.split("=")[0]}"' in source, f"{path} never passes {word}"
    if program == "paint" and not subcommand:
        assert "main(" in source or '"painter"' in source or "run(" in source  # it runs the command itself


def test_make_targets_and_setup_steps_are_the_makefiles():
    makefile = MAKEFILE.read_text(encoding="utf-8")
    for target in {by.split()[1] for by in COVERED.values() if by.startswith("make ")}:
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"the Makefile has no target {target}"
    # `make setup` does what the README's pip lines do, in the same order: a venv, torch, then the package.
    venv, torch, package = (makefile.index(step) for step in ("-m venv", '"$(TORCH_SPEC)"', "pip install -q -e"))
    assert venv < torch < package
    demo = makefile[makefile.index("\ndemo:") :]
    assert "$(VENV)/bin/paint outputs/chelsea.png" in demo  # what the README runs after it, from .venv/bin


def test_cheap_readme_commands_run():
    for command in (c for c, by in COVERED.items() if by == RUN_HERE):
        words = command.split()
        assert words[0] == "paint"
        done = subprocess.run(
            [sys.executable, "-m", "painter", *words[1:]], capture_output=True, text=True, cwd=ROOT, timeout=300
        )
        assert done.returncode == 0, f"{command}: {done.stderr}"
        assert "oilpaint" in done.stdout and "watercolor" in done.stdout


def test_readme_python_example_names_real_things():
    """The Python example is the library's own call (running it paints 1,000 strokes: docs/painting.md's
    API is tested in tests/test_job.py); here its imports and the names it calls must exist."""
    blocks = readme_blocks("python")
    assert blocks
    for block in blocks:
        compile(block, "README.md", "exec")  # valid Python
        for line in block.splitlines():
            if line.startswith(("from ", "import ")):
                exec(line, {})  # noqa: S102 - the README's own import line


def test_readme_links_to_files_that_exist():
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+?)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (ROOT / target).exists(), f"the README links to {target}, which does not exist"
