"""The training log: SQLAlchemy models, migrations and the queries that use them."""

from scapula.store.db import open_db
from scapula.store.models import (
    Athlete,
    Equipment,
    Note,
    PerformedSession,
    PlannedSession,
    SetRecord,
    StretchRecord,
)
from scapula.store.queries import (
    add_equipment,
    add_note,
    finish_session,
    get_athlete,
    history,
    last_load,
    list_equipment,
    log_set,
    log_stretch,
    open_session_today,
    start_session,
)

__all__ = [
    "Athlete", "Equipment", "Note", "PerformedSession", "PlannedSession", "SetRecord",
    "StretchRecord", "add_equipment", "add_note", "finish_session", "get_athlete", "history", "last_load",
    "list_equipment", "log_set", "log_stretch", "open_db", "open_session_today", "start_session",
]
