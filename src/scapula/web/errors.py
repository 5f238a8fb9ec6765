"""How an error reaches a person: a JSON ``{"detail": "<one line>"}`` from the API, the
page's own message or a plain error page from the pages. ``status_of`` is the one table from
Scapula's errors to HTTP statuses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException  # FastAPI's own is a subclass: both come here

from scapula.app.inputs import problems
from scapula.errors import (
    BusyError,
    InputFileError,
    InvalidInputError,
    NotFoundError,
    ScapulaError,
    StoreError,
    UnknownExerciseError,
    UnsupportedFileError,
)
from scapula.web.html import render


def status_of(error: Exception) -> int:
    if isinstance(error, UnsupportedFileError):
        return 415
    if isinstance(error, BusyError):
        return 503
    if isinstance(error, (UnknownExerciseError, NotFoundError)):
        return 404
    if isinstance(error, InvalidInputError):
        return 422
    if isinstance(error, InputFileError):
        return 400
    if isinstance(error, StoreError):
        return 503
    return 400


def install_handlers(app: FastAPI) -> None:
    """API errors are JSON ``{"detail": "..."}`` with one clear line; a page error is the
    page's own message (pages catch what they expect) or this plain page."""

    async def scapula_error(request: Request, exc: Exception):
        status = status_of(exc)
        message = str(exc)
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": message}, status_code=status)
        return render(request, "error.html", {"message": message, "status": status}, status)

    app.add_exception_handler(ScapulaError, scapula_error)

    async def http_error(request: Request, exc: Exception):
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api") or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"message": exc.detail, "status": exc.status_code}, exc.status_code)

    app.add_exception_handler(HTTPException, http_error)

    async def validation_error(request: Request, exc: Exception):
        assert isinstance(exc, RequestValidationError)
        # one readable line, as the command line says it: "reps: Input should be ..."
        line = problems(list(exc.errors()))
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": line, "errors": jsonable(exc.errors())}, status_code=422)
        return render(request, "error.html", {"message": line, "status": 422}, 422)

    app.add_exception_handler(RequestValidationError, validation_error)


def jsonable(value):
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value, custom_encoder={Exception: str})
