"""Setup through the API: the CSRF token, the declared week and preferences, equipment, races."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from scapula.app import setup
from scapula.app.inputs import AthleteUpdate, EquipmentIn, RaceIn
from scapula.store import get_athlete
from scapula.web.deps import DB, RowId
from scapula.web.schemas import ERRORS, AthleteOut, CsrfOut, EquipmentOut, RaceOut, athlete_out
from scapula.web.security import CSRF_COOKIE, csrf_protect

router = APIRouter(prefix="/api", tags=["setup"], dependencies=[Depends(csrf_protect)])


@router.get("/csrf", response_model=CsrfOut, summary="A CSRF token (and its cookie) for POST/PATCH/DELETE")
def csrf_token(request: Request, response: Response) -> CsrfOut:
    csrf = request.app.state.csrf
    raw, new = csrf.cookie_value(request)
    if new:
        response.set_cookie(CSRF_COOKIE, raw, httponly=True, samesite="strict", path="/")
    return CsrfOut(token=csrf.sign(raw))


@router.get("/athlete", response_model=AthleteOut, summary="Setup: the declared week, goal, equipment, races")
def read_athlete(db: Session = DB) -> AthleteOut:
    return athlete_out(db, get_athlete(db))


@router.patch("/athlete", response_model=AthleteOut, responses=ERRORS, summary="Change the setup")
def update_athlete(body: AthleteUpdate, db: Session = DB) -> AthleteOut:
    athlete = setup.change_week(db, get_athlete(db), body)
    return athlete_out(db, athlete)


@router.get("/equipment", response_model=list[EquipmentOut], summary="The bands and kettlebells owned")
def read_equipment(db: Session = DB) -> list[EquipmentOut]:
    return athlete_out(db, get_athlete(db)).equipment


@router.post(
    "/equipment", response_model=EquipmentOut, status_code=201, responses=ERRORS, summary="Add a band or a kettlebell"
)
def create_equipment(body: EquipmentIn, db: Session = DB) -> EquipmentOut:
    item = setup.add_item(db, get_athlete(db), body)
    return EquipmentOut(id=item.id, kind=item.kind, label=item.label, kg=item.kg, resistance=item.resistance)


@router.delete("/equipment/{equipment_id}", status_code=204, responses=ERRORS, summary="Remove an item")
def delete_equipment(equipment_id: RowId, db: Session = DB) -> Response:
    setup.drop_item(db, get_athlete(db), equipment_id)
    return Response(status_code=204)


@router.post("/races", response_model=RaceOut, status_code=201, responses=ERRORS, summary="Add a race")
def create_race(body: RaceIn, db: Session = DB) -> RaceOut:
    race = setup.add_race(db, get_athlete(db), body)
    return RaceOut(id=race.id, day=race.day, name=race.name)


@router.delete("/races/{race_id}", status_code=204, responses=ERRORS, summary="Forget a race")
def delete_race(race_id: RowId, db: Session = DB) -> Response:
    setup.drop_race(db, get_athlete(db), race_id)
    return Response(status_code=204)
