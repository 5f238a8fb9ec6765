"""What a runner may ask of Scapula, as validated input models, and the one table of limits.

The command line builds these models from its options, the web API takes them as request
bodies and query parameters, the pages build them from their forms. A value is checked once,
here, so every front end refuses the same input with the same line: ``problems`` writes a
pydantic validation error as "field: problem" for all of them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scapula.errors import InvalidInputError

# ---------------------------------------------------------------- the limits, with their units

REPS = (0, 100)  # reps in one set, per side
RPE = (1, 10)  # rating of perceived exertion
HOLD_S = (0, 600)  # seconds held: a stretch, or a superman at the top
LOAD_CHARS = 60  # a load as typed: 'medium band', '12', 'opposite leg lift'
SESSIONS_PER_WEEK = (2, 3)  # upper-back sessions a week (the moves' weekly dose)
PLAN_WEEKS = (1, 12)  # weeks of plan shown or exported
PROGRESS_WEEKS = (1, 52)  # weeks of progress charted
HISTORY_SESSIONS = (1, 1000)  # sessions listed at once
ALARM_MINUTES = (0, 1440)  # a calendar reminder, minutes before the session
GOAL_CHARS = 500
RACE_NAME_CHARS = 120
NOTE_CHARS = 2000
BAND_NAME_CHARS = 30
TIMEZONE_CHARS = 64

Side = Literal["left", "right", "both"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Strictness = Literal["fit", "ideal"]

_WHERE_NOT_A_FIELD = {"body", "query", "path", "form", "header", "cookie"}

M = TypeVar("M", bound=BaseModel)


def problems(errors: list) -> str:
    """A validation error as one line: "reps: Input should be ...; rpe: ...". The request
    part FastAPI puts first ("body", "query") is left out, so the API says what the CLI says."""
    lines = []
    for problem in errors:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p not in _WHERE_NOT_A_FIELD)
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines)


def parse(model: type[M], **values) -> M:
    """``model`` from plain values; ``InvalidInputError`` with ``problems``' line if they are wrong.
    A value given (None included) is a field set: for a change, None clears it."""
    try:
        return model(**values)
    except ValidationError as e:
        raise InvalidInputError(problems(e.errors())) from None


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueryInput(BaseModel):
    """The options of a read (a web query string may carry others, which are ignored)."""

    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------- the training log


class SetIn(Input):
    """One set of a move, logged by hand."""

    exercise_id: str = Field(max_length=64)
    side: Side | None = Field(default=None, description="Default: both for a bilateral move.")
    reps: int = Field(ge=REPS[0], le=REPS[1])
    load: str | None = Field(
        default=None,
        max_length=LOAD_CHARS,
        description="A band name or kg ('medium band', '12'); for supermans, the variant done.",
    )
    rpe: float | None = Field(default=None, ge=RPE[0], le=RPE[1])
    hold_s: float | None = Field(default=None, ge=HOLD_S[0], le=HOLD_S[1])


class StretchIn(Input):
    """One stretch hold, logged by hand."""

    stretch_id: str = Field(max_length=64)
    side: Side | None = None
    hold_s: float = Field(ge=HOLD_S[0], le=HOLD_S[1])


class StepSetIn(Input):
    """The guided session's current set: reps per side (both sides of an alternating set)."""

    exercise_id: str = Field(max_length=64)
    reps: dict[Side, int] = Field(description="Reps done per side.")
    load: str | None = Field(
        default=None,
        max_length=LOAD_CHARS,
        description="A band name or kg; for supermans, the variant done (default: the plan's).",
    )
    rpe: float | None = Field(default=None, ge=RPE[0], le=RPE[1])
    hold_s: float | None = Field(default=None, ge=HOLD_S[0], le=HOLD_S[1])

    @field_validator("reps")
    @classmethod
    def _reps_in_range(cls, reps: dict[str, int]) -> dict[str, int]:
        for side, value in reps.items():
            if not REPS[0] <= value <= REPS[1]:
                raise ValueError(f"{side}: a whole number from {REPS[0]} to {REPS[1]}, not {value}")
        return reps


