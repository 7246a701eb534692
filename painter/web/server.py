"""The HTTP side of `paint serve`: the page, its JSON API, live progress as server-sent events, downloads.

Standard library only (http.server's ThreadingHTTPServer): one page and a dozen small routes need no
framework, and the painting runs in the queue's worker threads, so a request never waits for torch.

    server = WebServer("127.0.0.1", 8000)
    server.serve_forever()       # or server.start() to serve from a background thread
    server.close()

Everything the server writes goes under its working folder: uploads under names it chose, each job's
files in a folder named by the job's random id. Downloads name a job and one of a fixed list of files,
so a request can never reach another path.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import sys
import tempfile
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import brushes
from painter import leftovers
from painter.animation import ANIMATIONS
from painter.files import json_text
from painter.palette import MAX_COLOURS
from painter.settings import QUALITIES, SettingsError, defaults, shown
from painter.web.jobs import RESULT_FILES, JobQueue, QueueFull, WebJob, label, settings_from_options
from painter.web.uploads import Limits, Upload, UploadError, keep_upload

STATIC = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
CONTENT_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".gcode": "text/plain",
    ".hpgl": "text/plain",
}
PLOT_FORMATS = {"gcode": ".gcode", "svg": ".plot.svg", "hpgl": ".hpgl"}  # format -> file suffix
PAPERS = ("a4", "a3", "letter")
# How a download is named after the photo: `cat-oilpaint-animated.svg` beside `cat-oilpaint.svg`.
DOWNLOAD_SUFFIXES = {"photo.png": "-photo.png", "painting-animated.svg": "-animated.svg"}
PAGE_DEFAULTS = ("brush", "strokes", "size", "canvas", "quality", "seed", "animation")  # the form starts with these
MAX_PENS = 16  # more pens than any plotter's carousel; k-means on stroke colours stays quick
MAX_JSON_BYTES = 64_000  # a job's options are a few hundred bytes
KEEP_ALIVE_S = 15.0  # an idle event stream sends a comment this often, so proxies and browsers keep it open
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_CONNECTIONS = 64  # open at once: a page holds a few (an event stream per painting); more is a flood
IDLE_S = 20.0  # a connection that sends nothing for this long is closed (an event stream writes every 15 s)
REQUEST_S = 120.0  # to send a request's line, headers and body: 25 MB at 2 Mbit/s; a trickle of headers ends here
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)  # the client left


class BoundedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer holding at most MAX_CONNECTIONS connections (a thread each); one more is
    answered 503 at once and closed, and a client that hangs up is not an error on stderr."""

    daemon_threads = True  # a browser holding an event stream open must not block shutdown

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        super().__init__(address, handler)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()  # no thread was started to release it
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def _refuse(self, request: socket.socket) -> None:
        body = json_text({"error": "The server is busy; try again in a moment."}).encode()
        head = f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        try:
            request.settimeout(1.0)  # the accepting thread must never wait on a slow client
            request.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n" + body)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], GONE):
            super().handle_error(request, client_address)


def _static(name: str) -> bytes:
    return resources.files("painter.web").joinpath("static", name).read_bytes()


