"""The JSON API under ``/api``: the same operations as the pages, with pydantic models so
``/openapi.json`` documents every request and answer.

Errors are 4xx with ``{"detail": "<one line>"}``: 404 for an unknown exercise id, session,
equipment item or race (the id is named), 422 for a value out of range, 400/413/415 for an
upload that cannot be used, 403 for a missing or wrong CSRF token.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from scapula.catalog import Catalog, Kind, Load
from scapula.errors import InvalidInputError
from scapula.plan.render import plan_json
from scapula.preferences import DAYS
from scapula.store import Athlete, PerformedSession, get_athlete, history, list_equipment, log_set, log_stretch
from scapula.store.queries import as_utc
from scapula.web import guided, services
from scapula.web.app import CATALOG, DB, Problem, RowId
from scapula.web.security import CSRF_COOKIE, csrf_protect
from scapula.workout import parse_load

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(csrf_protect)])

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Side = Literal["left", "right", "both"]


# ---------------------------------------------------------------- models


class Detail(BaseModel):
    detail: str


ERRORS = {403: {"model": Detail, "description": "CSRF token missing or wrong"},
          404: {"model": Detail, "description": "No such exercise, session, item or race"},
          422: {"model": Problem, "description": "A value out of range"}}


class CsrfOut(BaseModel):
    token: str = Field(description="Send it back in the X-CSRF-Token header (the cookie set with it must come too).")


class EquipmentIn(BaseModel):
    kind: Literal["band", "kettlebell"]
    value: str = Field(description="A band's resistance as sold ('medium', 'red'), or a kettlebell's kg ('12').",
                       max_length=30)
    kg: float | None = Field(default=None, description="A band's rated pull in kg, if known.")


class EquipmentOut(BaseModel):
    id: int
    kind: str
    label: str
    kg: float | None
    resistance: str | None


class RaceIn(BaseModel):
    day: date = Field(description="YYYY-MM-DD, today or later.")
    name: str = Field(default="race", max_length=120)

    @field_validator("day", mode="before")
    @classmethod
    def _written_date(cls, value):
        if not isinstance(value, (str, date)):  # pydantic reads a number as seconds since 1970
            raise ValueError("a date is written YYYY-MM-DD")
        return value


class RaceOut(BaseModel):
    id: int
    day: date
    name: str


class AthleteOut(BaseModel):
    sessions_per_week: int
    goal: str
    long_run_day: Weekday | None
    hard_days: list[Weekday]
    rest_days: list[Weekday]
    session_time: str | None = Field(description="Preferred start, HH:MM local.")
    timezone: str | None = Field(description="IANA name; null: this machine's zone.")
    strictness: Literal["fit", "ideal"] = Field(
        description="fit: bend rules, mildest first, to fit the sessions asked for; ideal: ideal days only.")
    equipment: list[EquipmentOut]
    races: list[RaceOut]
    runs_imported: int


class AthleteUpdate(BaseModel):
    """Only the fields given change; null clears long_run_day, session_time and timezone."""

    sessions_per_week: Literal[2, 3] | None = None
    goal: str | None = Field(default=None, max_length=500)
    long_run_day: Weekday | None = None
    hard_days: list[Weekday] | None = None
    rest_days: list[Weekday] | None = None
    session_time: str | None = Field(default=None, description="HH:MM", max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    strictness: Literal["fit", "ideal"] | None = None


class CueOut(BaseModel):
    id: str
    text: str


class FaultOut(BaseModel):
    id: str
    name: str
    seen: str
    fix: str


class ExerciseOut(BaseModel):
    id: str
    name: str
    kind: str
    summary: str
    counting: str
    load: str
    sides: list[str]
    dose: str
    rest_s: int
    setup: list[str]
    execution: list[str]
    cues: list[CueOut]
    faults: list[FaultOut]


class PrescriptionOut(BaseModel):
    exercise_id: str
    sets: int
    per_side: bool
    reps_min: int | None
    reps_max: int | None
    hold_s: float | None
    rest_s: int
    load_label: str | None
    load_kg: float | None
    variant: str | None
    why: str


class SessionPlanOut(BaseModel):
    uid: str
    date: date
    status: str
    minutes: int
    reason: str
    deload: bool
    race_week: bool
    items: list[PrescriptionOut]


class DayOut(BaseModel):
    date: date
    kind: str
    why: str


class WeekOut(BaseModel):
    monday: date
    target: int
    deload: bool
    race_week: bool
    days: list[DayOut]
    notes: list[str]


class UsualDayOut(BaseModel):
    weekday: str
    kind: str
    why: str


class UsualWeekOut(BaseModel):
    source: str
    days: list[UsualDayOut]


class DecisionOut(BaseModel):
    exercise_id: str
    side: str
    load_label: str | None
    load_kg: float | None
    reps_target: int
    hold_s: float | None
    variant: str | None
    why: str


class PlanOut(BaseModel):
    """``scapula plan --json``: the running week, the weeks with each session's reason and dose,
    and the progression decision per move and side."""

    usual_week: UsualWeekOut
    weeks: list[WeekOut]
    sessions: list[SessionPlanOut]
    progression: list[DecisionOut]


class SetIn(BaseModel):
    exercise_id: str
    side: Side | None = Field(default=None, description="Default: both for a bilateral move.")
    reps: int = Field(ge=0, le=100)
    load: str | None = Field(default=None, max_length=60,
                             description="A band name or kg ('medium band', '12'); for supermans, the variant done.")
    rpe: float | None = Field(default=None, ge=1, le=10)
    hold_s: float | None = Field(default=None, ge=0, le=600)


class StretchIn(BaseModel):
    stretch_id: str
    side: Side | None = None
    hold_s: float = Field(ge=0, le=600)


class SetOut(BaseModel):
    id: int = Field(description="For PATCH and DELETE /api/sessions/{session_id}/sets/{set_id}.")
    exercise: str
    set: int
    side: str
    reps: int
    load: str | None
    load_kg: float | None
    hold_s: float | None
    rpe: float | None
    ended_at: datetime


class StretchOut(BaseModel):
    id: int = Field(description="For PATCH and DELETE /api/sessions/{session_id}/stretches/{stretch_id}.")
    stretch: str
    side: str
    hold_s: float
    done_at: datetime


class SessionOut(BaseModel):
    id: int
    started_at: datetime
    ended_at: datetime | None
    completed: bool
    sets: list[SetOut]
    stretches: list[StretchOut]


class FinishIn(BaseModel):
    completed: bool = True


class SetUpdate(BaseModel):
    """A logged set corrected: only the fields given change (``rpe: null`` clears it)."""

    reps: int | None = Field(default=None, ge=0, le=100)
    load: str | None = Field(default=None, max_length=60,
                             description="A band name or kg; for supermans, the variant done.")
    rpe: float | None = Field(default=None, ge=1, le=10)
    hold_s: float | None = Field(default=None, ge=0, le=600)


class StretchUpdate(BaseModel):
    hold_s: float = Field(ge=0, le=600)


class StepOut(BaseModel):
    exercise_id: str
    name: str
    kind: str
    set_number: int
    sets: int
    sides: list[str]
    target_reps: dict[str, int] = Field(description="Per side, from the plan's progression.")
    reps_range: str | None
    load: str = Field(description="Suggested load label ('' for none).")
    hold_s: float | None
    rest_left_s: float = Field(description="Rest still due before this step, seconds.")
    why: str
    setup: list[str]
    cues: list[str]


class GuideOut(BaseModel):
    session: SessionOut
    steps_done: int
    steps_total: int
    next: StepOut | None = Field(description="The step to do now; null when the session is over.")


class UndoOut(GuideOut):
    undone: str = Field(description="What was taken back, in words.")


class PointOut(BaseModel):
    date: date
    value: float
    label: str


class SideSeriesOut(BaseModel):
    side: str
    reps: list[PointOut]
    load: list[PointOut]


class MoveProgressOut(BaseModel):
    exercise_id: str
    name: str
    load_unit: str
    load_ladder: list[str]
    sides: list[SideSeriesOut]


class WeekCountOut(BaseModel):
    monday: date
    planned: int
    done: int


class ProgressOut(BaseModel):
    moves: list[MoveProgressOut]
    weeks: list[WeekCountOut]


class FileResultOut(BaseModel):
    filename: str
    status: Literal["imported", "duplicate", "note", "error", "refused"]
    message: str
    runs: list[str]


class ImportOut(BaseModel):
    files: list[FileResultOut]
    imported: int
    duplicates: int


# ---------------------------------------------------------------- helpers


def athlete_of(db: Session) -> Athlete:
    return get_athlete(db)


def athlete_out(db: Session, athlete: Athlete) -> AthleteOut:
    return AthleteOut(
        sessions_per_week=athlete.sessions_per_week, goal=athlete.goal or "",
        long_run_day=DAYS[athlete.long_run_day] if athlete.long_run_day is not None else None,
        hard_days=[DAYS[d] for d in athlete.hard_days or []],
        rest_days=[DAYS[d] for d in athlete.rest_days or []],
        session_time=athlete.session_time.strftime("%H:%M") if athlete.session_time else None,
        timezone=athlete.timezone,
        strictness=athlete.strictness,
        equipment=[EquipmentOut(id=e.id, kind=e.kind, label=e.label, kg=e.kg, resistance=e.resistance)
                   for e in list_equipment(db, athlete=athlete)],
        races=[RaceOut(id=r.id, day=r.day, name=r.name) for r in services.races(db, athlete)],
        runs_imported=services.run_count(db, athlete),
    )


def session_out(performed: PerformedSession) -> SessionOut:
    return SessionOut(
        id=performed.id, started_at=as_utc(performed.started_at),
        ended_at=as_utc(performed.ended_at) if performed.ended_at else None,
        completed=performed.completed,
        sets=[SetOut(id=s.id, exercise=s.exercise_id, set=s.set_number, side=s.side, reps=s.reps, load=s.load_label,
                     load_kg=s.load_kg, hold_s=s.hold_s, rpe=s.rpe, ended_at=as_utc(s.ended_at))
              for s in performed.sets],
        stretches=[StretchOut(id=s.id, stretch=s.stretch_id, side=s.side, hold_s=s.hold_s, done_at=as_utc(s.done_at))
                   for s in performed.stretches],
    )


def exercise_out(entry) -> ExerciseOut:
    return ExerciseOut(
        id=entry.id, name=entry.name, kind=entry.kind.value, summary=entry.summary.strip(),
        counting=entry.counting.value, load=entry.load.value, sides=list(entry.sides),
        dose=entry.dose.target_text(), rest_s=entry.dose.rest_s, setup=list(entry.setup),
        execution=list(entry.execution), cues=[CueOut(id=c.id, text=c.text) for c in entry.cues],
        faults=[FaultOut(id=f.id, name=f.name, seen=f.seen, fix=f.fix) for f in entry.faults])


def guide_out(p: guided.Progress) -> GuideOut:
    step = None
    if p.current is not None:
        c, block = p.current, p.current.block
        step = StepOut(
            exercise_id=c.entry.id, name=c.entry.name, kind=c.entry.kind.value, set_number=c.set_number,
            sets=block.sets, sides=list(c.sides), target_reps=p.defaults.reps,
            reps_range=f"{block.reps_min}-{block.reps_max}" if block.reps_min is not None else None,
            load=p.defaults.load, hold_s=p.defaults.hold_s, rest_left_s=round(p.rest_left_s, 1),
            why=block.why, setup=list(c.entry.setup), cues=[cue.text for cue in c.entry.cues])
    return GuideOut(session=session_out(p.performed), steps_done=p.done, steps_total=p.total, next=step)


def _side(entry, side: str | None) -> str:
    side = side or ("both" if entry.sides == ("both",) else None)
    if side is None:
        raise InvalidInputError(f"{entry.id} is done per side: give side left or right")
    if side not in entry.sides:
        raise InvalidInputError(f"{entry.id}: side must be one of {', '.join(entry.sides)}, not '{side}'")
    return side


# ---------------------------------------------------------------- routes


@router.get("/csrf", response_model=CsrfOut, summary="A CSRF token (and its cookie) for POST/PATCH/DELETE")
def csrf_token(request: Request, response: Response) -> CsrfOut:
    csrf = request.app.state.csrf
    raw, new = csrf.cookie_value(request)
    if new:
        response.set_cookie(CSRF_COOKIE, raw, httponly=True, samesite="strict", path="/")
    return CsrfOut(token=csrf.sign(raw))


@router.get("/athlete", response_model=AthleteOut, summary="Setup: the declared week, goal, equipment, races")
def read_athlete(db: Session = DB) -> AthleteOut:
    athlete = athlete_of(db)
    return athlete_out(db, athlete)


@router.patch("/athlete", response_model=AthleteOut, responses=ERRORS, summary="Change the setup")
def update_athlete(body: AthleteUpdate, db: Session = DB) -> AthleteOut:
    athlete = athlete_of(db)
    given = body.model_fields_set
    services.update_week(
        db, athlete,
        sessions_per_week=body.sessions_per_week,
        long_run_day=(DAYS.index(body.long_run_day) if body.long_run_day else None)
        if "long_run_day" in given else "keep",
        hard_days=[DAYS.index(d) for d in body.hard_days] if body.hard_days is not None else None,
        rest_days=[DAYS.index(d) for d in body.rest_days] if body.rest_days is not None else None,
        session_time=(body.session_time or "") if "session_time" in given else None,
        timezone=(body.timezone or "") if "timezone" in given else None,
        goal=body.goal, strictness=body.strictness)
    return athlete_out(db, athlete)


@router.get("/equipment", response_model=list[EquipmentOut], summary="The bands and kettlebells owned")
def read_equipment(db: Session = DB) -> list[EquipmentOut]:
    return athlete_out(db, athlete_of(db)).equipment


@router.post("/equipment", response_model=EquipmentOut, status_code=201, responses=ERRORS,
             summary="Add a band or a kettlebell")
def create_equipment(body: EquipmentIn, db: Session = DB) -> EquipmentOut:
    item = services.add_item(db, athlete_of(db), body.kind, body.value, body.kg)
    return EquipmentOut(id=item.id, kind=item.kind, label=item.label, kg=item.kg, resistance=item.resistance)


@router.delete("/equipment/{equipment_id}", status_code=204, responses=ERRORS, summary="Remove an item")
def delete_equipment(equipment_id: RowId, db: Session = DB) -> Response:
    services.drop_item(db, athlete_of(db), equipment_id)
    return Response(status_code=204)


@router.post("/races", response_model=RaceOut, status_code=201, responses=ERRORS, summary="Add a race")
def create_race(body: RaceIn, db: Session = DB) -> RaceOut:
    race = services.add_a_race(db, athlete_of(db), body.day, body.name)
    return RaceOut(id=race.id, day=race.day, name=race.name)


@router.delete("/races/{race_id}", status_code=204, responses=ERRORS, summary="Forget a race")
def delete_race(race_id: RowId, db: Session = DB) -> Response:
    services.drop_race(db, athlete_of(db), race_id)
    return Response(status_code=204)


@router.get("/exercises", response_model=list[ExerciseOut], summary="The moves and stretches")
def read_exercises(catalog: Catalog = CATALOG) -> list[ExerciseOut]:
    return [exercise_out(e) for e in catalog.entries]


@router.get("/exercises/{exercise_id}", response_model=ExerciseOut, responses=ERRORS, summary="One move in full")
def read_exercise(exercise_id: str, catalog: Catalog = CATALOG) -> ExerciseOut:
    return exercise_out(catalog.get(exercise_id))


@router.get("/plan", response_model=PlanOut, summary="The coming weeks: each session's day, reason and dose")
def read_plan(weeks: Annotated[int, Query(ge=1, le=12)] = 3, db: Session = DB,
              catalog: Catalog = CATALOG) -> PlanOut:
    plan = services.plan_for(db, athlete_of(db), catalog, weeks)
    return PlanOut.model_validate(plan_json(plan))


@router.get("/export/calendar.ics", response_class=Response, summary="The plan as an iCalendar file",
            responses={200: {"content": {"text/calendar": {}}}})
def export_ics(weeks: Annotated[int, Query(ge=1, le=12)] = 4,
               alarm: Annotated[int, Query(ge=0, le=1440, description="Reminder, minutes before.")] = 30,
               db: Session = DB, catalog: Catalog = CATALOG) -> Response:
    data = services.ics_bytes(db, athlete_of(db), catalog, weeks, alarm)
    return Response(data, media_type="text/calendar; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="scapula.ics"'})


@router.get("/export/workouts.zip", response_class=Response, summary="The coming sessions as Garmin FIT workouts (zip)",
            responses={200: {"content": {"application/zip": {}}}})
def export_fit(weeks: Annotated[int, Query(ge=1, le=12)] = 2, db: Session = DB,
               catalog: Catalog = CATALOG) -> Response:
    data, _ = services.fit_zip(db, athlete_of(db), catalog, weeks)
    return Response(data, media_type="application/zip",
                    headers={"content-disposition": 'attachment; filename="scapula-workouts.zip"'})


@router.get("/sessions", response_model=list[SessionOut], summary="Past sessions, newest first, with every set")
def read_sessions(limit: Annotated[int, Query(ge=1, le=1000)] = 20, db: Session = DB) -> list[SessionOut]:
    return [session_out(p) for p in history(db, athlete=athlete_of(db), limit=limit)]


@router.post("/sessions", response_model=GuideOut, status_code=201, responses=ERRORS,
             summary="Start today's session (or carry on the one still open, or today's stopped early)")
def create_session(db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = athlete_of(db)
    performed = guided.begin(db, athlete, catalog)
    return guide_out(guided.progress(db, athlete, catalog, performed))


@router.get("/sessions/{session_id}", response_model=GuideOut, responses=ERRORS,
            summary="A session, its sets, and the guided flow's next step")
def read_session(session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = athlete_of(db)
    performed = guided.session_of(db, athlete, session_id)
    return guide_out(guided.progress(db, athlete, catalog, performed))


def _open(db: Session, athlete: Athlete, session_id: int) -> PerformedSession:
    performed = guided.session_of(db, athlete, session_id)
    if performed.ended_at is not None:
        raise InvalidInputError(f"session {session_id} is finished")
    return performed


@router.post("/sessions/{session_id}/sets", response_model=SetOut, status_code=201, responses=ERRORS,
             summary="Log one set (committed at once)")
def create_set(session_id: RowId, body: SetIn, db: Session = DB, catalog: Catalog = CATALOG) -> SetOut:
    athlete = athlete_of(db)
    entry = catalog.get(body.exercise_id)  # 404 naming the id
    if entry.kind is Kind.stretch:
        raise InvalidInputError(f"{entry.id} is a stretch: POST it to /stretches")
    side = _side(entry, body.side)
    performed = _open(db, athlete, session_id)
    if entry.load is Load.bodyweight:
        label, kg = (body.load.strip() or None) if body.load else None, None  # the variant done
    else:
        owned = {e.label: e.kg for e in list_equipment(db, athlete=athlete)}
        label, kg = parse_load(body.load or "", owned)
    record = log_set(db, session=performed, exercise_id=entry.id, side=side, reps=body.reps,
                     load_label=label, load_kg=kg, rpe=body.rpe,
                     hold_s=body.hold_s if body.hold_s is not None else entry.dose.hold_s)
    return set_out(record)


def set_out(record) -> SetOut:
    return SetOut(id=record.id, exercise=record.exercise_id, set=record.set_number, side=record.side, reps=record.reps,
                  load=record.load_label, load_kg=record.load_kg, hold_s=record.hold_s, rpe=record.rpe,
                  ended_at=as_utc(record.ended_at))


@router.post("/sessions/{session_id}/stretches", response_model=StretchOut, status_code=201, responses=ERRORS,
             summary="Log one stretch hold")
def create_stretch(session_id: RowId, body: StretchIn, db: Session = DB, catalog: Catalog = CATALOG) -> StretchOut:
    athlete = athlete_of(db)
    entry = catalog.get(body.stretch_id)
    if entry.kind is not Kind.stretch:
        raise InvalidInputError(f"{entry.id} is a move: POST it to /sets")
    side = _side(entry, body.side)
    performed = _open(db, athlete, session_id)
    record = log_stretch(db, session=performed, stretch_id=entry.id, side=side, hold_s=body.hold_s)
    return stretch_out(record)


def stretch_out(record) -> StretchOut:
    return StretchOut(id=record.id, stretch=record.stretch_id, side=record.side, hold_s=record.hold_s,
                      done_at=as_utc(record.done_at))


@router.post("/sessions/{session_id}/finish", response_model=SessionOut, responses=ERRORS,
             summary="End a session (completed or stopped early)")
def finish(session_id: RowId, body: FinishIn, db: Session = DB) -> SessionOut:
    from scapula.store import finish_session

    performed = _open(db, athlete_of(db), session_id)
    finish_session(db, session=performed, completed=body.completed)
    return session_out(performed)


@router.post("/sessions/{session_id}/undo", response_model=UndoOut, responses=ERRORS,
             summary="Take back the last set (both sides of an alternating one) or stretch hold")
def undo(session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG) -> UndoOut:
    athlete = athlete_of(db)
    performed = guided.session_of(db, athlete, session_id)
    what = guided.undo_last(db, performed)
    return UndoOut(**guide_out(guided.progress(db, athlete, catalog, performed)).model_dump(), undone=what)


@router.post("/sessions/{session_id}/reopen", response_model=GuideOut, responses=ERRORS,
             summary="Carry on a finished session (stopped by mistake) where it was")
def reopen(session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = athlete_of(db)
    performed = guided.reopen(db, guided.session_of(db, athlete, session_id))
    return guide_out(guided.progress(db, athlete, catalog, performed))


@router.delete("/sessions/{session_id}", status_code=204, responses=ERRORS,
               summary="Delete a session with its sets and stretches")
def delete_session(session_id: RowId, db: Session = DB) -> Response:
    from scapula.store.queries import delete_records

    delete_records(db, [guided.session_of(db, athlete_of(db), session_id)])
    return Response(status_code=204)


@router.patch("/sessions/{session_id}/sets/{set_id}", response_model=SetOut, responses=ERRORS,
              summary="Correct a logged set (only the fields given change)")
def update_set(session_id: RowId, set_id: RowId, body: SetUpdate, db: Session = DB,
               catalog: Catalog = CATALOG) -> SetOut:
    athlete = athlete_of(db)
    record = guided.set_of(db, guided.session_of(db, athlete, session_id), set_id)
    given = {name: getattr(body, name) for name in body.model_fields_set}
    if "reps" in given and given["reps"] is None:
        raise InvalidInputError("reps: a whole number from 0 to 100, not null")
    return set_out(guided.edit_set(db, athlete, catalog, record, **given))


@router.delete("/sessions/{session_id}/sets/{set_id}", status_code=204, responses=ERRORS,
               summary="Delete a logged set (the sets after it are numbered again)")
def delete_set(session_id: RowId, set_id: RowId, db: Session = DB) -> Response:
    performed = guided.session_of(db, athlete_of(db), session_id)
    guided.delete_sets(db, performed, [guided.set_of(db, performed, set_id)])
    return Response(status_code=204)


@router.patch("/sessions/{session_id}/stretches/{stretch_id}", response_model=StretchOut, responses=ERRORS,
              summary="Correct a stretch hold's seconds")
def update_stretch(session_id: RowId, stretch_id: RowId, body: StretchUpdate, db: Session = DB) -> StretchOut:
    performed = guided.session_of(db, athlete_of(db), session_id)
    return stretch_out(guided.edit_stretch(db, guided.stretch_of(db, performed, stretch_id), body.hold_s))


@router.delete("/sessions/{session_id}/stretches/{stretch_id}", status_code=204, responses=ERRORS,
               summary="Delete a logged stretch hold")
def delete_stretch(session_id: RowId, stretch_id: RowId, db: Session = DB) -> Response:
    from scapula.store.queries import delete_records

    performed = guided.session_of(db, athlete_of(db), session_id)
    delete_records(db, [guided.stretch_of(db, performed, stretch_id)])
    return Response(status_code=204)


@router.get("/progress", response_model=ProgressOut, summary="Reps and load per move and side; sessions done vs planned")
def read_progress(weeks: Annotated[int, Query(ge=1, le=52)] = 8, db: Session = DB,
                  catalog: Catalog = CATALOG) -> ProgressOut:
    from scapula.web.pages import progress_data

    moves, counts = progress_data(db, athlete_of(db), catalog, weeks)
    return ProgressOut(
        moves=[MoveProgressOut(
            exercise_id=m.exercise_id, name=m.name, load_unit=m.load_title, load_ladder=m.load_ticks,
            sides=[SideSeriesOut(
                side=r.side,
                reps=[PointOut(date=d, value=v, label=t) for d, v, t in r.points],
                load=[PointOut(date=d, value=v, label=t) for d, v, t in ld.points])
                for r, ld in zip(m.reps, m.load)]) for m in moves],
        weeks=[WeekCountOut(monday=w.monday, planned=w.planned, done=w.done) for w in counts])


@router.post("/import", response_model=ImportOut, responses={
    400: {"model": Detail, "description": "No file could be imported"},
    413: {"model": Detail, "description": "Over the upload size limit"},
    415: {"model": Detail, "description": "Not a FIT, GPX, TCX or Strava export zip"}},
    summary="Import running files (FIT, GPX, TCX, .gz, Strava export zip)")
async def import_files(files: Annotated[list[UploadFile], File(description="One or more running files")],
                       db: Session = DB):
    uploads = [services.Upload(f.filename or "upload", await f.read()) for f in files]
    results = await run_in_threadpool(services.import_uploads, db, athlete_of(db), uploads)  # off the event loop
    out = ImportOut(
        files=[FileResultOut(filename=r.filename, status=r.status, message=r.message, runs=r.runs) for r in results],
        imported=sum(len(r.runs) for r in results),
        duplicates=sum(1 for r in results if r.status == "duplicate"))
    if results and all(r.status in ("refused", "error") for r in results):
        status = 415 if all(r.status == "refused" for r in results) else 400
        detail = "; ".join(f"{r.filename}: {r.message}" for r in results)
        return JSONResponse({"detail": detail, **out.model_dump()}, status_code=status)
    return out


# ---------------------------------------------------------------- video check


class VideoJobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(description="0 to 1")
    filename: str
    exercise: str = Field(description="As asked: an exercise id or auto")
    message: str = Field(description="Why it failed, when it did")
    report: dict | None = Field(description="CONTRACTS.md §3, as `scapula analyze` writes it, once done")
    annotated_video: str | None = Field(description="URL of the annotated clip (H.264 mp4), once done")


VIDEO_ERRORS = {400: {"model": Detail, "description": "A clip FFmpeg cannot read"},
                403: ERRORS[403], 404: ERRORS[404],
                413: {"model": Detail, "description": "Over the upload size limit"},
                415: {"model": Detail, "description": "Not a video clip"},
                503: {"model": Detail, "description": "Too many checks waiting"}}


def video_job_out(job) -> VideoJobOut:
    return VideoJobOut(id=job.id, status=job.status, progress=round(job.progress, 3), filename=job.name,
                       exercise=job.exercise, message=job.message, report=job.report,
                       annotated_video=f"/video/{job.id}/annotated.mp4" if job.has_video else None)


def _video_job(request: Request, job_id: str):
    job = request.app.state.videos.get(job_id)
    if job is None:
        raise services.NotFound(f"no video check with id {job_id!r}")
    return job


@router.post("/video", response_model=VideoJobOut, status_code=202, responses=VIDEO_ERRORS,
             summary="Upload a clip for the video check: poll GET /api/video/{id} until done")
async def create_video_check(request: Request,
                             file: Annotated[UploadFile, File(description="One clip of one set")],
                             exercise: Annotated[str, Form(description="An exercise id, or auto")] = "auto") -> VideoJobOut:
    job = await run_in_threadpool(request.app.state.videos.submit, file.filename or "upload", await file.read(),
                                  exercise)
    return video_job_out(job)


@router.get("/video/{job_id}", response_model=VideoJobOut, responses=VIDEO_ERRORS,
            summary="A video check's progress, and its report once done")
def read_video_check(request: Request, job_id: str) -> VideoJobOut:
    return video_job_out(_video_job(request, job_id))


@router.delete("/video/{job_id}", status_code=204, responses=VIDEO_ERRORS,
               summary="Delete a video check and its files now")
def delete_video_check(request: Request, job_id: str) -> Response:
    if not request.app.state.videos.drop(job_id):
        raise services.NotFound(f"no video check with id {job_id!r}")
    return Response(status_code=204)


# ---------------------------------------------------------------- posture check


class PostureOut(BaseModel):
    report: dict = Field(description="The posture report ('scapula-posture' v1), as `scapula posture --json` prints it")
    saved: bool = Field(description="Whether the numbers went into the log (never the picture)")
    picture_png: str | None = Field(description="The first picture with the measured lines, base64 PNG")
    save_token: str | None = Field(default=None, description="Not saved yet: POST it to /api/posture/save "
                                                             "to keep these numbers after seeing them")


class PostureSaveIn(BaseModel):
    save_token: str = Field(max_length=20_000)


class PostureSavedOut(BaseModel):
    saved: bool = Field(description="False when this check was kept already")


class PostureHistoryOut(BaseModel):
    checks: list[dict]
    trend: dict


@router.post("/posture", response_model=PostureOut, responses={**VIDEO_ERRORS, 422: ERRORS[422]},
             summary="Posture check from photos or a short clip (or landmark files); 422 when refused")
async def create_posture_check(
        request: Request,
        files: Annotated[list[UploadFile], File(description="Side or front photos, or one short clip")],
        view: Annotated[Literal["auto", "side", "front"], Form()] = "auto",
        save: Annotated[bool, Form(description="Keep the numbers in the log")] = False,
        day: Annotated[date | None, Form(alias="date", description="With save: the day of the check")] = None,
        db: Session = DB, catalog: Catalog = CATALOG):
    from scapula.web import posture

    uploads = [services.Upload(f.filename or "upload", await f.read()) for f in files]
    checked = await run_in_threadpool(posture.check, db, athlete_of(db), catalog, uploads, view, save, day)
    token = request.app.state.csrf.seal(checked.record) if checked.record and not checked.saved else None
    out = PostureOut(report=checked.report, saved=checked.saved, picture_png=checked.picture_png, save_token=token)
    if checked.report["status"] == "refused":
        problems = "; ".join(f"{i['input']}: {p['message']}" for i in checked.report["inputs"] for p in i["problems"])
        return JSONResponse({"detail": problems or "nothing could be measured", **out.model_dump(mode="json")},
                            status_code=422)
    return out


@router.post("/posture/save", response_model=PostureSavedOut, status_code=201, responses=ERRORS,
             summary="Keep the numbers of a check already measured (its save_token)")
def save_posture_check(request: Request, body: PostureSaveIn, db: Session = DB) -> PostureSavedOut:
    from scapula.web import posture

    record = request.app.state.csrf.unseal(body.save_token)
    if not isinstance(record, dict):
        raise InvalidInputError("save_token: not a token of this app's posture check")
    return PostureSavedOut(saved=posture.save_record(db, athlete_of(db), record))


@router.delete("/posture/checks/{check_id}", status_code=204, responses=ERRORS, summary="Delete a saved posture check")
def delete_posture_check(check_id: RowId, db: Session = DB) -> Response:
    from scapula.web import posture

    posture.delete_check(db, athlete_of(db), check_id)
    return Response(status_code=204)


@router.get("/posture/history", response_model=PostureHistoryOut, summary="Saved posture checks and their trend")
def read_posture_history(db: Session = DB) -> PostureHistoryOut:
    from scapula.web import posture

    checks, trend = posture.history(db, athlete_of(db))
    return PostureHistoryOut(checks=[{**c, "checked_at": c["checked_at"].isoformat()} for c in checks], trend=trend)
