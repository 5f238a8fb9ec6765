"""Opening the training log: engine, SQLite pragmas and Alembic migrations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scapula.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer, and a committed set survives a killed
    # process. synchronous=FULL also keeps it through a power cut.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise StoreError(f"not a database URL: {url!r}") from e
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ImportError, SQLAlchemyError) as e:
        raise StoreError(f"cannot use {parsed.render_as_string()}: {e}") from e


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # Alembic is imported only when the schema is checked

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


# a migration file's own id and the one it follows: revision = "0007", down_revision = "0006"
_REVISION = re.compile(r"""^(down_)?revision\s*=\s*['"]?([\w.-]+)['"]?""", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's id, read from the version files' text (one chain, no branch);
    None when the files do not say one clearly."""
    made: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (followed if down else made).add(value)
    heads = made - followed
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:  # no log yet, or not reachable: Alembic says why
        return None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there). A log already at
    the newest one is told from its version row, without loading Alembic (every command
    opens the log: this keeps the command line quick)."""
    head = head_revision()
    if head is not None and _stored_revision(engine) == head:
        return
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as e:
        where = engine.url.render_as_string(hide_password=True)
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        raise StoreError(f"cannot open the training log at {where}: {reason}") from e


def open_db(url: str) -> sessionmaker[Session]:
    """Engine + migrations; returns the session factory the rest of Scapula uses."""
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
