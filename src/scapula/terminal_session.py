"""The guided session in a terminal: cues, set-by-set entry, rest timer, stretching.

It walks the same steps as the web app's session (``scapula.app.session``): the open session
in the log says which step comes next, and each step is logged through the same function, so
a set typed here is checked and stored exactly as one tapped on the phone. Every set is
committed the moment it is entered: Ctrl-C, a closed terminal or a killed process loses at
most the set in progress.

Ctrl-C is taken only while the session waits for the runner (a prompt, a rest, a hold).
Pressed while a set is being saved or the screen drawn, it is kept and acted on as soon as
that is done, so it never cuts a database write or a screen lock in half.
"""

from __future__ import annotations

import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from scapula.app import session as sessions
from scapula.app.inputs import HOLD_S, REPS, RPE, StepSetIn, StepStretchIn, parse
from scapula.app.session import SIDE_NAMES, Scope, SessionState, Step
from scapula.catalog import Catalog, Entry, Load
from scapula.clock import utcnow
from scapula.errors import ScapulaError
from scapula.store import Athlete, PerformedSession
from scapula.workout import Block


class InputEnded(ScapulaError):
    """Standard input closed in the middle of a guided session."""


@dataclass
class Answers:
    """Fixed answers for a scripted session (``--yes``); None means "ask" or "default"."""

    assume_defaults: bool = False
    reps: int | None = None
    load: str | None = None
    rpe: float | None = None
    rest_s: float | None = None  # overrides every rest and stretch hold when set


class Interrupts:
    """Ctrl-C, raised as ``KeyboardInterrupt`` only inside ``waiting()``; outside it the
    request is kept and raised at the next wait (or ``check()``)."""

    def __init__(self) -> None:
        self.requested = False
        self._waiting = False
        self._previous: Callable | int | None = None

    def _on_signal(self, signum, frame) -> None:
        self.requested = True
        if self._waiting:
            self._waiting = False
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[None]:
        self._previous = signal.signal(signal.SIGINT, self._on_signal)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, self._previous)

    @contextmanager
    def waiting(self) -> Iterator[None]:
        self.check()
        self._waiting = True
        try:
            yield
        finally:
            self._waiting = False

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


@dataclass
class Terminal:
    console: Console
    answers: Answers
    sleep: Callable[[float], None] = time.sleep
    interactive: bool = field(default_factory=lambda: sys.stdin.isatty())
    interrupts: Interrupts = field(default_factory=Interrupts)

    def ask(self, question: str, default: str, parse_answer: Callable[[str], object]) -> object:
        """Ask until the answer parses; an empty answer takes the default."""
        if self.answers.assume_defaults:
            self.console.print(f"  {question} [{default}]: {default}")
            return parse_answer(default)
        while True:
            self.console.print(f"  {question} [bold][{default}][/bold]: ", end="")
            with self.interrupts.waiting():
                raw = sys.stdin.readline()
            if not raw:
                raise EOFError
            try:
                return parse_answer(raw.strip() or default)
            except ValueError as e:
                self.console.print(f"  [red]{e}[/red]")

    def countdown(self, seconds: float, label: str) -> None:
        """A progress bar counting down; Enter ends it early when a person is at the keys."""
        if seconds <= 0:
            self.console.print(f"  {label}: skipped")
            return
        with Progress(
            TextColumn("  {task.description}"),
            BarColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=seconds)
            start = time.monotonic()
            while (elapsed := time.monotonic() - start) < seconds:
                bar.update(task, completed=elapsed)
                with self.interrupts.waiting():
                    if self.interactive:
                        ready, _, _ = select.select([sys.stdin], [], [], 0.2)
                    else:
                        self.sleep(min(0.2, seconds - elapsed))
                        ready = []
                if ready:
                    sys.stdin.readline()
                    break
        self.console.print(f"  {label}: done")


def _reps(text: str) -> int:
    if not text.isdigit() or not REPS[0] <= int(text) <= REPS[1]:
        raise ValueError(f"reps: type a whole number from {REPS[0]} to {REPS[1]}")
    return int(text)


def _rpe(text: str) -> float | None:
    if text.lower() in ("-", "skip", "none"):
        return None
    problem = f"RPE: type a number from {RPE[0]} (very easy) to {RPE[1]} (nothing left), or - to skip"
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(problem) from None
    if not RPE[0] <= value <= RPE[1]:
        raise ValueError(problem)
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError("type a number of seconds") from None
    if not HOLD_S[0] <= value <= HOLD_S[1]:
        raise ValueError(f"type a number of seconds from {HOLD_S[0]} to {HOLD_S[1]}")
    return value


def _show_move(console: Console, entry: Entry, block: Block, number: int, total: int) -> None:
    lines = [f"[italic]{entry.summary.strip()}[/italic]", ""]
    lines.append(
        "[bold]You need:[/bold] " + "; ".join(f"{e.name}" + (f" ({e.note})" if e.note else "") for e in entry.equipment)
    )
    lines.append("[bold]Set up:[/bold]")
    lines += [f"  {i}. {step}" for i, step in enumerate(entry.setup, 1)]
    lines.append("[bold]Cues:[/bold]")
    lines += [f"  • {cue.text}" for cue in entry.cues]
    lines.append(f"[bold]Today:[/bold] {entry.dose.target_text()}, rest {block.rest_s} s")
    console.print(Panel("\n".join(lines), title=f"{number}/{total}  {entry.name}", expand=False))


