"""What the page's newer controls ask of the server: colours, download size, animations, the saving state,
likeness in words, the settings a finished painting is reopened with, and when a job waits."""

from __future__ import annotations

import http.client
import io
import json
import re

import imageio.v3 as iio
import pytest

from painter.web import Limits
from painter.web.jobs import LIKENESS, JobQueue, likeness, settings_from_options
from painter.web.uploads import keep_upload
from web.test_server import TINY, call, finished, submit, upload, wait_for


# ---- likeness in words -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "psnr, words",
    [(12.0, "Sketchy"), (16.0, "Loose"), (19.9, "Fair"), (22.0, "Good"), (26.8, "Close"), (30.6, "Very close")],
)
def test_likeness_in_words(psnr, words):
    assert likeness(psnr) == words


def test_likeness_bands_go_down_in_order():
    floors = [floor for floor, _ in LIKENESS]
    assert floors == sorted(floors, reverse=True)


# ---- the new options, refused by the page's names ----------------------------------------------------------
@pytest.mark.parametrize(
    "options, field, message",
    [
        ({"pens": 0}, "pens", "Colours from the photo: must be between 1 and 64, got 0"),
        ({"palette": "#12"}, "palette", "Your colours: "),
        (
            {"palette": "#000000", "pens": 2},
            "pens",
            "Colours from the photo: give either Your colours or Colours from the photo, not both",
        ),
        ({"render_size": 5000}, "render_size", "Download size: at most 4096 pixels on this page, got 5000"),
        ({"animation": "avi"}, "animation", "Animation: unknown value 'avi'; use one of mp4, gif, both, none"),
    ],
)
def test_a_bad_new_option_is_refused_naming_it_the_pages_way(server, photo, options, field, message):
    status, body, _ = submit(server, upload(server, photo), {**TINY, **options})
    assert status == 400 and body["field"] == field
    assert body["error"].startswith(message)
    assert server.queue.jobs == {}


def test_config_gives_the_limits_and_choices_the_page_builds_its_controls_from(server):
    status, config, _ = call(server, "GET", "/api/config")
    assert status == 200
    assert config["limits"]["strokes"] == server.limits.strokes == 5000
    assert config["limits"]["render_size"] == server.limits.render_size
    assert config["animations"] == ["mp4", "gif", "both", "none"] and config["defaults"]["animation"] == "gif"
    assert config["max_colours"] == 64 and config["workers"] == 1


# ---- a job with every new option, over HTTP ----------------------------------------------------------------
def test_palette_render_size_and_animations_reach_the_files_and_the_settings_come_back(server, photo):
    palette = "#1a2b3c,#e0c080"
    options = {**TINY, "palette": palette, "render_size": 96, "animation": "both", "seed": 3, "canvas": "#efe6d2"}
    _, job, _ = submit(server, upload(server, photo, name="my cat.png"), options)
    stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    stream.request("GET", f"/api/jobs/{job['id']}/events")
    lines = stream.getresponse().read().decode().splitlines()
    events = [json.loads(line[6:]) for line in lines if line.startswith("data: ")]
    stream.close()
    states = [event["state"] for event in events]
    # The files take a while after the last step: the page is told, between painting and done.
    assert "saving" in states and states.index("saving") > states.index("painting") and states[-1] == "done"
    assert events[states.index("saving")]["progress"]["step"] == events[-1]["progress"]["steps"]

    job = finished(server, job["id"])
    assert {"process.gif", "process.mp4", "painting-animated.svg"} <= set(job["files"])
    assert job["settings"] == {**options, "opaque": False, "style_weight": 0.1, "pens": None}
    m = job["metrics"]
    assert m["likeness"] == likeness(m["psnr"]) and m["palette"] == palette.split(",")

    status, png, _ = call(server, "GET", f"/api/jobs/{job['id']}/files/painting.png")
    assert status == 200 and max(iio.imread(io.BytesIO(png)).shape[:2]) == 96  # the download size, not 48
    status, svg, response = call(server, "GET", f"/api/jobs/{job['id']}/files/painting.svg")
    fills = set(re.findall(rb'fill="(#[0-9a-f]{6})"', svg)) - {b"#efe6d2"}  # all but the canvas
    assert fills and fills <= {b"#1a2b3c", b"#e0c080"}  # painted in the given colours only
    status, mp4, response = call(server, "GET", f"/api/jobs/{job['id']}/files/process.mp4")
    assert status == 200 and response.getheader("Content-Type") == "video/mp4" and mp4[4:8] == b"ftyp"
    assert response.getheader("Content-Disposition") == 'attachment; filename="my-cat-rectangle.mp4"'
    status, animated, response = call(server, "GET", f"/api/jobs/{job['id']}/files/painting-animated.svg")
    assert status == 200 and b"@keyframes" in animated
    assert response.getheader("Content-Disposition") == 'attachment; filename="my-cat-rectangle-animated.svg"'


# ---- waiting: only behind another painting --------------------------------------------------------------
def test_a_job_no_worker_has_taken_yet_has_nothing_ahead_and_one_behind_a_painting_has(tmp_path, photo):
    limits = Limits()
    queue = JobQueue(tmp_path / "jobs", workers=1, limits=limits)
    photo_upload = keep_upload(photo.read_bytes(), "cat.png", tmp_path / "uploads", limits)
    try:
        with queue.changed:  # the worker cannot take it while this is held: as just after it was sent
            first = queue.submit(photo_upload, settings_from_options({**TINY, "steps": 300}, None, limits))
            seen = queue.describe(first)
        assert seen["state"] == "queued" and seen["position"] == 1 and seen["ahead"] == 0 < seen["workers"]
        wait_for(lambda: first.progress, what="the first job to paint")
        second = queue.submit(photo_upload, settings_from_options(TINY, None, limits))
        seen = queue.describe(second)
        assert seen["state"] == "queued" and seen["ahead"] == 1 == seen["workers"]  # it really waits
        queue.cancel(first)
        wait_for(lambda: second.finished, what="the second job")
        assert queue.describe(second)["ahead"] is None
    finally:
        queue.close()
