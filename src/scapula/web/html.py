"""Rendering a page: the template with the CSRF token its forms need (and the cookie it
pairs with), the navigation mark and the static files' versions."""

from __future__ import annotations

from fastapi import Request

from scapula.web.security import CSRF_COOKIE


def render(request: Request, name: str, context: dict, status: int = 200):
    csrf = request.app.state.csrf
    raw, new = csrf.cookie_value(request)
    context = {
        "csrf": csrf.sign(raw),
        "nav": name.removesuffix(".html"),
        "static": {k: v[2] for k, v in request.app.state.static.items()},
        **context,
    }
    response = request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
    if new:
        response.set_cookie(CSRF_COOKIE, raw, httponly=True, samesite="strict", path="/")
    return response
