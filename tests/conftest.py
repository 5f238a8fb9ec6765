"""Shared fixtures: the real ``scapula`` command in a subprocess, and a fresh database per test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

SCAPULA = Path(sys.executable).with_name("scapula")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@dataclass
class Cli:
    """Runs the installed ``scapula`` console script against one test's own database."""

    env: dict[str, str]

    def __call__(self, *args: str, input: str | None = None, timeout: float = 60) -> Result:
        proc = subprocess.run(
            [str(SCAPULA), *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(SCAPULA), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=self.env,
        )


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCAPULA_")}
    env.update(SCAPULA_DATA_DIR=str(tmp_path / "data"), COLUMNS="200", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a fresh SQLite file in the test's own data dir."""
    return Cli(_base_env(tmp_path))


def _postgres_server() -> str | None:
    url = os.environ.get("SCAPULA_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must run the PostgreSQL tests: run them through `make test`")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path):
    """A URL to an empty database of each backend, owned by this test alone."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'log.db'}"
        return
    server = _postgres_server()
    if server is None:
        pytest.skip("no PostgreSQL server (run the suite with `make test`)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"scapula_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def cli_db(tmp_path: Path, db_url: str) -> Cli:
    """The CLI on each backend in turn (SQLite file, PostgreSQL database)."""
    env = _base_env(tmp_path)
    env["SCAPULA_DB"] = db_url
    return Cli(env)


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A copy of the packaged catalog that a test may break."""
    from scapula.catalog.loader import DEFAULT_DIR

    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def unavailable(reason: str):
    """A real resource (the demo clip, ffmpeg) is missing: fail in CI, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo() -> Path:
    """The real demo video of the sports2d wheel (a person walking, another jumping)."""
    from tests.realclip import DemoClipUnavailable, demo_clip

    try:
        return demo_clip()
    except DemoClipUnavailable as e:
        unavailable(str(e))


@pytest.fixture(scope="session")
def small_demo(demo: Path, tmp_path_factory) -> Path:
    """The demo at 640x360, H.264, no sound, as a phone would upload it: quick to analyse."""
    out = tmp_path_factory.mktemp("clip") / "person.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(demo),
            "-vf",
            "scale=640:360",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-an",
            str(out),
        ],
        check=True,
        timeout=120,
    )
    return out
