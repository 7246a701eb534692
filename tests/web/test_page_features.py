"""The page's newer controls in a real headless Chromium: your own colours, the download size, the MP4 and
animated-SVG downloads, likeness in words, the saving state and the ETA, no false "waiting", a gallery
painting reopened with its settings, and the before/after compare slider.

Small budgets as in test_browser.py (a 96 x 64 photo, 64 px, the exact rectangle brush).
"""

from __future__ import annotations

import io
import json

import imageio.v3 as iio
import numpy as np
from conftest import psnr

from painter.animation import video_size
from web.test_browser import download, job_state, load_painting_bytes, open_page

# Every text the status line and the ETA show, recorded as they change (polling would miss short states).
WATCH_STATUS = """() => {
  window.seen = { status: [], eta: [] };
  for (const [id, list] of [["status", window.seen.status], ["eta", window.seen.eta]]) {
    const node = document.getElementById(id);
    const record = () => list.push(node.textContent);
    new MutationObserver(record).observe(node, { childList: true, characterData: true, subtree: true });
  }
}"""


def use_own_colours(page, colours: list[str]) -> None:
    page.click("#colours-box summary")
    page.check("#colours-palette")
    while page.locator("#palette-colours input").count() > len(colours):
        page.click("#palette-remove")
    for i, colour in enumerate(colours):
        page.locator("#palette-colours input").nth(i).fill(colour)


def test_own_colours_download_size_video_and_animated_svg_likeness_saving_and_eta(page, server, photo, tmp_path):
    open_page(page, server, photo, steps=30)
    assert page.get_attribute("#strokes", "max") == str(server.limits.strokes) == "5000"  # the server's limit
    use_own_colours(page, ["#1a2b3c", "#e0c080"])
    page.fill("#render-size", "96")
    page.select_option("#animation", "both")
    page.evaluate(WATCH_STATUS)
    page.click("#paint")
    page.wait_for_selector("#result", state="visible", timeout=120_000)
    seen = page.evaluate("window.seen")
    job = job_state(server, page.evaluate("state.job.id"))

    # The files' wait is named, with what is being written; nothing said "waiting" with nothing ahead.
    assert "Saving the files (PNG, SVG, GIF, MP4, animated SVG)…" in seen["status"]
    assert not any("Waiting" in text for text in seen["status"])
    assert any(text.endswith(" left") for text in seen["eta"])  # the ETA was shown while it painted

    m = job["metrics"]
    assert page.text_content("#stat-likeness") == m["likeness"]  # in words, the figure beside it
    assert page.text_content("#stat-psnr") == f"{m['psnr']:.1f} dB"
    shown = page.eval_on_selector_all("#stat-palette .used", "nodes => nodes.map(n => n.title)")
    assert shown == m["palette"] == ["#1a2b3c", "#e0c080"]

    png = iio.imread(io.BytesIO(download(page, "#dl-png")))
    assert max(png.shape[:2]) == 96  # the download size, twice the fitted 64 px
    video = tmp_path / "making.mp4"
    video.write_bytes(download(page, "#dl-mp4"))
    meta = iio.immeta(video, plugin="FFMPEG")
    painting = load_painting_bytes(download(page, "#dl-json"), tmp_path)
    assert meta["size"] == video_size(painting)[::-1] and meta["duration"] > 2  # the making of this painting
    animated = download(page, "#dl-animated").decode()
    assert animated.startswith("<svg") and "@keyframes" in animated
    assert animated.count('class="stroke"') == len(painting) > 0  # every stroke appears in turn


