"""The guided session on the web: the same flow as the terminal's (``scapula.guided``) — each
move's sets in order (per side, or both sides in one set for alternating moves), a rest
between sets, then the stretching routine — with its state kept in the training log itself.

There is no session state in the server's memory: the open ``PerformedSession`` and the sets
and stretches already logged in it say which step comes next, and the last set's time says
how much rest is left. A reload, a second tab or a server restart picks up where the log is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scapula.catalog import Catalog, Counting, Entry, Kind, Load
from scapula.errors import InvalidInputError, UnknownExerciseError
from scapula.plan.progression import Decision
from scapula.plan.service import progression_decisions, session_dose
from scapula.store import (
    Athlete,
    PerformedSession,
    PlannedSession,
    SetRecord,
    StretchRecord,
    finish_session,
    last_load,
    list_equipment,
    log_set,
    log_stretch,
    start_session,
)
from scapula.store.models import utcnow
from scapula.store.queries import as_utc, change_record, delete_records
from scapula.web import services
from scapula.web.services import NotFound, plan_for, today_for
from scapula.workout import Block, Workout, parse_load, todays_workout

OPEN_FOR = timedelta(hours=12)  # as ``open_session_today``: a session left open longer is stale
SIDE_NAMES = {"left": "left arm", "right": "right arm", "both": "both arms"}


@dataclass(frozen=True)
class Step:
    """One thing to do: a set of a move (on one side, or on both for alternating moves) or
    one hold of a stretch."""

    block: Block
    index: int  # 1-based place of the block among the moves, or among the stretches
    set_number: int
    sides: tuple[str, ...]

    @property
    def entry(self) -> Entry:
        return self.block.entry

    @property
    def is_stretch(self) -> bool:
        return self.entry.kind is Kind.stretch

    @property
    def who(self) -> str:
        return " and ".join(SIDE_NAMES[s] for s in self.sides)


@dataclass(frozen=True)
class SetDefaults:
    reps: dict[str, int]  # side -> what to aim for
    load: str  # band label / kettlebell label; "" for none
    hold_s: float | None  # superman hold at the top, or the stretch hold
    load_choices: tuple[str, ...]  # the equipment owned of the move's kind
    rpe: float | None = None  # the RPE of this move's last set in the session, offered again


@dataclass(frozen=True)
class Progress:
    performed: PerformedSession
    workout: Workout
    steps: tuple[Step, ...]
    done: int  # steps done
    current: Step | None
    defaults: SetDefaults | None
    rest_left_s: float  # rest still due before the current step (0: go)
    decisions: tuple[Decision, ...]
    light: bool

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def in_stretching(self) -> bool:
        return self.current is not None and self.current.is_stretch


def steps_of(workout: Workout) -> tuple[Step, ...]:
    out: list[Step] = []
    for index, block in enumerate(workout.moves, 1):
        groups = ([block.entry.sides] if block.entry.counting is Counting.alternating
                  else [(s,) for s in block.entry.sides])
        for set_number in range(1, block.sets + 1):
            out += [Step(block, index, set_number, group) for group in groups]
    for index, block in enumerate(workout.stretches, 1):
        for set_number in range(1, block.sets + 1):
            out += [Step(block, index, set_number, (side,)) for side in block.entry.sides]
    return tuple(out)


def open_session(db: Session, athlete: Athlete, now: datetime | None = None) -> PerformedSession | None:
    """The session still open (started within 12 h, not finished), newest first."""
    now = now or utcnow()
    return db.scalars(
        select(PerformedSession).where(
            PerformedSession.athlete_id == athlete.id, PerformedSession.ended_at.is_(None),
            PerformedSession.started_at >= now - OPEN_FOR,
        ).order_by(PerformedSession.started_at.desc(), PerformedSession.id.desc()).limit(1)
    ).first()


def latest_session(db: Session, athlete: Athlete) -> PerformedSession | None:
    return db.scalars(select(PerformedSession).where(PerformedSession.athlete_id == athlete.id)
                      .order_by(PerformedSession.started_at.desc(), PerformedSession.id.desc())
                      .limit(1)).first()


def session_of(db: Session, athlete: Athlete, session_id: int) -> PerformedSession:
    performed = db.get(PerformedSession, session_id)
    if performed is None or performed.athlete_id != athlete.id:
        raise NotFound(f"no session with id {session_id}")
    return performed


def stopped_today(db: Session, athlete: Athlete) -> PerformedSession | None:
    """Today's session when it was stopped before its end (not completed), so that starting
    again carries it on rather than splitting one workout in two."""
    last = latest_session(db, athlete)
    if last is None or last.ended_at is None or last.completed:
        return None
    if services.local_time(athlete, last.started_at).date() != today_for(athlete):
        return None
    return last


def begin(db: Session, athlete: Athlete, catalog: Catalog) -> PerformedSession:
    """The open session; else today's session stopped early, reopened; else a new one tied
    to today's planned session when there is one."""
    performed = open_session(db, athlete)
    if performed is not None:
        return performed
    stopped = stopped_today(db, athlete)
    if stopped is not None:
        return reopen(db, stopped)
    plan = plan_for(db, athlete, catalog, weeks=1)
    today = today_for(athlete)
    planned_id = None
    todays = next((s for s in plan.upcoming() if s.day == today), None)
    if todays is not None:
        planned_id = db.scalar(select(PlannedSession.id).where(
            PlannedSession.athlete_id == athlete.id, PlannedSession.uid == todays.uid))
    return start_session(db, athlete=athlete, planned_session_id=planned_id)


