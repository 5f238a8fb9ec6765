"""Every read and write of the training log: nothing outside ``store`` builds a query.

Grouped by aggregate: the athlete and what they own (equipment, races), the sessions done
(sets, stretches, notes), the plan's placements, the imported runs, the posture checks.
Session first, keyword-only arguments after it. Each write commits at once: a set logged is
a set kept, whatever happens next. A lookup by id returns None when the row is not the
athlete's, so no caller can reach another athlete's rows by guessing ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from scapula.clock import as_utc, utcnow
from scapula.store.models import (
    Athlete,
    Equipment,
    Note,
    PerformedSession,
    PlannedSession,
    PostureCheck,
    Race,
    Run,
    SetRecord,
    StretchRecord,
)

# A session left open (not finished) belongs to the day it started on: a set logged within
# this long of its start goes into it, later ones open a new session.
OPEN_FOR = timedelta(hours=12)


# ---------------------------------------------------------------- the athlete and what they own


def get_athlete(db: Session) -> Athlete:
    """The local athlete (Scapula is single-user on a machine); created on first use."""
    athlete = db.scalars(select(Athlete).order_by(Athlete.id).limit(1)).first()
    if athlete is None:
        athlete = Athlete(name="me")
        db.add(athlete)
        db.commit()
    return athlete


def add_equipment(
    db: Session,
    *,
    athlete: Athlete,
    kind: str,
    label: str,
    kg: float | None = None,
    resistance: str | None = None,
) -> Equipment:
    item = Equipment(athlete_id=athlete.id, kind=kind, label=label, kg=kg, resistance=resistance)
    db.add(item)
    db.commit()
    return item


def remove_equipment(db: Session, *, athlete: Athlete, equipment_id: int) -> Equipment | None:
    """Remove one item the athlete owns; None when there is no such item (of theirs)."""
    item = db.get(Equipment, equipment_id)
    if item is None or item.athlete_id != athlete.id:
        return None
    db.delete(item)
    db.commit()
    return item


def list_equipment(db: Session, *, athlete: Athlete, kind: str | None = None) -> list[Equipment]:
    query = select(Equipment).where(Equipment.athlete_id == athlete.id)
    if kind is not None:
        query = query.where(Equipment.kind == kind)
    return list(db.scalars(query.order_by(Equipment.kind, Equipment.kg, Equipment.id)))


def races(db: Session, *, athlete: Athlete) -> list[Race]:
    return list(db.scalars(select(Race).where(Race.athlete_id == athlete.id).order_by(Race.day)))


def put_race(db: Session, *, athlete: Athlete, day: date, name: str) -> Race:
    """The race of that day, named ``name`` (one race a day: entering it again renames it)."""
    race = db.scalars(select(Race).where(Race.athlete_id == athlete.id, Race.day == day)).first()
    if race is None:
        race = Race(athlete_id=athlete.id, day=day, name=name)
        db.add(race)
    race.name = name
    db.commit()
    return race


def remove_race(db: Session, *, athlete: Athlete, race_id: int) -> Race | None:
    """Forget a race; None when there is no such race (of theirs)."""
    race = db.get(Race, race_id)
    if race is None or race.athlete_id != athlete.id:
        return None
    db.delete(race)
    db.commit()
    return race


def change_athlete(db: Session, *, athlete: Athlete, **changes) -> Athlete:
    """Write the declared week and preferences given (only those keys)."""
    for key, value in changes.items():
        setattr(athlete, key, value)
    db.commit()
    return athlete


# ---------------------------------------------------------------- sessions done


def start_session(
    db: Session,
    *,
    athlete: Athlete,
    started_at: datetime | None = None,
    planned_session_id: int | None = None,
) -> PerformedSession:
    performed = PerformedSession(
        athlete_id=athlete.id,
        started_at=started_at or utcnow(),
        planned_session_id=planned_session_id,
    )
    db.add(performed)
    db.commit()
    return performed


def open_session(db: Session, *, athlete: Athlete, around: datetime | None = None) -> PerformedSession | None:
    """The session still open (not finished) that started within ``OPEN_FOR`` of ``around``
    (now by default; midday of a day for a set logged into that day), newest first."""
    around = around or utcnow()
    return db.scalars(
        select(PerformedSession)
        .where(
            PerformedSession.athlete_id == athlete.id,
            PerformedSession.ended_at.is_(None),
            PerformedSession.started_at >= around - OPEN_FOR,
            PerformedSession.started_at <= around + OPEN_FOR,
        )
        .order_by(PerformedSession.started_at.desc(), PerformedSession.id.desc())
        .limit(1)
    ).first()


def latest_session(db: Session, *, athlete: Athlete) -> PerformedSession | None:
    return db.scalars(
        select(PerformedSession)
        .where(PerformedSession.athlete_id == athlete.id)
        .order_by(PerformedSession.started_at.desc(), PerformedSession.id.desc())
        .limit(1)
    ).first()


def session_by_id(db: Session, *, athlete: Athlete, session_id: int) -> PerformedSession | None:
    performed = db.get(PerformedSession, session_id)
    return performed if performed is not None and performed.athlete_id == athlete.id else None


def set_by_id(db: Session, *, session: PerformedSession, set_id: int) -> SetRecord | None:
    record = db.get(SetRecord, set_id)
    return record if record is not None and record.session_id == session.id else None


def stretch_by_id(db: Session, *, session: PerformedSession, stretch_id: int) -> StretchRecord | None:
    record = db.get(StretchRecord, stretch_id)
    return record if record is not None and record.session_id == session.id else None


def sessions_of(db: Session, *, athlete: Athlete) -> list[PerformedSession]:
    """Every session of the athlete, oldest first."""
    return list(
        db.scalars(
            select(PerformedSession)
            .where(PerformedSession.athlete_id == athlete.id)
            .order_by(PerformedSession.started_at, PerformedSession.id)
        )
    )


def session_count(db: Session, *, athlete: Athlete) -> int:
    return (
        db.scalar(select(func.count()).select_from(PerformedSession).where(PerformedSession.athlete_id == athlete.id))
        or 0
    )


def logged_sets(
    db: Session, *, athlete: Athlete, exclude_session_id: int | None = None
) -> list[tuple[SetRecord, datetime]]:
    """Every set logged, with its session's start; ``exclude_session_id`` leaves one out."""
    query = (
        select(SetRecord, PerformedSession.started_at)
        .join(PerformedSession)
        .where(PerformedSession.athlete_id == athlete.id)
    )
    if exclude_session_id is not None:
        query = query.where(PerformedSession.id != exclude_session_id)
    return [(record, started) for record, started in db.execute(query).all()]


