"""`paint serve` in a real headless Chromium: upload, watch it paint, stop, download, bad input.

Small budgets throughout (a 96 x 64 photo, 64 px, the exact rectangle brush): the page and the server
are what is tested here; the painter has its own tests.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
import urllib.request
from pathlib import Path

import cairosvg
import imageio.v3 as iio
import pytest
from conftest import psnr
from PIL import Image
from skimage import data

from painter.strokes import load_painting

README_SHOT = Path(__file__).resolve().parents[2] / "docs" / "paint-serve.png"
FAST = {"brush": "rectangle", "strokes": 20, "size": 64, "renderer": "exact", "steps": 4, "quality": "draft"}


def set_options(page, brush, strokes, size, renderer, steps, quality, seed=0) -> None:
    """Choose the options the way a person does (range inputs are set as a script would drag them)."""
    page.click(f".brush:has(input[value={brush}])")
    for slider, value in (("#strokes", strokes), ("#size", size)):
        page.eval_on_selector(slider, "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", value)
    page.click("#advanced summary")
    page.select_option("#renderer", renderer)
    page.select_option("#quality", quality)
    page.fill("#steps", str(steps))
    page.fill("#seed", str(seed))


def open_page(page, server, photo: Path | None = None, **options) -> None:
    page.goto(server.url)
    page.wait_for_selector(".brush img")
    if photo is not None:
        page.set_input_files("#photo-input", str(photo))
        page.wait_for_selector("#paint:not([disabled])")
    set_options(page, **{**FAST, **options})


def download(page, selector: str) -> bytes:
    with page.expect_download() as event:
        page.click(selector)
    return Path(event.value.path()).read_bytes()


def job_state(server, job_id: str) -> dict:
    with urllib.request.urlopen(f"{server.url}api/jobs/{job_id}") as response:
        return json.load(response)


def current_job(page) -> str:
    return page.evaluate("state.job.id")


def test_paint_watch_it_grow_and_download_svg_matching_png(page, server, photo, tmp_path):
    open_page(page, server, photo, steps=40)  # long enough to be watched: live frames come 0.2 s apart at most
    page.click("#paint")
    frames, deadline = set(), time.monotonic() + 120
    while page.is_hidden("#result") and time.monotonic() < deadline:
        if page.is_visible("#live"):
            frames.add(page.evaluate("document.getElementById('live').toDataURL()"))
        time.sleep(0.05)
    assert page.is_visible("#result"), "the painting did not finish within two minutes"
    assert len(frames) >= 3, f"the live canvas showed only {len(frames)} different pictures while painting"

    assert page.text_content("#stat-strokes") in {str(n) for n in range(18, 21)}
    assert page.text_content("#stat-psnr").endswith(" dB")
    assert page.evaluate("document.getElementById('stage-photo').naturalWidth") > 0  # the photo beside it
    assert page.evaluate("document.getElementById('stage-painting').naturalWidth") > 0

    png = iio.imread(io.BytesIO(download(page, "#dl-png")))
    svg = download(page, "#dl-svg")
    drawn = iio.imread(io.BytesIO(cairosvg.svg2png(bytestring=svg)))[..., :3]
    assert png.shape == drawn.shape == (43, 64, 3)
    assert psnr(png, drawn) >= 30  # the vector file is the same painting as the picture
    painting = load_painting_bytes(download(page, "#dl-json"), tmp_path)
    assert painting.brush.name == "rectangle" and 18 <= len(painting) <= 20
    gif = iio.imread(io.BytesIO(download(page, "#dl-gif")), index=None)
    assert gif.ndim == 4 and gif.shape[0] > 2  # an animation of several frames
    page.fill("#plot-pens", "3")
    page.dispatch_event("#plot-pens", "input")
    gcode = download(page, "#dl-plot").decode("ascii")
    assert "G21" in gcode and "change to pen 3" in gcode
    page.wait_for_selector("#gallery .card")
    assert page.locator("#gallery .card").count() == 1


def load_painting_bytes(data: bytes, folder: Path):
    path = folder / "downloaded-strokes.json"
    path.write_bytes(data)
    return load_painting(path)


def test_second_tab_waits_its_turn_and_stop_keeps_a_valid_partial_painting(browser, server, photo, tmp_path):
    context = browser.new_context(viewport={"width": 1200, "height": 860}, accept_downloads=True)
    first, second = context.new_page(), context.new_page()
    try:
        # Enough steps that the first painting is still under way when it is stopped.
        open_page(first, server, photo, strokes=30, steps=2000, quality="normal")
        first.click("#paint")
        first.wait_for_function("state.shownFrames >= 2", timeout=60_000)  # it has painted something

        open_page(second, server, photo)
        second.click("#paint")
        second.wait_for_function("document.getElementById('status').textContent.includes('next in the queue')")

        first.click("#cancel")
        first.wait_for_selector("#result", state="visible", timeout=60_000)
        assert "stopped early" in first.text_content("#painting-caption")
        job = job_state(server, current_job(first))
        assert job["state"] == "stopped" and job["metrics"]["interrupted"] is True
        assert job["progress"]["step"] < job["progress"]["steps"]
        painting = load_painting_bytes(download(first, "#dl-json"), tmp_path)  # valid: it loads
        assert 0 < len(painting) <= 30 and len(painting) == job["metrics"]["strokes"]
        png = iio.imread(io.BytesIO(download(first, "#dl-png")))
        assert png.shape == (43, 64, 3)

        # The second tab's painting starts once the first is stopped; stop it too, to end quickly.
        # (A small painting may even finish before it can be stopped: either way it ends with a result.)
        second.wait_for_function("['painting', 'stopped', 'done'].includes(state.job.state)", timeout=60_000)
        if second.evaluate("state.job.state") == "painting":
            second.click("#cancel")
        second.wait_for_selector("#result", state="visible", timeout=60_000)
        assert job_state(server, current_job(second))["state"] in ("stopped", "done")
    finally:
        context.close()


def test_bad_input_shows_a_message_and_the_next_good_upload_paints(page, server, photo, tmp_path):
    open_page(page, server)
    text = tmp_path / "notes.png"
    text.write_text("not a picture at all")
    page.set_input_files("#photo-input", str(text))
    page.wait_for_selector("#message:not([hidden])")
    assert "not an image" in page.text_content("#message")
    assert page.is_disabled("#paint")

    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    page.set_input_files("#photo-input", str(empty))
    page.wait_for_function("document.getElementById('message').textContent.includes('empty')")

    page.set_input_files("#photo-input", str(photo))
    page.wait_for_selector("#paint:not([disabled])")
    assert page.is_hidden("#message")

    page.fill("#seed", "-1")  # a value the painter refuses: said on the page, by the page's name for it
    page.click("#paint")
    page.wait_for_selector("#message:not([hidden])")
    assert page.text_content("#message").startswith("Seed: must be between 0 and")

    page.fill("#seed", "0")
    page.eval_on_selector("#strokes", "(e) => { e.value = 10; e.dispatchEvent(new Event('input')); }")
    page.fill("#steps", "2")
    page.click("#paint")
    page.wait_for_selector("#result", state="visible", timeout=120_000)
    assert page.is_hidden("#message")
    assert int(page.text_content("#stat-strokes")) >= 9


@pytest.mark.skipif(not os.environ.get("PAINT_WEB_SCREENSHOT"), reason="set PAINT_WEB_SCREENSHOT=1 to retake it")
def test_readme_screenshot(page, server, tmp_path):
    """The README's picture of the page: a real painting, made here (minutes on a CPU), which replaces
    docs/paint-serve.png."""
    cat = tmp_path / "chelsea.jpg"
    Image.fromarray(data.chelsea()).resize((300, 200), Image.LANCZOS).save(cat, quality=92)
    page.set_viewport_size({"width": 1120, "height": 800})
    open_page(page, server, cat, brush="markerpen", strokes=160, size=160, renderer="neural", steps=12, quality="draft")
    page.click("#advanced summary")  # closed again, as a visitor first sees it
    page.click("#paint")
    page.wait_for_selector("#result", state="visible", timeout=900_000)
    page.wait_for_selector("#gallery .card img")
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot))
    small = Image.open(shot).convert("RGB").quantize(colors=256, dither=Image.Dither.FLOYDSTEINBERG)
    small.save(shot, optimize=True)  # a palette PNG: about a third of the bytes, no visible loss at this size
    assert shot.stat().st_size < 400_000
    README_SHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, README_SHOT)