def workout_for(db: Session, athlete: Athlete, catalog: Catalog,
                performed: PerformedSession) -> tuple[Workout, list[Decision], bool]:
    """Today's workout as ``scapula session`` builds it — the plan's progression and the
    day's dose (``session_dose``) — dosed from the sessions *before* this one."""
    plan = plan_for(db, athlete, catalog, weeks=1, keep=False)
    dose = session_dose(plan, today_for(athlete))
    decisions = progression_decisions(db, athlete, catalog, exclude_session_id=performed.id)
    workout = todays_workout(catalog, day=today_for(athlete), decisions=decisions, **dose)
    return workout, decisions, dose["light"]


def progress(db: Session, athlete: Athlete, catalog: Catalog, performed: PerformedSession,
             now: datetime | None = None) -> Progress:
    db.refresh(performed)
    workout, decisions, light = workout_for(db, athlete, catalog, performed)
    steps = steps_of(workout)
    sets_done: dict[tuple[str, str], int] = {}
    for s in performed.sets:
        sets_done[(s.exercise_id, s.side)] = sets_done.get((s.exercise_id, s.side), 0) + 1
    holds_done: dict[tuple[str, str], int] = {}
    for s in performed.stretches:
        holds_done[(s.stretch_id, s.side)] = holds_done.get((s.stretch_id, s.side), 0) + 1

    def is_done(step: Step) -> bool:
        counts = holds_done if step.is_stretch else sets_done
        return all(counts.get((step.entry.id, side), 0) >= step.set_number for side in step.sides)

    done = sum(1 for s in steps if is_done(s))
    current = next((s for s in steps if not is_done(s)), None)
    rest_left = 0.0
    defaults = None
    if current is not None:
        defaults = _defaults(db, athlete, performed, current, decisions)
        if not current.is_stretch and current.set_number > 1:
            mine = [s for s in performed.sets if s.exercise_id == current.entry.id]
            if mine:
                since = ((now or utcnow()) - as_utc(max(as_utc(s.ended_at) for s in mine))).total_seconds()
                rest_left = max(0.0, current.block.rest_s - since)
    return Progress(performed, workout, steps, done, current, defaults, rest_left, tuple(decisions), light)


def _defaults(db: Session, athlete: Athlete, performed: PerformedSession, step: Step,
              decisions: list[Decision]) -> SetDefaults:
    entry, block = step.entry, step.block
    if step.is_stretch:
        return SetDefaults({}, "", block.hold_s, ())
    mine = [d for d in decisions if d.exercise_id == entry.id]
    reps = {side: next((d.reps_target for d in mine if d.side == side), block.target_reps or 0)
            for side in step.sides}
    earlier = [s for s in performed.sets if s.exercise_id == entry.id and s.side == step.sides[0]]
    hold = block.hold_s
    load = ""
    choices: tuple[str, ...] = ()
    if entry.load is Load.bodyweight:
        if earlier and earlier[-1].hold_s is not None:
            hold = earlier[-1].hold_s  # what this session has been doing
    else:
        choices = tuple(e.label for e in list_equipment(db, athlete=athlete, kind=entry.load.value))
        # as the terminal session: what was used in this session, else what the plan asks for,
        # else the last load logged, else the lightest owned
        if earlier and earlier[-1].load_label:
            load = earlier[-1].load_label
        elif step.sides[0] in block.loads:
            load = block.loads[step.sides[0]][0]
        else:
            load = last_load(db, athlete=athlete, exercise_id=entry.id) or (choices[0] if choices else "")
    rated = [s.rpe for s in performed.sets if s.exercise_id == entry.id and s.rpe is not None]
    return SetDefaults(reps, load, hold, choices, rated[-1] if rated else None)


