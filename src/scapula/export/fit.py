"""The planned sessions as Garmin FIT workout files, one per session, for a watch to load.

Each set of a move is a reps step (the top of the rep range; the range, hold and load in the
notes), once per side when the move is dosed per side; a rest step follows each set except the
session's last; identical rounds are folded into a repeat step when that makes fewer steps.
Stretches are time steps. Facts and pitfalls: shared/notes/fit-workouts.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import Enum
from pathlib import Path
from typing import cast

from fit_tool.fit_file import FitFile
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.fit_file_header import FitFileHeader
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    ExerciseCategory,
    FileType,
    FitBaseUnit,
    FlyeExerciseName,
    HyperextensionExerciseName,
    Intensity,
    Manufacturer,
    RowExerciseName,
    Sport,
    SubSport,
    WarmUpExerciseName,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from scapula.catalog import Catalog, Counting, Entry, Kind
from scapula.errors import InputFileError
from scapula.export._common import CANCELLED_STATUSES, load_text, option_name, write_atomic
from scapula.plan.model import Prescription, SessionPlan

# Garmin's SDK gives wkt_name and wkt_step_name 16 bytes and notes 50, the terminator included;
# a watch cuts anything longer.
NAME_BYTES = 15
NOTES_BYTES = 49

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Per catalog id: the step name a watch can show, and the closest FIT SDK exercise. FIT enums
# grow by appending, so among equally close names the lowest value is the one older firmware
# knows.
_EXERCISES: dict[str, tuple[str, ExerciseCategory, Enum]] = {
    # A standing reverse fly against an anchored line of pull, as the band is. Closer in words,
    # banded_exercises / pull_apart is a newer category that older watches do not know.
    "reverse_fly": (
        "Reverse fly",
        ExerciseCategory.FLYE,
        FlyeExerciseName.SINGLE_ARM_STANDING_CABLE_REVERSE_FLYE,
    ),
    "chainsaw_row": ("Chainsaw row", ExerciseCategory.ROW, RowExerciseName.KETTLEBELL_ROW),
    # Alternating arm lifts from the floor; the opposite arm and leg reach is a variant only.
    "superman": (
        "Superman",
        ExerciseCategory.HYPEREXTENSION,
        HyperextensionExerciseName.SUPERMAN_FROM_FLOOR,
    ),
    # Forearm on a frame, body turning away: the wall chest and shoulder stretch in a doorway.
    "doorway_chest_stretch": (
        "Chest stretch",
        ExerciseCategory.WARM_UP,
        WarmUpExerciseName.STRETCH_WALL_CHEST_AND_SHOULDER,
    ),
    "open_book": ("Open book", ExerciseCategory.WARM_UP, WarmUpExerciseName.THORACIC_ROTATION),
    # chest_openers (83) names it exactly but is newer; stretch_pectoral is the older equal.
    "foam_roller_chest_opener": (
        "Chest opener",
        ExerciseCategory.WARM_UP,
        WarmUpExerciseName.STRETCH_PECTORAL,
    ),
}


@dataclass(frozen=True)
class Step:
    """One workout step as written: a reps, time or repeat step."""

    name: str | None = None
    intensity: Intensity | None = None
    reps: int | None = None
    seconds: float | None = None
    notes: str | None = None
    category: int | None = None
    exercise: int | None = None
    weight_kg: float | None = None
    repeat_from: int | None = None  # repeat step: message_index of the first looped step
    repeat_times: int | None = None  # repeat step: rounds in all


def workout_name(plan: SessionPlan) -> str:
    """Short enough for a watch: "Scapula Nov 26", "Deload Nov 26", "Race wk Nov 26"."""
    label = "Deload" if plan.deload else "Race wk" if plan.race_week else "Scapula"
    return f"{label} {_MONTHS[plan.day.month - 1]} {plan.day.day}"


def workout_steps(plan: SessionPlan, catalog: Catalog) -> list[Step]:
    """The steps of the session's workout, in order, repeat steps included."""
    steps: list[Step] = []
    strength_done = False
    for number, item in enumerate(plan.items, 1):
        entry = catalog.get(item.exercise_id)
        if item.sets < 1:
            raise ValueError(f"{item.exercise_id}: a prescription needs 1 set or more")
        work = _work_steps(item, entry, after_strength=strength_done)
        strength_done = strength_done or entry.kind is Kind.strength
        rest = [Step("Rest", Intensity.REST, seconds=item.rest_s)] if item.rest_s > 0 else []
        block = work + rest
        # Nothing to rest for after the session's last set.
        last_block = work if number == len(plan.items) else block
        _add_rounds(steps, block, item.sets if last_block == block else item.sets - 1)
        if last_block != block:
            _add_rounds(steps, last_block, 1)
    return steps


def build_workout(plan: SessionPlan, catalog: Catalog, *, created: datetime | None = None) -> bytes:
    """The FIT workout file of one session, as bytes."""
    steps = workout_steps(plan, catalog)
    created = created or datetime.now(UTC)

    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = _serial(plan.uid)
    file_id.time_created = round(created.timestamp() * 1000)  # fit-tool takes Unix milliseconds

    workout = WorkoutMessage()
    workout.workout_name = _fit_text(workout_name(plan), NAME_BYTES)
    workout.sport = Sport.TRAINING
    workout.sub_sport = SubSport.STRENGTH_TRAINING
    workout.num_valid_steps = len(steps)  # every workout_step message, repeat steps included

    builder = FitFileBuilder(auto_define=True)  # strict=True wrongly refuses reps steps
    builder.add(file_id)
    builder.add(workout)
    for index, step in enumerate(steps):
        builder.add(_step_message(index, step))
    # A 14-byte header with its own CRC, as Garmin's files have (the builder writes 12 bytes).
    return FitFile(FitFileHeader(records_size=0, gen_crc=True), builder.records).to_bytes()


