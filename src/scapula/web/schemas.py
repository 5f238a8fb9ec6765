"""The JSON API's answers (pydantic models, so ``/openapi.json`` documents each) and the
functions that build them from the log. The requests are the application's input models
(``scapula.app.inputs``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from scapula.app.inputs import Weekday
from scapula.app.session import SessionState
from scapula.clock import as_utc
from scapula.preferences import DAYS
from scapula.store import Athlete, PerformedSession, list_equipment
from scapula.store.queries import races, run_count


class Problem(BaseModel):
    """Every 422 of the API: one readable line, and for a request that failed validation the
    list of its problems (where, what)."""

    detail: str = Field(description="One line naming each field and its problem.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For a request that failed validation: each problem's loc, msg and type."
    )


# ---------------------------------------------------------------- answers


class Detail(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": Detail, "description": "CSRF token missing or wrong"},
    404: {"model": Detail, "description": "No such exercise, session, item or race"},
    422: {"model": Problem, "description": "A value out of range"},
}


class CsrfOut(BaseModel):
    token: str = Field(description="Send it back in the X-CSRF-Token header (the cookie set with it must come too).")


class EquipmentOut(BaseModel):
    id: int
    kind: str
    label: str
    kg: float | None
    resistance: str | None


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
        description="fit: bend rules, mildest first, to fit the sessions asked for; ideal: ideal days only."
    )
    equipment: list[EquipmentOut]
    races: list[RaceOut]
    runs_imported: int


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
    filming: str | None = Field(default=None, description="Where to put the phone for the camera coach")


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


# ---------------------------------------------------------------- video check


class VideoJobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(description="0 to 1")
    filename: str
    exercise: str = Field(description="As asked: an exercise id or auto")
    message: str = Field(description="Why it failed, when it did")
    report: dict | None = Field(
        description="the report of docs/contracts.md, as `scapula analyze` writes it, once done"
    )
    annotated_video: str | None = Field(description="URL of the annotated clip (H.264 mp4), once done")


VIDEO_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Detail, "description": "A clip FFmpeg cannot read"},
    403: ERRORS[403],
    404: ERRORS[404],
    413: {"model": Detail, "description": "Over the upload size limit"},
    415: {"model": Detail, "description": "Not a video clip"},
    503: {"model": Detail, "description": "Too many checks waiting"},
}


def video_job_out(job) -> VideoJobOut:
    return VideoJobOut(
        id=job.id,
        status=job.status,
        progress=round(job.progress, 3),
        filename=job.name,
        exercise=job.exercise,
        message=job.message,
        report=job.report,
        annotated_video=f"/video/{job.id}/annotated.mp4" if job.has_video else None,
    )


# ---------------------------------------------------------------- posture check


class PostureOut(BaseModel):
    report: dict = Field(description="The posture report ('scapula-posture' v1), as `scapula posture --json` prints it")
    saved: bool = Field(description="Whether the numbers went into the log (never the picture)")
    picture_png: str | None = Field(description="The first picture with the measured lines, base64 PNG")
    save_token: str | None = Field(
        default=None, description="Not saved yet: POST it to /api/posture/save to keep these numbers after seeing them"
    )


class PostureSaveIn(BaseModel):
    save_token: str = Field(max_length=20_000)


class PostureSavedOut(BaseModel):
    saved: bool = Field(description="False when this check was kept already")


class PostureHistoryOut(BaseModel):
    checks: list[dict]
    trend: dict


# ---------------------------------------------------------------- from the log to the answers


def athlete_out(db: Session, athlete: Athlete) -> AthleteOut:
    return AthleteOut.model_validate(  # the stored text checked against the answer's choices
        dict(
            sessions_per_week=athlete.sessions_per_week,
            goal=athlete.goal or "",
            long_run_day=DAYS[athlete.long_run_day] if athlete.long_run_day is not None else None,
            hard_days=[DAYS[d] for d in athlete.hard_days or []],
            rest_days=[DAYS[d] for d in athlete.rest_days or []],
            session_time=athlete.session_time.strftime("%H:%M") if athlete.session_time else None,
            timezone=athlete.timezone,
            strictness=athlete.strictness,
            equipment=[
                EquipmentOut(id=e.id, kind=e.kind, label=e.label, kg=e.kg, resistance=e.resistance)
                for e in list_equipment(db, athlete=athlete)
            ],
            races=[RaceOut(id=r.id, day=r.day, name=r.name) for r in races(db, athlete=athlete)],
            runs_imported=run_count(db, athlete=athlete),
        )
    )


def session_out(performed: PerformedSession) -> SessionOut:
    return SessionOut(
        id=performed.id,
        started_at=as_utc(performed.started_at),
        ended_at=as_utc(performed.ended_at) if performed.ended_at else None,
        completed=performed.completed,
        sets=[
            SetOut(
                id=s.id,
                exercise=s.exercise_id,
                set=s.set_number,
                side=s.side,
                reps=s.reps,
                load=s.load_label,
                load_kg=s.load_kg,
                hold_s=s.hold_s,
                rpe=s.rpe,
                ended_at=as_utc(s.ended_at),
            )
            for s in performed.sets
        ],
        stretches=[
            StretchOut(id=s.id, stretch=s.stretch_id, side=s.side, hold_s=s.hold_s, done_at=as_utc(s.done_at))
            for s in performed.stretches
        ],
    )


def exercise_out(entry) -> ExerciseOut:
    return ExerciseOut(
        id=entry.id,
        name=entry.name,
        kind=entry.kind.value,
        summary=entry.summary.strip(),
        counting=entry.counting.value,
        load=entry.load.value,
        sides=list(entry.sides),
        dose=entry.dose.target_text(),
        rest_s=entry.dose.rest_s,
        setup=list(entry.setup),
        execution=list(entry.execution),
        cues=[CueOut(id=c.id, text=c.text) for c in entry.cues],
        faults=[FaultOut(id=f.id, name=f.name, seen=f.seen, fix=f.fix) for f in entry.faults],
        filming=entry.filming.strip() if entry.filming else None,
    )


def guide_out(p: SessionState) -> GuideOut:
    step = None
    if p.current is not None and p.defaults is not None:
        c, block = p.current, p.current.block
        step = StepOut(
            exercise_id=c.entry.id,
            name=c.entry.name,
            kind=c.entry.kind.value,
            set_number=c.set_number,
            sets=block.sets,
            sides=list(c.sides),
            target_reps=p.defaults.reps,
            reps_range=f"{block.reps_min}-{block.reps_max}" if block.reps_min is not None else None,
            load=p.defaults.load,
            hold_s=p.defaults.hold_s,
            rest_left_s=round(p.rest_left_s, 1),
            why=block.why,
            setup=list(c.entry.setup),
            cues=[cue.text for cue in c.entry.cues],
        )
    return GuideOut(session=session_out(p.performed), steps_done=p.done, steps_total=p.total, next=step)


def set_out(record) -> SetOut:
    return SetOut(
        id=record.id,
        exercise=record.exercise_id,
        set=record.set_number,
        side=record.side,
        reps=record.reps,
        load=record.load_label,
        load_kg=record.load_kg,
        hold_s=record.hold_s,
        rpe=record.rpe,
        ended_at=as_utc(record.ended_at),
    )


def stretch_out(record) -> StretchOut:
    return StretchOut(
        id=record.id, stretch=record.stretch_id, side=record.side, hold_s=record.hold_s, done_at=as_utc(record.done_at)
    )
