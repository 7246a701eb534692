"""Fixtures for the web page's tests: a server on a free localhost port, a small photo, and a headless
Chromium driven by Playwright (Debian's chromium through `executable_path`; no browser is downloaded)."""

from __future__ import annotations

import os
import shutil

import pytest
from PIL import Image
from skimage import data

from painter.web import Limits, WebServer

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
REQUIRE = "PAINT_REQUIRE_BROWSER"  # set by .ci/run: there a missing browser fails instead of skipping
SKIPPED: list[str] = []


def find_chromium() -> str | None:
    """$PAINT_CHROMIUM, else the first Chromium on PATH."""
    given = os.environ.get("PAINT_CHROMIUM")
    if given:
        return given
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def no_browser(reason: str):
    if os.environ.get(REQUIRE):
        pytest.fail(f"{reason}, and {REQUIRE} is set")
    SKIPPED.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter):
    if SKIPPED:
        terminalreporter.write_sep("-", "browser tests skipped", yellow=True)
        terminalreporter.write_line(
            f"{SKIPPED[0]}: the tests of `paint serve` in a real browser did not run. Install Debian's "
            "chromium (apt-get install chromium; .ci/run does it) or set PAINT_CHROMIUM to a Chromium binary."
        )


@pytest.fixture(scope="session")
def browser():
    chromium = find_chromium()
    if chromium is None:
        no_browser("no Chromium found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("Playwright is not installed (pip install -e '.[webtest]')")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
    except Exception as err:
        playwright.stop()
        no_browser(f"Chromium at {chromium} did not start ({str(err).splitlines()[0]})")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def server(tmp_path):
    """The web server on a free port of 127.0.0.1, serving from a background thread."""
    server = WebServer("127.0.0.1", 0, workers=1, folder=tmp_path / "serve", limits=Limits()).start()
    yield server
    server.close()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).resize((96, 64), Image.LANCZOS).save(path)
    return path
