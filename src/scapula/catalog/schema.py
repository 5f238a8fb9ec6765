"""The catalog schema: what a move or a stretch is, as validated data.

An entry's identity (id, kind, counting, equipment, muscles, fault ids) is kept
apart from its coaching text (name, setup, execution, cues, fault descriptions),
so that a translation later is more data, not a change of schema.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SnakeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class FieldProblem(ValueError):
    """A rule across fields, broken: names the field to fix."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(str, Enum):
    strength = "strength"
    stretch = "stretch"


class Counting(str, Enum):
    """How reps are counted (docs/contracts.md §1)."""

    bilateral = "bilateral"  # one rep = both arms together; side "both"
    unilateral = "unilateral"  # all reps on one side, then the other
    alternating = "alternating"  # sides alternate rep by rep; each lift counts for its side
    hold = "hold"  # a stretch held for time


class Load(str, Enum):
    """What is logged as a set's load."""

    band = "band"  # a band by its resistance
    kettlebell = "kettlebell"  # a bell by its kg
    bodyweight = "bodyweight"  # nothing to log but the hold at the top


class Equipment(_Strict):
    id: SnakeId
    name: Text
    note: str = ""


class Cue(_Strict):
    id: SnakeId
    text: Text


class Fault(_Strict):
    id: SnakeId
    name: Text
    seen: Text  # what the fault looks like
    cue: SnakeId  # the id of the cue it breaks
    fix: Text  # what to say to fix it, in a few words


class Dose(_Strict):
    sets: int = Field(ge=1, le=10)
    reps_min: int | None = Field(default=None, ge=1, le=50)
    reps_max: int | None = Field(default=None, ge=1, le=50)
    hold_s: float | None = Field(default=None, gt=0, le=180)  # hold at the top, or the stretch
    rest_s: int = Field(ge=0, le=600)
    per_side: bool

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dose:
        has_reps = self.reps_min is not None or self.reps_max is not None
        if has_reps and (self.reps_min is None or self.reps_max is None):
            raise FieldProblem("reps_max", "reps_min and reps_max go together")
        if has_reps and self.reps_min > self.reps_max:  # type: ignore[operator]
            raise FieldProblem("reps_min", "reps_min is larger than reps_max")
        if not has_reps and self.hold_s is None:
            raise FieldProblem("reps_min", "a dose needs reps_min/reps_max or hold_s")
        return self

    def target_text(self) -> str:
        side = " per side" if self.per_side else ""
        if self.reps_min is not None:
            reps = f"{self.reps_min}" if self.reps_min == self.reps_max else f"{self.reps_min}-{self.reps_max}"
            hold = f", {self.hold_s:g} s hold at the top" if self.hold_s else ""
            return f"{self.sets} x {reps} reps{side}{hold}"
        return f"{self.sets} x {self.hold_s:g} s hold{side}"


class Muscles(_Strict):
    primary: list[Text] = Field(min_length=1)
    secondary: list[Text] = []


class Option(_Strict):
    """A variant, a regression or a progression of a move."""

    id: SnakeId
    name: Text
    how: Text


class Entry(_Strict):
    """One move or stretch of the catalog."""

    id: SnakeId
    kind: Kind
    order: int = Field(ge=0)  # place in a session: moves first, then the stretching routine
    name: Text
    summary: Text
    counting: Counting
    load: Load = Load.bodyweight
    equipment: list[Equipment]
    muscles: Muscles
    setup: list[Text] = Field(min_length=1)
    execution: list[Text] = Field(min_length=1)
    cues: list[Cue] = Field(min_length=1)
    faults: list[Fault] = []
    filming: Text | None = None  # where to put the phone so the camera coach sees the move
    dose: Dose
    variants: list[Option] = []
    regressions: list[Option] = []
    progressions: list[Option] = []

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        cue_ids = [c.id for c in self.cues]
        if len(set(cue_ids)) != len(cue_ids):
            raise FieldProblem("cues", "cue ids repeat")
        fault_ids = [f.id for f in self.faults]
        if len(set(fault_ids)) != len(fault_ids):
            raise FieldProblem("faults", "fault ids repeat")
        for fault in self.faults:
            if fault.cue not in cue_ids:
                raise FieldProblem("faults", f"fault '{fault.id}' names cue '{fault.cue}', which is not in cues")
        if self.kind is Kind.stretch:
            if self.load is not Load.bodyweight:
                raise FieldProblem("load", "a stretch takes no load")
            if self.counting is not Counting.hold or self.dose.hold_s is None:
                raise FieldProblem("counting", "a stretch is held for time: counting 'hold' and dose.hold_s")
            if self.dose.reps_min is not None:
                raise FieldProblem("dose", "a stretch has no reps")
        else:
            if self.counting is Counting.hold or self.dose.reps_min is None:
                raise FieldProblem("dose", "a strength move is counted in reps: dose.reps_min/reps_max")
            if self.counting is Counting.bilateral and self.dose.per_side:
                raise FieldProblem("dose.per_side", "a bilateral move is not dosed per side")
            if self.counting is not Counting.bilateral and not self.dose.per_side:
                raise FieldProblem("dose.per_side", f"a {self.counting.value} move is dosed per side")
        return self

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides a set is done on, in order: ('both',) or ('left', 'right')."""
        if self.counting in (Counting.unilateral, Counting.alternating) or (
            self.kind is Kind.stretch and self.dose.per_side
        ):
            return ("left", "right")
        return ("both",)

    def fault(self, fault_id: str) -> Fault:
        for fault in self.faults:
            if fault.id == fault_id:
                return fault
        raise KeyError(fault_id)

    def cue(self, cue_id: str) -> Cue:
        for cue in self.cues:
            if cue.id == cue_id:
                return cue
        raise KeyError(cue_id)
