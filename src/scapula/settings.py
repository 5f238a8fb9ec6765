"""Scapula's settings, in one place. Read through ``get_settings()``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(user_data_dir("scapula", appauthor=False))


class Settings(BaseSettings):
    """Every default lives here; the environment overrides with ``SCAPULA_*``."""

    model_config = SettingsConfigDict(env_prefix="SCAPULA_", extra="ignore")

    data_dir: Path = default_data_dir()
    db: str | None = None  # any SQLAlchemy URL; a SQLite file in data_dir when unset
    catalog: Path | None = None  # a catalog directory to use instead of the packaged one

    @field_validator("db")
    @classmethod
    def _no_blank_url(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.data_dir / 'scapula.db'}"


@cache
def get_settings() -> Settings:
    return Settings()
