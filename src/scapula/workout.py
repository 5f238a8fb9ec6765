"""Today's workout: which moves, how many sets and reps, and the stretching routine.

Pure data from the catalog. The plan (when the plan exists) decides the day and
the load; this module only lays out one session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

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
    loads: dict[str, tuple[str, float | None]] = field(default_factory=dict)  # side -> (label, kg) the plan asks for
    variant: str | None = None  # catalog option name for a bodyweight move ("Opposite leg lift")
    why: str = ""  # the progression decision behind today's dose

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


LIGHT_SETS = 2  # deload and race weeks: two sets a move


def _block(entry: Entry, decisions: Sequence = (), light: bool = False) -> Block:
    """One move at its catalog dose, with the plan's progression decisions (per side:
    load, hold, variant) laid over it when there are any."""
    dose = entry.dose
    mine = [d for d in decisions if d.exercise_id == entry.id]
    sets = min(dose.sets, LIGHT_SETS) if light and entry.kind.value == "strength" else dose.sets
    if not mine:
        return Block(entry, sets, dose.reps_min, dose.reps_max, dose.hold_s, dose.rest_s)
    # alternating moves climb together: the lagging side sets the hold and the variant
    lead = min(mine, key=lambda d: (d.variant is not None, d.hold_s or 0))
    variant = next((o.name for o in entry.variants if o.id == lead.variant), None)
    loads = {d.side: (d.load_label, d.load_kg) for d in mine if d.load_label}
    whys = {d.why for d in mine}
    why = mine[0].why if len(whys) == 1 else "; ".join(f"{d.side}: {d.why}" for d in mine)
    return Block(entry, sets, dose.reps_min, dose.reps_max, lead.hold_s, dose.rest_s,
                 loads=loads, variant=variant, why=why)


def todays_workout(catalog: Catalog, *, day: date, only: list[str] | None = None,
                   stretching: bool = True, decisions: Sequence = (), light: bool = False) -> Workout:
    """The three moves (at the plan's progression when `decisions` are given, two sets in a
    deload or race week when `light`), then the stretching routine."""
    moves = catalog.moves if not only else [catalog.move(move_id) for move_id in only]
    return Workout(
        day=day,
        moves=tuple(_block(e, decisions, light) for e in moves),
        stretches=tuple(_block(e) for e in catalog.stretches) if stretching else (),
    )


_KG = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(kg)?\s*$", re.IGNORECASE)
_LB = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(lb|lbs|pounds?)\s*$", re.IGNORECASE)


def parse_load(text: str, owned: dict[str, float | None]) -> tuple[str | None, float | None]:
    """Turn what the runner typed as a load into (label, kg).

    ``12``, ``12kg`` and ``12.5 kg`` are kilograms, ``35 lb`` pounds (kept in kg too);
    anything else is a label such as
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
    match = _LB.match(text)
    if match:
        lb = float(match.group(1).replace(",", "."))
        from scapula.preferences import KG_PER_LB

        return f"{lb:g} lb", round(lb * KG_PER_LB, 3)
    for label, kg in owned.items():
        if label.lower() == text.lower():
            return label, kg
    return text, None
