"""Double progression, per move and side, from the training log.

Loaded moves (band reverse fly, kettlebell row): hold the load and add reps until every
set reaches the top of the range at RPE 8 or easier; then step up to the next band or
kettlebell the athlete owns and start again at the bottom of the range. Two sessions in a
row with most sets below the bottom of the range step the load down. Supermans have no
load: they climb a ladder of longer holds at the top, then the leg-lift variant.

A set logged without an RPE counts as "8 or easier": runners often skip the question, and
a set that reaches the top of the range is rarely a grind. The reason says so.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from scapula.catalog import Catalog, Entry, Load

MAX_RPE = 8.0
STEP_DOWN_AFTER = 2  # sessions in a row below the range
# Superman ladder: hold at the top (s), then the same holds with the leg lift. 1.5 s is
# the catalog's dose; 3 s is where a lift stops being a lift and becomes an isometric.
SUPERMAN_HOLDS = (1.5, 2.0, 3.0)
SUPERMAN_VARIANTS = (None, "leg_lift")

# Bands are sold by colour or by name; these are the common ladders, light to heavy.
_BAND_WORDS = ["extra light", "x-light", "light", "medium", "heavy", "extra heavy", "x-heavy"]
_BAND_COLOURS = ["tan", "beige", "yellow", "red", "green", "blue", "black", "silver", "gold"]


@dataclass(frozen=True)
class LoggedSet:
    """One set as the log holds it (the store's SetRecord plus its session start)."""

    session_id: int
    started_at: datetime
    exercise_id: str
    side: str
    reps: int
    load_label: str | None = None
    load_kg: float | None = None
    hold_s: float | None = None
    rpe: float | None = None


@dataclass(frozen=True)
class Owned:
    """A band or kettlebell the athlete owns."""

    kind: str  # band | kettlebell
    label: str
    kg: float | None = None
    resistance: str | None = None

    def rank(self) -> float:
        if self.kg is not None:
            return self.kg
        text = f"{self.resistance or ''} {self.label}".lower()
        for i, word in enumerate(_BAND_COLOURS):
            if re.search(rf"\b{word}\b", text):
                return 100 + i
        for i, word in reversed(list(enumerate(_BAND_WORDS))):
            if word in text:
                return 200 + i
        return 300.0


@dataclass(frozen=True)
class Decision:
    """What the next session asks of one move on one side, and why."""

    exercise_id: str
    side: str
    load_label: str | None
    load_kg: float | None
    reps_target: int  # what to aim for in every set
    hold_s: float | None
    variant: str | None
    why: str


def _reps(sets: Sequence[LoggedSet]) -> str:
    text = ", ".join(str(s.reps) for s in sets)
    rpes = [s.rpe for s in sets if s.rpe is not None]
    return text + (f" at RPE {max(rpes):g}" if rpes else "")


def _sessions(sets: Sequence[LoggedSet]) -> list[list[LoggedSet]]:
    by: dict[int, list[LoggedSet]] = {}
    for s in sorted(sets, key=lambda s: (s.started_at, s.session_id)):
        by.setdefault(s.session_id, []).append(s)
    return list(by.values())


def _topped(sets: list[LoggedSet], entry: Entry) -> bool:
    dose = entry.dose
    return (
        len(sets) >= dose.sets
        and all(s.reps >= (dose.reps_max or 0) for s in sets)
        and all(s.rpe is None or s.rpe <= MAX_RPE for s in sets)
    )


def _below(sets: list[LoggedSet], entry: Entry) -> bool:
    return statistics.median(s.reps for s in sets) < (entry.dose.reps_min or 0)


def _same_load(a: LoggedSet, b: LoggedSet) -> bool:
    if a.load_kg is not None and b.load_kg is not None:
        return abs(a.load_kg - b.load_kg) < 0.01
    return (a.load_label or "").lower() == (b.load_label or "").lower()


def _neighbours(ladder: list[Owned], here: int | None, kg: float | None) -> tuple[list[Owned], list[Owned]]:
    """What the athlete owns below and above the load in use (by position on the ladder
    when the load is one of theirs, else by kg)."""
    if here is not None:
        return ladder[:here], ladder[here + 1 :]
    known = [o for o in ladder if kg is not None and o.kg is not None]
    return [o for o in known if o.kg < kg], [o for o in known if o.kg > kg]  # type: ignore[operator]


class Progression:
    def __init__(self, catalog: Catalog, owned: Sequence[Owned]) -> None:
        self.catalog = catalog
        self.owned = owned

    def decide(self, exercise_id: str, side: str, log: Sequence[LoggedSet]) -> Decision:
        entry = self.catalog.get(exercise_id)
        mine = [s for s in log if s.exercise_id == exercise_id and s.side == side]
        if entry.load is Load.bodyweight:
            return self._ladder(entry, side, _sessions(mine))
        return self._loaded(entry, side, _sessions(mine))

    # ------------------------------------------------------------ band / kettlebell

    def _ladder_of(self, entry: Entry) -> list[Owned]:
        kind = entry.load.value
        return sorted((o for o in self.owned if o.kind == kind), key=Owned.rank)

    def _loaded(self, entry: Entry, side: str, sessions: list[list[LoggedSet]]) -> Decision:
        dose = entry.dose
        ladder = self._ladder_of(entry)
        noun = "band" if entry.load is Load.band else "kettlebell"
        if not sessions:
            if not ladder:
                return Decision(
                    entry.id,
                    side,
                    None,
                    None,
                    dose.reps_min or 0,
                    dose.hold_s,
                    None,
                    f"first session: no {noun} on your list yet "
                    f"(`scapula equipment add {noun} ...`); pick one that leaves two "
                    f"reps in reserve at {dose.reps_min}",
                )
            start = ladder[0]
            return Decision(
                entry.id,
                side,
                start.label,
                start.kg,
                dose.reps_min or 0,
                dose.hold_s,
                None,
                f"first session: start with your lightest {noun} ({start.label}) "
                f"and find the one that leaves two reps in reserve at {dose.reps_min}",
            )
        last = sessions[-1]
        now = max(set(last), key=lambda s: sum(_same_load(s, t) for t in last))  # most used
        at_load = [s for s in last if _same_load(s, now)]
        here = next(
            (
                i
                for i, o in enumerate(ladder)
                if (o.kg is not None and now.load_kg is not None and abs(o.kg - now.load_kg) < 0.01)
                or o.label.lower() == (now.load_label or "").lower()
            ),
            None,
        )
        label, kg = (ladder[here].label, ladder[here].kg) if here is not None else (now.load_label, now.load_kg)
        rpe_note = "" if any(s.rpe is not None for s in at_load) else " (no RPE logged: taken as 8 or easier)"

        lighter, heavier = _neighbours(ladder, here, kg)
        if _topped(at_load, entry):
            if heavier:
                up = heavier[0]
                return Decision(
                    entry.id,
                    side,
                    up.label,
                    up.kg,
                    dose.reps_min or 0,
                    dose.hold_s,
                    None,
                    f"step up: every set reached {dose.reps_max} last time "
                    f"({_reps(at_load)}){rpe_note}, so {up.label} from {dose.reps_min} reps",
                )
            return Decision(
                entry.id,
                side,
                label,
                kg,
                dose.reps_max or 0,
                dose.hold_s,
                None,
                f"top of the range with {label} ({_reps(at_load)}) and you own nothing "
                f"heavier: stay, and lower each rep over 3 s until a heavier {noun} is on your list",
            )

        below_run = 0
        for sess in reversed(sessions):
            same = [s for s in sess if _same_load(s, now)]
            if not same or not _below(same, entry):
                break
            below_run += 1
        if below_run >= STEP_DOWN_AFTER:
            if lighter:
                down = lighter[-1]
                return Decision(
                    entry.id,
                    side,
                    down.label,
                    down.kg,
                    dose.reps_min or 0,
                    dose.hold_s,
                    None,
                    f"step down: {below_run} sessions in a row under {dose.reps_min} reps "
                    f"with {label} (last {_reps(at_load)}), so {down.label}",
                )
            return Decision(
                entry.id,
                side,
                label,
                kg,
                dose.reps_min or 0,
                dose.hold_s,
                None,
                f"{below_run} sessions under {dose.reps_min} reps with {label} and nothing "
                f"lighter on your list: rest a little longer between sets",
            )
        best = max(s.reps for s in at_load)
        aim = dose.reps_min if best < (dose.reps_min or 0) else min(dose.reps_max or best, best + 1)
        return Decision(
            entry.id,
            side,
            label,
            kg,
            aim or 0,
            dose.hold_s,
            None,
            f"same {label}: last time {_reps(at_load)}; add a rep a set towards {dose.reps_max} before stepping up",
        )

    # ------------------------------------------------------------ supermans

    def _ladder(self, entry: Entry, side: str, sessions: list[list[LoggedSet]]) -> Decision:
        dose = entry.dose
        rungs = [(v, h) for v in SUPERMAN_VARIANTS for h in SUPERMAN_HOLDS]
        variants = {o.id: o for o in entry.variants}
        if not sessions:
            v, h = rungs[0]
            return Decision(
                entry.id,
                side,
                None,
                None,
                dose.reps_min or 0,
                h,
                v,
                f"first session: {h:g} s hold at the top, arms only",
            )
        last = sessions[-1]
        rung = self._rung(last, rungs)
        v, h = rungs[rung]

        def name(v: str | None, h: float) -> str:
            return f"{h:g} s hold" + (f" with the {variants[v].name.lower()}" if v in variants else "")

        if _topped(last, entry) and rung + 1 < len(rungs):
            nv, nh = rungs[rung + 1]
            return Decision(
                entry.id,
                side,
                None,
                None,
                dose.reps_min or 0,
                nh,
                nv,
                f"step up: every set reached {dose.reps_max} ({_reps(last)}), "
                f"so {name(nv, nh)}, from {dose.reps_min} reps",
            )
        below_run = 0
        for sess in reversed(sessions):
            if self._rung(sess, rungs) != rung or not _below(sess, entry):
                break
            below_run += 1
        if below_run >= STEP_DOWN_AFTER and rung > 0:
            pv, ph = rungs[rung - 1]
            return Decision(
                entry.id,
                side,
                None,
                None,
                dose.reps_min or 0,
                ph,
                pv,
                f"step down: {below_run} sessions under {dose.reps_min} reps, so {name(pv, ph)}",
            )
        best = max(s.reps for s in last)
        aim = min(dose.reps_max or best, best + 1)
        return Decision(
            entry.id,
            side,
            None,
            None,
            max(aim, dose.reps_min or 0),
            h,
            v,
            f"same {name(v, h)}: last time {_reps(last)}",
        )

    @staticmethod
    def _rung(sets: list[LoggedSet], rungs: list[tuple[str | None, float]]) -> int:
        """Where a logged session sits on the ladder: the variant from the load label
        ("leg lift"), the hold from the logged hold."""
        label = " ".join((s.load_label or "").lower() for s in sets)
        variant = "leg_lift" if "leg" in label and "lift" in label else None
        hold = statistics.median([s.hold_s for s in sets if s.hold_s] or [SUPERMAN_HOLDS[0]])
        same = [i for i, (v, _) in enumerate(rungs) if v == variant]
        return min(same, key=lambda i: abs(rungs[i][1] - hold))
