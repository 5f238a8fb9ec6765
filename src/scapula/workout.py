"""Today's workout: which moves, how many sets and reps, and the stretching routine.

Pure data from the catalog. The plan (when the plan exists) decides the day and
the load; this module only lays out one session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from scapula.catalog import Catalog, Counting, Entry

SECONDS_PER_REP = 2.5  # about 1 s out and 1.5 s back, before any hold at the top


@dataclass(frozen=True)
class Block:
    """One move or stretch of the session with its dose for today."""

    entry: Entry
    sets: int
    reps_min: int | None
    reps_max: int | None
    hold_s: float | None
    rest_s: int

    @property
    def target_reps(self) -> int | None:
        """What to aim for in every set: the top of the range."""
        return self.reps_max

    def seconds(self) -> float:
        sides = len(self.entry.sides)
        if self.reps_max is None:
            return self.sets * sides * ((self.hold_s or 0) + self.rest_s + 5)
        per_set = self.reps_max * (SECONDS_PER_REP + (self.hold_s or 0))
        if self.entry.counting is Counting.unilateral:
            per_set *= 2  # one side, then the other
        elif self.entry.counting is Counting.alternating:
            per_set *= 2  # each side lifts reps_max times
        return self.sets * per_set + (self.sets - 1) * self.rest_s + 60  # + getting set up


@dataclass(frozen=True)
class Workout:
    day: date
    moves: tuple[Block, ...]
    stretches: tuple[Block, ...]

    def minutes(self) -> int:
        return round(sum(b.seconds() for b in self.moves + self.stretches) / 60)


def _block(entry: Entry) -> Block:
    dose = entry.dose
    return Block(entry, dose.sets, dose.reps_min, dose.reps_max, dose.hold_s, dose.rest_s)


def todays_workout(catalog: Catalog, *, day: date, only: list[str] | None = None,
                   stretching: bool = True) -> Workout:
    """The three moves at their catalog dose, then the stretching routine."""
    moves = catalog.moves if not only else [catalog.move(move_id) for move_id in only]
    return Workout(
        day=day,
        moves=tuple(_block(e) for e in moves),
        stretches=tuple(_block(e) for e in catalog.stretches) if stretching else (),
    )


_KG = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(kg)?\s*$", re.IGNORECASE)


def parse_load(text: str, owned: dict[str, float | None]) -> tuple[str | None, float | None]:
    """Turn what the runner typed as a load into (label, kg).

    ``12``, ``12kg`` and ``12.5 kg`` are kilograms; anything else is a label such as
    ``medium band``, matched to the equipment the runner owns (``owned`` maps labels
    to kg) to pick up its rated kg. An empty answer is no load.
    """
    text = text.strip()
    if not text:
        return None, None
    match = _KG.match(text)
    if match:
        kg = float(match.group(1).replace(",", "."))
        return f"{kg:g} kg", kg
    for label, kg in owned.items():
        if label.lower() == text.lower():
            return label, kg
    return text, None
