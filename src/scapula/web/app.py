"""The web app: ``create_app`` builds it, ``scapula serve`` runs it with uvicorn.

The routes (``routes/``: the pages and the JSON API) call the same application layer
(``scapula.app``). Static files are read once from the package into memory and
served by name from a fixed list, so no request path is ever looked up on disk.
"""

from __future__ import annotations

import hashlib
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from scapula import __version__
from scapula.app.scratch import sweep_abandoned
from scapula.catalog import load_catalog
from scapula.settings import get_settings
from scapula.web.errors import install_handlers
from scapula.web.pairing import PairedOnly, Pairing
from scapula.web.routes import api_files, api_plan, api_sessions, api_setup, exercises, pages, phone
from scapula.web.schemas import Problem
from scapula.web.security import LOOPBACK_HOSTS, BodyLimit, Csrf, HostCheck, SecurityHeaders, load_secret

DEFAULT_UPLOAD_LIMIT_MB = 50
STATIC = {  # name -> media type: everything the pages load, all of it local
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "coach.js": "text/javascript; charset=utf-8",
    "htmx.min.js": "text/javascript; charset=utf-8",
    "htmx.LICENSE.txt": "text/plain; charset=utf-8",
    "icon.svg": "image/svg+xml",
    "icon-192.png": "image/png",
    "icon-512.png": "image/png",
    "phone.js": "text/javascript; charset=utf-8",
    "sw.js": "text/javascript; charset=utf-8",  # served at /sw.js (routes/phone.py)
}
# the in-browser pose estimator (scripts/fetch_browser_pose.py puts it in static/mp/): served
# under /static/mp/ by these names only, read from disk on first use
BROWSER_POSE = {
    "pose.js": "text/javascript; charset=utf-8",
    "pose_solution_packed_assets_loader.js": "text/javascript; charset=utf-8",
    "pose_solution_packed_assets.data": "application/octet-stream",
    "pose_solution_simd_wasm_bin.js": "text/javascript; charset=utf-8",
    "pose_solution_simd_wasm_bin.wasm": "application/wasm",
    "pose_solution_wasm_bin.js": "text/javascript; charset=utf-8",
    "pose_solution_wasm_bin.wasm": "application/wasm",
    "pose_web.binarypb": "application/octet-stream",
    "pose_landmark_full.tflite": "application/octet-stream",
}


@dataclass
class Config:
    db_url: str
    data_dir: Path
    catalog_dir: Path | None = None
    upload_limit_mb: float = DEFAULT_UPLOAD_LIMIT_MB
    host: str = "127.0.0.1"
    port: int = 8000
    # --https: TLS on https_port, and on `port` plain HTTP that redirects there (and serves
    # the CA's download page); the app itself stays on plain HTTP for loopback clients
    https: bool = False
    https_port: int = 8443
    allow_hosts: tuple[str, ...] = ()  # --allow-host: names to accept besides the machine's own

    @property
    def on_network(self) -> bool:
        return self.host not in LOOPBACK_HOSTS


def _static_files() -> dict[str, tuple[bytes, str, str]]:
    folder = resources.files("scapula.web") / "static"
    out = {}
    for name, media in STATIC.items():
        data = (folder / name).read_bytes()
        out[name] = (data, media, hashlib.sha256(data).hexdigest()[:16])
    return out


def browser_pose_dir() -> Path:
    return Path(str(resources.files("scapula.web") / "static" / "mp"))


def browser_pose_available() -> bool:
    folder = browser_pose_dir()
    return all((folder / name).is_file() for name in BROWSER_POSE)


