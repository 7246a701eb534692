"""The benchmark's bookkeeping (benchmarks/paint_photos.py), on made-up results: the median row, the
issue's targets met or missed, the results file an interrupted run goes on from, the commands it runs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

# benchmarks/ is a folder of scripts, not an installed package: load the module from its file.
_SPEC = importlib.util.spec_from_file_location(
    "bench_paint_photos", Path(__file__).resolve().parents[1] / "benchmarks" / "paint_photos.py"
)
bench = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = bench  # dataclasses look their module up there
_SPEC.loader.exec_module(bench)


def rows(*pairs: tuple[float, float, float, float]) -> list[tuple[str, dict, dict]]:
    """(paint dB, paint s, primitive dB, primitive s) per photo -> the benchmark's rows."""
    return [
        (f"photo{i}", {"psnr": a, "seconds": s, "peak_mb": 100.0 * (i + 1)}, {"psnr": b, "seconds": t})
        for i, (a, s, b, t) in enumerate(pairs)
    ]


def test_the_table_ends_with_the_median_of_each_column():
    table = bench.case_table(rows((21.0, 10.0, 20.0, 20.0), (25.0, 30.0, 26.0, 20.0), (30.0, 20.0, 28.0, 10.0)))
    lines = table.splitlines()
    assert lines[2] == "| photo0 | 21.00 | 10.0 | 100 | 20.00 | 20.0 | +1.00 | 0.50 |"
    assert lines[-1] == "| **median** | **25.00** | **20.0** | **200** | **26.00** | **20.0** | **+1.00** | **1.50** |"


def test_targets_say_met_or_missed_with_the_deciding_figure():
    target = bench.CASES["rectangle-300"].target  # median +1.0 dB, no photo below primitive, median time <= 1x
    found = bench.verdicts(target, rows((21.5, 10.0, 20.0, 20.0), (25.9, 30.0, 26.0, 20.0), (30.0, 9.0, 28.0, 10.0)))
    assert found == [
        "met: median difference dB 1.50 (>= 1)",
        "MISSED: lowest difference dB -0.10 (>= 0)",
        "met: median time ratio 0.90 (<= 1)",
    ]


def test_the_absolute_targets_of_the_large_painting_and_the_demo():
    big = [("a", {"psnr": 28.0, "seconds": 590.0, "peak_mb": 4100.0}, None)]
    assert bench.verdicts(bench.CASES["oil-5000-1024"].target, big) == [
        "met: longest s 590.00 (<= 600)",
        "MISSED: highest peak MB 4100.00 (<= 4096)",
    ]
    demo = [("chelsea", {"psnr": 26.82, "seconds": 18.0, "peak_mb": 900.0}, None)]
    assert bench.verdicts(bench.CASES["demo"].target, demo) == [
        "met: median s 18.00 (<= 18.7)",
        "met: median dB 26.82 (>= 26.8)",
    ]


def test_results_are_kept_per_code_version_for_a_run_that_goes_on(tmp_path):
    path = tmp_path / "results.json"
    first = bench.Results(path, "abc123", fresh=False)
    first.put("chelsea | paint --strokes 30", {"psnr": 20.0})
    assert json.loads(path.read_text()) == {"abc123": {"chelsea | paint --strokes 30": {"psnr": 20.0}}}
    again = bench.Results(path, "abc123", fresh=False)
    assert again.get("chelsea | paint --strokes 30") == {"psnr": 20.0} and again.reused == {
        "chelsea | paint --strokes 30"
    }
    assert bench.Results(path, "def456", fresh=False).get("chelsea | paint --strokes 30") is None  # other code
    assert bench.Results(path, "abc123", fresh=True).get("chelsea | paint --strokes 30") is None


def test_paint_commands_fix_the_seed_and_the_demo_takes_the_defaults():
    settings_free = bench.paint_args(bench.CASES["oil-3000-fine"], 3000, 512, [])
    assert settings_free == [
        "--brush", "oilpaint", "--strokes", "3000", "--size", "512", "--seed", "1", "--no-animation",
        "--quality", "fine",
    ]  # fmt: skip
    assert bench.paint_args(bench.CASES["demo"], 500, 512, []) == []


def test_a_second_run_of_the_same_code_measures_nothing_again(tmp_path, monkeypatch):
    calls = []

    def fake_paint(photo: Path, args: list[str], out: Path) -> dict:
        calls.append(("paint", photo.name, tuple(args)))
        return {"psnr": 25.0, "ssim": 0.5, "strokes": 1, "seconds": 2.0, "peak_mb": 10.0}

    def fake_primitive(binary: str, photo: Path, count: int, size: int, out: Path) -> dict:
        calls.append(("primitive", photo.name, count))
        return {"psnr": 24.0, "ssim": 0.5, "seconds": 4.0, "peak_mb": 5.0}

    monkeypatch.setattr(bench, "run_paint", fake_paint)
    monkeypatch.setattr(bench, "run_primitive", fake_primitive)
    settings = bench.Settings(["chelsea", "page"], ["rectangle-300", "oil-1000", "oil-3000", "demo"], "primitive",
                              tmp_path, None, None, [])  # fmt: skip
    rows = bench.benchmark(settings, bench.Results(tmp_path / "results.json", "abc123", fresh=False))
    # primitive once per photo and shape count (oil 3000 is compared with the 1,000 shapes oil 1000 was);
    # the demo three times, on chelsea only
    assert sorted(c for c in calls if c[0] == "primitive") == [
        ("primitive", "chelsea.png", 300), ("primitive", "chelsea.png", 1000),
        ("primitive", "page.png", 300), ("primitive", "page.png", 1000),
    ]  # fmt: skip
    assert [label for label, _, _ in rows["demo"]] == ["chelsea", "chelsea (run 2)", "chelsea (run 3)"]
    assert [label for label, _, _ in rows["oil-3000"]] == ["chelsea", "page"]
    assert rows["oil-3000"][0][2]["psnr"] == 24.0 and rows["demo"][0][2] is None
    assert len(calls) == 4 + 3 * 2 + 3 and (tmp_path / "photos" / "page.png").is_file()
    calls.clear()
    again = bench.Results(tmp_path / "results.json", "abc123", fresh=False)
    assert bench.benchmark(settings, again) == rows and calls == [] and len(again.reused) == 4 + 3 * 2 + 3
