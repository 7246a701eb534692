"""The web page offers brushes the user made (`paint brushes new`) beside the built-in ones."""

from __future__ import annotations

import http.client
import io
import json

import imageio.v3 as iio
from PIL import Image
from synthetic import stroke_photo

from painter.cli import main


def get(server, path: str) -> tuple[int, bytes, str]:
    """Status, body and content type of a GET from the server."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response.getheader("Content-Type")


def test_a_user_brush_has_its_card_and_preview(tmp_path, monkeypatch, capsys, request):
    monkeypatch.setenv("PAINT_HOME", str(tmp_path / "home"))
    texture = tmp_path / "stroke.png"
    Image.fromarray(stroke_photo(angle=70.0)).save(texture)
    assert main(["brushes", "new", "my-dab", "--texture", str(texture)]) == 0
    capsys.readouterr()
    server = request.getfixturevalue("server")  # started after the user folder is set
    status, body, _ = get(server, "/api/config")
    assert status == 200
    config = json.loads(body)
    cards = {b["name"]: b["description"] for b in config["brushes"]}
    assert cards["my-dab"] == "a scanned stroke (opaque paint, one colour)" and "oilpaint" in cards
    status, body, kind = get(server, "/api/brushes/my-dab.png")
    assert status == 200 and kind == "image/png"
    assert iio.imread(io.BytesIO(body)).shape[1] > 100
