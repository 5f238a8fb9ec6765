"""Pairing a phone: who may use the app when it listens on the home network.

Bound to loopback, the app is only reachable from its own machine and needs no sign-in.
Bound to the network (``--host 0.0.0.0``), anyone on the Wi-Fi could open it, so every
request that does not come from the machine itself must carry a *device cookie*:

* the terminal (``scapula serve``) and the "Use your phone" page show a QR code with the
  HTTPS address and a one-time pairing token (``/pair?token=...``);
* opening it redeems the token (once, within ``TOKEN_TTL_S``) and the answer sets the
  device cookie: signed with the app's secret, HttpOnly, SameSite=Lax, Secure over HTTPS,
  valid ``DEVICE_DAYS``;
* ``PairedOnly`` (ASGI middleware) refuses every other request from the network without
  a valid cookie: 401 with a page saying how to pair. Loopback clients stay trusted.
* "Forget every paired phone" (the computer's /phone page) refuses every cookie given
  before it, across restarts (the time is kept in the data dir).

The tokens live in memory only: a restart forgets the ones not used.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.types import ASGIApp, Receive, Scope, Send

DEVICE_COOKIE = "scapula_device"
TOKEN_TTL_S = 600.0
DEVICE_DAYS = 400
# what a phone may load before it is paired: the pairing link itself and the app's code
OPEN_PATHS = frozenset({"/pair", "/manifest.webmanifest", "/sw.js"})
OPEN_PREFIXES = ("/static/",)


class Pairing:
    """One-time tokens and device cookies. ``clock`` is wall-clock seconds (a seam for tests)."""

    def __init__(
        self,
        secret: bytes,
        clock: Callable[[], float] = time.time,
        ttl_s: float = TOKEN_TTL_S,
        forgotten: Path | None = None,
    ) -> None:
        self.signer = URLSafeSerializer(secret, salt="scapula-device")
        self.clock = clock
        self.ttl_s = ttl_s
        self.tokens: dict[str, float] = {}  # token -> when it expires
        # "Forget every paired phone": devices paired before this time are refused; kept in
        # the data dir so that it holds across restarts
        self.forgotten = forgotten
        self.not_before = 0.0
        if forgotten is not None:
            with contextlib.suppress(OSError, ValueError):  # none yet, or unreadable: nothing forgotten
                self.not_before = float(forgotten.read_text().strip())

    def forget_all(self) -> None:
        """Every device paired so far must pair again (a phone lost or lent)."""
        self.not_before = self.clock()
        self.tokens.clear()
        if self.forgotten is not None:
            self.forgotten.parent.mkdir(parents=True, exist_ok=True)
            self.forgotten.write_text(f"{self.not_before!r}\n")

    def new_token(self) -> str:
        now = self.clock()
        self.tokens = {t: end for t, end in self.tokens.items() if end > now}  # forget the stale ones
        token = secrets.token_urlsafe(24)
        self.tokens[token] = now + self.ttl_s
        return token

    def redeem(self, token: str) -> str | None:
        """A new device cookie for a token that is known and not expired (the token is spent
        whatever the outcome), else None."""
        for known in list(self.tokens):
            if hmac.compare_digest(known.encode(), token.encode()):
                end = self.tokens.pop(known)
                if end > self.clock():
                    return self.signer.dumps({"device": secrets.token_hex(8), "since": self.clock()})
        return None

    def device(self, cookie: str | None) -> str | None:
        """The device id of a valid, unexpired device cookie, else None."""
        if not cookie:
            return None
        try:
            value = self.signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("since"), int | float):
            return None
        if self.clock() - value["since"] > DEVICE_DAYS * 86400 or value["since"] < self.not_before:
            return None
        return str(value.get("device"))


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


NOT_PAIRED = (
    "<!doctype html><html lang=en><meta charset=utf-8>"
    "<meta name=viewport content='width=device-width, initial-scale=1'><title>Pair this device · Scapula</title>"
    "<body style='font:1.15rem/1.5 system-ui,sans-serif;max-width:32rem;margin:auto;padding:1rem'>"
    "<h1>This device is not paired</h1>"
    "<p>Scapula only answers the computer it runs on and the phones paired with it.</p>"
    "<p>To pair this phone, scan the QR code that <code>scapula serve --https</code> printed in the terminal, "
    "or the one on the <b>Use your phone</b> page (Setup) on the computer. A code works once, for "
    "{minutes} minutes.</p></body></html>"
)


class PairedOnly:
    """Pure ASGI middleware for the app on the network: loopback clients pass, and so do the
    open paths; every other request needs a valid device cookie."""

    def __init__(self, app: ASGIApp, pairing: Pairing) -> None:
        self.app = app
        self.pairing = pairing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "this device is not paired"})
            return
        from starlette.responses import HTMLResponse, JSONResponse, Response

        response: Response
        if scope["path"].startswith("/api") or scope["path"] == "/openapi.json":
            response = JSONResponse({"detail": "this device is not paired: scan the pairing QR code"}, 401)
        else:
            response = HTMLResponse(NOT_PAIRED.format(minutes=round(self.pairing.ttl_s / 60)), 401)
        await response(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        client = scope.get("client")
        if is_loopback(client[0] if client else None):
            return True
        path = scope["path"]
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return True
        return self.pairing.device(_cookie(scope, DEVICE_COOKIE)) is not None


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header: no cookie
                continue
            if name in jar:
                return jar[name].value
    return None


# ---------------------------------------------------------------- addresses and QR codes


def network_address(ips) -> str | None:
    """The address to put in a QR code: the first IPv4 address that is not loopback, else the
    first such IPv6 one (in brackets), else None."""
    others = [ip for ip in ips if not ip.is_loopback]
    others.sort(key=lambda ip: ip.version)
    if not others:
        return None
    return str(others[0]) if others[0].version == 4 else f"[{others[0]}]"


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as an inline SVG element (dark on white, scales with CSS)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=6, dark="#111", light="#fff", omitsize=True)


def qr_terminal(text: str) -> str:
    """The QR code of ``text`` drawn with block characters, two rows a line."""
    import io

    import segno

    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()
