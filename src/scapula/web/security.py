"""What keeps a page on another site from using the local app: CSRF tokens, a body size
limit, and a Host check.

The app has no login (it is one runner's, on their own machine), so the threat is a web page
in the same browser sending requests to 127.0.0.1:8000. Three defences:

* CSRF, signed double submit: the browser holds a random token in an HttpOnly cookie; every
  page carries that token *signed with the app's secret*, and every unsafe request (POST, PUT,
  PATCH, DELETE — pages and API alike) must send the signed form back, in the ``csrf_token``
  form field or the ``X-CSRF-Token`` header (HTMX requests and API clients). The signature
  matters on localhost: cookies are not separated by port, so another local app could plant a
  cookie of its choosing, but it cannot sign it without the secret.
* A body size limit for uploads, checked against Content-Length before anything is read and
  counted while reading (a body longer than it said is cut off).
* A Host check against DNS rebinding: bound to loopback, only loopback names are served;
  a Host header that is not exactly ``host[:port]`` is refused whatever the binding.

Every answer also carries headers that forbid framing by another page (clickjacking),
content sniffing and loading anything from elsewhere (``SECURITY_HEADERS``).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import secrets
from pathlib import Path

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "scapula_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def load_secret(data_dir: Path) -> bytes:
    """The app's signing secret, kept in the data dir (mode 0600) so that a page opened before
    a restart can still log its set after it."""
    path = data_dir / "web-secret"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret.hex())
    return secret


class Csrf:
    def __init__(self, secret: bytes) -> None:
        self.signer = URLSafeSerializer(secret, salt="scapula-csrf")
        # what the app hands a client to bring back later (a posture check's numbers to
        # save): signed, so what comes back is what the app measured
        self.sealer = URLSafeSerializer(secret, salt="scapula-sealed")

    def seal(self, value) -> str:
        return self.sealer.dumps(value)

    def unseal(self, token: str):
        """The sealed value, or None when the token was not made by this app."""
        try:
            return self.sealer.loads(token)
        except BadSignature:
            return None

    def cookie_value(self, request: Request) -> tuple[str, bool]:
        """(the browser's raw token, whether it is new and must be set as a cookie)."""
        raw = request.cookies.get(CSRF_COOKIE, "")
        if len(raw) == 43:  # token_urlsafe(32)
            return raw, False
        return secrets.token_urlsafe(32), True

    def sign(self, raw: str) -> str:
        return self.signer.dumps(raw)

    def valid(self, raw_cookie: str | None, sent: str | None) -> bool:
        if not raw_cookie or not sent:
            return False
        try:
            unsigned = self.signer.loads(sent)
        except BadSignature:
            return False
        return isinstance(unsigned, str) and hmac.compare_digest(unsigned, raw_cookie)


class CsrfRefused(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            403,
            "CSRF check failed: reload the page and try again "
            "(API clients: GET /api/csrf, then send its token in X-CSRF-Token)",
        )


async def csrf_protect(request: Request) -> None:
    """Router dependency: every unsafe request carries a valid token, else 403."""
    if request.method not in UNSAFE:
        return
    csrf: Csrf = request.app.state.csrf
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached by Starlette: the route reads the same form
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf.valid(request.cookies.get(CSRF_COOKIE), sent):
        raise CsrfRefused()


def websocket_refusal(websocket) -> str | None:
    """Why a WebSocket handshake is refused (None: accepted). A socket is not a form post, so
    the same two checks are made at the handshake: an ``Origin`` (browsers always send one)
    must be this app's own, and the signed CSRF token must come in the ``csrf`` query
    parameter with its cookie (API clients: GET /api/csrf first, as for a POST)."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host", "")
    if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
        return f"origin {origin!r} is not this app"
    csrf: Csrf = websocket.app.state.csrf
    if not csrf.valid(websocket.cookies.get(CSRF_COOKIE), websocket.query_params.get("csrf")):
        return "CSRF check failed: open the page again (API clients: GET /api/csrf, send ?csrf=TOKEN with its cookie)"
    return None


class BodyLimit:
    """Pure ASGI middleware: refuses a request body over ``limit`` bytes with 413.

    Content-Length is checked before the app runs; a body without one (chunked) is counted as
    it arrives and stopped at the limit, so a large upload is never spooled to disk."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0 or declared > self.limit:
                await self._refuse(scope, send, declared)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # FastAPI passes an HTTPException raised while reading the body through
                    raise HTTPException(413, self.message())
            return message

        await self.app(scope, counted, send)

    def message(self) -> str:
        return f"upload too large: the limit is {self.limit / 1_000_000:g} MB"

    async def _refuse(self, scope: Scope, send: Send, declared: int) -> None:
        from starlette.responses import HTMLResponse, JSONResponse, Response

        text = self.message() if declared >= 0 else "bad Content-Length"
        status = 413 if declared >= 0 else 400
        response: Response
        if scope["path"].startswith("/api"):
            response = JSONResponse({"detail": text}, status_code=status)
        else:
            response = HTMLResponse(
                f"<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
                f"<title>Scapula</title><p style='font:1.2rem sans-serif;padding:1rem'>{text}. "
                f"<a href='/setup'>Back to setup</a></p>",
                status_code=status,
            )
        # the body is not read: tell the client the connection will not be reused for it
        response.headers["connection"] = "close"
        await response(scope, _drain_nothing, send)


async def _drain_nothing() -> Message:
    return {"type": "http.disconnect"}


# host = reg-name / IPv4 / [IPv6], then an optional :port (RFC 9110 §7.2, RFC 3986 §3.2.2):
# no user info, path, spaces or second colon can hide another name in it
_HOST = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?))"
    r"(?::(?P<port>[0-9]{1,5}))?"
)


def host_name(header: str) -> str | None:
    """The host name of a Host header, lower case (an IPv6 address without its brackets), or
    None when the header is not exactly ``host[:port]``."""
    found = _HOST.fullmatch(header)
    if found is None or (found["port"] is not None and int(found["port"]) > 65535):
        return None
    if found["ipv6"] is not None:
        try:
            return str(ipaddress.IPv6Address(found["ipv6"]))
        except ValueError:
            return None
    name = found["name"].lower()
    return name if ".." not in name else None


class HostCheck:
    """Pure ASGI middleware: a 400 for a Host header that is malformed or, when ``allowed`` is
    given, not one of those names (DNS rebinding: a hostile name resolving to 127.0.0.1 would
    otherwise reach the app as a same-origin page). ``None`` allows every well-formed host
    (the user chose --host)."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [v for k, v in scope["headers"] if k == b"host"]
        header = hosts[0].decode("latin-1") if len(hosts) == 1 else ""
        name = host_name(header)
        if name is None or (self.allowed is not None and name not in self.allowed):
            from starlette.responses import PlainTextResponse

            why = f"unknown host {header!r}" if name is not None else f"malformed Host header {header[:100]!r}"
            await PlainTextResponse(why, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


# Sent with every answer. The pages may not be framed by another page (a click inside a
# frame would act on the app: clickjacking), run only the app's own scripts (and compile the
# in-browser pose estimator's WebAssembly, served by the app too), and load nothing from
# anywhere else; no answer is sniffed as another type; no address leaks in a Referer.
SECURITY_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; "
        b"base-uri 'self'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Pure ASGI middleware: ``SECURITY_HEADERS`` on every HTTP answer, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
