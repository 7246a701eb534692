"""painter.leftovers: what a killed run leaves (scratch folders, half-written and swapped-out output folders)
is cleared by the next run, an earlier painting left hidden comes back, and nothing in use is touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from painter import leftovers
from painter.leftovers import LOCK, Held, scratch_folder
from painter.output_folder import check_folder, replace_folder

ROOT = Path(__file__).resolve().parents[1]


def killed_while(code: str, tmp_path: Path) -> None:
    """Run `code` in a fresh Python (TMPDIR = tmp_path / "tmp"), which prints a line when it is ready, then
    SIGKILL it: no cleanup of its own runs."""
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"), PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)


def test_scratch_folders_of_killed_runs_are_cleared_and_live_ones_kept(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = (
        "import time\nfrom painter.leftovers import scratch_folder\n"
        "with scratch_folder('paint-task-') as s:\n"
        "    (s / 'photo.jpg').write_bytes(b'the user photo')\n    print('ready', flush=True)\n    time.sleep(60)\n"
    )
    killed_while(code, tmp_path)
    (dead,) = temp.iterdir()
    assert dead.name.startswith("paint-task-") and (dead / "photo.jpg").exists()
    live = temp / "paint-live"
    live.mkdir()
    held = Held(live)  # another run, still painting
    foreign = temp / "paint-someone-elses"  # paint's prefix but no lock file: not provably paint's
    foreign.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    with scratch_folder("paint-") as mine:
        assert sorted(p.name for p in temp.iterdir()) == sorted([mine.name, "paint-live", "paint-someone-elses"])
    assert sorted(p.name for p in temp.iterdir()) == ["paint-live", "paint-someone-elses"]
    held.release()


def painting_folder(path: Path, marker: str) -> Path:
    path.mkdir()
    (path / "metrics.json").write_text(json.dumps({"settings": {}, "marker": marker}))
    (path / "painting.png").write_bytes(marker.encode())
    return path


def test_a_kill_between_the_two_renames_gives_the_earlier_painting_back(tmp_path):
    out = tmp_path / "out"
    old = tmp_path / ".out.old-abc123"
    old.mkdir()
    (old / LOCK).touch()  # its run was killed: nobody holds the lock
    painting_folder(old / "set", "earlier")
    partial = tmp_path / ".out.partial-def456"
    partial.mkdir()
    (partial / LOCK).touch()
    (partial / ".painting-x1y2.png").write_bytes(b"half a png")
    check_folder(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "painting.png").read_bytes() == b"earlier" and not (out / LOCK).exists()


def test_a_kill_after_the_swap_removes_the_hidden_earlier_painting(tmp_path):
    painting_folder(tmp_path / "out", "new")
    old = tmp_path / ".out.old-abc123"
    old.mkdir()
    (old / LOCK).touch()
    painting_folder(old / "set", "earlier")
    check_folder(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (tmp_path / "out" / "painting.png").read_bytes() == b"new"


def test_hidden_folders_in_use_or_not_paints_are_left_alone(tmp_path):
    in_use = tmp_path / ".out.partial-live"
    in_use.mkdir()
    held = Held(in_use)
    unknown = tmp_path / ".out.partial-nolock"  # no lock file: an older paint's, or not paint's at all
    unknown.mkdir()
    other = tmp_path / ".other.partial-x"
    other.mkdir()
    (other / LOCK).touch()  # another output's: cleared when that output is written, not this one
    assert leftovers.recover(tmp_path / "out") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.partial-x",
        ".out.partial-live",
        ".out.partial-nolock",
    ]
    held.release()


def test_a_run_killed_while_writing_leaves_nothing_the_next_run_keeps(tmp_path):
    painting_folder(tmp_path / "out", "earlier")
    code = (
        "import time\nfrom pathlib import Path\nfrom painter.output_folder import replace_folder\n"
        "def write(partial):\n    (partial / '.painting-tmp.png').write_bytes(b'half')\n"
        "    print('ready', flush=True)\n    time.sleep(60)\n"
        f"replace_folder(Path({str(tmp_path / 'out')!r}), write)\n"
    )
    (tmp_path / "tmp").mkdir()
    killed_while(code, tmp_path)
    assert len([p for p in tmp_path.iterdir() if p.name.startswith(".out.partial-")]) == 1
    started = time.monotonic()
    replace_folder(tmp_path / "out", lambda partial: (partial / "painting.png").write_bytes(b"new"))
    assert time.monotonic() - started < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tmp"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["painting.png"]


def test_a_killed_servers_folder_of_uploads_is_cleared_by_the_next(tmp_path, monkeypatch):
    from painter.web import WebServer

    code = (
        "from painter.web import WebServer\nserver = WebServer('127.0.0.1', 0)\n"
        "(server.folder / 'uploads').mkdir()\n(server.folder / 'uploads' / 'photo').write_bytes(b'a photo')\n"
        "print('ready', flush=True)\nserver.serve_forever()\n"
    )
    (tmp_path / "tmp").mkdir()
    killed_while(code, tmp_path)
    (dead,) = (tmp_path / "tmp").iterdir()
    assert dead.name.startswith("paint-serve-") and (dead / "uploads" / "photo").exists()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    server = WebServer("127.0.0.1", 0)
    try:
        assert [p.name for p in (tmp_path / "tmp").iterdir()] == [server.folder.name]
    finally:
        server.close()
    assert list((tmp_path / "tmp").iterdir()) == []
