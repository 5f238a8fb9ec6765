"""The whole JSON API fuzzed from its own OpenAPI schema (schemathesis, Hypothesis inside):
every operation gets generated requests, valid and not, with the CSRF token so that they
reach the handlers; no answer may be a 5xx, and every answer must match what the schema
documents for it."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from scapula.web.app import Config, create_app  # noqa: E402

_folder = Path(tempfile.mkdtemp(prefix="scapula-fuzz-"))
app = create_app(Config(db_url=f"sqlite:///{_folder / 'log.db'}", data_dir=_folder / "data"))
_browser = TestClient(app, base_url="http://127.0.0.1")
_token = _browser.get("/api/csrf").json()["token"]
AUTH = {"X-CSRF-Token": _token, "Cookie": f"scapula_csrf={_browser.cookies['scapula_csrf']}", "Host": "127.0.0.1"}
for kind, value in (("band", "medium"), ("kettlebell", "12")):  # something to find, change and delete
    _browser.post("/api/equipment", headers={"X-CSRF-Token": _token}, json={"kind": kind, "value": value})
_session = _browser.post("/api/sessions", headers={"X-CSRF-Token": _token}).json()["session"]["id"]
_browser.post(
    f"/api/sessions/{_session}/sets",
    headers={"X-CSRF-Token": _token},
    json={"exercise_id": "reverse_fly", "reps": 10, "load": "medium band"},
)

schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers={"Host": "127.0.0.1"})
EXAMPLES = int(os.environ.get("SCAPULA_FUZZ_EXAMPLES", "40"))  # per operation; more for a longer run
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case) -> None:
    case.headers = {**(case.headers or {}), **AUTH}
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=max(5, EXAMPLES // 4), deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_without_the_token_nothing_changes_and_nothing_fails(case) -> None:
    case.headers = {**(case.headers or {}), "Host": "127.0.0.1"}
    response = case.call_and_validate(checks=CHECKS)
    if case.method.upper() == case.operation.method.upper() in ("POST", "PATCH", "DELETE"):
        # refused: 403, or the 400/422 of a body refused before the token is looked at
        assert response.status_code in (400, 403, 422), (case.method, case.path, response.status_code)