class WebServer:
    """`paint serve`: the page and its API on host:port, with `workers` painting threads.

    `folder` holds uploads and results; None makes a temporary one, removed by `close()`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: int = 1,
        folder: str | Path | None = None,
        limits: Limits | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if not 0 <= port <= 65535:
            raise ValueError(f"the port must be from 0 to 65535, got {port}")
        self.owns_folder = folder is None
        self._held = None
        if folder is None:  # uploads are copies of people's photos: a killed server's folder is cleared later
            temp = Path(tempfile.gettempdir())
            leftovers.clear_scratch(temp)
            folder, self._held = leftovers.make_held_folder(temp, "paint-serve-")
        self.folder = Path(folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.limits = limits or Limits()
        self.uploads: dict[str, Upload] = {}
        self.lock = threading.Lock()
        self._previews: dict[str, bytes] = {}
        self._preview_lock = threading.Lock()  # drawing a preview takes a moment; uploads must not wait for it
        try:
            self.httpd = BoundedServer((host, port), Handler)
        except OSError as err:
            self._remove_folder()
            raise OSError(err.errno, f"cannot listen on {host}:{port}: {err.strerror}") from None
        self.httpd.app = self  # type: ignore[attr-defined]
        self.host, self.port = host, self.httpd.server_address[1]
        # Behind a loopback address only this machine's browsers can connect; the Host check also keeps
        # out web pages that rebind their own name to 127.0.0.1 (DNS rebinding).
        names = ("127.0.0.1", "localhost", "[::1]")
        self.allowed_hosts = {f"{name}:{self.port}" for name in names} | (set(names) if self.port == 80 else set())
        self.check_host = host in LOOPBACK
        if workers > 1:
            import torch

            torch.set_num_threads(max(1, torch.get_num_threads() // workers))  # workers share the cores
        self.queue = JobQueue(self.folder / "jobs", workers, self.limits)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> WebServer:
        """Serve from a background thread (tests, notebooks); `close()` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="paint-serve", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop painting (jobs under way keep their strokes so far), stop serving, release the port."""
        self.queue.close()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()
        self._remove_folder()

    def _remove_folder(self) -> None:
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self._held is not None:
            self._held.release()

    # ---- what the handler asks of the application ----------------------------------------------------
    def config(self) -> dict:
        d = defaults()
        return {
            "brushes": [{"name": b.name, "description": b.description} for b in brushes.all_brushes()],
            "defaults": {name: d[name] for name in PAGE_DEFAULTS},
            "qualities": list(QUALITIES),
            "animations": list(ANIMATIONS),
            "max_colours": MAX_COLOURS,
            "workers": self.queue.workers,
            "limits": self.limits.to_dict(),
            "plot_formats": list(PLOT_FORMATS),
            "papers": list(PAPERS),
            "max_pens": MAX_PENS,
        }

    def preview(self, name: str) -> bytes:
        """A small PNG of sample strokes of one brush, drawn once."""
        with self._preview_lock:
            if name not in self._previews:
                from painter.brush_sheet import brush_sheet  # the one place the web page takes brush previews from
                from painter.web.jobs import frame_png

                cell = 96
                sheet = brush_sheet([brushes.get_brush(name)], cell=cell, count=2)  # (3, label + cell, 2 * cell)
                self._previews[name] = frame_png(sheet[:, -cell:, :])  # the strokes without the label
            return self._previews[name]

    def add_upload(self, data: bytes, name: str) -> Upload:
        upload = keep_upload(data, name, self.folder / "uploads", self.limits)
        with self.lock:
            self.uploads[upload.id] = upload
        return upload

    def find_upload(self, upload_id, what: str) -> Upload:
        with self.lock:
            upload = self.uploads.get(upload_id) if isinstance(upload_id, str) else None
        if upload is None:
            raise UploadError(f"The {what} is not on the server (it may have restarted); add it again.")
        return upload

    def plot_file(self, job: WebJob, query: dict) -> tuple[bytes, str]:
        """A plotter file of a finished job: (contents, file suffix). ValueError naming a bad choice."""
        from painter import plotter
        from painter.plotter.writers import PLOT_TEXTS  # the file's bytes in memory: nothing to clean up
        from painter.strokes import load_painting

        fmt = query.get("format", "gcode")
        if fmt not in PLOT_FORMATS:
            raise ValueError(f"Unknown plotter format {shown(fmt)}; use one of {', '.join(PLOT_FORMATS)}.")
        paper = query.get("paper", "a4")
        if paper not in PAPERS:
            raise ValueError(f"Unknown paper {shown(paper)}; use one of {', '.join(PAPERS)}.")
        pens = query.get("pens", "4")
        if not re.fullmatch(r"[0-9]{1,3}", pens) or not 1 <= int(pens) <= MAX_PENS:  # ASCII digits only
            raise ValueError(f"Pens must be a whole number from 1 to {MAX_PENS}, got {shown(pens)}.")
        settings = plotter.PlotSettings(paper=paper, pens=int(pens), origin=plotter.ORIGINS[fmt])
        plot = plotter.plan_plot(load_painting(job.files / "strokes.json"), settings)
        return PLOT_TEXTS[fmt](plot, plotter.Machine()), PLOT_FORMATS[fmt]


def download_name(job: WebJob, suffix: str) -> str:
    """`cat-oilpaint.png` for a job painted from cat.jpg: ASCII letters, digits, - and _ only."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(job.photo.name).stem).strip("-")[:40] or "photo"
    return f"{stem}-{job.settings.brush}{suffix}"


