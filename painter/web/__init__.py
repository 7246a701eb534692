"""`paint serve`: a local web page where people drop a photo and watch it being painted.

    from painter.web import WebServer
    WebServer("127.0.0.1", 8000).serve_forever()

`server` answers HTTP, `jobs` queues and paints with the library's PaintJob, `uploads` checks what the
page sends, and `static/` holds the page itself (plain HTML, CSS and JavaScript, no build step).
"""

from __future__ import annotations

from painter.web.server import WebServer
from painter.web.uploads import Limits

__all__ = ["Limits", "WebServer"]
