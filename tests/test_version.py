"""The version is written once, in pyproject.toml; the package and the web API read it from there."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import scapula
from scapula.settings import get_settings
from scapula.web.app import Config, create_app

pytestmark = pytest.mark.fast

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _declared() -> str:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]


def test_package_version_is_the_declared_one():
    assert scapula.__version__ == version("scapula") == _declared()


def test_the_api_schema_carries_the_package_version(tmp_path: Path):
    config = Config(db_url=f"sqlite:///{tmp_path / 'log.db'}", data_dir=tmp_path, catalog_dir=get_settings().catalog)
    app = create_app(config)
    assert app.version == scapula.__version__
    assert app.openapi()["info"]["version"] == scapula.__version__
