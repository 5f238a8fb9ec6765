"""The phone as the camera: pairing a phone, the "Use your phone" page (QR codes, how to trust
the certificate), and what makes the app installable on a home screen (the manifest and the
service worker)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from scapula.web.html import render
from scapula.web.pairing import DEVICE_COOKIE, DEVICE_DAYS, is_loopback, network_address, qr_svg
from scapula.web.security import csrf_protect

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

# what the service worker keeps for the app shell: the static files the pages load
SHELL = ("app.css", "app.js", "coach.js", "phone.js", "htmx.min.js", "icon.svg", "icon-192.png", "icon-512.png")


def addresses(app: FastAPI) -> dict:
    """The addresses a phone uses: the app (HTTPS when on), the CA page (plain HTTP)."""
    config = app.state.config
    names = app.state.names
    host = network_address(names.ips) if names is not None else None
    if host is None:
        return {"app": None, "ca": None}
    if config.https:
        return {"app": f"https://{host}:{config.https_port}", "ca": f"http://{host}:{config.port}/ca"}
    return {"app": f"http://{host}:{config.port}", "ca": None}


@router.get("/pair")
def pair(request: Request, token: str = "") -> Response:
    """The link in the QR code: spends the token and signs this device in."""
    cookie = request.app.state.pairing.redeem(token[:100])
    if cookie is None:
        return render(request, "phone.html", _context(request, error="bad-token"), status=400)
    response = RedirectResponse("/phone?paired=1", status_code=303)
    response.set_cookie(
        DEVICE_COOKIE,
        cookie,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.app.state.config.https,
        path="/",
    )
    return response


@router.get("/phone", response_class=HTMLResponse)
def phone_page(request: Request):
    context = _context(request, paired=request.query_params.get("paired") == "1")
    context["forgotten"] = request.query_params.get("forgotten") == "1"
    return render(request, "phone.html", context)


def _context(request: Request, paired: bool = False, error: str | None = None) -> dict:
    config = request.app.state.config
    where = addresses(request.app)
    client = request.client.host if request.client else None
    context: dict = {
        "on_network": config.on_network,
        "https": config.https,
        "paired": paired,
        "error": error,
        "here": is_loopback(client),
        "where": where,
        "browser_pose": request.app.state.browser_pose,
        "pair_qr": None,
        "ca_qr": None,
        "fingerprint": None,
        "ttl_min": round(request.app.state.pairing.ttl_s / 60),
    }
    if where["app"] is not None and error is None and not paired:
        token = request.app.state.pairing.new_token()
        context["pair_url"] = f"{where['app']}/pair?token={token}"
        context["pair_qr"] = qr_svg(context["pair_url"])
    if where["ca"] is not None:
        context["ca_qr"] = qr_svg(where["ca"])
        context["fingerprint"] = request.app.state.certificates.ca_fingerprint()
    return context


@router.post("/phone/forget")
def forget_phones(request: Request) -> Response:
    """Every paired device must pair again. Only from the computer itself."""
    client = request.client.host if request.client else None
    if not is_loopback(client):
        return render(request, "phone.html", _context(request, error="not-here"), status=403)
    request.app.state.pairing.forget_all()
    return RedirectResponse("/phone?forgotten=1", status_code=303)


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    static = request.app.state.static
    icons = [
        {"src": f"/static/icon-{n}.png?v={static[f'icon-{n}.png'][2]}", "sizes": f"{n}x{n}", "type": "image/png"}
        for n in (192, 512)
    ]
    icons.append({**icons[1], "purpose": "maskable"})
    body = {
        "id": "/",
        "name": "Scapula",
        "short_name": "Scapula",
        "description": "Upper-back strength and posture coach for runners, with a camera coach.",
        "start_url": "/session",
        "scope": "/",
        "display": "fullscreen",
        "display_override": ["fullscreen", "standalone"],
        "orientation": "portrait",
        "background_color": "#11171c",
        "theme_color": "#1f6f8b",
        "icons": icons,
    }
    return JSONResponse(body, media_type="application/manifest+json", headers={"cache-control": "no-cache"})


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    """The service worker, at the root so that it serves every page; its cache's name changes
    with the static files, so a new version replaces the old cache."""
    static = request.app.state.static
    shell = [f"/static/{name}?v={static[name][2]}" for name in SHELL]
    version = "-".join(static[name][2][:6] for name in SHELL)
    code = static["sw.js"][0].decode().replace("__SHELL__", json.dumps(shell)).replace("__VERSION__", version)
    return Response(code, media_type="text/javascript; charset=utf-8", headers={"cache-control": "no-cache"})