def log_set(
    db: Session,
    *,
    session: PerformedSession,
    exercise_id: str,
    side: str,
    reps: int,
    set_number: int | None = None,
    load_label: str | None = None,
    load_kg: float | None = None,
    hold_s: float | None = None,
    rpe: float | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> SetRecord:
    if set_number is None:
        done = db.scalars(
            select(SetRecord.set_number).where(
                SetRecord.session_id == session.id,
                SetRecord.exercise_id == exercise_id,
                SetRecord.side == side,
            )
        ).all()
        set_number = max(done, default=0) + 1
    record = SetRecord(
        session_id=session.id,
        exercise_id=exercise_id,
        set_number=set_number,
        side=side,
        reps=reps,
        load_label=load_label,
        load_kg=load_kg,
        hold_s=hold_s,
        rpe=rpe,
        started_at=started_at,
        ended_at=ended_at or utcnow(),
    )
    db.add(record)
    db.commit()
    return record


def log_stretch(
    db: Session,
    *,
    session: PerformedSession,
    stretch_id: str,
    side: str,
    hold_s: float,
    done_at: datetime | None = None,
) -> StretchRecord:
    record = StretchRecord(
        session_id=session.id,
        stretch_id=stretch_id,
        side=side,
        hold_s=hold_s,
        done_at=done_at or utcnow(),
    )
    db.add(record)
    db.commit()
    return record


# ---------------------------------------------------------------- the plan's placements


def planned_sessions(
    db: Session, *, athlete: Athlete, first: date | None = None, before: date | None = None
) -> list[PlannedSession]:
    """The kept placements from ``first`` (included) to ``before`` (excluded), by day."""
    query = select(PlannedSession).where(PlannedSession.athlete_id == athlete.id)
    if first is not None:
        query = query.where(PlannedSession.day >= first)
    if before is not None:
        query = query.where(PlannedSession.day < before)
    return list(db.scalars(query.order_by(PlannedSession.day, PlannedSession.id)))


def first_planned_day(db: Session, *, athlete: Athlete) -> date | None:
    return db.scalars(
        select(PlannedSession.day).where(PlannedSession.athlete_id == athlete.id).order_by(PlannedSession.day).limit(1)
    ).first()


def planned_session_id(db: Session, *, athlete: Athlete, uid: str) -> int | None:
    return db.scalar(
        select(PlannedSession.id).where(PlannedSession.athlete_id == athlete.id, PlannedSession.uid == uid)
    )


def save_planned_sessions(db: Session, *, athlete: Athlete, slots: list[dict]) -> None:
    """Write the plan's placements, one row per slot: ``slots`` are dicts of ``uid``, ``day``,
    ``status``, ``reason``, ``deload`` and ``race_week``. An insert that meets the slot's row
    (written meanwhile by another request) updates it instead, so saving the same plan twice
    at once leaves one row per slot."""
    if not slots:
        return
    dialect = db.get_bind().dialect.name
    insert: Any  # each dialect's INSERT ... ON CONFLICT
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Scapula ships SQLite and PostgreSQL
        raise NotImplementedError(f"no upsert for {dialect}")
    rows = [{**slot, "athlete_id": athlete.id} for slot in sorted(slots, key=lambda s: s["uid"])]
    stmt = insert(PlannedSession.__table__).values(rows)
    changed = ("day", "status", "reason", "deload", "race_week")
    stmt = stmt.on_conflict_do_update(
        index_elements=["athlete_id", "uid"], set_={name: stmt.excluded[name] for name in changed}
    )
    db.execute(stmt)
    db.commit()
    for obj in list(db.identity_map.values()):  # rows loaded before now read the new values
        if isinstance(obj, PlannedSession):
            db.expire(obj)


# ---------------------------------------------------------------- sessions done: notes, corrections


def change_record(db: Session, record, **changes):
    """Write the changes of a logged set, stretch or session (a typo fixed), committed."""
    for name, value in changes.items():
        setattr(record, name, value)
    db.commit()
    return record


def delete_records(db: Session, records: list) -> None:
    """Delete logged sets, stretches or sessions (a session with its sets and stretches)."""
    for record in records:
        db.delete(record)
    db.commit()


def add_note(db: Session, *, athlete: Athlete, text: str, session: PerformedSession | None = None) -> Note:
    note = Note(athlete_id=athlete.id, session_id=session.id if session else None, text=text)
    db.add(note)
    db.commit()
    return note


def finish_session(
    db: Session, *, session: PerformedSession, completed: bool, ended_at: datetime | None = None
) -> PerformedSession:
    session.ended_at = ended_at or utcnow()
    session.completed = completed
    db.add(session)
    db.commit()
    return session


def history(db: Session, *, athlete: Athlete, limit: int = 20) -> list[PerformedSession]:
    """The most recent sessions first, with their sets, stretches and notes loaded."""
    return list(
        db.scalars(
            select(PerformedSession)
            .where(PerformedSession.athlete_id == athlete.id)
            .options(
                selectinload(PerformedSession.sets),
                selectinload(PerformedSession.stretches),
                selectinload(PerformedSession.notes),
            )
            .order_by(PerformedSession.started_at.desc(), PerformedSession.id.desc())
            .limit(limit)
        )
    )


def last_load(db: Session, *, athlete: Athlete, exercise_id: str) -> str | None:
    """The load label of the most recent set of a move, to offer it again."""
    return db.scalars(
        select(SetRecord.load_label)
        .join(PerformedSession)
        .where(
            PerformedSession.athlete_id == athlete.id,
            SetRecord.exercise_id == exercise_id,
            SetRecord.load_label.is_not(None),
        )
        .order_by(SetRecord.ended_at.desc(), SetRecord.id.desc())
        .limit(1)
    ).first()


# ---------------------------------------------------------------- imported runs

# Two records of one run from different sources (watch file, Strava, a GPX export) start
# within a minute of each other and agree on the duration to within 5%.
SAME_RUN_START_S = 60
SAME_RUN_DURATION = 0.05


def _utc(moment: datetime) -> datetime:
    """Every stored time is naive-or-UTC; compare in UTC whatever zone the caller used."""
    return as_utc(moment).astimezone(UTC)


def run_count(db: Session, *, athlete: Athlete) -> int:
    return db.scalar(select(func.count()).select_from(Run).where(Run.athlete_id == athlete.id)) or 0


def runs_since(db: Session, *, athlete: Athlete, since: datetime) -> list[Run]:
    return list(
        db.scalars(
            select(Run)
            .where(Run.athlete_id == athlete.id, Run.started_at >= _utc(since))
            .order_by(Run.started_at, Run.id)
        )
    )


def run_by_hash(db: Session, *, athlete: Athlete, sha256: str) -> Run | None:
    return db.scalars(select(Run).where(Run.athlete_id == athlete.id, Run.sha256 == sha256)).first()


def stored_run_hashes(db: Session, *, athlete: Athlete) -> set[str]:
    return set(db.scalars(select(Run.sha256).where(Run.athlete_id == athlete.id)))


def same_run(db: Session, *, athlete: Athlete, sport: str, started_at: datetime, duration_s: float) -> Run | None:
    """A stored run that is clearly this one from another source, or None."""
    start = _utc(started_at)
    window = timedelta(seconds=SAME_RUN_START_S)
    candidates = db.scalars(
        select(Run)
        .where(
            Run.athlete_id == athlete.id,
            Run.sport == sport,
            Run.started_at >= start - window,
            Run.started_at <= start + window,
        )
        .order_by(Run.started_at, Run.id)
    )
    for run in candidates:
        if abs(run.duration_s - duration_s) <= SAME_RUN_DURATION * max(run.duration_s, duration_s):
            return run
    return None


def add_runs(db: Session, *, athlete: Athlete, runs: list[Run]) -> list[Run]:
    """Store the runs of one file together: all of them or, on failure, none."""
    for run in runs:
        run.athlete_id = athlete.id
        run.started_at = _utc(run.started_at)
        db.add(run)
    try:
        db.commit()
    except Exception:
        db.rollback()
        raise
    return runs


def runs_between(db: Session, athlete: Athlete, start: datetime, end: datetime) -> list[Run]:
    """The runs that started in [start, end), oldest first."""
    return list(
        db.scalars(
            select(Run)
            .where(
                Run.athlete_id == athlete.id,
                Run.started_at >= _utc(start),
                Run.started_at < _utc(end),
            )
            .order_by(Run.started_at, Run.id)
        )
    )


# ---------------------------------------------------------------- posture checks


def add_posture_check(
    db: Session,
    *,
    athlete: Athlete,
    checked_at: datetime,
    view: str,
    values: dict[str, tuple[float, float | None, str]],
    uncertainty: dict[str, dict[str, float]],
    source: str,
    steadiness: dict | None = None,
    quality_notes: list[str] | None = None,
) -> PostureCheck:
    """``values``: measure id -> (degrees, cm or None, band)."""
    row = PostureCheck(
        athlete_id=athlete.id,
        checked_at=checked_at,
        view=view,
        uncertainty=uncertainty,
        source=source,
        steadiness=steadiness,
        quality_notes=list(quality_notes or []),
    )
    for measure, (deg, cm, band) in values.items():
        setattr(row, f"{measure}_deg", deg)
        setattr(row, f"{measure}_cm", cm)
        setattr(row, f"{measure}_class", band)
    db.add(row)
    db.commit()
    return row


def posture_checks(db: Session, *, athlete: Athlete, view: str | None = None) -> list[PostureCheck]:
    """Oldest first."""
    query = select(PostureCheck).where(PostureCheck.athlete_id == athlete.id)
    if view is not None:
        query = query.where(PostureCheck.view == view)
    return list(db.scalars(query.order_by(PostureCheck.checked_at, PostureCheck.id)))


def posture_check_by_id(db: Session, *, athlete: Athlete, check_id: int) -> PostureCheck | None:
    row = db.get(PostureCheck, check_id)
    return row if row is not None and row.athlete_id == athlete.id else None
