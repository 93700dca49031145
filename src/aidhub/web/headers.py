"""Security headers on every response.

- Content-Security-Policy: everything from this site only; no inline scripts (the one
  script is /static/app.js); inline style attributes allowed (fill bars); no framing.
- Strict-Transport-Security when the request came over https (directly or, behind a
  reverse proxy, as X-Forwarded-Proto with uvicorn's --proxy-headers).
- No MIME sniffing, no referrer to other sites, no camera/microphone/geolocation.
- Pages and API answers are not cached by shared caches (they hold private records).
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
ALWAYS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Pure ASGI middleware (it does not buffer bodies, so PDFs stream as before)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                replaced = set(ALWAYS) | ({"cache-control"} if not static else set())
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode().lower() not in replaced]
                headers += [(k.encode(), v.encode()) for k, v in ALWAYS.items()]
                if https:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