def test_a_job_sent_while_no_painting_runs_never_shows_waiting(page, server, photo):
    # Right after it is sent, a job no worker has taken yet is "queued" with nothing ahead of it (tested in
    # test_page_api.py); the answer is made to say exactly that here, as it does when the worker is slow
    # to take it, so that the page's reading of it is seen every time.
    def just_sent(route):
        answer = route.fetch()
        job = {**answer.json(), "state": "queued", "position": 1, "ahead": 0, "progress": None}
        route.fulfill(response=answer, body=json.dumps(job))

    page.route("**/api/jobs", lambda route: just_sent(route) if route.request.method == "POST" else route.continue_())
    open_page(page, server, photo)
    page.evaluate(WATCH_STATUS)
    page.click("#paint")
    page.wait_for_selector("#result", state="visible", timeout=120_000)
    seen = page.evaluate("window.seen.status")
    assert "Starting…" in seen
    assert not any("Waiting" in text for text in seen), seen


def element_pixels(page, selector: str) -> np.ndarray:
    return iio.imread(io.BytesIO(page.locator(selector).screenshot()))[..., :3].astype(np.float64)


def test_gallery_painting_reopens_with_its_settings_and_compares_before_and_after(page, server, photo):
    chosen = {"strokes": 20, "seed": 7, "canvas": "black", "pens": 3, "render_size": 80, "animation": "none"}
    open_page(page, server, photo, seed=7)
    page.click(".swatch[title=Black]")
    page.click("#colours-box summary")
    page.fill("#pens", "3")
    page.fill("#render-size", "80")
    page.select_option("#animation", "none")
    page.click("#paint")
    page.wait_for_selector("#result", state="visible", timeout=120_000)
    first = job_state(server, page.evaluate("state.job.id"))
    assert {name: first["settings"][name] for name in chosen} == chosen
    assert page.is_hidden("#dl-mp4") and page.is_hidden("#dl-animated") and page.is_hidden("#dl-gif")

    # A fresh page (the form at its defaults), then the gallery card: the form takes the painting's settings.
    page.goto(server.url)
    page.wait_for_selector("#gallery .card")
    assert page.input_value("#seed") == "0" and page.is_disabled("#paint")
    assert page.is_checked("input[name=canvas][value=auto]")  # the toned ground, as PaintSettings' default
    page.click("#gallery .card")
    assert page.input_value("#strokes") == "20" and page.text_content("#strokes-out") == "20"
    assert page.input_value("#seed") == "7" and page.input_value("#render-size") == "80"
    assert page.is_checked("#colours-pens") and page.input_value("#pens") == "3"
    assert page.is_checked(".swatch[title=Black] input") and page.is_checked(".brush input[value=rectangle]")
    assert page.input_value("#renderer") == "exact" and page.input_value("#quality") == "draft"
    assert page.input_value("#animation") == "none"
    assert page.evaluate("state.photo.id") == first["photo"]["id"] and page.is_enabled("#paint")
    page.click("#paint")  # painted again, with the same photo and settings
    page.wait_for_selector("#result", state="visible", timeout=120_000)
    second = job_state(server, page.evaluate("state.job.id"))
    assert second["id"] != first["id"] and second["settings"] == first["settings"]
    assert second["photo"] == first["photo"]

    # Before and after: the photo left of the cut, the painting right of it.
    page.click("#compare-toggle")
    page.wait_for_function("document.getElementById('compare-painting').complete")
    page.wait_for_function("document.getElementById('compare-photo').naturalWidth > 0")
    shots = {}
    for cut in (0, 100, 50):
        page.eval_on_selector("#compare-slider", "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", cut)
        shots[cut] = element_pixels(page, "#compare-view")
    painting, photo_only, half = shots[0], shots[100], shots[50]
    width = half.shape[1]
    assert psnr(painting / 255, photo_only / 255) < 25  # the two really differ, so the halves tell them apart
    left, right = slice(4, width // 2 - 6), slice(width // 2 + 6, width - 4)  # clear of the cut's line
    assert psnr(half[:, left] / 255, photo_only[:, left] / 255) > 40
    assert psnr(half[:, right] / 255, painting[:, right] / 255) > 40
    page.click("#compare-toggle")
    assert page.is_hidden("#compare") and page.is_visible(".pair")
