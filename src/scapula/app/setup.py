"""Setting up: the declared running week and preferences, the equipment owned, the races.

Each use case takes a validated input model (``scapula.app.inputs``) and checks what a model
alone cannot (a day both hard and rest once merged with what is stored, a race in the past,
an item owned twice); the store writes it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from scapula.app.inputs import AthleteUpdate, EquipmentIn, RaceIn
from scapula.clock import today_for
from scapula.errors import InvalidInputError, NotFoundError
from scapula.preferences import DAYS, equipment_item, race_day, session_minutes, time_of_day, time_zone
from scapula.store import Athlete, Equipment, add_equipment, list_equipment, remove_equipment
from scapula.store.models import Race
from scapula.store.queries import (
    change_athlete,
    put_race,
    remove_race,
    run_count,
    session_count,
)


def is_new(db: Session, athlete: Athlete) -> bool:
    """Nothing set up and nothing logged yet: the welcome page, not an empty plan."""
    if (
        list_equipment(db, athlete=athlete)
        or athlete.goal
        or athlete.long_run_day is not None
        or athlete.hard_days
        or athlete.rest_days
    ):
        return False
    return not session_count(db, athlete=athlete) and not run_count(db, athlete=athlete)


def change_week(db: Session, athlete: Athlete, change: AthleteUpdate) -> Athlete:
    """Store the declared week and preferences given in ``change`` (only those)."""
    given = change.model_fields_set
    changes: dict = {}
    for name in ("sessions_per_week", "strictness"):
        if name in given and getattr(change, name) is not None:
            changes[name] = getattr(change, name)
    if "session_minutes" in given and change.session_minutes is not None:
        changes["session_minutes"] = session_minutes(change.session_minutes, "session_minutes")
    if "long_run_day" in given:
        changes["long_run_day"] = DAYS.index(change.long_run_day) if change.long_run_day else None
    for name in ("hard_days", "rest_days"):
        days = getattr(change, name)
        if name in given and days is not None:
            changes[name] = sorted({DAYS.index(d) for d in days})
    hard = set(changes.get("hard_days", athlete.hard_days or ()))
    rest = set(changes.get("rest_days", athlete.rest_days or ()))
    if hard & rest:
        both = ", ".join(DAYS[d] for d in sorted(hard & rest))
        raise InvalidInputError(f"a day cannot be both a hard day and a rest day: {both}")
    if "session_time" in given:
        changes["session_time"] = time_of_day(change.session_time or "", "session_time")
    if "timezone" in given:
        text = (change.timezone or "").strip()
        changes["timezone"] = time_zone(text, "timezone") if text else None
    if "goal" in given and change.goal is not None:
        changes["goal"] = change.goal.strip()
    return change_athlete(db, athlete=athlete, **changes)


def add_item(db: Session, athlete: Athlete, item: EquipmentIn) -> Equipment:
    label, kg, resistance = equipment_item(item.kind, item.value, item.kg)
    if any(e.label.lower() == label.lower() for e in list_equipment(db, athlete=athlete)):
        raise InvalidInputError(f"{label} is already on your list")
    return add_equipment(db, athlete=athlete, kind=item.kind, label=label, kg=kg, resistance=resistance)


def drop_item(db: Session, athlete: Athlete, equipment_id: int) -> None:
    if remove_equipment(db, athlete=athlete, equipment_id=equipment_id) is None:
        raise NotFoundError(f"no equipment with id {equipment_id}")


def add_race(db: Session, athlete: Athlete, race: RaceIn, today: date | None = None) -> Race:
    """A race entered: today or later (``today`` is the athlete's, unless planning as of
    another day), and within about three years."""
    race_day(race.day, today or today_for(athlete), "day")
    return put_race(db, athlete=athlete, day=race.day, name=race.name.strip() or "race")


def drop_race(db: Session, athlete: Athlete, race_id: int) -> None:
    if remove_race(db, athlete=athlete, race_id=race_id) is None:
        raise NotFoundError(f"no race with id {race_id}")
