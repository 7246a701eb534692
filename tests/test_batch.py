"""Batches of photos: finding them, one bad photo among good ones, resuming, worker processes, bad input."""

from __future__ import annotations

import json
import os

import pytest
from PIL import Image
from skimage import data

from painter import PaintSettings
from painter.cli import main
from painter.many.batch import plan_batch, run_batch
from painter.many.inputs import find_photos
from painter.many.pool import InlineRunner, ProcessRunner, threads_per_worker
from painter.many.tasks import PhotoTask, paint_photo

FAST = PaintSettings(brush="rectangle", strokes=6, size=32, renderer="exact", steps=2, animation="none")
FLAGS = ["--brush", "rectangle", "--strokes", "6", "--size", "32", "--renderer", "exact", "--steps", "2"]
FLAGS += ["--no-animation", "--quiet"]


@pytest.fixture
def photos(tmp_path):
    """A folder of three small photos."""
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(data.chelsea()).resize((48, 32)).save(folder / "cat.png")
    Image.fromarray(data.astronaut()).resize((40, 40)).save(folder / "astronaut.jpg")
    Image.fromarray(data.coffee()).resize((48, 32)).save(folder / "coffee.png")
    return folder


def test_a_folder_gives_its_photos_by_name_and_each_its_own_folder(photos, tmp_path):
    (photos / "notes.txt").write_text("not a photo")
    found = find_photos([photos, photos / "cat.png"])  # a photo named twice is painted once
    assert [p.name for p in found] == ["astronaut.jpg", "cat.png", "coffee.png"]
    items = plan_batch(found, tmp_path / "out", "rectangle")
    assert [i.folder.name for i in items] == ["astronaut-rectangle", "cat-rectangle", "coffee-rectangle"]
    clash = plan_batch([photos / "a.jpg", photos / "a.png"], tmp_path, "oilpaint")
    assert [i.folder.name for i in clash] == ["a.jpg-oilpaint", "a.png-oilpaint"]


@pytest.mark.parametrize(
    "case, error, message",
    [
        ("empty folder", ValueError, "is empty"),
        ("no photos", ValueError, "holds no photos"),
        ("missing", FileNotFoundError, "no such photo or folder"),
        ("video among photos", ValueError, "paint a video on its own"),
    ],
)
def test_find_photos_names_what_is_wrong(tmp_path, case, error, message):
    folder = tmp_path / "in"
    folder.mkdir()
    given = [folder]
    if case == "no photos":
        (folder / "notes.txt").write_text("hello")
    if case == "missing":
        given = [tmp_path / "nothing.jpg"]
    if case == "video among photos":
        given = [tmp_path / "clip.mp4"]
        given[0].write_bytes(b"")
    with pytest.raises(error, match=message):
        find_photos(given)


def test_one_corrupt_photo_fails_alone_and_the_summary_names_it(photos, tmp_path, capsys):
    (photos / "broken.jpg").write_bytes(b"\xff\xd8 this is not a JPEG")
    out = tmp_path / "out"
    code = main([str(photos), "--out", str(out), *FLAGS[:-1]])  # not --quiet: the table is printed
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "astronaut-rectangle", "cat-rectangle", "coffee-rectangle", "summary.json"
    ]  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["painted"], summary["failed"], summary["skipped"]) == (3, 1, 0)
    bad = [p for p in summary["photos"] if p["status"] == "failed"]
    assert len(bad) == 1 and bad[0]["photo"].endswith("broken.jpg") and "cannot read" in bad[0]["error"]
    good = [p for p in summary["photos"] if p["status"] == "painted"]
    assert all(p["strokes"] >= 5 and p["psnr"] > 10 and p["error"] is None for p in good)
    printed = capsys.readouterr()
    assert "broken.jpg" in printed.out and "3 painted, 1 failed" in printed.out


