"""The plain-HTTP listener of ``scapula serve --https``.

On the port a runner already knows (8000), it answers:

* the machine itself (a loopback client at a loopback name): the app, as without ``--https``;
* ``/ca``, ``/ca.crt``, ``/ca.pem``: a page with only Scapula's CA certificate on it, for a
  phone to download and trust (it has to come over plain HTTP: until the phone trusts the
  CA, the HTTPS address shows a warning);
* everything else: a redirect to the same path on the HTTPS port.
"""

from __future__ import annotations

from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from scapula.web.pairing import is_loopback
from scapula.web.security import LOOPBACK_HOSTS, SecurityHeaders, host_name
from scapula.web.tls import Certificates

CA_PAGE = """<!doctype html><html lang=en><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1"><title>Scapula's certificate</title>
<body style="font:1.15rem/1.5 system-ui,sans-serif;max-width:32rem;margin:auto;padding:1rem">
<h1>Scapula's certificate</h1>
<p>Trust this certificate on your phone and it opens Scapula at <b>{https}</b> without a warning.</p>
<p><a href="/ca.crt" download="scapula-ca.crt" style="display:inline-block;padding:.8rem 1.2rem;background:#1f6f8b;
color:#fff;border-radius:10px;text-decoration:none">Download the certificate</a></p>
<p>SHA-256 fingerprint:<br><code style="word-break:break-all">{fingerprint}</code></p>
<p style="color:#555">It can vouch only for addresses on a home network and <code>.local</code> names.
How to install it on an iPhone or an Android phone: the <b>Use your phone</b> page of Scapula on the computer.</p>
</body></html>"""


class PlainHttp:
    def __init__(self, app: ASGIApp, certificates: Certificates, https_port: int, allowed: frozenset[str]) -> None:
        self.app = app
        self.certificates = certificates
        self.https_port = https_port
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return
        hosts = [v for k, v in scope["headers"] if k == b"host"]
        name = host_name(hosts[0].decode("latin-1")) if len(hosts) == 1 else None
        client = scope.get("client")
        if name in LOOPBACK_HOSTS and is_loopback(client[0] if client else None):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "use the HTTPS address"})
            return
        await SecurityHeaders(self._answer)(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        hosts = [v for k, v in scope["headers"] if k == b"host"]
        name = host_name(hosts[0].decode("latin-1")) if len(hosts) == 1 else None
        response: Response
        if name is None or name not in self.allowed:
            response = PlainTextResponse("unknown host", status_code=400)
        else:
            shown = f"[{name}]" if ":" in name else name
            https = f"https://{shown}:{self.https_port}"
            path = scope["path"]
            if path == "/ca":
                page = CA_PAGE.format(https=https, fingerprint=self.certificates.ca_fingerprint())
                response = HTMLResponse(page, headers={"cache-control": "no-store"})
            elif path == "/ca.crt":  # DER: what iOS and Android offer to install
                response = Response(
                    self.certificates.ca_der(),
                    media_type="application/x-x509-ca-cert",
                    headers={"content-disposition": 'attachment; filename="scapula-ca.crt"'},
                )
            elif path == "/ca.pem":
                response = Response(self.certificates.ca.read_bytes(), media_type="application/x-pem-file")
            else:
                query = scope.get("query_string", b"").decode("latin-1")
                response = RedirectResponse(https + path + (f"?{query}" if query else ""), status_code=301)
        await response(scope, receive, send)
