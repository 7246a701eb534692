"""A batch under signals and odd folder entries: SIGTERM stops it (the rest "not painted", exit 143), a
SIGKILLed driver takes its worker processes with it, and links to nothing, loops of links and links to
devices are listed as failed photos rather than dropped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from painter.cli import main

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--brush", "rectangle", "--strokes", "6", "--size", "32", "--renderer", "exact", "--steps", "2"]
FLAGS += ["--no-animation", "--quiet"]
SLOW = ["--brush", "rectangle", "--strokes", "40", "--size", "64", "--renderer", "exact", "--steps", "400"]
SLOW += ["--no-animation"]


def photo_folder(path: Path, count: int = 3) -> Path:
    path.mkdir()
    for index, image in enumerate([data.astronaut(), data.chelsea(), data.coffee()][:count]):
        Image.fromarray(image).resize((48, 32)).save(path / f"p{index}.png")
    return path


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_batch(folder: Path, out: Path, *flags: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "painter", str(folder), "--out", str(out), *SLOW, *flags]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_odd_links_in_a_folder_are_listed_as_failed(tmp_path, capsys):
    folder = photo_folder(tmp_path / "in", count=1)
    (folder / "gone.jpg").symlink_to(folder / "deleted.jpg")
    (folder / "loop1.png").symlink_to(folder / "loop2.png")
    (folder / "loop2.png").symlink_to(folder / "loop1.png")
    (folder / "zero.png").symlink_to("/dev/zero")
    out = tmp_path / "out"
    assert main([str(folder), "--out", str(out), *FLAGS]) == 1
    photos = json.loads((out / "summary.json").read_text())["photos"]
    assert [(Path(p["photo"]).name, p["status"], p["error"]) for p in photos] == [
        ("gone.jpg", "failed", f"{folder / 'gone.jpg'} is a broken symbolic link, not a photo"),
        ("loop1.png", "failed", f"{folder / 'loop1.png'} is a loop of symbolic links, not a photo"),
        ("loop2.png", "failed", f"{folder / 'loop2.png'} is a loop of symbolic links, not a photo"),
        ("p0.png", "painted", None),
        ("zero.png", "failed", f"{folder / 'zero.png'} is a character device, not a photo"),
    ]
    assert sorted(p.name for p in out.iterdir()) == ["p0-rectangle", "summary.json"]


def test_sigterm_stops_a_batch_the_rest_not_painted_exit_143(tmp_path):
    out = tmp_path / "out"
    batch = start_batch(photo_folder(tmp_path / "in"), out)
    try:
        seen = []
        reader = threading.Thread(target=lambda: seen.extend(iter(lambda: batch.stderr.read(1), "")), daemon=True)
        reader.start()
        wait_until(lambda: "p0.png" in "".join(seen), 120, "the bar to show the first photo under way")
        batch.send_signal(signal.SIGTERM)
        batch.wait(60)
        reader.join(10)
        err = "".join(seen)
    finally:
        batch.kill()
    assert batch.returncode == 143, err
    assert "Terminated" not in err and "paint: stopped; finished photos are saved" in err
    statuses = [p["status"] for p in json.loads((out / "summary.json").read_text())["photos"]]
    assert statuses == ["not painted"] * 3


def test_workers_end_with_a_killed_driver(tmp_path):
    batch = start_batch(photo_folder(tmp_path / "in"), tmp_path / "out", "--workers", "2")
    try:
        workers = wait_until(lambda: [c for c in children(batch.pid) if len(children(c)) == 0], 60, "the workers")
        time.sleep(2)
        batch.send_signal(signal.SIGKILL)
        batch.wait(10)
        wait_until(lambda: not any(alive(pid) for pid in workers), 15, "the workers to end")
    finally:
        batch.kill()


def test_a_killed_resource_tracker_costs_the_batch_nothing(tmp_path):
    """multiprocessing's resource tracker, SIGKILLed mid-batch, is relaunched knowing the driver's semaphores:
    before, each one the driver released at the end printed a KeyError traceback from the new tracker."""
    out = tmp_path / "out"
    batch = start_batch(photo_folder(tmp_path / "in"), out, "--workers", "2", "--steps", "100")
    try:

        def tracker():
            for pid in children(batch.pid):
                try:
                    if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        return pid
                except OSError:
                    continue
            return None

        os.kill(wait_until(tracker, 60, "the resource tracker"), signal.SIGKILL)
        _, err = batch.communicate(timeout=300)
    finally:
        batch.kill()
    assert batch.returncode == 0, err
    assert "Traceback" not in err and "KeyError" not in err and "resource_tracker" not in err, err
    statuses = [p["status"] for p in json.loads((out / "summary.json").read_text())["photos"]]
    assert statuses == ["painted"] * 3


def test_a_relaunched_tracker_knows_the_names_still_held(capfd):
    """The resource tracker killed, then relaunched by getfd (what spawning a worker calls), or by the very
    unregister that releases a name: the new tracker is told every name still held before that message, so
    releasing one prints no KeyError (nor the stock "might leak" warning, which is not true here)."""
    from painter.many.pool import _RememberingTracker

    def killed(tracker):
        pid = tracker._pid
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)  # reaped here, as a batch's driver finds it gone
        return tracker

    spawned = _RememberingTracker()
    spawned.register("/painter-test-a", "noop")
    first = killed(spawned)._pid
    spawned.getfd()  # relaunched by a spawn
    assert spawned._pid not in (None, first)
    spawned.unregister("/painter-test-a", "noop")
    spawned._stop()  # the tracker reads every message before it ends

    released = _RememberingTracker()
    released.register("/painter-test-b", "noop")
    released.register("/painter-test-c", "noop")
    killed(released).unregister("/painter-test-b", "noop")  # relaunched by this very message
    released.unregister("/painter-test-c", "noop")
    released._stop()
    err = capfd.readouterr().err
    assert "KeyError" not in err and "Traceback" not in err and "resource_tracker" not in err, err
