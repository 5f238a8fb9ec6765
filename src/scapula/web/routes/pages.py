"""The pages: welcome, setup, today/plan, the guided session, progress.

Forms post back here (every POST carries the CSRF token) and redirect to a GET (so a reload
never posts twice), except when a form has a problem: then the page is shown again with the
message, with a 4xx status. An upload's work (import, posture, a video's probe) runs in the
thread pool, never on the event loop that serves every other request. HTMX boosts links and
forms (no full reloads on a phone); every page also works as plain HTML.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from scapula.app import planning as plans
from scapula.app import posture_checks as posture
from scapula.app import run_uploads as runs
from scapula.app import session as sessions
from scapula.app import setup as athlete_setup
from scapula.app.inputs import (
    AthleteUpdate,
    EquipmentIn,
    RaceIn,
    SetUpdate,
    StepSetIn,
    StepStretchIn,
    StretchUpdate,
    parse,
)
from scapula.app.uploads import PHOTO_ACCEPT, RUNNING_ACCEPT, VIDEO_ACCEPT, Upload
from scapula.catalog import Catalog, Load
from scapula.clock import local_time, today_for
from scapula.errors import BusyError, InputFileError, InvalidInputError, NotFoundError, UnknownExerciseError
from scapula.plan.show import dose_text
from scapula.plan.week import DOW
from scapula.preferences import DAYS, known_zones
from scapula.store import Athlete, get_athlete, history, list_equipment
from scapula.store.queries import races, run_count
from scapula.web import charts
from scapula.web.charts import progress_data
from scapula.web.deps import CATALOG, DB, RowId
from scapula.web.errors import status_of
from scapula.web.html import render
from scapula.web.security import csrf_protect

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

SAVED = {  # ?saved=... after a redirect: what the page says was done
    "equipment": "Equipment saved.",
    "removed": "Removed.",
    "week": "Your week is saved.",
    "race": "Race saved.",
    "stopped": "Session stopped. Every set you logged is kept.",
    "undone": "Taken back.",
    "corrected": "Corrected.",
    "deleted": "Deleted.",
    "session-deleted": "The session is deleted.",
    "posture": "The check's numbers are saved.",
}


def see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------- welcome


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Session = DB):
    athlete = get_athlete(db)
    if athlete_setup.is_new(db, athlete):
        return render(request, "welcome.html", {})
    return see("/today")


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    """The API's routes, drawn from the schema by the app itself: no script or style from
    anywhere else, so it reads offline."""
    return render(request, "api_docs.html", {"schema": request.app.openapi()})


# ---------------------------------------------------------------- setup


def _setup(
    request: Request,
    db: Session,
    athlete: Athlete,
    *,
    error: str = "",
    errors_in: str = "",
    results: list | None = None,
    status: int = 200,
    first: bool = False,
) -> HTMLResponse:
    return render(
        request,
        "setup.html",
        {
            "athlete": athlete,
            "equipment": list_equipment(db, athlete=athlete),
            "races": races(db, athlete=athlete),
            "days": DOW,
            "zones": sorted(known_zones()),
            "runs": run_count(db, athlete=athlete),
            "accept": RUNNING_ACCEPT,
            "limit_mb": request.app.state.config.upload_limit_mb,
            "results": results or [],
            "error": error,
            "errors_in": errors_in,
            "first": first or athlete_setup.is_new(db, athlete),
            "saved": SAVED.get(request.query_params.get("saved", ""), ""),
            "today": today_for(athlete),
            "room": plans.room_warning(db, athlete, request.app.state.catalog),
        },
        status,
    )


@router.get("/setup", response_class=HTMLResponse)
def setup(request: Request, db: Session = DB):
    return _setup(request, db, get_athlete(db), first=request.query_params.get("first") == "1")


@router.post("/setup/equipment")
def setup_add_equipment(
    request: Request,
    kind: Annotated[str, Form()],
    value: Annotated[str, Form()] = "",
    kg: Annotated[str, Form()] = "",
    db: Session = DB,
):
    athlete = get_athlete(db)
    try:
        rated = float(kg.replace(",", ".")) if kg.strip() and kind == "band" else None
        athlete_setup.add_item(db, athlete, parse(EquipmentIn, kind=kind, value=value, kg=rated))
    except ValueError:
        return _setup(
            request, db, athlete, error=f"rated pull: '{kg}' is not a number of kg", errors_in="equipment", status=422
        )
    except InvalidInputError as e:
        return _setup(request, db, athlete, error=str(e), errors_in="equipment", status=422)
    return see("/setup?saved=equipment#equipment")


@router.post("/setup/equipment/{equipment_id}/delete")
def setup_remove_equipment(equipment_id: RowId, db: Session = DB):
    athlete_setup.drop_item(db, get_athlete(db), equipment_id)
    return see("/setup?saved=removed#equipment")


@router.post("/setup/week")
def setup_week(
    request: Request,
    db: Session = DB,
    sessions_per_week: Annotated[int, Form()] = 2,
    long_run_day: Annotated[str, Form()] = "",
    hard_days: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    rest_days: Annotated[list[int], Form()] = [],  # noqa: B006
    session_time: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    goal: Annotated[str, Form()] = "",
    strictness: Annotated[str, Form()] = "fit",
):
    athlete = get_athlete(db)
    try:

        def day_name(number: int) -> str:  # the form sends 0 (Monday) to 6
            return DAYS[number] if 0 <= number <= 6 else str(number)

        athlete_setup.change_week(
            db,
            athlete,
            parse(
                AthleteUpdate,
                sessions_per_week=sessions_per_week,
                long_run_day=day_name(int(long_run_day)) if long_run_day.strip() else None,
                hard_days=[day_name(d) for d in hard_days],
                rest_days=[day_name(d) for d in rest_days],
                session_time=session_time,
                timezone=timezone,
                goal=goal,
                strictness=strictness,
            ),
        )
    except (InvalidInputError, ValueError) as e:
        db.rollback()
        db.refresh(athlete)
        return _setup(request, db, athlete, error=str(e), errors_in="week", status=422)
    return see("/setup?saved=week#week")


@router.post("/setup/races")
def setup_add_race(request: Request, day: Annotated[date, Form()], name: Annotated[str, Form()] = "", db: Session = DB):
    athlete = get_athlete(db)
    try:
        athlete_setup.add_race(db, athlete, parse(RaceIn, day=day, name=name or "race"))
    except InvalidInputError as e:
        return _setup(request, db, athlete, error=str(e), errors_in="races", status=422)
    return see("/setup?saved=race#races")


@router.post("/setup/races/{race_id}/delete")
def setup_remove_race(race_id: RowId, db: Session = DB):
    athlete_setup.drop_race(db, get_athlete(db), race_id)
    return see("/setup?saved=removed#races")


@router.post("/setup/import")
async def setup_import(request: Request, db: Session = DB):
    athlete = get_athlete(db)
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, StarletteUpload) and f.filename]
    if not files:
        return _setup(
            request, db, athlete, error="choose one or more running files first", errors_in="import", status=400
        )
    uploads = [Upload(f.filename or "upload", await f.read()) for f in files]
    results = await run_in_threadpool(runs.import_uploads, db, athlete, uploads)  # seconds of work
    failed = all(r.status in ("refused", "error") for r in results)
    return _setup(
        request,
        db,
        athlete,
        results=results,
        status=400 if failed else 200,
        error="nothing was imported: see each file below" if failed else "",
        errors_in="import",
    )


# ---------------------------------------------------------------- today / plan


@router.get("/today", response_class=HTMLResponse)
def today(request: Request, weeks: int = 3, db: Session = DB, catalog: Catalog = CATALOG):
    athlete = get_athlete(db)
    weeks = min(max(weeks, 1), 12)
    plan = plans.plan_for(db, athlete, catalog, weeks)
    day = today_for(athlete)
    upcoming = plan.upcoming()
    by_day: dict[date, list] = {}
    for s in plan.sessions:
        by_day.setdefault(s.day, []).append(s)
    open_now = sessions.open_session(db, athlete)
    return render(
        request,
        "today.html",
        {
            "athlete": athlete,
            "plan": plan,
            "today": day,
            "next": upcoming[0] if upcoming else None,
            "by_day": by_day,
            "catalog": catalog,
            "dose_text": dose_text,
            "timedelta": timedelta,
            "weeks": weeks,
            "open_session": open_now,
            "is_new": athlete_setup.is_new(db, athlete),
            "equipment": list_equipment(db, athlete=athlete),
            "DOW": DOW,
        },
    )


# ---------------------------------------------------------------- guided session


@router.get("/session", response_class=HTMLResponse)
def session_page(request: Request, db: Session = DB, catalog: Catalog = CATALOG):
    athlete = get_athlete(db)
    performed = sessions.open_session(db, athlete)
    if performed is None:
        last = sessions.latest_session(db, athlete)
        plan = plans.plan_for(db, athlete, catalog, weeks=1, keep=False)
        upcoming = plan.upcoming()
        done_today = (
            last is not None
            and last.ended_at is not None
            and local_time(athlete, last.ended_at).date() == today_for(athlete)
        )
        return render(
            request,
            "session_start.html",
            {
                "last": last,
                "done_today": done_today,
                "next": upcoming[0] if upcoming else None,
                "catalog": catalog,
                "dose_text": dose_text,
                "stopped": sessions.stopped_today(db, athlete),
                "saved": SAVED.get(request.query_params.get("saved", ""), ""),
            },
        )
    p = sessions.progress(db, athlete, catalog, performed)
    return _session_page(request, p, saved=SAVED.get(request.query_params.get("saved", ""), ""))


def _session_page(request: Request, p, error: str = "", status: int = 200, saved: str = ""):
    from scapula.vision.moves import MOVES

    last = sessions.last_logged(p.performed)
    return render(
        request,
        "session.html",
        {"p": p, "Load": Load, "error": error, "live_moves": MOVES, "last": last[1] if last else "", "saved": saved},
        status,
    )


@router.post("/session/start")
def session_start(db: Session = DB, catalog: Catalog = CATALOG):
    sessions.begin(db, get_athlete(db), catalog)
    return see("/session")


def _number(text: str, what: str, *, integer: bool = False) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return int(text) if integer else float(text)
    except ValueError:
        raise InvalidInputError(f"{what}: '{text}' is not a {'whole ' if integer else ''}number") from None


@router.post("/session/{session_id}/set")
async def session_set(request: Request, session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG):
    form = await request.form()
    return await run_in_threadpool(_log_set, request, form, session_id, db, catalog)  # the plan is read again


def _log_set(request: Request, form, session_id: int, db: Session, catalog: Catalog):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    if performed.ended_at is not None:
        return see("/session")
    exercise_id = str(form.get("exercise_id", ""))
    try:
        reps = {}
        for side in ("both", "left", "right"):
            if f"reps_{side}" in form:
                value = _number(str(form[f"reps_{side}"]), f"reps ({side})", integer=True)
                if value is None:
                    raise InvalidInputError(f"reps ({side}): how many did you do?")
                reps[side] = int(value)
        sessions.log_step_set(
            db,
            athlete,
            catalog,
            performed,
            parse(
                StepSetIn,
                exercise_id=exercise_id,
                reps=reps,
                load=str(form.get("load", "")),
                rpe=_number(str(form.get("rpe", "")), "rpe"),
                hold_s=_number(str(form.get("hold_s", "")), "hold_s"),
            ),
        )
    except InvalidInputError as e:
        p = sessions.progress(db, athlete, catalog, performed)
        return _session_page(request, p, str(e), 422)
    return see("/session")


@router.post("/session/{session_id}/stretch")
async def session_stretch(request: Request, session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG):
    form = await request.form()
    return await run_in_threadpool(_log_stretch, request, form, session_id, db, catalog)


def _log_stretch(request: Request, form, session_id: int, db: Session, catalog: Catalog):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    if performed.ended_at is not None:
        return see("/session")
    try:
        held = _number(str(form.get("hold_s", "")), "hold_s")
        sessions.log_step_stretch(
            db,
            athlete,
            catalog,
            performed,
            parse(StepStretchIn, stretch_id=str(form.get("exercise_id", "")), hold_s=held if held is not None else 0.0),
        )
    except InvalidInputError as e:
        p = sessions.progress(db, athlete, catalog, performed)
        return _session_page(request, p, str(e), 422)
    return see("/session")


@router.post("/session/{session_id}/stop")
def session_stop(
    session_id: RowId, skip_stretching: Annotated[str, Form()] = "", db: Session = DB, catalog: Catalog = CATALOG
):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    skip = skip_stretching == "1"
    if skip:
        p = sessions.progress(db, athlete, catalog, performed)
        skip = p.in_stretching  # only the stretching may be skipped and still count as done
    sessions.stop(db, performed, skip_stretching=skip)
    return see(f"/session?saved={'stopped' if not skip else ''}")


@router.post("/session/{session_id}/undo")
def session_undo(session_id: RowId, db: Session = DB):
    performed = sessions.session_of(db, get_athlete(db), session_id)
    with contextlib.suppress(InvalidInputError):  # nothing left to take back (a second tab did)
        sessions.undo_last(db, performed)
    return see("/session?saved=undone")


# ---------------------------------------------------------------- a session's log, corrected


@router.get("/history/{session_id}", response_class=HTMLResponse)
def session_log(request: Request, session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    return _session_log(request, db, athlete, performed, catalog)


def _session_log(
    request: Request,
    db: Session,
    athlete: Athlete,
    performed,
    catalog: Catalog,
    *,
    error: str = "",
    status: int = 200,
    failed: int | None = None,
):
    db.refresh(performed)
    return render(
        request,
        "session_log.html",
        {
            "s": performed,
            "catalog": catalog,
            "Load": Load,
            "error": error,
            "failed": failed,
            "when": local_time(athlete, performed.started_at),
            "is_open": performed.ended_at is None,
            "saved": SAVED.get(request.query_params.get("saved", ""), ""),
            "load_choices": {
                kind: [e.label for e in list_equipment(db, athlete=athlete, kind=kind)]
                for kind in ("band", "kettlebell")
            },
        },
        status,
    )


@router.post("/history/{session_id}/sets/{set_id}")
def correct_set(
    request: Request,
    session_id: RowId,
    set_id: RowId,
    reps: Annotated[str, Form()] = "",
    load: Annotated[str, Form()] = "",
    rpe: Annotated[str, Form()] = "",
    hold_s: Annotated[str, Form()] = "",
    db: Session = DB,
    catalog: Catalog = CATALOG,
):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    record = sessions.set_of(db, performed, set_id)
    entry = catalog.get(record.exercise_id)
    try:
        changes: dict[str, float | str | None] = {
            "reps": _number(reps, "reps", integer=True),
            "rpe": _number(rpe, "rpe"),
        }
        if changes["reps"] is None:
            raise InvalidInputError("reps: how many did you do?")
        if entry.load is Load.bodyweight:
            changes["hold_s"] = _number(hold_s, "hold_s")
        else:
            changes["load"] = load
        sessions.edit_set(db, athlete, catalog, record, parse(SetUpdate, **changes))
    except InvalidInputError as e:
        db.rollback()
        return _session_log(request, db, athlete, performed, catalog, error=str(e), status=422, failed=set_id)
    return see(f"/history/{session_id}?saved=corrected#set-{set_id}")


@router.post("/history/{session_id}/sets/{set_id}/delete")
def delete_set(session_id: RowId, set_id: RowId, db: Session = DB):
    performed = sessions.session_of(db, get_athlete(db), session_id)
    sessions.delete_sets(db, performed, [sessions.set_of(db, performed, set_id)])
    return see(f"/history/{session_id}?saved=deleted")


@router.post("/history/{session_id}/stretches/{stretch_id}")
def correct_stretch(
    request: Request,
    session_id: RowId,
    stretch_id: RowId,
    hold_s: Annotated[str, Form()] = "",
    db: Session = DB,
    catalog: Catalog = CATALOG,
):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    record = sessions.stretch_of(db, performed, stretch_id)
    try:
        held = _number(hold_s, "hold_s")
        if held is None:
            raise InvalidInputError("hold_s: how many seconds?")
        sessions.edit_stretch(db, record, parse(StretchUpdate, hold_s=held))
    except InvalidInputError as e:
        return _session_log(request, db, athlete, performed, catalog, error=str(e), status=422)
    return see(f"/history/{session_id}?saved=corrected#stretch-{stretch_id}")


@router.post("/history/{session_id}/stretches/{stretch_id}/delete")
def delete_stretch(session_id: RowId, stretch_id: RowId, db: Session = DB):
    performed = sessions.session_of(db, get_athlete(db), session_id)
    sessions.delete_stretch(db, sessions.stretch_of(db, performed, stretch_id))
    return see(f"/history/{session_id}?saved=deleted")


@router.post("/history/{session_id}/delete")
def delete_session(session_id: RowId, db: Session = DB):
    sessions.delete_session(db, sessions.session_of(db, get_athlete(db), session_id))
    return see("/progress?saved=session-deleted")


@router.post("/history/{session_id}/reopen")
def reopen_session(session_id: RowId, db: Session = DB):
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    if sessions.open_session(db, athlete) not in (None, performed):
        raise InvalidInputError("another session is open: finish or stop it first")
    sessions.reopen(db, performed)
    return see("/session")


# ---------------------------------------------------------------- progress


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, db: Session = DB, catalog: Catalog = CATALOG):
    athlete = get_athlete(db)
    moves, weeks = progress_data(db, athlete, catalog)
    drawn = []
    for m in moves:
        drawn.append(
            {
                "move": m,
                "reps": charts.line_chart(m.reps, title=f"{m.name}: reps per set"),
                "load": charts.line_chart(m.load, title=f"{m.name}: {m.load_title.lower()}", y_ticks=m.load_ticks),
            }
        )
    recent = history(db, athlete=athlete, limit=20)
    return render(
        request,
        "progress.html",
        {
            "moves": drawn,
            "weeks_chart": charts.bar_chart(weeks, title="Sessions planned and done per week"),
            "weeks": weeks,
            "recent": recent,
            "catalog": catalog,
            "local": lambda moment: local_time(athlete, moment),
            "done": sum(w.done for w in weeks),
            "planned": sum(w.planned for w in weeks),
            "saved": SAVED.get(request.query_params.get("saved", ""), ""),
        },
    )


# ---------------------------------------------------------------- video check


def _video_form(request: Request, error: str = "", status: int = 200, exercise: str = "auto"):
    catalog = request.app.state.catalog
    return render(
        request,
        "video.html",
        {
            "job": None,
            "error": error,
            "moves": catalog.moves,
            "exercise": exercise,
            "accept": VIDEO_ACCEPT,
            "limit_mb": request.app.state.config.upload_limit_mb,
        },
        status,
    )


@router.get("/video", response_class=HTMLResponse)
def video_page(request: Request):
    return _video_form(request)


@router.post("/video")
async def video_upload(request: Request):
    form = await request.form()
    upload = form.get("file")
    exercise = str(form.get("exercise", "auto")) or "auto"
    if not isinstance(upload, StarletteUpload) or not upload.filename:
        return _video_form(request, "choose a video clip first", 400, exercise)
    try:
        job = await run_in_threadpool(request.app.state.videos.submit, upload.filename, await upload.read(), exercise)
    except (InputFileError, UnknownExerciseError, BusyError) as e:
        return _video_form(request, str(e), status_of(e), exercise)
    return see(f"/video/{job.id}")


def _job(request: Request, job_id: str):
    job = request.app.state.videos.get(job_id)  # a dictionary lookup: the id is never a path
    if job is None:
        raise NotFoundError("no such video check (they are kept for an hour after they end)")
    return job


@router.get("/video/{job_id}", response_class=HTMLResponse)
def video_job(request: Request, job_id: str):
    job = _job(request, job_id)
    catalog = request.app.state.catalog
    entry = catalog.get(job.report["exercise"]) if job.report else None
    return render(request, "video.html", {"job": job, "entry": entry, "error": ""})


@router.get("/video/{job_id}/progress", response_class=HTMLResponse)
def video_progress(request: Request, job_id: str):
    job = _job(request, job_id)
    if job.status in ("done", "failed"):
        response = HTMLResponse("")
        response.headers["HX-Refresh"] = "true"  # the whole page, now with the report
        return response
    return render(request, "_video_progress.html", {"job": job})


@router.get("/video/{job_id}/annotated.mp4")
def video_file(request: Request, job_id: str):
    from fastapi.responses import FileResponse

    job = _job(request, job_id)
    if not job.has_video:
        raise NotFoundError("this check has no annotated video (yet)")
    return FileResponse(
        job.annotated, media_type="video/mp4", filename="scapula-annotated.mp4", content_disposition_type="inline"
    )


@router.post("/video/{job_id}/delete")
def video_delete(request: Request, job_id: str):
    request.app.state.videos.drop(job_id)
    return see("/video")


# ---------------------------------------------------------------- posture check


def _posture(
    request: Request,
    db: Session,
    *,
    checked=None,
    error: str = "",
    status: int = 200,
    view: str = "auto",
    save_token: str = "",
):
    from scapula.posture.norms import GUIDANCE, VIEW_MEASURES

    athlete = get_athlete(db)
    checks, trend = posture.history(db, athlete)
    return render(
        request,
        "posture.html",
        {
            "checked": checked,
            "error": error,
            "view": view,
            "accept": PHOTO_ACCEPT,
            "limit_mb": request.app.state.config.upload_limit_mb,
            "guidance": GUIDANCE,
            "checks": checks,
            "trend": trend,
            "charts": charts.posture_charts(checks),
            "view_measures": VIEW_MEASURES,
            "today": today_for(athlete),
            "save_token": save_token,
            "saved": SAVED.get(request.query_params.get("saved", ""), ""),
        },
        status,
    )


@router.get("/posture", response_class=HTMLResponse)
def posture_page(request: Request, db: Session = DB):
    return _posture(request, db)


@router.post("/posture")
async def posture_check(request: Request, db: Session = DB, catalog: Catalog = CATALOG):
    form = await request.form()
    view = str(form.get("view", "auto"))
    files = [f for f in form.getlist("files") if isinstance(f, StarletteUpload) and f.filename]
    uploads = [Upload(f.filename or "upload", await f.read()) for f in files]
    try:
        on = date.fromisoformat(str(form["date"])) if form.get("date") else None
    except ValueError:
        return _posture(request, db, error=f"date: '{form['date']}' is not a date", status=422, view=view)
    try:
        checked = await run_in_threadpool(
            posture.check, db, get_athlete(db), catalog, uploads, view, form.get("save") == "1", on
        )
    except (InputFileError, InvalidInputError) as e:
        return _posture(request, db, error=str(e), status=status_of(e), view=view)
    status = 422 if checked.report["status"] == "refused" else 200
    token = request.app.state.csrf.seal(checked.record) if checked.record and not checked.saved else ""
    return _posture(request, db, checked=checked, status=status, view=view, save_token=token)


@router.post("/posture/save")
def posture_save(request: Request, save_token: Annotated[str, Form()] = "", db: Session = DB):
    record = request.app.state.csrf.unseal(save_token)
    if not isinstance(record, dict):
        return _posture(request, db, error="that check cannot be saved: measure it again", status=422)
    posture.save_record(db, get_athlete(db), record)
    return see("/posture?saved=posture#trend")


@router.post("/posture/checks/{check_id}/delete")
def posture_delete(check_id: RowId, db: Session = DB):
    posture.delete_check(db, get_athlete(db), check_id)
    return see("/posture?saved=deleted#trend")