def write_fit_workouts(
    plans: Sequence[SessionPlan],
    catalog: Catalog,
    directory: Path,
    *,
    created: datetime | None = None,
) -> list[Path]:
    """One ``<date>-scapula-upper-back.fit`` per session that is still on (dropped and moved
    ones are skipped) in ``directory``; returns the paths written, in date order."""
    directory = Path(directory)
    files: list[tuple[Path, bytes]] = []
    taken: dict[str, int] = {}
    active = [p for p in plans if p.status not in CANCELLED_STATUSES]
    for plan in sorted(active, key=lambda p: (p.day, p.start or time.min, p.uid)):
        stem = f"{plan.day.isoformat()}-scapula-upper-back"
        taken[stem] = taken.get(stem, 0) + 1
        name = f"{stem}.fit" if taken[stem] == 1 else f"{stem}-{taken[stem]}.fit"
        files.append((directory / name, build_workout(plan, catalog, created=created)))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputFileError(directory, f"cannot be used as the output directory: {e.strerror or e}") from e
    for path, data in files:
        write_atomic(path, data)
    return [path for path, _ in files]


def _work_steps(item: Prescription, entry: Entry, *, after_strength: bool) -> list[Step]:
    short, category, exercise = _EXERCISES.get(entry.id, (entry.name, None, None))
    if entry.kind is Kind.strength:
        intensity = Intensity.ACTIVE
    else:  # the stretching routine closes the session; a stretch before any move warms up
        intensity = Intensity.COOLDOWN if after_strength else Intensity.WARMUP
    if item.reps_max is None and item.hold_s is None:
        raise ValueError(f"{entry.id}: a prescription needs reps_max or hold_s")
    sides = (" L", " R") if item.per_side else ("",)
    return [
        Step(
            name=_fit_text(short + side, NAME_BYTES),
            intensity=intensity,
            reps=item.reps_max,
            seconds=None if item.reps_max is not None else item.hold_s,
            notes=_notes(item, entry),
            category=None if category is None else category.value,
            exercise=None if exercise is None else exercise.value,
            weight_kg=item.load_kg or None,
        )
        for side in sides
    ]


def _notes(item: Prescription, entry: Entry) -> str | None:
    """The rep range, load, variant, hold and counting, most needed first; a part that would
    overflow the field is left out whole rather than cut."""
    parts: list[str | None] = []  # None: a part this item does not have
    if item.reps_max is not None:
        same = item.reps_min in (None, item.reps_max)
        parts.append(f"{item.reps_max if same else f'{item.reps_min}-{item.reps_max}'} reps")
    parts.append(load_text(item))
    parts.append(option_name(entry, item.variant) if item.variant else None)
    if item.reps_max is not None and item.hold_s:
        parts.append(f"{item.hold_s:g} s hold")
    if entry.counting is Counting.alternating:
        parts.append("alternating")
    notes = ""
    for part in filter(None, parts):
        joined = f"{notes}, {part}" if notes else part
        if len(joined.encode("utf-8")) <= NOTES_BYTES:
            notes = joined
    return notes or None


def _add_rounds(steps: list[Step], block: list[Step], rounds: int) -> None:
    """``rounds`` times ``block``: looped by a repeat step when that makes fewer steps."""
    if rounds * len(block) > len(block) + 1:
        first = len(steps)
        steps += block
        steps.append(Step(repeat_from=first, repeat_times=rounds))
    else:
        steps += block * rounds


def _step_message(index: int, step: Step) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    # duration_type before any duration value: fit-tool scales the value by the type set at
    # that moment, and 60 s set before the type is written as 60 ms.
    if step.repeat_times is not None:
        message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
        message.duration_step = step.repeat_from
        message.target_repeat_steps = step.repeat_times
        return message
    message.workout_step_name = step.name
    if step.reps is not None:
        message.duration_type = WorkoutStepDuration.REPS
        message.duration_reps = step.reps
    else:
        message.duration_type = WorkoutStepDuration.TIME
        message.duration_time = float(cast(float, step.seconds))  # a step without reps is timed
    message.target_type = WorkoutStepTarget.OPEN
    message.intensity = step.intensity
    if step.notes:
        message.notes = step.notes
    # Rest steps carry no exercise: category 0 would read as bench press.
    if step.category is not None:
        message.exercise_category = step.category
        message.exercise_name = step.exercise
    if step.weight_kg:
        message.exercise_weight = step.weight_kg
        message.weight_display_unit = FitBaseUnit.KILOGRAM.value
    return message


def _fit_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore").rstrip()


def _serial(uid: str) -> int:
    """A file serial number stable per session, never 0 or the uint32 invalid value."""
    return int.from_bytes(hashlib.sha256(uid.encode("utf-8")).digest()[:4], "big") % 0xFFFFFFFE + 1
