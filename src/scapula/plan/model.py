"""What a planned upper-back session holds: the shared shape of the plan.

The scheduler and the progression fill these in; the calendar and watch exports, the CLI
table and the web app only read them. Plain frozen dataclasses, so every consumer can be
tested on plans built by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from scapula.plan.progression import Decision
from scapula.plan.schedule import Strictness, WeekPlan
from scapula.plan.week import UsualWeek
from scapula.workout import MAX_MINUTES


@dataclass(frozen=True)
class Prescription:
    """One move or stretch of a planned session, as the athlete should do it."""

    exercise_id: str  # catalog id (docs/contracts.md §1)
    sets: int
    per_side: bool  # True: every set is done once on the left and once on the right
    reps_min: int | None = None  # rep range for strength moves; None for a held stretch
    reps_max: int | None = None
    hold_s: float | None = None  # hold at the top of each rep, or the stretch hold
    rest_s: int = 60  # rest after each set (after both sides when per_side)
    load_label: str | None = None  # "medium band", "12 kg kettlebell"; None = bodyweight
    load_kg: float | None = None
    variant: str | None = None  # catalog option id, e.g. "leg_lift"
    why: str = ""  # the progression decision behind this load/dose, in a sentence


@dataclass(frozen=True)
class SessionPlan:
    """One upper-back session placed on a day, with the reason it sits there."""

    uid: str  # stable across re-planning of the same slot: "scapula-2026-W48-1"
    day: date
    minutes: int  # expected duration, warm-up and stretching included
    reason: str  # "Thu: easy day, 48 h after Mon, not before Sat long run"
    items: tuple[Prescription, ...]
    deload: bool = False
    race_week: bool = False
    status: str = "planned"  # planned | done | missed | moved | dropped
    start: time | None = None  # preferred time of day, if the athlete gave one
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was cut to keep to the time
    bends: tuple[str, ...] = ()  # the rules of the ideal day bent to place it (schedule.Bend ids)
    light: bool = False  # the lighter session: bands and supermans only, two sets


@dataclass
class Plan:
    usual: UsualWeek
    weeks: list[WeekPlan]
    sessions: list[SessionPlan]  # every placement of the planned weeks, all statuses
    decisions: list[Decision]
    strictness: Strictness = Strictness.fit
    max_minutes: int = MAX_MINUTES  # the longest session the athlete wants

    def upcoming(self) -> list[SessionPlan]:
        return [s for s in self.sessions if s.status == "planned"]
