"""A training session: the guided flow the terminal and the web app both walk, logging by hand,
and corrections.

The guided flow is each move's sets in order (per side, or both sides in one set for
alternating moves), a rest between sets, then the stretching routine. Its state is the
training log itself: the open ``PerformedSession`` and the sets and stretches already logged
in it say which step comes next, and the last set's time says how much rest is left. A
reload, a second tab, a server restart or the terminal picks up where the log is.

What a set records is decided once, in ``_load``: a band or a kettlebell as typed, read
against the equipment owned; for a bodyweight move the variant typed, else the one the plan
set for the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from scapula.app.inputs import SetIn, SetUpdate, StepSetIn, StepStretchIn, StretchIn, StretchUpdate
from scapula.app.planning import plan_for, progression_decisions, session_dose
from scapula.catalog import Catalog, Counting, Entry, Kind, Load
from scapula.clock import as_utc, local_time, midday_of, today_for, utcnow
from scapula.errors import InvalidInputError, NotFoundError
from scapula.plan.progression import Decision
from scapula.store import (
    Athlete,
    PerformedSession,
    SetRecord,
    StretchRecord,
    add_note,
    finish_session,
    last_load,
    list_equipment,
    log_set,
    log_stretch,
    queries,
    start_session,
)
from scapula.store.queries import change_record, delete_records
from scapula.workout import Block, Workout, parse_load, todays_workout

R = TypeVar("R")

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
class SessionState:
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
        groups = (
            [block.entry.sides] if block.entry.counting is Counting.alternating else [(s,) for s in block.entry.sides]
        )
        for set_number in range(1, block.sets + 1):
            out += [Step(block, index, set_number, group) for group in groups]
    for index, block in enumerate(workout.stretches, 1):
        for set_number in range(1, block.sets + 1):
            out += [Step(block, index, set_number, (side,)) for side in block.entry.sides]
    return tuple(out)


def open_session(db: Session, athlete: Athlete) -> PerformedSession | None:
    """The session still open now (``store.queries.OPEN_FOR``), newest first."""
    return queries.open_session(db, athlete=athlete)


def latest_session(db: Session, athlete: Athlete) -> PerformedSession | None:
    return queries.latest_session(db, athlete=athlete)


def _found(row: R | None, missing: str) -> R:
    if row is None:
        raise NotFoundError(missing)
    return row


def session_of(db: Session, athlete: Athlete, session_id: int) -> PerformedSession:
    return _found(queries.session_by_id(db, athlete=athlete, session_id=session_id), f"no session with id {session_id}")


def unfinished(db: Session, athlete: Athlete, session_id: int) -> PerformedSession:
    performed = session_of(db, athlete, session_id)
    if performed.ended_at is not None:
        raise InvalidInputError(f"session {session_id} is finished")
    return performed


def stopped_today(db: Session, athlete: Athlete) -> PerformedSession | None:
    """Today's session when it was stopped before its end (not completed), so that starting
    again carries it on rather than splitting one workout in two."""
    last = latest_session(db, athlete)
    if last is None or last.ended_at is None or last.completed:
        return None
    if local_time(athlete, last.started_at).date() != today_for(athlete):
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
        planned_id = queries.planned_session_id(db, athlete=athlete, uid=todays.uid)
    return start_session(db, athlete=athlete, planned_session_id=planned_id)


@dataclass(frozen=True)
class Scope:
    """What of today's workout this session does: some moves only (``scapula session --only``)
    and with or without the stretching routine. Everything by default."""

    only: tuple[str, ...] | None = None
    stretching: bool = True


EVERYTHING = Scope()


def workout_for(
    db: Session, athlete: Athlete, catalog: Catalog, performed: PerformedSession, scope: Scope = EVERYTHING
) -> tuple[Workout, list[Decision], bool]:
    """Today's workout: the plan's progression and the day's dose (``session_dose``), dosed
    from the sessions *before* this one, so its own sets do not move its targets."""
    plan = plan_for(db, athlete, catalog, weeks=1, keep=False)
    dose = session_dose(plan, today_for(athlete))
    decisions = progression_decisions(db, athlete, catalog, exclude_session_id=performed.id)
    workout = todays_workout(
        catalog,
        day=today_for(athlete),
        decisions=decisions,
        only=list(scope.only) if scope.only else None,
        stretching=scope.stretching,
        **dose,
    )
    return workout, decisions, dose["light"]


def progress(
    db: Session,
    athlete: Athlete,
    catalog: Catalog,
    performed: PerformedSession,
    now: datetime | None = None,
    scope: Scope = EVERYTHING,
) -> SessionState:
    db.refresh(performed)
    workout, decisions, light = workout_for(db, athlete, catalog, performed, scope)
    steps = steps_of(workout)
    sets_done: dict[tuple[str, str], int] = {}
    for s in performed.sets:
        sets_done[(s.exercise_id, s.side)] = sets_done.get((s.exercise_id, s.side), 0) + 1
    holds_done: dict[tuple[str, str], int] = {}
    for h in performed.stretches:
        holds_done[(h.stretch_id, h.side)] = holds_done.get((h.stretch_id, h.side), 0) + 1

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
    return SessionState(performed, workout, steps, done, current, defaults, rest_left, tuple(decisions), light)


def _defaults(
    db: Session, athlete: Athlete, performed: PerformedSession, step: Step, decisions: list[Decision]
) -> SetDefaults:
    entry, block = step.entry, step.block
    if step.is_stretch:
        return SetDefaults({}, "", block.hold_s, ())
    mine = [d for d in decisions if d.exercise_id == entry.id]
    reps = {side: next((d.reps_target for d in mine if d.side == side), block.target_reps or 0) for side in step.sides}
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


def _check_step(p: SessionState, exercise_id: str, catalog: Catalog) -> Step:
    entry = catalog.get(exercise_id)  # UnknownExerciseError names the id
    if p.current is None:
        raise InvalidInputError("this session has nothing left to log")
    if p.current.entry.id != entry.id:
        raise InvalidInputError(f"the next step is {p.current.entry.name} ({p.current.entry.id}), not {entry.id}")
    return p.current


def _load(
    db: Session, athlete: Athlete, entry: Entry, load: str | None, plan_variant: str | None = None
) -> tuple[str | None, float | None]:
    """(label, kg) a set records: for a bodyweight move the variant typed, else the plan's;
    otherwise the load typed, read against the equipment owned."""
    if entry.load is Load.bodyweight:
        return (load or "").strip() or plan_variant, None
    owned = {e.label: e.kg for e in list_equipment(db, athlete=athlete)}
    return parse_load(load or "", owned)


def log_step_set(
    db: Session,
    athlete: Athlete,
    catalog: Catalog,
    performed: PerformedSession,
    step_set: StepSetIn,
    started_at: datetime | None = None,
    scope: Scope = EVERYTHING,
) -> SessionState:
    """Log the current step's set (one record per side), committed at once; finish the session
    when it was the last step."""
    p = progress(db, athlete, catalog, performed, scope=scope)
    step = _check_step(p, step_set.exercise_id, catalog)
    if step.is_stretch:
        raise InvalidInputError(f"{step_set.exercise_id} is a stretch: log its hold")
    for side in step.sides:
        if side not in step_set.reps:
            raise InvalidInputError(f"{step_set.exercise_id}: give the reps done with the {SIDE_NAMES[side]}")
    entry = step.entry
    label, kg = _load(db, athlete, entry, step_set.load, step.block.variant)
    hold = step_set.hold_s if entry.load is Load.bodyweight and step_set.hold_s is not None else step.block.hold_s
    now = utcnow()  # one moment for the step's records: undo takes them back together
    for side in step.sides:
        log_set(
            db,
            session=performed,
            exercise_id=entry.id,
            side=side,
            set_number=step.set_number,
            reps=step_set.reps[side],  # type: ignore[index]  # a side of the step, checked above
            load_label=label,
            load_kg=kg,
            hold_s=hold,
            rpe=step_set.rpe,
            started_at=started_at,
            ended_at=now,
        )
    return _finish_if_done(db, athlete, catalog, performed, scope)


def log_step_stretch(
    db: Session,
    athlete: Athlete,
    catalog: Catalog,
    performed: PerformedSession,
    hold: StepStretchIn,
    scope: Scope = EVERYTHING,
) -> SessionState:
    p = progress(db, athlete, catalog, performed, scope=scope)
    step = _check_step(p, hold.stretch_id, catalog)
    if not step.is_stretch:
        raise InvalidInputError(f"{hold.stretch_id} is a move: log its reps")
    log_stretch(db, session=performed, stretch_id=step.entry.id, side=step.sides[0], hold_s=round(hold.hold_s, 1))
    return _finish_if_done(db, athlete, catalog, performed, scope)


def _finish_if_done(
    db: Session, athlete: Athlete, catalog: Catalog, performed: PerformedSession, scope: Scope
) -> SessionState:
    p = progress(db, athlete, catalog, performed, scope=scope)
    if p.current is None and performed.ended_at is None:
        finish_session(db, session=performed, completed=True)
    return p


def stop(db: Session, performed: PerformedSession, *, skip_stretching: bool = False) -> None:
    """End the session now. Skipping only the stretching still completes it (as
    ``scapula session --no-stretch`` does); stopping during the moves does not."""
    if performed.ended_at is None:
        finish_session(db, session=performed, completed=skip_stretching)


def finish(db: Session, performed: PerformedSession, *, completed: bool) -> PerformedSession:
    return finish_session(db, session=performed, completed=completed)


# ---------------------------------------------------------------- logging by hand


def side_of(entry: Entry, side: str | None) -> str:
    """The side a set was done on: as given, or both for a move done with both arms."""
    side = side or ("both" if entry.sides == ("both",) else None)
    if side is None:
        raise InvalidInputError(f"{entry.id} is done per side: give side left or right")
    if side not in entry.sides:
        raise InvalidInputError(f"{entry.id}: side must be one of {', '.join(entry.sides)}, not '{side}'")
    return side


def session_for(db: Session, athlete: Athlete, day: date | None = None) -> PerformedSession:
    """Where a set logged by hand goes: the session still open around now (or around midday
    of ``day``), else a new one then."""
    around = midday_of(day, athlete) if day else None
    return queries.open_session(db, athlete=athlete, around=around) or start_session(
        db, athlete=athlete, started_at=around
    )


def _checked(catalog: Catalog, done: SetIn | StretchIn) -> tuple[Entry, str]:
    """The move (or stretch) and the side of a set logged by hand, checked before anything
    is stored."""
    stretch = isinstance(done, StretchIn)
    entry = catalog.get(done.stretch_id if isinstance(done, StretchIn) else done.exercise_id)
    if stretch and entry.kind is not Kind.stretch:
        raise InvalidInputError(f"{entry.id} is a move: log its reps")
    if not stretch and entry.kind is Kind.stretch:
        raise InvalidInputError(f"{entry.id} is a stretch: log its hold")
    return entry, side_of(entry, done.side)


def log_one_set(
    db: Session,
    athlete: Athlete,
    catalog: Catalog,
    performed: PerformedSession | None,
    done: SetIn,
    day: date | None = None,
) -> SetRecord:
    """A set logged by hand into ``performed`` (None: the session of ``day``, or of now,
    opened if need be), committed at once."""
    entry, side = _checked(catalog, done)
    label, kg = _load(db, athlete, entry, done.load)
    performed = performed or session_for(db, athlete, day)
    return log_set(
        db,
        session=performed,
        exercise_id=entry.id,
        side=side,
        reps=done.reps,
        load_label=label,
        load_kg=kg,
        rpe=done.rpe,
        ended_at=midday_of(day, athlete) if day else None,
        hold_s=done.hold_s if done.hold_s is not None else entry.dose.hold_s,
    )


def log_one_stretch(
    db: Session,
    athlete: Athlete,
    catalog: Catalog,
    performed: PerformedSession | None,
    done: StretchIn,
    day: date | None = None,
) -> StretchRecord:
    entry, side = _checked(catalog, done)
    performed = performed or session_for(db, athlete, day)
    return log_stretch(
        db,
        session=performed,
        stretch_id=entry.id,
        side=side,
        hold_s=done.hold_s,
        done_at=midday_of(day, athlete) if day else None,
    )


def note(db: Session, athlete: Athlete, performed: PerformedSession, text: str) -> None:
    add_note(db, athlete=athlete, session=performed, text=text)


# ---------------------------------------------------------------- corrections


# ---------------------------------------------------------------- corrections


def reopen(db: Session, performed: PerformedSession) -> PerformedSession:
    """Carry on a finished session: it is open again (and no longer completed) until the
    flow reaches its end or it is stopped."""
    if performed.ended_at is not None:
        change_record(db, performed, ended_at=None, completed=False)
    return performed


def set_of(db: Session, performed: PerformedSession, set_id: int) -> SetRecord:
    return _found(
        queries.set_by_id(db, session=performed, set_id=set_id), f"no set with id {set_id} in session {performed.id}"
    )


def stretch_of(db: Session, performed: PerformedSession, stretch_id: int) -> StretchRecord:
    return _found(
        queries.stretch_by_id(db, session=performed, stretch_id=stretch_id),
        f"no stretch with id {stretch_id} in session {performed.id}",
    )


def edit_set(db: Session, athlete: Athlete, catalog: Catalog, record: SetRecord, change: SetUpdate) -> SetRecord:
    """Correct a logged set (only the fields given in ``change``): the same rules as logging
    it. The progression reads the corrected numbers from then on."""
    entry = catalog.get(record.exercise_id)
    given = change.model_fields_set
    changes: dict = {name: getattr(change, name) for name in ("reps", "rpe", "hold_s") if name in given}
    if "load" in given:
        changes["load_label"], kg = _load(db, athlete, entry, change.load)
        if entry.load is not Load.bodyweight:
            changes["load_kg"] = kg
    return change_record(db, record, **changes)


def delete_session(db: Session, performed: PerformedSession) -> None:
    """A session with its sets, stretches and notes."""
    delete_records(db, [performed])


def delete_stretch(db: Session, record: StretchRecord) -> None:
    delete_records(db, [record])


def edit_stretch(db: Session, record: StretchRecord, change: StretchUpdate) -> StretchRecord:
    return change_record(db, record, hold_s=round(change.hold_s, 1))


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
    assert last_set is not None  # the hold was not the last thing logged, so a set was
    step = [
        r
        for r in performed.sets
        if r.exercise_id == last_set.exercise_id
        and r.set_number == last_set.set_number
        and r.ended_at == last_set.ended_at
    ]
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
