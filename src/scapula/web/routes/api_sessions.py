"""The training log through the API: sessions, the guided flow's next step, sets and stretch
holds logged by hand, corrections, progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from scapula.app import session as sessions
from scapula.app.inputs import (
    FinishIn,
    HistoryQuery,
    ProgressQuery,
    SetIn,
    SetUpdate,
    StepSetIn,
    StepStretchIn,
    StretchIn,
    StretchUpdate,
)
from scapula.catalog import Catalog
from scapula.store import get_athlete, history
from scapula.web.charts import progress_data
from scapula.web.deps import CATALOG, DB, RowId
from scapula.web.schemas import (
    ERRORS,
    GuideOut,
    MoveProgressOut,
    PointOut,
    ProgressOut,
    SessionOut,
    SetOut,
    SideSeriesOut,
    StretchOut,
    UndoOut,
    WeekCountOut,
    guide_out,
    session_out,
    set_out,
    stretch_out,
)
from scapula.web.security import csrf_protect

router = APIRouter(prefix="/api", tags=["sessions"], dependencies=[Depends(csrf_protect)])


@router.get("/sessions", response_model=list[SessionOut], summary="Past sessions, newest first, with every set")
def read_sessions(query: Annotated[HistoryQuery, Query()], db: Session = DB) -> list[SessionOut]:
    return [session_out(p) for p in history(db, athlete=get_athlete(db), limit=query.limit)]


@router.post(
    "/sessions",
    response_model=GuideOut,
    status_code=201,
    responses=ERRORS,
    summary="Start today's session (or carry on the one still open, or today's stopped early)",
)
def create_session(db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = get_athlete(db)
    performed = sessions.begin(db, athlete, catalog)
    return guide_out(sessions.progress(db, athlete, catalog, performed))


@router.get(
    "/sessions/{session_id}",
    response_model=GuideOut,
    responses=ERRORS,
    summary="A session, its sets, and the guided flow's next step",
)
def read_session(session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    return guide_out(sessions.progress(db, athlete, catalog, performed))


@router.post(
    "/sessions/{session_id}/steps/set",
    response_model=GuideOut,
    status_code=201,
    responses=ERRORS,
    summary="The guided flow: log the next step's set (reps per side) and get the step after it",
)
def log_step_set(session_id: RowId, body: StepSetIn, db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = get_athlete(db)
    performed = sessions.unfinished(db, athlete, session_id)
    return guide_out(sessions.log_step_set(db, athlete, catalog, performed, body))


@router.post(
    "/sessions/{session_id}/steps/stretch",
    response_model=GuideOut,
    status_code=201,
    responses=ERRORS,
    summary="The guided flow: log the next step's stretch hold and get the step after it",
)
def log_step_stretch(session_id: RowId, body: StepStretchIn, db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = get_athlete(db)
    performed = sessions.unfinished(db, athlete, session_id)
    return guide_out(sessions.log_step_stretch(db, athlete, catalog, performed, body))


@router.post(
    "/sessions/{session_id}/sets",
    response_model=SetOut,
    status_code=201,
    responses=ERRORS,
    summary="Log one set by hand, outside the guided flow (committed at once)",
)
def create_set(session_id: RowId, body: SetIn, db: Session = DB, catalog: Catalog = CATALOG) -> SetOut:
    athlete = get_athlete(db)
    catalog.get(body.exercise_id)  # an unknown move is a 404 before the session is looked at
    performed = sessions.unfinished(db, athlete, session_id)
    return set_out(sessions.log_one_set(db, athlete, catalog, performed, body))


@router.post(
    "/sessions/{session_id}/stretches",
    response_model=StretchOut,
    status_code=201,
    responses=ERRORS,
    summary="Log one stretch hold",
)
def create_stretch(session_id: RowId, body: StretchIn, db: Session = DB, catalog: Catalog = CATALOG) -> StretchOut:
    athlete = get_athlete(db)
    catalog.get(body.stretch_id)
    performed = sessions.unfinished(db, athlete, session_id)
    return stretch_out(sessions.log_one_stretch(db, athlete, catalog, performed, body))


@router.post(
    "/sessions/{session_id}/finish",
    response_model=SessionOut,
    responses=ERRORS,
    summary="End a session (completed or stopped early)",
)
def finish(session_id: RowId, body: FinishIn, db: Session = DB) -> SessionOut:
    performed = sessions.unfinished(db, get_athlete(db), session_id)
    return session_out(sessions.finish(db, performed, completed=body.completed))


@router.post(
    "/sessions/{session_id}/undo",
    response_model=UndoOut,
    responses=ERRORS,
    summary="Take back the last set (both sides of an alternating one) or stretch hold",
)
def undo(session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG) -> UndoOut:
    athlete = get_athlete(db)
    performed = sessions.session_of(db, athlete, session_id)
    what = sessions.undo_last(db, performed)
    return UndoOut(**guide_out(sessions.progress(db, athlete, catalog, performed)).model_dump(), undone=what)


@router.post(
    "/sessions/{session_id}/reopen",
    response_model=GuideOut,
    responses=ERRORS,
    summary="Carry on a finished session (stopped by mistake) where it was",
)
def reopen(session_id: RowId, db: Session = DB, catalog: Catalog = CATALOG) -> GuideOut:
    athlete = get_athlete(db)
    performed = sessions.reopen(db, sessions.session_of(db, athlete, session_id))
    return guide_out(sessions.progress(db, athlete, catalog, performed))


@router.delete(
    "/sessions/{session_id}", status_code=204, responses=ERRORS, summary="Delete a session with its sets and stretches"
)
def delete_session(session_id: RowId, db: Session = DB) -> Response:
    sessions.delete_session(db, sessions.session_of(db, get_athlete(db), session_id))
    return Response(status_code=204)


@router.patch(
    "/sessions/{session_id}/sets/{set_id}",
    response_model=SetOut,
    responses=ERRORS,
    summary="Correct a logged set (only the fields given change)",
)
def update_set(
    session_id: RowId, set_id: RowId, body: SetUpdate, db: Session = DB, catalog: Catalog = CATALOG
) -> SetOut:
    athlete = get_athlete(db)
    record = sessions.set_of(db, sessions.session_of(db, athlete, session_id), set_id)
    return set_out(sessions.edit_set(db, athlete, catalog, record, body))


@router.delete(
    "/sessions/{session_id}/sets/{set_id}",
    status_code=204,
    responses=ERRORS,
    summary="Delete a logged set (the sets after it are numbered again)",
)
def delete_set(session_id: RowId, set_id: RowId, db: Session = DB) -> Response:
    performed = sessions.session_of(db, get_athlete(db), session_id)
    sessions.delete_sets(db, performed, [sessions.set_of(db, performed, set_id)])
    return Response(status_code=204)


@router.patch(
    "/sessions/{session_id}/stretches/{stretch_id}",
    response_model=StretchOut,
    responses=ERRORS,
    summary="Correct a stretch hold's seconds",
)
def update_stretch(session_id: RowId, stretch_id: RowId, body: StretchUpdate, db: Session = DB) -> StretchOut:
    performed = sessions.session_of(db, get_athlete(db), session_id)
    return stretch_out(sessions.edit_stretch(db, sessions.stretch_of(db, performed, stretch_id), body))


@router.delete(
    "/sessions/{session_id}/stretches/{stretch_id}",
    status_code=204,
    responses=ERRORS,
    summary="Delete a logged stretch hold",
)
def delete_stretch(session_id: RowId, stretch_id: RowId, db: Session = DB) -> Response:
    performed = sessions.session_of(db, get_athlete(db), session_id)
    sessions.delete_stretch(db, sessions.stretch_of(db, performed, stretch_id))
    return Response(status_code=204)


@router.get(
    "/progress", response_model=ProgressOut, summary="Reps and load per move and side; sessions done vs planned"
)
def read_progress(
    query: Annotated[ProgressQuery, Query()], db: Session = DB, catalog: Catalog = CATALOG
) -> ProgressOut:
    moves, counts = progress_data(db, get_athlete(db), catalog, query.weeks)
    return ProgressOut(
        moves=[
            MoveProgressOut(
                exercise_id=m.exercise_id,
                name=m.name,
                load_unit=m.load_title,
                load_ladder=m.load_ticks,
                sides=[
                    SideSeriesOut(
                        side=r.side,
                        reps=[PointOut(date=d, value=v, label=t) for d, v, t in r.points],
                        load=[PointOut(date=d, value=v, label=t) for d, v, t in ld.points],
                    )
                    for r, ld in zip(m.reps, m.load)
                ],
            )
            for m in moves
        ],
        weeks=[WeekCountOut(monday=w.monday, planned=w.planned, done=w.done) for w in counts],
    )
