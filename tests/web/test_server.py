"""`paint serve` over HTTP without a browser: the limits, bad options, the queue, downloads that cannot
escape a job's folder, and the command that starts it."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from painter.web import Limits, WebServer
from painter.web.jobs import JobQueue, QueueFull, settings_from_options
from painter.web.uploads import keep_upload

TINY = {"brush": "rectangle", "strokes": 10, "size": 48, "renderer": "exact", "steps": 2, "quality": "draft"}
LONG = {**TINY, "strokes": 30, "steps": 200}  # still painting when the test stops it


def call(server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, parsed JSON or raw bytes, headers) of one request to the server."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(data) if kind.startswith("application/json") else data, response
    finally:
        connection.close()


def upload(server, path: Path, name: str = "cat.png") -> str:
    status, body, _ = call(server, "POST", "/api/uploads", path.read_bytes(), {"X-File-Name": name})
    assert status == 201, body
    return body["id"]


def submit(server, photo_id: str, options: dict):
    return call(server, "POST", "/api/jobs", json.dumps({"photo": photo_id, "options": options}).encode())


def wait_for(predicate, timeout: float = 120.0, what: str = "the job"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def finished(server, job_id: str) -> dict:
    def done():
        job = call(server, "GET", f"/api/jobs/{job_id}")[1]
        return job if job["state"] in ("done", "stopped", "failed") else None

    return wait_for(done)


# ---- limits and bad input ------------------------------------------------------------------------------
def test_too_large_an_upload_is_refused_and_the_server_keeps_serving(tmp_path, photo):
    server = WebServer("127.0.0.1", 0, folder=tmp_path / "serve", limits=Limits(upload_bytes=2000)).start()
    try:
        status, body, _ = call(server, "POST", "/api/uploads", b"x" * 5000)
        assert status == 413 and body["error"] == "The file is 0.005 MB; the limit is 0.002 MB."
        assert call(server, "POST", "/api/uploads", b"")[0] == 400  # empty: the check's own message
        assert call(server, "GET", "/api/config")[0] == 200
    finally:
        server.close()
    assert not (tmp_path / "serve" / "uploads").exists() or not any((tmp_path / "serve" / "uploads").iterdir())


@pytest.mark.parametrize(
    "options, field, message",
    [
        ({"brush": "crayon"}, "brush", "Brush: unknown brush 'crayon'; use one of markerpen, oilpaint"),
        ({"strokes": "many"}, "strokes", "Strokes: expected a whole number, got 'many'"),
        ({"strokes": 6000}, "strokes", "Strokes: at most 5000 on this page, got 6000"),
        ({"size": 2048}, "size", "Size: at most 1024 pixels on this page, got 2048"),
        ({"canvas": "tartan"}, "canvas", "Canvas colour: expected auto, white, black or #rrggbb, got 'tartan'"),
        ({"quality": "best"}, "quality", "Quality: unknown value 'best'; use one of draft, normal, fine"),
        ({"opaque": "yes"}, "opaque", "Opaque: expected true or false, got 'yes'"),
        ({"style_weight": 0.5}, "style_weight", "Style strength: needs Style image"),
        ({"device": "cuda"}, "device", "device: unknown option; the page's options are brush, strokes"),
    ],
)
def test_a_bad_option_is_refused_naming_it_the_pages_way(server, photo, options, field, message):
    status, body, _ = submit(server, upload(server, photo), {**TINY, **options})
    assert status == 400 and body["field"] == field
    assert body["error"].startswith(message)
    assert server.queue.jobs == {}


def test_a_job_needs_a_photo_the_server_has(server):
    status, body, _ = submit(server, "0123456789abcdef", TINY)
    assert status == 400 and "The photo is not on the server" in body["error"]
    status, body, _ = call(server, "POST", "/api/jobs", b"{not json")
    assert status == 400 and body["error"] == "The request is not valid JSON."


def test_requests_for_another_host_name_are_refused(server):
    status, body, _ = call(server, "GET", "/api/config", headers={"Host": f"attacker.example:{server.port}"})
    assert status == 403
    assert call(server, "GET", "/api/config", headers={"Host": f"localhost:{server.port}"})[0] == 200


# ---- a whole job over HTTP, and downloads that reach only its own files ----------------------------------
def test_a_job_paints_and_its_files_and_nothing_else_can_be_downloaded(server, photo):
    photo_id = upload(server, photo, name="my cat.png")
    status, job, _ = submit(server, photo_id, TINY)
    assert status == 202 and job["state"] in ("queued", "painting")
    job = finished(server, job["id"])
    assert job["state"] == "done" and 9 <= job["metrics"]["strokes"] <= 10
    assert job["frames"] >= 2 and job["progress"]["step"] == job["progress"]["steps"]
    assert set(job["files"]) == {
        "painting.png",
        "painting.svg",
        "strokes.json",
        "process.gif",
        "painting-animated.svg",
        "metrics.json",
        "photo.png",
    }

    status, svg, response = call(server, "GET", f"/api/jobs/{job['id']}/files/painting.svg")
    assert status == 200 and svg.startswith(b"<svg")
    assert response.getheader("Content-Disposition") == 'attachment; filename="my-cat-rectangle.svg"'
    status, plot, _ = call(server, "GET", f"/api/jobs/{job['id']}/plot?format=svg&pens=2&paper=a3")
    assert status == 200 and b"inkscape:groupmode" in plot
    status, body, _ = call(server, "GET", f"/api/jobs/{job['id']}/plot?format=dxf")
    assert status == 400 and "Unknown plotter format 'dxf'" in body["error"]

    secret = server.folder.parent / "secret.txt"
    secret.write_text("private")
    for path in (
        f"/api/jobs/{job['id']}/files/../../../secret.txt",
        f"/api/jobs/{job['id']}/files/..%2f..%2f..%2fsecret.txt",
        f"/api/jobs/{job['id']}/files/%2e%2e",
        f"/api/jobs/{job['id']}/files/{photo_id}",
        f"/api/jobs/{job['id']}/files/.",
        "/static/../server.py",
        "/static/server.py",
        "/api/jobs/../../secret.txt",
    ):
        status, body, _ = call(server, "GET", path)
        assert status == 404 and b"private" not in json.dumps(body).encode(), path


def test_event_stream_sends_the_job_until_it_is_finished(server, photo):
    _, job, _ = submit(server, upload(server, photo), TINY)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request("GET", f"/api/jobs/{job['id']}/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    events = [json.loads(line[6:]) for line in response.read().decode().splitlines() if line.startswith("data: ")]
    connection.close()
    assert events[-1]["state"] == "done"  # the stream ends by itself with the finished job
    steps = [event["progress"]["step"] for event in events if event["progress"]]
    assert len(steps) > 3 and steps == sorted(steps)


# ---- the queue ------------------------------------------------------------------------------------------
def test_queue_paints_one_at_a_time_in_order_and_cancels(tmp_path, photo):
    limits = Limits(queue=2)
    queue = JobQueue(tmp_path / "jobs", workers=1, limits=limits)
    photo_upload = keep_upload(photo.read_bytes(), "cat.png", tmp_path / "uploads", limits)
    try:
        first = queue.submit(photo_upload, settings_from_options(LONG, None, limits))
        wait_for(lambda: first.progress, what="the first job to paint")
        second = queue.submit(photo_upload, settings_from_options(TINY, None, limits))
        third = queue.submit(photo_upload, settings_from_options(TINY, None, limits))
        assert (queue.position(first), queue.position(second), queue.position(third)) == (None, 1, 2)
        with pytest.raises(QueueFull, match="2 paintings are already waiting"):
            queue.submit(photo_upload, settings_from_options(TINY, None, limits))

        queue.cancel(second)  # waiting: it leaves the queue and the one behind moves up
        assert second.state == "failed" and second.error == "Cancelled before it started."
        assert queue.position(third) == 1 and first.state == "painting"

        queue.cancel(first)  # painting: it stops at its next step and keeps what it painted
        wait_for(lambda: first.finished and third.state != "queued", what="the first job to stop")
        assert first.state == "stopped" and first.metrics["interrupted"] is True
        assert 0 < first.metrics["strokes"] <= 30 and first.progress["step"] < first.progress["steps"]
        assert (first.files / "strokes.json").is_file()
        wait_for(lambda: third.finished, what="the third job")
        assert third.state == "done" and second.progress is None  # the cancelled one never ran
    finally:
        queue.close()


# ---- the command -------------------------------------------------------------------------------------------
def test_paint_serve_prints_its_url_serves_and_stops_cleanly_on_sigterm(tmp_path):
    folder = tmp_path / "kept"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [sys.executable, "-m", "painter", "serve", "--port", "0", "--folder", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        match = re.match(r"paint: serving on http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=30)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 200 and b"Drop a photo here" in response.read()
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and folder.is_dir()  # a folder given with --folder is kept