def _check_step(p: Progress, exercise_id: str, catalog: Catalog) -> Step:
    entry = catalog.get(exercise_id)  # UnknownExerciseError names the id
    if p.current is None:
        raise InvalidInputError("this session has nothing left to log")
    if p.current.entry.id != entry.id:
        raise InvalidInputError(f"the next step is {p.current.entry.name} ({p.current.entry.id}), "
                                f"not {entry.id}")
    return p.current


def log_step_set(db: Session, athlete: Athlete, catalog: Catalog, performed: PerformedSession, *,
                 exercise_id: str, reps: dict[str, int], load: str | None, rpe: float | None,
                 hold_s: float | None, started_at: datetime | None = None) -> Progress:
    """Log the current step's set (one record per side), committed at once; finish the session
    when it was the last step."""
    p = progress(db, athlete, catalog, performed)
    step = _check_step(p, exercise_id, catalog)
    if step.is_stretch:
        raise InvalidInputError(f"{exercise_id} is a stretch: log its hold")
    for side in step.sides:
        if side not in reps:
            raise InvalidInputError(f"{exercise_id}: give the reps done with the {SIDE_NAMES[side]}")
        if not 0 <= reps[side] <= 100:
            raise InvalidInputError("reps: a whole number from 0 to 100")
    if rpe is not None and not 1 <= rpe <= 10:
        raise InvalidInputError("RPE: a number from 1 (very easy) to 10 (nothing left)")
    if hold_s is not None and not 0 <= hold_s <= 600:
        raise InvalidInputError("hold: seconds from 0 to 600")
    entry = step.entry
    owned = {e.label: e.kg for e in list_equipment(db, athlete=athlete)}
    if entry.load is Load.bodyweight:
        label, kg = step.block.variant, None
        hold = hold_s if hold_s is not None else step.block.hold_s
    else:
        if load is not None and len(load) > 60:
            raise InvalidInputError("load: 60 characters at most")
        label, kg = parse_load(load or "", owned)
        hold = step.block.hold_s
    now = utcnow()  # one moment for the step's records: undo takes them back together
    for side in step.sides:
        log_set(db, session=performed, exercise_id=entry.id, side=side, set_number=step.set_number,
                reps=reps[side], load_label=label, load_kg=kg, hold_s=hold, rpe=rpe,
                started_at=started_at, ended_at=now)
    return _finish_if_done(db, athlete, catalog, performed)


def log_step_stretch(db: Session, athlete: Athlete, catalog: Catalog, performed: PerformedSession, *,
                     stretch_id: str, hold_s: float) -> Progress:
    p = progress(db, athlete, catalog, performed)
    step = _check_step(p, stretch_id, catalog)
    if not step.is_stretch:
        raise InvalidInputError(f"{stretch_id} is a move: log its reps")
    if not 0 <= hold_s <= 600:
        raise InvalidInputError("hold: seconds from 0 to 600")
    log_stretch(db, session=performed, stretch_id=step.entry.id, side=step.sides[0], hold_s=round(hold_s, 1))
    return _finish_if_done(db, athlete, catalog, performed)


def _finish_if_done(db: Session, athlete: Athlete, catalog: Catalog, performed: PerformedSession) -> Progress:
    p = progress(db, athlete, catalog, performed)
    if p.current is None and performed.ended_at is None:
        finish_session(db, session=performed, completed=True)
    return p


def stop(db: Session, performed: PerformedSession, *, skip_stretching: bool = False) -> None:
    """End the session now. Skipping only the stretching still completes it (as
    ``scapula session --no-stretch`` does); stopping during the moves does not."""
    if performed.ended_at is None:
        finish_session(db, session=performed, completed=skip_stretching)



# ---------------------------------------------------------------- corrections


def reopen(db: Session, performed: PerformedSession) -> PerformedSession:
    """Carry on a finished session: it is open again (and no longer completed) until the
    flow reaches its end or it is stopped."""
    if performed.ended_at is not None:
        change_record(db, performed, ended_at=None, completed=False)
    return performed


def set_of(db: Session, performed: PerformedSession, set_id: int) -> SetRecord:
    record = db.get(SetRecord, set_id)
    if record is None or record.session_id != performed.id:
        raise NotFound(f"no set with id {set_id} in session {performed.id}")
    return record