class Handler(BaseHTTPRequestHandler):
    """One request: find its route, answer in JSON (or the file asked for); never raise."""

    server_version = "paint-serve"
    timeout = IDLE_S  # socketserver sets it on the socket: every read and write waits at most this long
    app: WebServer

    ROUTES = [
        ("GET", r"/", "page"),
        ("GET", r"/static/(?P<name>[\w.-]+)", "static_file"),
        ("GET", r"/api/config", "get_config"),
        ("GET", r"/api/brushes/(?P<name>[\w-]+)\.png", "brush_preview"),  # a user brush's name may hold a -
        ("POST", r"/api/uploads", "post_upload"),
        ("GET", r"/api/jobs", "list_jobs"),
        ("POST", r"/api/jobs", "post_job"),
        ("GET", r"/api/jobs/(?P<job>[0-9a-f]{16})", "get_job"),
        ("GET", r"/api/jobs/(?P<job>[0-9a-f]{16})/events", "job_events"),
        ("GET", r"/api/jobs/(?P<job>[0-9a-f]{16})/frame\.png", "job_frame"),
        ("POST", r"/api/jobs/(?P<job>[0-9a-f]{16})/cancel", "cancel_job"),
        ("GET", r"/api/jobs/(?P<job>[0-9a-f]{16})/files/(?P<name>[\w.-]+)", "job_file"),
        ("GET", r"/api/jobs/(?P<job>[0-9a-f]{16})/plot", "job_plot"),
    ]

    def handle_one_request(self) -> None:
        # The socket's timeout bounds each read; this bounds the whole request, so that a client sending a
        # byte every few seconds cannot hold its thread for ever. Answering (send_response) disarms it.
        self._deadline = threading.Timer(REQUEST_S, self._hang_up)
        self._deadline.daemon = True
        self._deadline.start()
        try:
            super().handle_one_request()
        except GONE:
            self.close_connection = True  # the client left or stalled: nothing to answer, nothing to report
        finally:
            self._deadline.cancel()

    def _hang_up(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)  # the blocked read returns; the handler ends
        except OSError:
            pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self._deadline.cancel()
        super().send_response(code, message)

    def do_GET(self) -> None:
        self.dispatch("GET")

    def do_POST(self) -> None:
        self.dispatch("POST")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # a local tool: a line per request would bury the URL and any real error

    def dispatch(self, method: str) -> None:
        try:
            self.route(method)
        except GONE:
            self.close_connection = True  # the browser went away, before or while it was answered
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.send_json({"error": "The server failed on this request."}, 500)

    def route(self, method: str) -> None:
        self.app = self.server.app  # type: ignore[attr-defined]
        if self.app.check_host and self.headers.get("Host") not in self.app.allowed_hosts:
            self.send_json({"error": "This server answers only to its own address."}, HTTPStatus.FORBIDDEN)
            return
        parts = urlsplit(self.path)
        self.query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        path = parts.path
        allowed = []
        for route_method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if match:
                if route_method == method:
                    getattr(self, name)(**match.groupdict())
                    return
                allowed.append(route_method)
        if allowed:
            self.send_json({"error": f"{method} is not allowed here"}, HTTPStatus.METHOD_NOT_ALLOWED)
        else:
            self.send_json({"error": f"Nothing at {shown(path)}"}, HTTPStatus.NOT_FOUND)

    # ---- answers ------------------------------------------------------------------------------------
    def send_bytes(self, data: bytes, content_type: str, status: int = 200, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, value, status: int = 200) -> None:
        self.send_bytes(json_text(value).encode("utf-8"), "application/json", status)

    def read_body(self, limit: int, what: str = "file") -> bytes | None:
        """The request body, or None after answering 400/411/413 when its length is missing, not a whole
        number of ASCII digits (int() would take "-1", " 5" or Arabic-Indic digits) or over `limit`."""
        given = self.headers.get("Content-Length")
        if given is None:
            self.send_json({"error": "The request has no Content-Length."}, HTTPStatus.LENGTH_REQUIRED)
            return None
        if not re.fullmatch(r"[0-9]{1,18}", given):
            self.close_connection = True  # where the body ends is unknown: nothing more can be read from here
            message = f"The request's Content-Length is not a whole number of bytes: {shown(given)}."
            self.send_json({"error": message}, HTTPStatus.BAD_REQUEST)
            return None
        length = int(given)
        if length > limit:
            message = f"The {what} is {length / 1e6:.3g} MB; the limit is {limit / 1e6:.3g} MB."
            remaining = length if length <= 4 * limit else 0
            while remaining > 0:  # read it away, so that the browser gets the answer rather than a reset
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            self.close_connection = True
            self.send_json({"error": message}, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return None
        return self.rfile.read(length)

    def read_json(self) -> dict | None:
        body = self.read_body(MAX_JSON_BYTES, "request")
        if body is None:
            return None
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            self.send_json({"error": "The request is not valid JSON."}, HTTPStatus.BAD_REQUEST)
            return None
        if not isinstance(value, dict):
            self.send_json({"error": "Expected a JSON object."}, HTTPStatus.BAD_REQUEST)
            return None
        return value

    def find_job(self, job_id: str) -> WebJob | None:
        job = self.app.queue.jobs.get(job_id)
        if job is None:
            self.send_json({"error": "No such painting (the server may have restarted)."}, HTTPStatus.NOT_FOUND)
        return job

    # ---- routes ---------------------------------------------------------------------------------------
    def page(self) -> None:
        self.send_bytes(_static("index.html"), "text/html; charset=utf-8")

    def static_file(self, name: str) -> None:
        if name not in STATIC:
            self.send_json({"error": f"Nothing at /static/{shown(name)}"}, HTTPStatus.NOT_FOUND)
            return
        self.send_bytes(_static(name), STATIC[name] + ("; charset=utf-8" if STATIC[name].startswith("text") else ""))

    def get_config(self) -> None:
        self.send_json(self.app.config())

    def brush_preview(self, name: str) -> None:
        if name not in brushes.brush_names():
            self.send_json({"error": f"No brush called {shown(name)}"}, HTTPStatus.NOT_FOUND)
            return
        self.send_bytes(self.app.preview(name), "image/png")

    def post_upload(self) -> None:
        data = self.read_body(self.app.limits.upload_bytes)
        if data is None:
            return
        try:
            upload = self.app.add_upload(data, unquote(self.headers.get("X-File-Name", "photo")))
        except UploadError as err:
            self.send_json({"error": str(err)}, err.status)
            return
        self.send_json(upload.to_dict(), HTTPStatus.CREATED)

    def list_jobs(self) -> None:
        queue = self.app.queue
        self.send_json([queue.describe(job) for job in list(queue.jobs.values())])

    def post_job(self) -> None:
        request = self.read_json()
        if request is None:
            return
        unknown = sorted(set(request) - {"photo", "style", "options"})
        if unknown:
            self.send_json({"error": f"Unknown field {shown(unknown[0])} in the request."}, HTTPStatus.BAD_REQUEST)
            return
        try:
            photo = self.app.find_upload(request.get("photo"), "photo")
            style = self.app.find_upload(request["style"], "style image") if request.get("style") else None
            settings = settings_from_options(request.get("options", {}), style, self.app.limits)
            job = self.app.queue.submit(photo, settings, style)
        except SettingsError as err:
            self.send_json({"error": err.named(label), "field": err.field}, HTTPStatus.BAD_REQUEST)
            return
        except (UploadError, ValueError) as err:
            self.send_json({"error": str(err)}, HTTPStatus.BAD_REQUEST)
            return
        except QueueFull as err:
            self.send_json({"error": str(err)}, HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self.send_json(self.app.queue.describe(job), HTTPStatus.ACCEPTED)

    def get_job(self, job: str) -> None:
        found = self.find_job(job)
        if found is not None:
            self.send_json(self.app.queue.describe(found))

    def job_events(self, job: str) -> None:
        """Server-sent events: the job as JSON whenever it changes, until it is finished."""
        found = self.find_job(job)
        if found is None:
            return
        queue = self.app.queue
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen, sent = -1, None
        while not queue.closing:
            version = queue.wait(seen, KEEP_ALIVE_S)
            if version == seen:
                self.wfile.write(b": still here\n\n")
            else:
                seen = version
                state = json_text(queue.describe(found))
                if state != sent:  # the version counts every job's changes; send only this job's
                    self.wfile.write(f"data: {state}\n\n".encode())
                    sent = state
            self.wfile.flush()
            if found.finished:
                return

    def job_frame(self, job: str) -> None:
        found = self.find_job(job)
        if found is None:
            return
        if found.frame is None:
            self.send_json({"error": "No frame yet."}, HTTPStatus.NOT_FOUND)
            return
        self.send_bytes(found.frame, "image/png")

    def cancel_job(self, job: str) -> None:
        found = self.find_job(job)
        if found is not None:
            self.app.queue.cancel(found)
            self.send_json(self.app.queue.describe(found))

    def job_file(self, job: str, name: str) -> None:
        found = self.find_job(job)
        if found is None:
            return
        path = found.files / name
        if name not in RESULT_FILES or not found.finished or not path.is_file():
            self.send_json({"error": f"This painting has no file {shown(name)}."}, HTTPStatus.NOT_FOUND)
            return
        suffix = Path(name).suffix
        saved_as = download_name(found, DOWNLOAD_SUFFIXES.get(name, suffix))
        headers = {"Content-Disposition": f'attachment; filename="{saved_as}"'}
        self.send_bytes(path.read_bytes(), CONTENT_TYPES.get(suffix, "application/octet-stream"), 200, headers)

    def job_plot(self, job: str) -> None:
        found = self.find_job(job)
        if found is None:
            return
        if found.state not in ("done", "stopped"):
            self.send_json({"error": "The painting is not finished yet."}, HTTPStatus.CONFLICT)
            return
        try:
            data, suffix = self.app.plot_file(found, self.query)
        except ValueError as err:
            self.send_json({"error": str(err)}, HTTPStatus.BAD_REQUEST)
            return
        name = download_name(found, f"-{self.query.get('pens', '4')}pens{suffix}")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        self.send_bytes(data, CONTENT_TYPES[suffix[suffix.rindex(".") :]], 200, headers)
