"""Painting on a Ray cluster: a real local Ray instance (2 CPUs, bound to 127.0.0.1), started once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from painter import PaintSettings
from painter.cli import main
from painter.many.batch import plan_batch, run_batch
from painter.many.cluster import RayRunner, check_reachable
from painter.many.pool import InlineRunner, threads_per_worker
from painter.many.tasks import PhotoTask, paint_photo

FAST = PaintSettings(brush="rectangle", strokes=6, size=32, renderer="exact", steps=3, animation="none")

# A private Ray instance binds to 127.0.0.1 only with this set before Ray is imported (see painter.many.cluster).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1:")
    yield
    ray.shutdown()


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(data.chelsea()).resize((48, 32)).save(folder / "cat.png")
    Image.fromarray(data.astronaut()).resize((40, 40)).save(folder / "astronaut.jpg")
    Image.fromarray(data.coffee()).resize((48, 32)).save(folder / "coffee.png")
    return folder


def local_strokes(folder):
    """The strokes the local path paints, one torch thread like a Ray worker."""
    import torch

    threads = torch.get_num_threads()
    try:
        tasks = [PhotoTask(str(p), p.read_bytes(), FAST, threads=1) for p in sorted(folder.iterdir())]
        return [paint_photo(t).painting["strokes"] for t in tasks]
    finally:
        torch.set_num_threads(threads)


def painted_strokes(items):
    import json

    return [json.loads((i.folder / "strokes.json").read_text())["strokes"] for i in items]


def test_ray_paints_the_same_strokes_as_the_local_path_by_default(cluster, photos, tmp_path):
    import json

    ray_runner, local_runner = RayRunner(), InlineRunner()
    assert ray_runner.threads == local_runner.threads == threads_per_worker(1)  # the same by default
    painted = []
    for name, runner in [("ray", ray_runner), ("local", local_runner)]:
        items = plan_batch(sorted(photos.iterdir()), tmp_path / name, "rectangle")
        outcomes = list(run_batch(items, FAST, runner, threads=runner.threads))
        assert [o.status for o in outcomes] == ["painted"] * 3
        recorded = {json.loads((i.folder / "metrics.json").read_text())["threads"] for i in items}
        assert recorded == {runner.threads}
        painted.append(painted_strokes(items))
    assert painted[0] == painted[1]


def test_a_worker_killed_mid_job_costs_a_retry_not_the_batch(cluster, photos, tmp_path):
    items = plan_batch(sorted(photos.iterdir()), tmp_path / "out", "rectangle")
    runner = RayRunner(workers=2)
    assert runner.threads == 1  # two workers share the cluster's 2 CPUs, as local_strokes' one thread
    killed = []

    def kill_during_first_job(index, done, total):
        if not killed and done < total:  # the actor is painting this photo right now
            killed.append(index)
            ray.kill(runner.running[index], no_restart=False)  # as if its process or node went away

    outcomes = list(run_batch(items, FAST, runner, on_progress=kill_during_first_job))
    assert killed, "no job was caught mid-way"
    assert [o.status for o in outcomes] == ["painted"] * 3
    assert painted_strokes(items) == local_strokes(photos)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_cluster_is_one_line_exit_2_and_nothing_written(photos, tmp_path, capsys):
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(ValueError, match="cannot reach the Ray cluster at 127.0.0.1"):
        check_reachable(address, timeout=2)
    out = tmp_path / "out"
    assert main([str(photos), "--out", str(out), "--ray", f"ray://{address}", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("paint: error: cannot reach the Ray cluster") and err.count("\n") == 1
    assert not out.exists()
    with pytest.raises(ValueError, match="bad Ray address"):
        check_reachable("nowhere")


def test_a_port_that_is_not_ray_is_refused_within_the_connect_timeout(cluster):
    check_reachable(ray.get_runtime_context().gcs_address, timeout=5)  # the real thing answers in gRPC
    with socket.socket() as silent:  # something listens, and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(ValueError) as caught:
            check_reachable(address, timeout=2)
        assert time.monotonic() - started < 4
    message = f"{address} answers, but not as a Ray cluster (no gRPC there); check the address and port"
    assert str(caught.value) == message


def test_sigterm_with_ray_stops_like_without(photos, tmp_path):
    """ray.init sets its own SIGTERM handler (exit 15, no summary); paint's must be the one in force."""
    out = tmp_path / "out"
    flags = ["--brush", "rectangle", "--strokes", "40", "--size", "64", "--renderer", "exact", "--steps", "400"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    command = [sys.executable, "-m", "painter", str(photos), "--out", str(out), "--ray", "--no-animation", *flags]
    batch = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(lambda: batch.stderr.read(1), "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while not any(name in "".join(seen) for name in ("cat.png", "coffee.png", "astronaut.jpg")):
            assert time.monotonic() < deadline and batch.poll() is None, "".join(seen)
            time.sleep(0.2)  # the bar names a photo once a worker reports progress on it
        batch.send_signal(signal.SIGTERM)
        batch.wait(120)
        reader.join(10)
    finally:
        batch.kill()
    assert batch.returncode == 143, "".join(seen)
    statuses = [p["status"] for p in json.loads((out / "summary.json").read_text())["photos"]]
    assert "failed" not in statuses and "not painted" in statuses


def test_a_clip_in_chunks_on_ray_joins_in_order(cluster, tmp_path):
    import torch
    from test_video import moving_square

    from painter.many.video import ClipReader, VideoOptions, one_ground, paint_clip, paint_frames, read_clip

    clip = read_clip(moving_square(tmp_path / "clip.mp4", frames=4))
    settings = FAST.replace(size=48)
    options = VideoOptions(refine_steps=4)
    strokes, seconds = paint_clip(ClipReader(clip.source), settings, options, RayRunner(workers=2), chunks=2)
    assert len(strokes) == len(seconds) == 4

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        # Each chunk is the frames painted alone from its keyframe: frames 1-2, then 3-4, on the one ground
        # toned to the clip's first frame.
        parts = (clip.frames[:2], clip.frames[2:])
        grounded = one_ground(settings, clip.frames[0])
        alone = [f.strokes for part in parts for f in paint_frames(part, grounded, options)]
    finally:
        torch.set_num_threads(threads)
    for ours, theirs in zip(strokes, alone, strict=True):
        assert torch.allclose(ours, theirs, atol=1e-6)