def stretch_of(db: Session, performed: PerformedSession, stretch_id: int) -> StretchRecord:
    record = db.get(StretchRecord, stretch_id)
    if record is None or record.session_id != performed.id:
        raise NotFound(f"no stretch with id {stretch_id} in session {performed.id}")
    return record


UNSET = object()  # a field not given in an edit (None clears the RPE)


def edit_set(db: Session, athlete: Athlete, catalog: Catalog, record: SetRecord, *, reps=UNSET, load=UNSET,
             rpe=UNSET, hold_s=UNSET) -> SetRecord:
    """Correct a logged set: the same checks as logging it. The progression reads the
    corrected numbers from then on."""
    entry = catalog.get(record.exercise_id)
    changes: dict = {}
    if reps is not UNSET:
        if reps is None or not 0 <= reps <= 100:
            raise InvalidInputError("reps: a whole number from 0 to 100")
        changes["reps"] = reps
    if rpe is not UNSET:
        if rpe is not None and not 1 <= rpe <= 10:
            raise InvalidInputError("RPE: a number from 1 (very easy) to 10 (nothing left)")
        changes["rpe"] = rpe
    if hold_s is not UNSET:
        if hold_s is not None and not 0 <= hold_s <= 600:
            raise InvalidInputError("hold: seconds from 0 to 600")
        changes["hold_s"] = hold_s
    if load is not UNSET:
        if load is not None and len(load) > 60:
            raise InvalidInputError("load: 60 characters at most")
        if entry.load is Load.bodyweight:
            changes["load_label"] = (load or "").strip() or None  # the variant done
        else:
            owned = {e.label: e.kg for e in list_equipment(db, athlete=athlete)}
            changes["load_label"], changes["load_kg"] = parse_load(load or "", owned)
    return change_record(db, record, **changes)


def edit_stretch(db: Session, record: StretchRecord, hold_s: float) -> StretchRecord:
    if not 0 <= hold_s <= 600:
        raise InvalidInputError("hold: seconds from 0 to 600")
    return change_record(db, record, hold_s=round(hold_s, 1))


def delete_sets(db: Session, performed: PerformedSession, records: list[SetRecord]) -> None:
    """Delete sets; the sets left of each move and side are numbered 1, 2, ... again, so the
    guided flow asks for the sets that are missing."""
    touched = {(r.exercise_id, r.side) for r in records}
    delete_records(db, records)
    db.refresh(performed)
    for exercise_id, side in touched:
        left = [s for s in performed.sets if s.exercise_id == exercise_id and s.side == side]
        for number, record in enumerate(sorted(left, key=lambda r: r.id), 1):
            record.set_number = number
    db.commit()


def last_logged(performed: PerformedSession) -> tuple[list, str] | None:
    """The last thing logged — the last step's sets (both sides of an alternating set) or the
    last stretch hold — and its description; None when nothing is logged."""
    last_set = max(performed.sets, key=lambda r: (as_utc(r.ended_at), r.id), default=None)
    last_hold = max(performed.stretches, key=lambda r: (as_utc(r.done_at), r.id), default=None)
    if last_set is None and last_hold is None:
        return None
    if last_hold is not None and (last_set is None or as_utc(last_hold.done_at) >= as_utc(last_set.ended_at)):
        side = f" {last_hold.side}" if last_hold.side != "both" else ""
        return [last_hold], f"{last_hold.stretch_id.replace('_', ' ')}{side}, {last_hold.hold_s:g} s"
    step = [r for r in performed.sets if r.exercise_id == last_set.exercise_id
            and r.set_number == last_set.set_number and r.ended_at == last_set.ended_at]
    sides = " / ".join(f"{r.reps}" + (f" {r.side}" if r.side != "both" else "") for r in step)
    return step, f"{last_set.exercise_id.replace('_', ' ')} set {last_set.set_number}, {sides} reps"


def undo_last(db: Session, performed: PerformedSession) -> str:
    """Take back the last thing logged (``last_logged``); the session is open again if that
    had finished it. Returns what was taken back, in words."""
    db.refresh(performed)
    found = last_logged(performed)
    if found is None:
        raise InvalidInputError("nothing logged in this session to undo")
    records, what = found
    if isinstance(records[0], StretchRecord):
        delete_records(db, records)
    else:
        delete_sets(db, performed, records)
    reopen(db, performed)
    return what
