"""The guided session in the terminal: cues, set-by-set entry, rest timer, stretching.

Every set is committed to the training log the moment it is entered, so Ctrl-C,
a closed terminal or a killed process loses at most the set in progress.
The terminal is reached only through ``Terminal`` so tests drive it through the
real command with piped input.
"""

from __future__ import annotations

import select
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from scapula.catalog import Counting, Entry, Load
from scapula.errors import ScapulaError
from scapula.store import (
    Athlete,
    PerformedSession,
    finish_session,
    last_load,
    list_equipment,
    log_set,
    log_stretch,
    start_session,
)
from scapula.store.models import utcnow
from scapula.workout import Block, Workout, parse_load

class InputEnded(ScapulaError):
    """Standard input closed in the middle of a guided session."""


SIDE_NAMES = {"left": "left arm", "right": "right arm", "both": "both arms"}


@dataclass
class Answers:
    """Fixed answers for a scripted session (``--yes``); None means "ask" or "default"."""

    assume_defaults: bool = False
    reps: int | None = None
    load: str | None = None
    rpe: float | None = None
    rest_s: float | None = None  # overrides every rest and stretch hold when set


@dataclass
class Terminal:
    console: Console
    answers: Answers
    sleep: Callable[[float], None] = time.sleep
    interactive: bool = field(default_factory=lambda: sys.stdin.isatty())

    def ask(self, question: str, default: str, parse: Callable[[str], object]) -> object:
        """Ask until the answer parses; an empty answer takes the default."""
        if self.answers.assume_defaults:
            self.console.print(f"  {question} [{default}]: {default}")
            return parse(default)
        while True:
            raw = self.console.input(f"  {question} [bold][{default}][/bold]: ")
            try:
                return parse(raw.strip() or default)
            except ValueError as e:
                self.console.print(f"  [red]{e}[/red]")

    def countdown(self, seconds: float, label: str) -> None:
        """A progress bar counting down; Enter ends it early when a person is at the keys."""
        if seconds <= 0:
            self.console.print(f"  {label}: skipped")
            return
        with Progress(
            TextColumn("  {task.description}"), BarColumn(), TimeRemainingColumn(),
            console=self.console, transient=True,
        ) as bar:
            task = bar.add_task(label, total=seconds)
            start = time.monotonic()
            while (elapsed := time.monotonic() - start) < seconds:
                bar.update(task, completed=elapsed)
                if self.interactive:
                    ready, _, _ = select.select([sys.stdin], [], [], 0.2)
                    if ready:
                        sys.stdin.readline()
                        break
                else:
                    self.sleep(min(0.2, seconds - elapsed))
        self.console.print(f"  {label}: done")


