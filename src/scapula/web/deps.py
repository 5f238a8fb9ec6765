"""What a route asks FastAPI for: the request's database session, the catalog, a row id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi import Path as InPath
from sqlalchemy.orm import Session, sessionmaker

from scapula.catalog import Catalog


def get_db(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as db:
        yield db


def get_catalog(request: Request) -> Catalog:
    return request.app.state.catalog


DB = Depends(get_db)
CATALOG = Depends(get_catalog)

# A record's id in a path: the id columns are INTEGER, 32 bits on PostgreSQL, so a larger
# number names nothing and is refused with a 422 before any query (it overflowed the driver).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, InPath(ge=1, le=MAX_ROW_ID)]
