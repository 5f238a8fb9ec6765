"""The catalog and the plan through the API: moves, the coming weeks, calendar and watch files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from scapula.app import planning as plans
from scapula.app.inputs import CalendarQuery, PlanQuery, WorkoutsQuery
from scapula.catalog import Catalog
from scapula.plan.show import plan_json
from scapula.store import get_athlete
from scapula.web.deps import CATALOG, DB
from scapula.web.schemas import ERRORS, ExerciseOut, PlanOut, exercise_out
from scapula.web.security import csrf_protect

router = APIRouter(prefix="/api", tags=["plan"], dependencies=[Depends(csrf_protect)])


@router.get("/exercises", response_model=list[ExerciseOut], summary="The moves and stretches")
def read_exercises(catalog: Catalog = CATALOG) -> list[ExerciseOut]:
    return [exercise_out(e) for e in catalog.entries]


@router.get("/exercises/{exercise_id}", response_model=ExerciseOut, responses=ERRORS, summary="One move in full")
def read_exercise(exercise_id: str, catalog: Catalog = CATALOG) -> ExerciseOut:
    return exercise_out(catalog.get(exercise_id))


@router.get("/plan", response_model=PlanOut, summary="The coming weeks: each session's day, reason and dose")
def read_plan(query: Annotated[PlanQuery, Query()], db: Session = DB, catalog: Catalog = CATALOG) -> PlanOut:
    plan = plans.plan_for(db, get_athlete(db), catalog, query.weeks)
    return PlanOut.model_validate(plan_json(plan))


@router.get(
    "/export/calendar.ics",
    response_class=Response,
    summary="The plan as an iCalendar file",
    responses={200: {"content": {"text/calendar": {}}}},
)
def export_ics(query: Annotated[CalendarQuery, Query()], db: Session = DB, catalog: Catalog = CATALOG) -> Response:
    data = plans.ics_bytes(db, get_athlete(db), catalog, query.weeks, query.alarm)
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="scapula.ics"'},
    )


@router.get(
    "/export/workouts.zip",
    response_class=Response,
    summary="The coming sessions as Garmin FIT workouts (zip)",
    responses={200: {"content": {"application/zip": {}}}},
)
def export_fit(query: Annotated[WorkoutsQuery, Query()], db: Session = DB, catalog: Catalog = CATALOG) -> Response:
    data, _ = plans.fit_zip(db, get_athlete(db), catalog, query.weeks)
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": 'attachment; filename="scapula-workouts.zip"'},
    )