def _reps(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise ValueError("reps: type a whole number from 0 to 100")
    return int(text)


def _rpe(text: str) -> float | None:
    if text.lower() in ("-", "skip", "none"):
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError("RPE: type a number from 1 (very easy) to 10 (nothing left), or - to skip") from None
    if not 1 <= value <= 10:
        raise ValueError("RPE: type a number from 1 (very easy) to 10 (nothing left), or - to skip")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError("type a number of seconds") from None
    if not 0 <= value <= 600:
        raise ValueError("type a number of seconds from 0 to 600")
    return value


def _show_move(console: Console, entry: Entry, block: Block, number: int, total: int) -> None:
    lines = [f"[italic]{entry.summary.strip()}[/italic]", ""]
    lines.append("[bold]You need:[/bold] " + "; ".join(
        f"{e.name}" + (f" ({e.note})" if e.note else "") for e in entry.equipment))
    lines.append("[bold]Set up:[/bold]")
    lines += [f"  {i}. {step}" for i, step in enumerate(entry.setup, 1)]
    lines.append("[bold]Cues:[/bold]")
    lines += [f"  • {cue.text}" for cue in entry.cues]
    lines.append(f"[bold]Today:[/bold] {entry.dose.target_text()}, rest {block.rest_s} s")
    console.print(Panel("\n".join(lines), title=f"{number}/{total}  {entry.name}", expand=False))


class GuidedSession:
    def __init__(self, db: Session, athlete: Athlete, workout: Workout, terminal: Terminal) -> None:
        self.db = db
        self.athlete = athlete
        self.workout = workout
        self.term = terminal
        self.performed: PerformedSession | None = None
        self.sets_logged = 0
        self.stretches_logged = 0

    def run(self) -> PerformedSession:
        console = self.term.console
        console.print(
            f"[bold]Today's upper-back session[/bold] — {self.workout.day:%a %d %b}: "
            f"{len(self.workout.moves)} moves"
            + (" and the stretching routine" if self.workout.stretches else "")
            + f", about {self.workout.minutes()} min. Ctrl-C stops and keeps every set logged."
        )
        for note in self.workout.notes:
            console.print(f"  ({note})", markup=False)
        self.performed = start_session(self.db, athlete=self.athlete)
        try:
            for number, block in enumerate(self.workout.moves, 1):
                _show_move(console, block.entry, block, number, len(self.workout.moves))
                self._do_move(block)
            if self.workout.stretches:
                console.print(Panel("Stretch the chest and the front of the shoulders.",
                                    title="Stretching", expand=False))
                for block in self.workout.stretches:
                    self._do_stretch(block)
        except KeyboardInterrupt:
            finish_session(self.db, session=self.performed, completed=False)
            console.print(f"\nStopped. Kept {self._kept()}.")
            raise
        except EOFError:
            finish_session(self.db, session=self.performed, completed=False)
            raise InputEnded(f"input ended before the session was over; kept {self._kept()}") from None
        finish_session(self.db, session=self.performed, completed=True)
        console.print(f"[bold green]Session done.[/bold green] Logged {self._kept()}.")
        return self.performed

    def _kept(self) -> str:
        return f"{self.sets_logged} set(s) and {self.stretches_logged} stretch(es)"

    def _rest(self, seconds: float, label: str) -> None:
        override = self.term.answers.rest_s
        if override is not None and override != seconds:
            label, seconds = f"{label} (set to {override:g} s)", override
        self.term.countdown(seconds, label)

    def _load_default(self, block: Block, side: str) -> str:
        entry = block.entry
        if self.term.answers.load is not None:
            return self.term.answers.load
        if side in block.loads:
            return block.loads[side][0]  # what the plan's progression asks for
        previous = last_load(self.db, athlete=self.athlete, exercise_id=entry.id)
        if previous:
            return previous
        kind = entry.load.value
        owned = list_equipment(self.db, athlete=self.athlete, kind=kind)
        return owned[0].label if owned else ""

    def _do_move(self, block: Block) -> None:
        entry = block.entry
        owned = {e.label: e.kg for e in list_equipment(self.db, athlete=self.athlete)}
        hold = block.hold_s
        typed: dict[str, str] = {}  # what was answered last, per side: the next set's default
        if block.why:
            self.term.console.print(f"  [dim]Today: {block.why}[/dim]")
        target = self.term.answers.reps if self.term.answers.reps is not None else block.target_reps
        for set_number in range(1, block.sets + 1):
            sides = entry.sides
            per_set_sides = [sides] if entry.counting is Counting.alternating else [(s,) for s in sides]
            for group in per_set_sides:
                what = " and ".join(SIDE_NAMES[s] for s in group)
                reps_range = f"{block.reps_min}-{block.reps_max}"
                self.term.console.print(
                    f"\n[bold]Set {set_number}/{block.sets}[/bold] — {what}: "
                    f"target {reps_range} reps" + (" each side, alternating" if len(group) > 1 else "")
                )
                started = utcnow()
                reps = {s: self.term.ask(f"reps done, {SIDE_NAMES[s]}", str(target), _reps) for s in group}
                label, kg = block.variant, None
                if entry.load is Load.bodyweight:
                    hold = self.term.ask("hold at the top, seconds", f"{hold or 0:g}", _seconds)
                else:
                    side = group[0]
                    load_text = typed.get(side) or self._load_default(block, side)
                    load_text = typed[side] = self.term.ask(
                        "load (band name, or kg)" if entry.load is Load.band else "kettlebell kg",
                        load_text or "-", lambda t: t if t != "-" else "",
                    )
                    label, kg = parse_load(load_text, owned)
                rpe_default = "-" if self.term.answers.rpe is None else f"{self.term.answers.rpe:g}"
                rpe = self.term.ask("RPE 1-10 (how hard)", rpe_default, _rpe)
                for side in group:
                    log_set(
                        self.db, session=self.performed, exercise_id=entry.id, side=side,
                        set_number=set_number, reps=reps[side], load_label=label, load_kg=kg,
                        hold_s=hold if entry.load is Load.bodyweight else block.hold_s,
                        rpe=rpe, started_at=started, ended_at=utcnow(),
                    )
                    self.sets_logged += 1
                self.term.console.print("  [green]saved[/green]")
            if set_number < block.sets:
                self._rest(block.rest_s, f"Rest {block.rest_s} s")

    def _do_stretch(self, block: Block) -> None:
        entry = block.entry
        self.term.console.print(f"\n[bold]{entry.name}[/bold] — {entry.dose.target_text()}")
        for step in entry.execution:
            self.term.console.print(f"  • {step}")
        for _ in range(block.sets):
            for side in entry.sides:
                label = f"Hold {block.hold_s:g} s" + ("" if side == "both" else f", {side} side")
                started = utcnow()
                self._rest(block.hold_s or 0, label)
                held = (utcnow() - started).total_seconds()
                # what was really held: Enter ends a hold early, --rest shortens it
                log_stretch(self.db, session=self.performed, stretch_id=entry.id, side=side,
                            hold_s=round(held, 1))
                self.stretches_logged += 1
