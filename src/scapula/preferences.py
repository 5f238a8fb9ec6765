"""What the runner types about themselves — equipment, weekdays, a time, a time zone — read
and checked in one place, so the command line and the web app accept the same values and
refuse them with the same words. Each function raises ``InvalidInputError`` naming ``what``
(an option such as ``--hard`` or a form field) and the problem."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import cache
from zoneinfo import available_timezones

from scapula.errors import InvalidInputError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KETTLEBELL_MAX_KG = 100
KG_PER_LB = 0.45359237
# a weight as typed: 12, 12 kg, 12.5kg, 35 lb, 35 lbs, 35 pounds
WEIGHT = re.compile(r"\s*(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>kg|kgs|lb|lbs|pounds?)?\s*", re.IGNORECASE)
RACE_HORIZON = timedelta(days=3 * 366)  # a race is entered at most about three years ahead


def equipment_item(kind: str, value: str, kg: float | None = None) -> tuple[str, float | None, str | None]:
    """(label, kg, resistance) of a band ('medium', 'red') or a kettlebell ('12', '12 kg',
    '35 lb': labelled in pounds, kept in kg too)."""
    value = value.strip()
    if kind == "kettlebell":
        found = WEIGHT.fullmatch(value)
        if found is None:
            raise InvalidInputError(f"kettlebell weight must be kg, e.g. 12, or lb, e.g. 35 lb, not '{value}'")
        amount = float(found["amount"].replace(",", "."))
        pounds = (found["unit"] or "").lower().startswith(("lb", "pound"))
        kg = round(amount * KG_PER_LB, 3) if pounds else amount
        if not 0 < kg <= KETTLEBELL_MAX_KG:
            raise InvalidInputError(
                f"kettlebell weight must be between 0 and {KETTLEBELL_MAX_KG} kg "
                f"({KETTLEBELL_MAX_KG / KG_PER_LB:.0f} lb), not {value}"
            )
        # the label in the runner's own unit (a 35 lb bell is sold as that), the kg for the plan
        return f"{amount:g} {'lb' if pounds else 'kg'} kettlebell", kg, None
    if kind == "band":
        if not value:
            raise InvalidInputError("band: give its resistance as sold, e.g. 'medium' or 'red'")
        if len(value) > 30:
            raise InvalidInputError("band: the resistance name is longer than 30 characters")
        if kg is not None and not 0 <= kg <= 200:
            raise InvalidInputError(f"band: rated pull must be between 0 and 200 kg, not {kg:g}")
        return f"{value} band", kg, value
    raise InvalidInputError(f"equipment kind must be band or kettlebell, not '{kind}'")


def weekdays(text: str, what: str) -> list[int]:
    """'tue,thu' -> [1, 3]; 'none' -> [] (Monday = 0)."""
    if text.strip().lower() in ("none", "-", ""):
        return []
    out = []
    for part in text.split(","):
        key = part.strip().lower()[:3]
        if key not in DAYS:
            raise InvalidInputError(f"{what}: '{part.strip()}' is not a day (mon, tue, ... sun)")
        out.append(DAYS.index(key))
    return sorted(set(out))


def time_of_day(text: str, what: str) -> time | None:
    """'18:30' -> 18:30; 'none' or '' -> None."""
    if text.strip().lower() in ("none", ""):
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(f"{what}: '{text}' is not a time like 18:30") from None


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(name: str, what: str) -> str:
    """An IANA time zone name that this machine knows, e.g. Europe/Berlin. Checked against the
    list of known names, so a typed name never becomes a file path of the zone database."""
    if name.strip() not in known_zones():
        raise InvalidInputError(f"{what}: '{name}' is not a time zone name like Europe/Berlin")
    return name.strip()


STRICTNESS = {"fit": "fit what I asked for", "ideal": "only ideal days"}
SESSION_MINUTES = (20, 60)


def strictness(text: str, what: str) -> str:
    """'fit' (bend rules, mildest first, to fit the sessions asked for) or 'ideal' (ideal
    days only)."""
    key = text.strip().lower()
    if key not in STRICTNESS:
        raise InvalidInputError(
            f"{what}: '{text}' is neither 'fit' ({STRICTNESS['fit']}) nor 'ideal' ({STRICTNESS['ideal']})"
        )
    return key


def session_minutes(text: str | int, what: str) -> int:
    """The longest session the runner wants, in whole minutes ('30', 30)."""
    low, high = SESSION_MINUTES
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InvalidInputError(f"{what}: '{text}' is not a number of minutes like 30") from None
    if not low <= value <= high:
        raise InvalidInputError(f"{what}: between {low} and {high} minutes, not {value}")
    return value


def race_day(day: date, today: date, what: str) -> date:
    """A race's day: today or later, and within about three years (the plan reads ahead)."""
    if day < today:
        raise InvalidInputError(f"{what}: {day.isoformat()} is in the past (today is {today.isoformat()})")
    if day > today + RACE_HORIZON:
        raise InvalidInputError(f"{what}: {day.isoformat()} is more than three years ahead")
    return day
