"""`paint serve` against clients that lie, stall, flood or leave: each case ends in one plain answer (or a
closed connection), nothing is kept, and the server goes on serving."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import quote

import pytest
from PIL import Image

from painter.web import Limits, WebServer
from painter.web import server as server_module
from tests.web.test_server import TINY, call, finished, submit, upload


def strict_json(data: bytes | str):
    """json.loads refusing Infinity and NaN, as a browser's JSON.parse does."""

    def refuse(token: str):
        raise AssertionError(f"not JSON: {token}")

    return json.loads(data, parse_constant=refuse)


def raw(server, request: bytes, timeout: float = 10.0) -> bytes:
    """Send bytes as they are and read the answer until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_and_body(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), strict_json(body)


def uploads_on_disk(server) -> list:
    folder = server.folder / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "length", ["-1", "-600000000", "abc", "+5", "5 5", "1e3", "0x10", "\u0663", "\uff15", "\u00b3"]
)
@pytest.mark.parametrize("path", ["/api/uploads", "/api/jobs"])
def test_a_negative_or_malformed_content_length_is_refused_at_once(server, path, length):
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Length: {length}\r\n\r\n"
    started = time.monotonic()
    answer = raw(server, head.encode("utf-8") + b"x" * 1000)  # the body is never read: the answer comes at once
    status, body = status_and_body(answer)
    assert status == 400
    as_read = length.encode("utf-8").decode("latin-1")  # how http.server reads a header's bytes
    assert body["error"] == f"The request's Content-Length is not a whole number of bytes: {as_read!r}."
    assert time.monotonic() - started < 5
    assert uploads_on_disk(server) == [] and server.queue.jobs == {}
    assert call(server, "GET", "/api/config")[0] == 200


def test_a_json_body_over_the_limit_is_a_request_not_a_file(server):
    status, body, _ = call(server, "POST", "/api/jobs", b"[" * 70_000)
    assert status == 413 and body["error"] == "The request is 0.07 MB; the limit is 0.064 MB."


@pytest.mark.parametrize(
    "body", [b"[" * 30_000, b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000]
)
def test_deeply_nested_json_is_not_valid_json(server, body):
    status, answer, _ = call(server, "POST", "/api/jobs", body)
    assert status == 400 and answer == {"error": "The request is not valid JSON."}
    assert server.queue.jobs == {}


def test_a_long_bad_value_is_not_echoed_back_whole(server, photo):
    status, body, _ = submit(server, upload(server, photo), {**TINY, "canvas": "x" * 10_000})
    assert status == 400
    expected = "Canvas colour: expected auto, white, black or #rrggbb, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
    assert body["error"] == expected
    status, body, _ = call(server, "GET", "/" + "a" * 5000)
    assert status == 404 and len(body["error"]) < 80


def test_plot_pens_take_ascii_digits_only_and_infinite_psnr_is_json_everywhere(server, tmp_path):
    white = tmp_path / "white.png"
    Image.new("RGB", (64, 48), "white").save(white)  # one white rectangle paints it exactly: PSNR is infinite
    options = {**TINY, "strokes": 1}
    status, job, _ = submit(server, upload(server, white), options)
    assert status == 202
    job = finished(server, job["id"])
    assert job["state"] == "done" and job["metrics"]["psnr"] is None
    # What the page reads: the job list, the job, its event stream and metrics.json, all strict JSON.
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    with connection:
        connection.sendall(
            f"GET /api/jobs/{job['id']}/events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
        )
        stream = b""
        while chunk := connection.recv(65536):
            stream += chunk
    events = [line[6:] for line in stream.decode().splitlines() if line.startswith("data: ")]
    assert events and strict_json(events[-1])["metrics"]["psnr"] is None
    raw_list = raw(
        server, f"GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode()
    )
    assert status_and_body(raw_list)[1][0]["metrics"]["psnr"] is None
    metrics = (server.queue.jobs[job["id"]].files / "metrics.json").read_text(encoding="utf-8")
    assert strict_json(metrics)["psnr"] is None and "Infinity" not in metrics

    for pens in ["\u0663", "\u06f3", "\uff13", "\u00b3", "\U0001d7d1", "1\u0663", " 3", "+3", "3.0", "9" * 5000]:
        status, body, response = call(server, "GET", f"/api/jobs/{job['id']}/plot?pens={quote(pens)}")
        assert status == 400, pens
        shown = repr(pens) if len(repr(pens)) <= 40 else repr(pens)[:37] + "..."
        assert body == {"error": f"Pens must be a whole number from 1 to 16, got {shown}."}
    status, data, response = call(server, "GET", f"/api/jobs/{job['id']}/plot?pens=3")
    assert status == 200 and response.getheader("Content-Disposition").endswith('-3pens.gcode"')


def test_a_client_that_leaves_is_not_an_error(server, capfd):
    for index in range(60):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            host = "elsewhere.example" if index % 2 else f"127.0.0.1:{server.port}"
            path = "/api/config" if index % 2 else "/nothing-here"
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
    time.sleep(0.5)
    assert call(server, "GET", "/api/config")[0] == 200
    assert "Error" not in capfd.readouterr().err


def test_stalled_and_trickling_connections_are_closed(tmp_path, monkeypatch):
    monkeypatch.setattr(server_module.Handler, "timeout", 0.5)
    monkeypatch.setattr(server_module, "REQUEST_S", 1.5)
    server = WebServer("127.0.0.1", 0, folder=tmp_path / "serve").start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(100) == b""  # closed by the server, having sent nothing
            assert time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
            slow.sendall(b"GET /api/config HTTP/1.1\r\n")
            started, closed = time.monotonic(), False
            while time.monotonic() - started < 6:
                try:
                    slow.sendall(b"X-Slow: 1\r\n")  # one header line every 0.3 s: never idle for 0.5 s
                except OSError:
                    closed = True
                    break
                time.sleep(0.3)
            assert closed and time.monotonic() - started < 4
        assert call(server, "GET", "/api/config")[0] == 200
    finally:
        server.close()


def test_the_server_holds_a_bounded_number_of_connections(tmp_path, monkeypatch):
    monkeypatch.setattr(server_module, "MAX_CONNECTIONS", 4)
    server = WebServer("127.0.0.1", 0, folder=tmp_path / "serve", limits=Limits()).start()
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(4)]
    try:
        time.sleep(0.3)
        status, body = status_and_body(raw(server, b"GET /api/config HTTP/1.1\r\n\r\n"))
        assert status == 503 and body == {"error": "The server is busy; try again in a moment."}
        held.pop().close()
        time.sleep(0.3)
        assert call(server, "GET", "/api/config")[0] == 200
    finally:
        for sock in held:
            sock.close()
        server.close()
