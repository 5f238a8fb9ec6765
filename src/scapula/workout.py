"""Today's workout: which moves, how many sets and reps, and the stretching routine.

Pure data from the catalog. The plan (when the plan exists) decides the day and
the load; this module only lays out one session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from scapula.catalog import Catalog, Counting, Entry, Load

# How long a session takes, from its dose. A rep: about 1 s up and 2 s back down, plus the
# hold at the top. Between moves: a minute to set up the next (anchor the band, pick up the
# bell, get down on the mat); a one-arm move also changes side within each set. A stretch
# takes its holds, the pauses between them and a little time to get into position.
REP_UP_S = 1.0
REP_DOWN_S = 2.0
SETUP_S = 60
SWITCH_SIDE_S = 10
STRETCH_SETUP_S = 20

# The session the plan promises: 20-25 minutes. To stay within it, rests come down in steps
# to 30 s (plenty for 10-12 reps of light upper-back work), then the longest move loses a set,
# never below two.
MAX_MINUTES = 25
REST_STEPS_S = (45, 30)
LIGHT_SETS = 2  # deload and race weeks, and the lighter sessions of the plan: two sets a move


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
        """The block's expected duration at the top of the rep range, setting up included."""
        sides = len(self.entry.sides)
        if self.reps_max is None:
            holds = self.sets * sides
            return holds * (self.hold_s or 0) + (holds - 1) * self.rest_s + STRETCH_SETUP_S
        per_set = self.reps_max * (REP_UP_S + REP_DOWN_S + (self.hold_s or 0))
        if self.entry.counting is Counting.unilateral:
            per_set = 2 * per_set + SWITCH_SIDE_S  # one side, then the other
        elif self.entry.counting is Counting.alternating:
            per_set *= 2  # each side lifts reps_max times
        return self.sets * per_set + (self.sets - 1) * self.rest_s + SETUP_S


@dataclass(frozen=True)
class Workout:
    day: date
    moves: tuple[Block, ...]
    stretches: tuple[Block, ...]
    notes: tuple[str, ...] = ()  # what was cut to keep the session to its time, in words

    def seconds(self) -> float:
        return sum(b.seconds() for b in self.moves + self.stretches)

    def minutes(self) -> int:
        return round(self.seconds() / 60)


def fit_time(workout: Workout, max_minutes: int = MAX_MINUTES) -> Workout:
    """The workout within ``max_minutes``: shorter rests first, then a set less of the
    longest move (never below two); the notes say what was cut."""
    limit = max_minutes * 60
    if workout.seconds() <= limit:
        return workout
    moves = list(workout.moves)
    seconds = lambda: sum(b.seconds() for b in moves + list(workout.stretches))  # noqa: E731
    notes: list[str] = []
    rests = sorted({b.rest_s for b in moves})
    for rest in REST_STEPS_S:
        if seconds() <= limit:
            break
        moves = [replace(b, rest_s=min(b.rest_s, rest)) for b in moves]
    if [b.rest_s for b in moves] != [b.rest_s for b in workout.moves]:
        was = "/".join(f"{r} s" for r in rests)
        notes.append(
            f"rests {min(b.rest_s for b in moves)} s instead of {was}, to keep the session within {max_minutes} min"
        )
    cut: list[str] = []
    while seconds() > limit:
        more = [i for i, b in enumerate(moves) if b.sets > LIGHT_SETS]
        if not more:
            notes.append(
                f"about {round(seconds() / 60)} min: over your {max_minutes} min "
                f"even with short rests and {LIGHT_SETS} sets a move"
            )
            break
        i = max(more, key=lambda i: moves[i].seconds())
        moves[i] = replace(moves[i], sets=moves[i].sets - 1)
        cut.append(moves[i].entry.name)
    for name in dict.fromkeys(cut):
        block = next(b for b in moves if b.entry.name == name)
        notes.append(
            f"{name}: {block.sets} sets instead of {block.sets + cut.count(name)}, "
            f"to keep the session within {max_minutes} min"
        )
    return replace(workout, moves=tuple(moves), notes=tuple(notes))


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
    return Block(
        entry, sets, dose.reps_min, dose.reps_max, lead.hold_s, dose.rest_s, loads=loads, variant=variant, why=why
    )


def todays_workout(
    catalog: Catalog,
    *,
    day: date,
    only: list[str] | None = None,
    stretching: bool = True,
    decisions: Sequence = (),
    light: bool = False,
    kettlebell: bool = True,
    max_minutes: int = MAX_MINUTES,
) -> Workout:
    """The three moves (at the plan's progression when `decisions` are given, two sets a
    move when `light`, the kettlebell moves left out unless `kettlebell` or named in
    `only`), then the stretching routine, kept within `max_minutes` (see `fit_time`)."""
    moves = catalog.moves if not only else [catalog.move(move_id) for move_id in only]
    if not kettlebell and not only:
        moves = [e for e in moves if e.load is not Load.kettlebell]
    return fit_time(
        Workout(
            day=day,
            moves=tuple(_block(e, decisions, light) for e in moves),
            stretches=tuple(_block(e) for e in catalog.stretches) if stretching else (),
        ),
        max_minutes,
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
    for label, label_kg in owned.items():
        if label.lower() == text.lower():
            return label, label_kg
    return text, None