class StepStretchIn(Input):
    stretch_id: str = Field(max_length=64)
    hold_s: float = Field(ge=HOLD_S[0], le=HOLD_S[1])


class SetUpdate(Input):
    """A logged set corrected: only the fields given change (``rpe: null`` clears it)."""

    reps: int | None = Field(default=None, ge=REPS[0], le=REPS[1])
    load: str | None = Field(
        default=None, max_length=LOAD_CHARS, description="A band name or kg; for supermans, the variant done."
    )
    rpe: float | None = Field(default=None, ge=RPE[0], le=RPE[1])
    hold_s: float | None = Field(default=None, ge=HOLD_S[0], le=HOLD_S[1])

    @model_validator(mode="after")
    def _reps_not_cleared(self) -> SetUpdate:
        if "reps" in self.model_fields_set and self.reps is None:
            raise ValueError(f"reps: a whole number from {REPS[0]} to {REPS[1]}, not null")
        return self


class StretchUpdate(Input):
    hold_s: float = Field(ge=HOLD_S[0], le=HOLD_S[1])


class NoteIn(Input):
    text: str = Field(max_length=NOTE_CHARS)


# ---------------------------------------------------------------- setup


class EquipmentIn(Input):
    kind: Literal["band", "kettlebell"]
    value: str = Field(
        description="A band's resistance as sold ('medium', 'red'), or a kettlebell's kg ('12').",
        max_length=BAND_NAME_CHARS,
    )
    kg: float | None = Field(default=None, description="A band's rated pull in kg, if known.")


class RaceIn(Input):
    day: date = Field(description="YYYY-MM-DD, today or later.")
    name: str = Field(default="race", max_length=RACE_NAME_CHARS)

    @field_validator("day", mode="before")
    @classmethod
    def _written_date(cls, value):
        if not isinstance(value, (str, date)):  # pydantic reads a number as seconds since 1970
            raise ValueError("a date is written YYYY-MM-DD")
        return value


class AthleteUpdate(Input):
    """The declared week and preferences: only the fields given change; null clears
    long_run_day, session_time and timezone."""

    sessions_per_week: int | None = Field(default=None, ge=SESSIONS_PER_WEEK[0], le=SESSIONS_PER_WEEK[1])
    goal: str | None = Field(default=None, max_length=GOAL_CHARS)
    long_run_day: Weekday | None = None
    hard_days: list[Weekday] | None = None
    rest_days: list[Weekday] | None = None
    session_time: str | None = Field(default=None, description="HH:MM", max_length=8)
    timezone: str | None = Field(default=None, max_length=TIMEZONE_CHARS)
    strictness: Strictness | None = None
    session_minutes: int | None = Field(default=None, description="The longest session wanted, minutes.")


class PlanQuery(QueryInput):
    weeks: int = Field(default=3, ge=PLAN_WEEKS[0], le=PLAN_WEEKS[1])


class CalendarQuery(QueryInput):
    weeks: int = Field(default=4, ge=PLAN_WEEKS[0], le=PLAN_WEEKS[1])
    alarm: int = Field(default=30, ge=ALARM_MINUTES[0], le=ALARM_MINUTES[1], description="Reminder, minutes before.")


class WorkoutsQuery(QueryInput):
    weeks: int = Field(default=2, ge=PLAN_WEEKS[0], le=PLAN_WEEKS[1])


class FinishIn(Input):
    completed: bool = True


class HistoryQuery(QueryInput):
    limit: int = Field(default=20, ge=HISTORY_SESSIONS[0], le=HISTORY_SESSIONS[1])


class ProgressQuery(QueryInput):
    weeks: int = Field(default=8, ge=PROGRESS_WEEKS[0], le=PROGRESS_WEEKS[1])
