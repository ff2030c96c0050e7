"""Routes of Gradio's server that would reach beyond this machine, closed.

Gradio serves ``/gradio_api/file=<http(s) URL>`` by fetching the URL itself and streaming it
back (and ``/gradio_api/proxy=`` for spaces loaded with ``gr.load``), so anyone who can open
the page could make the coach connect out. The coach never needs either: every file it shows
is on this machine. This ASGI middleware answers such requests with 403 before Gradio sees them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# "/file=" or "/proxy=" followed by anything with a scheme ("http:", "https:", "ftp:", "//host").
REMOTE = re.compile(r"/(file|proxy)=\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.I)


def reaches_out(path: str) -> bool:
    """True when a request path asks the server to fetch something from another machine."""
    decoded = path
    for _ in range(3):  # percent-encoded once, twice or three times
        decoded = unquote(decoded)
    return bool(REMOTE.search(decoded))


class NoRemoteFetch:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and reaches_out(
            scope.get("path", "") + "?" + scope.get("query_string", b"").decode("latin-1")
        ):
            body = b"This coach does not fetch files from other machines."
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