class GuidedSession:
    def __init__(
        self, db: Session, athlete: Athlete, catalog: Catalog, terminal: Terminal, scope: Scope = sessions.EVERYTHING
    ) -> None:
        self.db = db
        self.athlete = athlete
        self.catalog = catalog
        self.term = terminal
        self.scope = scope
        self.sets_logged = 0
        self.stretches_logged = 0
        self.typed_load: dict[str, str] = {}  # per move and side: what was answered last

    def run(self) -> PerformedSession:
        with self.term.interrupts.installed():
            return self._run()

    def _run(self) -> PerformedSession:
        console = self.term.console
        performed = sessions.begin(self.db, self.athlete, self.catalog)
        state = sessions.progress(self.db, self.athlete, self.catalog, performed, scope=self.scope)
        workout = state.workout
        console.print(
            f"[bold]Today's upper-back session[/bold] — {workout.day:%a %d %b}: "
            f"{len(workout.moves)} moves"
            + (" and the stretching routine" if workout.stretches else "")
            + f", about {workout.minutes()} min. Ctrl-C stops and keeps every set logged."
        )
        for note in workout.notes:
            console.print(f"  ({note})", markup=False)
        try:
            shown: tuple[bool, str] | None = None
            while state.current is not None:
                step = state.current
                if (step.is_stretch, step.entry.id) != shown:  # the state is read again at each step
                    self._introduce(state, step)
                    shown = (step.is_stretch, step.entry.id)
                if step.is_stretch:
                    state = self._hold(state, step)
                else:
                    state = self._set(state, step)
                    following = state.current
                    if (
                        following is not None
                        and following.entry.id == step.entry.id
                        and following.set_number > step.set_number
                    ):
                        self._rest(step.block.rest_s, f"Rest {step.block.rest_s} s")
                self.term.interrupts.check()
        except KeyboardInterrupt:
            sessions.stop(self.db, performed)
            console.print(f"\nStopped. Kept {self._kept()}.")
            raise
        except EOFError:
            sessions.stop(self.db, performed)
            raise InputEnded(f"input ended before the session was over; kept {self._kept()}") from None
        if performed.ended_at is None:
            sessions.finish(self.db, performed, completed=True)
        console.print(f"[bold green]Session done.[/bold green] Logged {self._kept()}.")
        return performed

    def _kept(self) -> str:
        return f"{self.sets_logged} set(s) and {self.stretches_logged} stretch(es)"

    def _introduce(self, state: SessionState, step: Step) -> None:
        console = self.term.console
        entry, block = step.entry, step.block
        if step.is_stretch:
            if step.index == 1:
                console.print(
                    Panel("Stretch the chest and the front of the shoulders.", title="Stretching", expand=False)
                )
            console.print(f"\n[bold]{entry.name}[/bold] — {entry.dose.target_text()}")
            for line in entry.execution:
                console.print(f"  • {line}")
            return
        _show_move(console, entry, block, step.index, len(state.workout.moves))
        if block.why:
            console.print(f"  [dim]Today: {block.why}[/dim]")

    def _rest(self, seconds: float, label: str) -> None:
        override = self.term.answers.rest_s
        if override is not None and override != seconds:
            label, seconds = f"{label} (set to {override:g} s)", override
        self.term.countdown(seconds, label)

    def _set(self, state: SessionState, step: Step) -> SessionState:
        entry, block = step.entry, step.block
        answers = self.term.answers
        defaults = state.defaults
        assert defaults is not None
        self.term.console.print(
            f"\n[bold]Set {step.set_number}/{block.sets}[/bold] — {step.who}: "
            f"target {block.reps_min}-{block.reps_max} reps"
            + (" each side, alternating" if len(step.sides) > 1 else "")
        )
        started = utcnow()
        reps = {
            side: self.term.ask(
                f"reps done, {SIDE_NAMES[side]}",
                str(answers.reps if answers.reps is not None else defaults.reps[side]),
                _reps,
            )
            for side in step.sides
        }
        load = hold = None
        if entry.load is Load.bodyweight:
            hold = self.term.ask("hold at the top, seconds", f"{defaults.hold_s or 0:g}", _seconds)
        else:
            key = f"{entry.id}/{step.sides[0]}"
            offered = self.typed_load.get(key) or (answers.load if answers.load is not None else defaults.load)
            load = self.typed_load[key] = str(
                self.term.ask(
                    "load (band name, or kg)" if entry.load is Load.band else "kettlebell kg",
                    offered or "-",
                    lambda t: t if t != "-" else "",
                )
            )
        rpe = self.term.ask("RPE 1-10 (how hard)", "-" if answers.rpe is None else f"{answers.rpe:g}", _rpe)
        done = parse(StepSetIn, exercise_id=entry.id, reps=reps, load=load, rpe=rpe, hold_s=hold)
        state = sessions.log_step_set(
            self.db, self.athlete, self.catalog, state.performed, done, started_at=started, scope=self.scope
        )
        self.sets_logged += len(step.sides)
        self.term.console.print("  [green]saved[/green]")
        return state

    def _hold(self, state: SessionState, step: Step) -> SessionState:
        block = step.block
        side = step.sides[0]
        label = f"Hold {block.hold_s:g} s" + ("" if side == "both" else f", {side} side")
        started = utcnow()
        self._rest(block.hold_s or 0, label)
        held = (utcnow() - started).total_seconds()  # Enter ends a hold early, --rest shortens it
        state = sessions.log_step_stretch(
            self.db,
            self.athlete,
            self.catalog,
            state.performed,
            StepStretchIn(stretch_id=step.entry.id, hold_s=round(held, 1)),
            scope=self.scope,
        )
        self.stretches_logged += 1
        return state