def test_an_interrupted_batch_resumes_without_repainting_finished_photos(photos, tmp_path):
    out = tmp_path / "out"
    items = plan_batch(find_photos([photos]), out, "rectangle")
    batch = run_batch(items, FAST, InlineRunner())
    first = next(batch)  # one photo saved, then the batch is stopped
    batch.close()
    assert first.status == "painted" and sorted(p.name for p in out.iterdir()) == ["astronaut-rectangle"]
    # What a crash mid-save leaves beside the folders: a partial set, never taken as a painting.
    (out / ".cat-rectangle.partial-x1").mkdir()
    (out / ".cat-rectangle.partial-x1" / "metrics.json").write_text("{")
    done = (out / "astronaut-rectangle" / "metrics.json").stat().st_mtime_ns
    assert main([str(photos), "--out", str(out), *FLAGS]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [p["status"] for p in summary["photos"]] == ["skipped", "painted", "painted"]
    assert summary["photos"][0]["strokes"] == first.strokes and summary["photos"][0]["psnr"] == first.psnr
    assert (out / "astronaut-rectangle" / "metrics.json").stat().st_mtime_ns == done
    # Other settings, or a changed photo, are painted again (the earlier painting is replaced as a whole).
    assert main([str(photos), "--out", str(out), *FLAGS, "--seed", "3"]) == 0
    assert all(p["status"] == "painted" for p in json.loads((out / "summary.json").read_text())["photos"])
    Image.fromarray(data.astronaut()).resize((40, 40)).rotate(90).save(photos / "astronaut.jpg")
    assert main([str(photos), "--out", str(out), *FLAGS, "--seed", "3"]) == 0
    statuses = [p["status"] for p in json.loads((out / "summary.json").read_text())["photos"]]
    assert statuses == ["painted", "skipped", "skipped"]


@pytest.mark.parametrize(
    "case, message",
    [
        ("empty folder", "is empty"),
        ("no photos", "holds no photos"),
        ("workers 0", "--workers: must be at least 1"),
        ("a file as the parent", "several photos or a video go into a folder"),
        ("video flag for photos", "--max-frames is for a video"),
    ],
)
def test_bad_batch_input_is_one_line_exit_2_and_nothing_written(photos, tmp_path, capsys, case, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    if case == "no photos":
        (empty / "readme.md").write_text("no photos here")
    out = tmp_path / "out"
    args = {
        "empty folder": [str(empty), "--out", str(out)],
        "no photos": [str(empty), "--out", str(out)],
        "workers 0": [str(photos), "--out", str(out), "--workers", "0"],
        "a file as the parent": [str(photos), "-o", str(tmp_path / "out.png")],
        "video flag for photos": [str(photos), "--out", str(out), "--max-frames", "3"],
    }[case]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists() and not (tmp_path / "out.png").exists()


def test_threads_per_worker_fit_the_cores():
    assert [threads_per_worker(n, cores=8) for n in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    with pytest.raises(ValueError, match="at least 1, got 0"):
        threads_per_worker(0)


def _dies_once(task, report=None):
    """A task whose worker process dies the first time it runs it (a real os._exit, as when killed)."""
    marker = task.settings.style_weight  # unused by the painting; carries nothing
    del marker
    flag = os.environ["PAINT_TEST_DIES_ONCE"]
    if not os.path.exists(flag):
        open(flag, "w").close()
        os._exit(1)
    return paint_photo(task, report)


def test_worker_processes_paint_the_same_strokes_and_survive_a_dead_worker(photos, tmp_path, monkeypatch):
    tasks = [PhotoTask(p.name, p.read_bytes(), FAST, threads=1) for p in sorted(photos.iterdir())]
    alone = [paint_photo(t) for t in tasks]
    monkeypatch.setenv("PAINT_TEST_DIES_ONCE", str(tmp_path / "died"))
    runner = ProcessRunner(workers=2, threads=1)
    seen = []
    try:
        results = dict(runner.run(_dies_once, tasks, on_progress=lambda *m: seen.append(m)))
    finally:
        runner.close()
    assert (tmp_path / "died").exists()  # one worker did die mid-batch
    assert sorted(results) == [0, 1, 2] and all(r.error is None for r in results.values())
    assert [results[i].painting["strokes"] for i in range(3)] == [r.painting["strokes"] for r in alone]
    assert seen and all(done <= total for _, done, total in seen)