def create_app(config: Config | None = None) -> FastAPI:
    """The app on one training log. Without ``config``: the settings' database (SCAPULA_DB, or
    the SQLite file in the data dir)."""
    from scapula.store import open_db

    if config is None:
        settings = get_settings()
        config = Config(db_url=settings.db_url, data_dir=settings.data_dir, catalog_dir=settings.catalog)
    app = FastAPI(
        title="Scapula",
        version=__version__,
        description="Upper-back strength and posture coach for runners: the local web app's JSON API. "
        "Every POST, PATCH and DELETE needs the CSRF token of `GET /api/csrf` in the "
        "`X-CSRF-Token` header (with its cookie).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_lifespan,
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented override
    app.state.config = config
    app.state.sessions = open_db(config.db_url)  # migrations run here, once
    app.state.catalog = load_catalog(config.catalog_dir)
    secret = load_secret(config.data_dir)
    app.state.csrf = Csrf(secret)
    app.state.pairing = Pairing(secret, forgotten=config.data_dir / "paired-phones-forgotten")
    app.state.browser_pose = browser_pose_available()
    app.state.browser_pose_files = {}
    _network(app, config)
    app.state.static = _static_files()
    app.state.templates = _templates()
    from scapula.web.videocheck import VideoChecks

    sweep_abandoned()  # what a killed server left in the temporary folder
    app.state.videos = VideoChecks(app.state.catalog)

    for router in (
        api_setup.router,
        api_plan.router,
        api_sessions.router,
        api_files.router,
        pages.router,
        phone.router,
        exercises.router,
    ):
        app.include_router(router)
    install_handlers(app)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str, request: Request) -> Response:
        found = request.app.state.static.get(name)  # a dict lookup, never a file lookup
        if found is None:
            raise HTTPException(404, f"no static file '{name}'")
        data, media, etag = found
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(status_code=304)
        return Response(data, media_type=media, headers={"etag": f'"{etag}"', "cache-control": "no-cache"})

    @app.get("/static/mp/{name}", include_in_schema=False)
    def browser_pose_file(name: str, request: Request) -> Response:
        """The in-browser pose estimator's files, by fixed name; 404 while they are missing."""
        media = BROWSER_POSE.get(name)
        if media is None or not request.app.state.browser_pose:
            raise HTTPException(404, f"no in-browser pose file '{name}' (run scripts/fetch_browser_pose.py)")
        cache = request.app.state.browser_pose_files
        if name not in cache:
            cache[name] = (browser_pose_dir() / name).read_bytes()
        return Response(cache[name], media_type=media, headers={"cache-control": "public, max-age=86400"})

    @app.websocket("/ws/coach")
    async def coach_socket(websocket: WebSocket) -> None:
        """The live camera coach (``live.py``): Origin and CSRF checked before the handshake
        is accepted; a refused one gets HTTP 403 and never opens."""
        from scapula.web.live import run_socket
        from scapula.web.security import websocket_refusal

        why = websocket_refusal(websocket)
        if why is not None:
            await websocket.close(code=1008, reason=why[:120])
            return
        await websocket.accept()
        await run_socket(websocket, websocket.app.state.catalog)

    limit = int(config.upload_limit_mb * 1_000_000)
    app.add_middleware(BodyLimit, limit=limit)
    if config.on_network:  # only paired phones, besides this machine itself
        app.add_middleware(PairedOnly, pairing=app.state.pairing)
    app.add_middleware(HostCheck, allowed=app.state.allowed_hosts)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, a refused one too
    return app


def _network(app: FastAPI, config: Config) -> None:
    """The names the app answers to and, with --https, its certificates (made or renewed here).
    On loopback: loopback names only (and --allow-host's). On the network: the machine's
    addresses and .local name too (DNS rebinding: any other name is refused)."""
    from scapula.web.tls import ensure_certificates, server_names

    app.state.names = None
    app.state.certificates = None
    allowed = LOOPBACK_HOSTS | frozenset(h.lower() for h in config.allow_hosts)
    if config.on_network or config.https:
        app.state.names = server_names(config.host, config.allow_hosts)
        allowed = allowed | frozenset(app.state.names.all())
    if config.https:
        app.state.certificates = ensure_certificates(config.data_dir / "tls", app.state.names)
    app.state.allowed_hosts = allowed


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.videos.close()  # no video check's folder outlives the server


def _templates() -> Jinja2Templates:
    folder = resources.files("scapula.web") / "templates"
    templates = Jinja2Templates(directory=str(folder))
    templates.env.globals["demo_for"] = lambda move_id: exercises.demos_for(move_id)[0]
    return templates


# ---------------------------------------------------------------- the schema


def _openapi(app: FastAPI) -> dict:
    """The schema, with every 422 documented as what the app sends (``Problem``), where
    FastAPI's default says a list of validation errors; the 400 of a body that cannot be
    parsed where a body is taken, and the CSRF 403 of every unsafe route."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                answers = operation.get("responses", {})
                if method in ("post", "put", "patch", "delete") and "403" not in answers:  # every one checks CSRF
                    answers["403"] = {"description": "CSRF token missing or wrong", "content": problem}
                if "422" in answers:
                    answers["422"]["content"] = problem
                if "requestBody" in operation and "400" not in answers:  # FastAPI's answer to a body it cannot parse
                    answers["400"] = {
                        "description": "A body that cannot be parsed (not JSON, or not a form)",
                        "content": problem,
                    }
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
    return app.openapi_schema
