"""The training log: SQLAlchemy models, migrations and the queries that use them."""

from scapula.store.db import open_db
from scapula.store.models import (
    Athlete,
    Equipment,
    Note,
    PerformedSession,
    PlannedSession,
    PostureCheck,
    Run,
    SetRecord,
    StretchRecord,
)
from scapula.store.queries import (
    add_equipment,
    add_note,
    add_posture_check,
    add_runs,
    finish_session,
    get_athlete,
    history,
    last_load,
    list_equipment,
    log_set,
    log_stretch,
    open_session,
    posture_checks,
    remove_equipment,
    runs_between,
    same_run,
    save_planned_sessions,
    start_session,
    stored_run_hashes,
)

__all__ = [
    "Athlete", "Equipment", "Note", "PerformedSession", "PlannedSession", "PostureCheck", "Run", "SetRecord",
    "StretchRecord", "add_equipment", "add_note", "add_posture_check", "add_runs", "finish_session", "get_athlete", "history",
    "last_load", "list_equipment", "log_set", "log_stretch", "open_db", "open_session", "posture_checks",
    "remove_equipment",
    "runs_between", "same_run", "save_planned_sessions", "start_session", "stored_run_hashes",
]
