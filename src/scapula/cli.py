"""The ``scapula`` command line: a thin layer over the catalog, the log and the coach.

Only this module turns a ``ScapulaError`` into an exit code: 2 for a wrong id or
argument, 1 for anything else Scapula refuses, 130 when Ctrl-C stops a session.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from scapula.catalog import Catalog, Entry, Kind, load_catalog
from scapula.errors import InvalidInputError, ScapulaError, UnknownExerciseError
from scapula.settings import get_settings

app = typer.Typer(
    help="Scapula — upper-back strength and posture coach for runners.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
equipment_app = typer.Typer(help="The bands and kettlebells you own.", no_args_is_help=False)
app.add_typer(equipment_app, name="equipment")
export_app = typer.Typer(help="The plan to your calendar or your watch.", no_args_is_help=True)
app.add_typer(export_app, name="export")

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class Usage(InvalidInputError):
    """A wrong argument the user can fix (exit 2)."""


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="SQLAlchemy URL of the training log (default: a SQLite file in your data dir; env SCAPULA_DB)."
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", help="Use the exercise YAML files of this directory (env SCAPULA_CATALOG)."),
    ] = None,
) -> None:
    settings = get_settings()
    if db:
        settings.db = db
    if catalog:
        settings.catalog = catalog


def _catalog() -> Catalog:
    return load_catalog(get_settings().catalog)


def _db():
    from scapula.store import open_db

    return open_db(get_settings().db_url)()


def _day(on: str | None, option: str = "--date") -> date | None:
    """A YYYY-MM-DD option as a date (None when not given)."""
    if on is None:
        return None
    try:
        return date.fromisoformat(on)
    except ValueError:
        raise Usage(f"{option}: '{on}' is not a date like 2026-11-24") from None


# ---------------------------------------------------------------- exercises


@app.command()
def exercises(
    exercise_id: Annotated[str | None, typer.Argument(help="Show this move or stretch in full.")] = None,
) -> None:
    """List the moves and stretches, or show one in full."""
    catalog = _catalog()
    if exercise_id is None:
        table = Table(title="Scapula exercises", show_lines=False)
        for column in ("id", "name", "kind", "dose", "equipment"):
            table.add_column(column)
        for e in catalog.entries:
            table.add_row(
                e.id, e.name, e.kind.value, e.dose.target_text(), ", ".join(q.name.split(" (")[0] for q in e.equipment)
            )
        console.print(table)
        return
    _show_entry(catalog.get(exercise_id))


def _show_entry(e: Entry) -> None:
    console.print(f"[bold]{e.name}[/bold]  ({e.id}, {e.kind.value}, {e.counting.value})")
    console.print(e.summary.strip())

    def section(title: str, lines: list[str]) -> None:
        if lines:
            console.print(f"\n[bold]{title}[/bold]")
            for line in lines:
                console.print(f"  {line}")

    section("Equipment", [f"- {q.name}" + (f": {q.note}" if q.note else "") for q in e.equipment])
    section(
        "Muscles",
        [f"primary: {', '.join(e.muscles.primary)}"]
        + ([f"secondary: {', '.join(e.muscles.secondary)}"] if e.muscles.secondary else []),
    )
    section("Setup", [f"{i}. {s}" for i, s in enumerate(e.setup, 1)])
    section("Execution", [f"{i}. {s}" for i, s in enumerate(e.execution, 1)])
    section("Form cues", [f"- {c.text}" for c in e.cues])
    section("Faults to watch for", [f"- {f.name} ({f.id}): {f.seen} Fix: {f.fix}" for f in e.faults])
    section("Dose", [f"{e.dose.target_text()}, rest {e.dose.rest_s} s between sets"])
    section("Filming it for the camera coach", [e.filming.strip()] if e.filming else [])
    for title, options in (
        ("Variants", e.variants),
        ("Regressions (easier)", e.regressions),
        ("Progressions (harder)", e.progressions),
    ):
        section(title, [f"- {o.name}: {o.how}" for o in options])


# ---------------------------------------------------------------- guided session


@app.command()
def session(
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Answer every prompt with its default (scripted use).")
    ] = False,
    reps: Annotated[
        int | None, typer.Option(min=0, max=100, help="Reps done in every set (default: the top of the range).")
    ] = None,
    load: Annotated[str | None, typer.Option(help="Load for every loaded set: a band name or kg.")] = None,
    rpe: Annotated[float | None, typer.Option(min=1, max=10, help="RPE for every set.")] = None,
    rest: Annotated[
        float | None, typer.Option(min=0, help="Seconds of every rest and stretch hold (0 skips waiting).")
    ] = None,
    only: Annotated[str | None, typer.Option(help="Comma-separated move ids to do today instead of all three.")] = None,
    no_stretch: Annotated[bool, typer.Option("--no-stretch", help="Leave out the stretching routine.")] = False,
) -> None:
    """Today's workout, guided: cues, sets, rest timer and stretching; every set is saved as you log it."""
    from scapula.app.session import Scope
    from scapula.store import get_athlete
    from scapula.terminal_session import Answers, GuidedSession, Terminal

    catalog = _catalog()
    move_ids = tuple(catalog.move(m.strip()).id for m in only.split(",") if m.strip()) if only else None
    answers = Answers(assume_defaults=yes, reps=reps, load=load, rpe=rpe, rest_s=rest)
    with _db() as db:
        # the dose comes from the plan: progression per move and side, lighter weeks and
        # lighter sessions, the session's length
        GuidedSession(
            db, get_athlete(db), catalog, Terminal(console, answers), Scope(only=move_ids, stretching=not no_stretch)
        ).run()


# ---------------------------------------------------------------- log and history


@app.command()
def log(
    exercise_id: Annotated[str, typer.Argument(help="The move (or stretch) id.")],
    reps: Annotated[int | None, typer.Option(help="Reps done (moves).")] = None,
    side: Annotated[str | None, typer.Option(help="left, right or both (default: both for the reverse fly).")] = None,
    load: Annotated[str | None, typer.Option(help="A band name or kg, e.g. 'medium band' or 12.")] = None,
    rpe: Annotated[float | None, typer.Option(help="How hard, 1-10.")] = None,
    hold: Annotated[float | None, typer.Option(help="Seconds held (stretch, or superman hold).")] = None,
    note: Annotated[str | None, typer.Option(help="A note to keep with today's session.")] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Log into the session of this day (YYYY-MM-DD), not today's.")
    ] = None,
) -> None:
    """Record one set (or stretch) without the guided flow, in today's session.

    For supermans, --load names the variant done (e.g. 'opposite leg lift')."""
    from scapula.app import session as sessions
    from scapula.app.inputs import NoteIn, SetIn, StretchIn, parse
    from scapula.store import get_athlete

    catalog = _catalog()
    entry = catalog.get(exercise_id)
    given = {"side": side, "hold_s": hold if hold is not None else entry.dose.hold_s}
    if entry.kind is Kind.stretch:
        done: SetIn | StretchIn = parse(StretchIn, stretch_id=entry.id, **given)
    else:
        if reps is None:
            raise Usage(f"{entry.id}: give --reps")
        done = parse(SetIn, exercise_id=entry.id, reps=reps, load=load, rpe=rpe, **given)
    written = parse(NoteIn, text=note) if note else None
    day = _day(on)
    with _db() as db:
        athlete = get_athlete(db)
        if isinstance(done, StretchIn):
            held = sessions.log_one_stretch(db, athlete, catalog, None, done, day)
            performed = held.session
            console.print(f"Logged {entry.name}, {held.side}: {held.hold_s:g} s held.")
        else:
            record = sessions.log_one_set(db, athlete, catalog, None, done, day)
            performed = record.session
            console.print(
                f"Logged {entry.name}, set {record.set_number} ({record.side}): {record.reps} reps"
                + (f" @ {record.load_label}" if record.load_label else "")
                + (f", RPE {record.rpe:g}" if record.rpe else "")
                + "."
            )
        if written:
            sessions.note(db, athlete, performed, written.text)


def _summarise_move(sets) -> str:
    by_side: dict[str, list] = {}
    for s in sets:
        by_side.setdefault(s.side, []).append(s)
    parts = []
    for side in ("both", "left", "right"):
        if side in by_side:
            reps = [s.reps for s in by_side[side]]
            shown = f"{len(reps)}×{reps[0]}" if len(set(reps)) == 1 else "/".join(map(str, reps))
            parts.append(shown if side == "both" else f"{side[0].upper()} {shown}")
    loads = sorted({s.load_label for s in sets if s.load_label})
    holds = sorted({s.hold_s for s in sets if s.hold_s and not s.load_label})
    tail = f" @ {', '.join(loads)}" if loads else (f" hold {holds[-1]:g} s" if holds else "")
    return " ".join(parts) + tail


def _session_json(performed) -> dict:
    from scapula.clock import as_utc

    def stamp(moment):
        return as_utc(moment).isoformat() if moment else None

    return {
        "id": performed.id,
        "started_at": stamp(performed.started_at),
        "ended_at": stamp(performed.ended_at),
        "completed": performed.completed,
        "sets": [
            {
                "exercise": s.exercise_id,
                "set": s.set_number,
                "side": s.side,
                "reps": s.reps,
                "load": s.load_label,
                "load_kg": s.load_kg,
                "hold_s": s.hold_s,
                "rpe": s.rpe,
                "started_at": stamp(s.started_at),
                "ended_at": stamp(s.ended_at),
            }
            for s in performed.sets
        ],
        "stretches": [
            {"stretch": s.stretch_id, "side": s.side, "hold_s": s.hold_s, "done_at": stamp(s.done_at)}
            for s in performed.stretches
        ],
        "notes": [n.text for n in performed.notes],
    }


@app.command()
def history(
    limit: Annotated[int, typer.Option(help="How many sessions, newest first.")] = 20,
    sets: Annotated[bool, typer.Option("--sets", help="List every set instead of one row per session.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sessions with every set as JSON.")] = False,
) -> None:
    """Past sessions as a table (or JSON)."""
    from scapula.app.inputs import HistoryQuery, parse
    from scapula.clock import as_utc, athlete_zone, on_clock
    from scapula.store import get_athlete
    from scapula.store import history as load_history

    query = parse(HistoryQuery, limit=limit)
    catalog = _catalog()
    with _db() as db:
        athlete = get_athlete(db)
        sessions = load_history(db, athlete=athlete, limit=query.limit)
        zone = athlete_zone(athlete)
    if as_json:
        print(json.dumps([_session_json(p) for p in sessions], indent=2))
        return
    if not sessions:
        console.print("No sessions logged yet. Start one with: scapula session")
        return
    if sets:
        table = Table(title="Sets logged")
        for column in ("date", "move", "set", "side", "reps", "load", "hold s", "RPE"):
            table.add_column(column)
        for performed in sessions:
            day = on_clock(performed.started_at, zone).strftime("%Y-%m-%d %H:%M")
            for s in performed.sets:
                table.add_row(
                    day,
                    s.exercise_id,
                    str(s.set_number),
                    s.side,
                    str(s.reps),
                    s.load_label or "",
                    f"{s.hold_s:g}" if s.hold_s else "",
                    f"{s.rpe:g}" if s.rpe else "",
                )
        console.print(table)
        return
    table = Table(title="Sessions")
    table.add_column("date")
    table.add_column("min")
    for move in catalog.moves:
        table.add_column(move.id.replace("_", " "))
    table.add_column("stretches")
    table.add_column("status")
    for performed in sessions:
        started = as_utc(performed.started_at)
        last = max([as_utc(s.ended_at) for s in performed.sets] + [started])
        ended = as_utc(performed.ended_at) if performed.ended_at else last
        cells = [on_clock(started, zone).strftime("%a %d %b %y %H:%M"), f"{(ended - started).total_seconds() / 60:.0f}"]
        for move in catalog.moves:
            cells.append(_summarise_move([s for s in performed.sets if s.exercise_id == move.id]))
        cells.append(str(len(performed.stretches)) if performed.stretches else "")
        status = "done" if performed.completed else ("stopped early" if performed.ended_at else "unfinished")
        cells.append(status)
        table.add_row(*cells)
    console.print(table)


# ---------------------------------------------------------------- camera coach


def _written(frames, writer):
    """Pass frames through, writing each to the landmark file on the way."""
    for frame in frames:
        writer.write(frame)
        yield frame


def _is_landmark_file(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz"))


@app.command()
def analyze(
    input: Annotated[Path, typer.Argument(help="A video (mp4/mov/avi/webm) or a landmark file (.jsonl).")],
    exercise: Annotated[
        str, typer.Option(help="reverse_fly, chainsaw_row, superman, or auto to recognise it.")
    ] = "auto",
    out: Annotated[Path | None, typer.Option(help="Write the report JSON here.")] = None,
    landmarks_out: Annotated[Path | None, typer.Option(help="Write the pose landmarks (.jsonl) here.")] = None,
    annotate: Annotated[
        Path | None, typer.Option(help="Write the video with the skeleton, rep counts and faults drawn on it (.mp4).")
    ] = None,
    full_rate: Annotated[
        bool, typer.Option("--full-rate", help="Estimate the pose on every frame (default: ~10 a second).")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, max=8, help="Worker processes for video (default: 2).")] = 2,
) -> None:
    """Count reps per side and find form faults in a video or a landmark file."""
    from scapula.vision.analyzer import AUTO
    from scapula.vision.analyzer import analyze as run_analysis
    from scapula.vision.landmarks import LandmarkWriter, read_landmarks
    from scapula.vision.report import build_report, summary_lines

    catalog = _catalog()
    if exercise != AUTO:
        catalog.move(exercise)  # an unknown id is refused with the valid ones
    if annotate is not None and _is_landmark_file(input):
        raise Usage("--annotate needs a video as INPUT, not a landmark file")
    if annotate is not None:
        from scapula.vision.annotated_video import annotate_video

        names = {fault.id: fault.name for move in catalog.moves for fault in move.faults}
        result = annotate_video(
            input, annotate, exercise, names, stride=1 if full_rate else None, landmarks_out=landmarks_out
        ).finish()
    else:
        if _is_landmark_file(input):
            header, frames = read_landmarks(input)
        else:
            from scapula.vision.pipeline import video_frames

            header, frames = video_frames(input, workers=workers, stride=1 if full_rate else None)
        if landmarks_out is None:
            result = run_analysis(header, frames, exercise)
        else:
            with LandmarkWriter(landmarks_out, header) as writer:
                result = run_analysis(header, _written(frames, writer), exercise)
    if result.frames_with_person == 0:
        from scapula.errors import InputFileError

        raise InputFileError(input, f"no person found in any of its {result.frames_total} frames")
    report = build_report(result, catalog)
    for line in summary_lines(report, catalog):
        console.print(line)
    if out is not None:
        out.write_text(json.dumps(report, indent=2))


# ---------------------------------------------------------------- posture check


@app.command()
def posture(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Photos (jpg/png/heic...), a short clip of you standing still, or landmark files (.jsonl)."
        ),
    ] = None,
    view: Annotated[str, typer.Option(help="side, front, or auto (from how the body faces the camera).")] = "auto",
    out: Annotated[Path | None, typer.Option(help="Write the report JSON here.")] = None,
    annotate: Annotated[Path | None, typer.Option(help="Write the picture with the measured lines (.png).")] = None,
    save: Annotated[bool, typer.Option("--save", help="Keep the numbers (not the picture) in your log.")] = False,
    on: Annotated[
        str | None, typer.Option("--date", help="With --save: the day of the check (YYYY-MM-DD), default now.")
    ] = None,
    show_history: Annotated[
        bool, typer.Option("--history", help="Your saved checks: the trend and the change since the first.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report (or the history) as JSON.")] = False,
) -> None:
    """Posture check from a side or front photo or clip: head and shoulders forward, shoulder height, head tilt."""
    from scapula.posture.norms import GUIDANCE

    if show_history:
        if inputs:
            raise Usage("--history shows saved checks: give no INPUT with it")
        _posture_history(as_json)
        return
    if view not in ("auto", "side", "front"):
        raise Usage(f"--view must be side, front or auto, not '{view}'")
    if not inputs:
        for line in GUIDANCE:
            console.print(line, markup=False)
        console.print("Then: scapula posture PHOTO [--view side|front] [--save]", markup=False)
        return
    from datetime import time as dtime

    day = _day(on)
    # the report's moment; a saved check is stored at midday of --date on the athlete's
    # clock (below), and a check that is not saved opens no log to find that clock in
    when = datetime.combine(day, dtime(12, 0)).astimezone() if day else datetime.now().astimezone()
    from scapula.posture import run_check
    from scapula.posture.capture import is_landmark_file
    from scapula.posture.posture_report import build_report, summary_lines

    if annotate is not None and all(is_landmark_file(p) for p in inputs):
        raise Usage("--annotate needs a photo or a clip as INPUT, not only landmark files")
    if not as_json:
        for line in GUIDANCE[:1] + GUIDANCE[1:6]:
            console.print(line, markup=False)
        console.print("")
    result = run_check(inputs, view)
    names = {e.id: e.name for e in _catalog().entries}
    report = build_report(result, names, when)
    if out is not None:
        out.write_text(json.dumps(report, indent=2))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for line in summary_lines(report):
            console.print(line, markup=False, soft_wrap=True)
    if annotate is not None:
        from scapula.posture.annotate import annotate as draw

        drawable = [r for r in result.captures if r.capture.picture is not None and r.shot is not None]
        if drawable:
            draw(drawable[0], report, annotate)
    if save and not result.refused:
        from scapula.app.posture_checks import record_of, save_record
        from scapula.clock import midday_of
        from scapula.store import get_athlete

        with _db() as db:
            athlete = get_athlete(db)
            when = midday_of(day, athlete) if day else when
            save_record(db, athlete, record_of(result, report, when))
        if not as_json:
            console.print(f"Saved the {result.view} check of {when:%Y-%m-%d} (numbers only, no picture).")
    refused = [r for r in result.captures if r.refused]
    for r in refused:
        for problem in r.problems:
            err.print(f"{r.capture.name}: {problem.message}", soft_wrap=True, markup=False)
    if refused:
        raise typer.Exit(1)


def _posture_history(as_json: bool) -> None:
    from scapula.app.posture_checks import history
    from scapula.clock import athlete_zone, on_clock
    from scapula.posture.norms import MDC95_FACTOR, NORMS, VIEW_MEASURES
    from scapula.store import get_athlete

    with _db() as db:
        athlete = get_athlete(db)
        checks, summary = history(db, athlete)
        zone = athlete_zone(athlete)
    if as_json:
        print(
            json.dumps(
                {"checks": [{**c, "checked_at": c["checked_at"].isoformat()} for c in checks], "trend": summary},
                indent=2,
            )
        )
        return
    if not checks:
        console.print("No posture checks saved yet. Take one: scapula posture PHOTO --save")
        return
    for view, measures in VIEW_MEASURES.items():
        mine = [c for c in checks if c["view"] == view]
        if not mine:
            continue
        table = Table(title=f"Posture checks, {view} view")
        table.add_column("date")
        for m in measures:
            table.add_column(f"{NORMS[m].name} (deg)")
        table.add_column("source")
        for c in mine:
            cells = [on_clock(c["checked_at"], zone).strftime("%Y-%m-%d")]
            for m in measures:
                sd = c["uncertainty"].get(m, {}).get("deg")
                value = c[f"{m}_deg"]
                cells.append("" if value is None else f"{value:+.1f} ± {sd:.1f} {c[f'{m}_class']}")
            cells.append(c["source"])
            table.add_row(*cells)
        console.print(table)
        for t in summary.get(view, {}).values():
            slope = (
                f", trend {t['trend_deg_per_30_days']:+.1f} deg / 30 days"
                if t["trend_deg_per_30_days"] is not None
                else ""
            )
            console.print(
                f"  {t['name']}: first {t['first']['deg']:+.1f}, latest {t['latest']['deg']:+.1f}, "
                f"change {t['change_deg']:+.1f} deg (noise: ±{t['mdc95_deg']:.1f}) -> {t['verdict']}{slope}",
                markup=False,
                soft_wrap=True,
            )
    console.print(
        f"A change counts as real when it is larger than 1.96 x sqrt(2) x SD (={MDC95_FACTOR:.2f} SD) of one check.",
        markup=False,
    )


# ---------------------------------------------------------------- plan


def _weekdays(text: str, option: str) -> list[int]:
    """'tue,thu' -> [1, 3]; 'none' -> []."""
    from scapula.preferences import weekdays

    return weekdays(text, option)


def _race(text: str) -> tuple[date, str]:
    day_text, _, name = text.partition("=")
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise Usage(f"--race: '{day_text}' is not a date like 2026-12-13 (then =NAME if you like)") from None
    return day, name.strip() or "race"


@app.command()
def plan(
    weeks: Annotated[int, typer.Option(help="How many weeks to show (1-12).")] = 3,
    sessions: Annotated[int | None, typer.Option(help="Upper-back sessions a week, 2 or 3 (kept).")] = None,
    long_run: Annotated[
        str | None, typer.Option("--long-run", help="Your long-run day, e.g. sun ('none' to clear).")
    ] = None,
    hard: Annotated[str | None, typer.Option(help="Your hard-session days, e.g. tue,thu ('none' to clear).")] = None,
    rest: Annotated[str | None, typer.Option(help="Your rest days, e.g. mon,fri ('none' to clear).")] = None,
    race: Annotated[list[str] | None, typer.Option(help="A race you entered: DATE[=NAME], repeatable.")] = None,
    at: Annotated[str | None, typer.Option("--time", help="Preferred session time, HH:MM (for the calendar).")] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Your time zone, e.g. Europe/Berlin (default: this machine's).")
    ] = None,
    strictness: Annotated[
        str | None,
        typer.Option(
            help="'fit': fit the sessions you asked for, bending a rule (mildest first) when the ideal days "
            "cannot hold them (the default); 'ideal': only ideal days (kept)."
        ),
    ] = None,
    minutes: Annotated[
        str | None, typer.Option(help="The longest session you want, 20-60 minutes (default 25; kept).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    today: Annotated[str | None, typer.Option(hidden=True, help="Plan as if today were this date.")] = None,
) -> None:
    """The coming weeks: which days get an upper-back session, why, and at what dose."""
    from scapula.app import setup
    from scapula.app.inputs import AthleteUpdate, PlanQuery, RaceIn, parse
    from scapula.app.planning import make_plan
    from scapula.clock import today_for
    from scapula.plan.show import plan_json, print_plan
    from scapula.preferences import DAYS
    from scapula.store import get_athlete

    query = parse(PlanQuery, weeks=weeks)
    given: dict = {}
    if strictness is not None:
        given["strictness"] = strictness.strip().lower()
    if minutes is not None:
        given["session_minutes"] = minutes
    if sessions is not None:
        given["sessions_per_week"] = sessions
    if long_run is not None:
        days = _weekdays(long_run, "--long-run")
        if len(days) > 1:
            raise Usage("--long-run: one day, e.g. sun")
        given["long_run_day"] = DAYS[days[0]] if days else None
    if hard is not None:
        given["hard_days"] = [DAYS[d] for d in _weekdays(hard, "--hard")]
    if rest is not None:
        given["rest_days"] = [DAYS[d] for d in _weekdays(rest, "--rest")]
    if at is not None:
        given["session_time"] = at
    if tz is not None:
        given["timezone"] = tz
    change = parse(AthleteUpdate, **given)
    races = [parse(RaceIn, day=day, name=name) for day, name in (_race(r) for r in race or [])]
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise Usage(f"--today: '{today}' is not a date") from None
    catalog = _catalog()
    with _db() as db:
        athlete = get_athlete(db)
        if given:
            setup.change_week(db, athlete, change)
        for entered in races:
            setup.add_race(db, athlete, entered, today=day)
        day = day or today_for(athlete)
        result = make_plan(db, athlete, catalog, today=day, weeks=query.weeks)
    if as_json:
        console.print_json(data=plan_json(result))
    else:
        print_plan(console, result, catalog)


def _planned(weeks: int):
    from scapula.app.planning import plan_for
    from scapula.store import get_athlete

    catalog = _catalog()
    with _db() as db:
        athlete = get_athlete(db)
        return plan_for(db, athlete, catalog, weeks), athlete, catalog


@export_app.command("ics")
def export_ics(
    file: Annotated[
        Path, typer.Argument(help="The .ics file to write (re-export to the same file updates its events).")
    ],
    weeks: Annotated[int, typer.Option(help="How many weeks of the plan (1-12).")] = 4,
    alarm: Annotated[int, typer.Option(help="Reminder, minutes before (0-1440).")] = 30,
) -> None:
    """Write the coming sessions as calendar events (one each, with a reminder)."""
    from scapula.app.inputs import CalendarQuery, parse
    from scapula.export import write_ics

    query = parse(CalendarQuery, weeks=weeks, alarm=alarm)
    plan, athlete, catalog = _planned(query.weeks)
    count = write_ics(plan.sessions, catalog, file, tz=athlete.timezone, alarm_minutes=query.alarm)
    console.print(f"Wrote {count} sessions to {file} ({len(plan.upcoming())} to come).")


@export_app.command("fit")
def export_fit(
    directory: Annotated[Path, typer.Argument(help="Folder for the FIT workout files (created if missing).")],
    weeks: Annotated[int, typer.Option(help="How many weeks of the plan (1-12).")] = 2,
) -> None:
    """Write one Garmin FIT workout file per coming session, for Garmin Connect or the watch's NewFiles folder."""
    from scapula.app.inputs import WorkoutsQuery, parse
    from scapula.export import write_fit_workouts

    plan, _, catalog = _planned(parse(WorkoutsQuery, weeks=weeks).weeks)
    paths = write_fit_workouts(plan.upcoming(), catalog, directory)
    console.print(f"Wrote {len(paths)} workout files to {directory}.")
    for path in paths:
        console.print(f"  {path.name}")


# ---------------------------------------------------------------- running


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _local_start(run, zone):
    """The run's start in its own local time when the file said, else on ``zone`` (the
    athlete's clock)."""
    from datetime import timedelta, timezone

    from scapula.clock import on_clock

    if run.utc_offset_min is not None:
        return on_clock(run.started_at, timezone(timedelta(minutes=run.utc_offset_min)))
    return on_clock(run.started_at, zone)


def _run_line(run, zone) -> str:
    pace = run.avg_pace_s_per_km
    hr = "" if run.avg_hr is None else f"HR {run.avg_hr:.0f}" + (f"/{run.max_hr:.0f}" if run.max_hr else "")
    sport = run.sport + (f"/{run.sub_sport}" if run.sub_sport else "")
    if run.legs:  # multisport: its legs in order
        sport += " (" + " + ".join(f"{leg['sport']} {_clock(leg['duration_s'])}" for leg in run.legs) + ")"
    parts = [
        _local_start(run, zone).strftime("%Y-%m-%d %H:%M"),
        sport,
        _clock(run.duration_s),
        f"{run.distance_m / 1000:.2f} km" if run.distance_m else "",
        f"{_clock(pace)} /km" if pace else "",
        hr,
        run.name or "",
    ]
    return "  ".join(p for p in parts if p)


def _run_json(run) -> dict:
    from scapula.clock import as_utc

    return {
        "id": run.id,
        "started_at": as_utc(run.started_at).isoformat(),
        "local_start": _local_start(run, None).isoformat() if run.utc_offset_min is not None else None,
        "utc_offset_min": run.utc_offset_min,
        "sport": run.sport,
        "sub_sport": run.sub_sport,
        "name": run.name,
        "duration_s": run.duration_s,
        "elapsed_s": run.elapsed_s,
        "distance_m": run.distance_m,
        "avg_pace_s_per_km": run.avg_pace_s_per_km,
        "avg_hr": run.avg_hr,
        "max_hr": run.max_hr,
        "laps": run.laps,
        "splits": run.splits,
        "legs": run.legs or [],
        "energy_kcal": run.energy_kcal,
        "source_kind": run.source_kind,
        "source_name": run.source_name,
        "external_id": run.external_id,
        "sha256": run.sha256,
    }


# Past this many items a progress bar shows (on a terminal) and runs are only counted.
FEW_FILES = 20


@app.command("import")
def import_runs(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="FIT, GPX or TCX files (.gz too), folders of them, a Strava bulk export (folder or .zip) "
            "or an Apple Health export (export.zip, its folder or export.xml)."
        ),
    ],
    workers: Annotated[
        int | None, typer.Option(min=1, max=32, help="Worker processes that read the files (default: one per core).")
    ] = None,
) -> None:
    """Import your running from activity files; the same run is never stored twice."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from scapula.clock import athlete_zone
    from scapula.runs import Outcome, import_paths
    from scapula.store import get_athlete

    progress = Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True
    )
    state: dict = {"task": None, "few": True}

    def on_items(count: int) -> None:
        state["few"] = count <= FEW_FILES
        if not state["few"] and err.is_terminal:
            progress.start()
            state["task"] = progress.add_task("import", total=count)

    def report(outcome: Outcome) -> None:
        if outcome.status in ("error", "note"):
            # one line naming the file and the problem; a note is a skip, not a failure
            tail = " (skipped)" if outcome.status == "note" else ""
            progress.console.print(f"{outcome.where}: {outcome.message}{tail}", soft_wrap=True, markup=False)
        elif state["few"]:
            for run in outcome.runs:
                console.print(_run_line(run, state["zone"]), soft_wrap=True, markup=False)
            if outcome.duplicates and not outcome.runs:
                what = outcome.message or "already imported"
                console.print(f"{outcome.where}: duplicate ({what})", soft_wrap=True, markup=False)
            elif outcome.message:
                console.print(f"{outcome.where}: {outcome.message}", soft_wrap=True, markup=False)
        elif outcome.message and outcome.runs:
            # what was salvaged or guessed is said however many files there are
            console.print(f"{outcome.where}: {outcome.message}", soft_wrap=True, markup=False)
        if state["task"] is not None:
            progress.advance(state["task"])

    try:
        with _db() as db:
            athlete = get_athlete(db)
            state["zone"] = athlete_zone(athlete)
            summary = import_paths(db, athlete=athlete, paths=paths, report=report, workers=workers, on_items=on_items)
    finally:
        if state["task"] is not None:
            progress.stop()
    noun = "run" if summary.imported == 1 else "runs"
    dups = "duplicate" if summary.duplicates == 1 else "duplicates"
    console.print(f"imported {summary.imported} {noun} ({summary.duplicates} {dups}, {summary.skipped} skipped)")
    if summary.errors:
        raise typer.Exit(1)


@app.command()
def runs(
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs with laps and splits as JSON.")] = False,
    since: Annotated[str | None, typer.Option(help="Only runs from this day on (YYYY-MM-DD, on your clock).")] = None,
) -> None:
    """The runs you imported, oldest first."""
    from datetime import time, timedelta

    from scapula.clock import athlete_zone
    from scapula.store import get_athlete, runs_between

    day = _day(since, "--since")
    with _db() as db:
        athlete = get_athlete(db)
        zone = athlete_zone(athlete)
        start = datetime.combine(day or date(1970, 1, 1), time(), tzinfo=zone)
        found = runs_between(db, athlete, start, datetime.now(zone) + timedelta(days=3650))
    if as_json:
        print(json.dumps([_run_json(r) for r in found], indent=2))
        return
    if not found:
        console.print("No runs imported yet. Import some: scapula import PATH...")
        return
    for run in found:
        console.print(_run_line(run, zone), soft_wrap=True, markup=False)


# ---------------------------------------------------------------- equipment


@equipment_app.callback(invoke_without_command=True)
def equipment_list(ctx: typer.Context) -> None:
    """List the equipment you own."""
    if ctx.invoked_subcommand is not None:
        return
    from scapula.store import get_athlete, list_equipment

    with _db() as db:
        items = list_equipment(db, athlete=get_athlete(db))
    if not items:
        console.print(
            "No equipment yet. Add some: scapula equipment add band medium; scapula equipment add kettlebell 12"
        )
        return
    table = Table(title="Your equipment")
    for column in ("kind", "label", "kg"):
        table.add_column(column)
    for item in items:
        table.add_row(item.kind, item.label, f"{item.kg:g}" if item.kg is not None else "")
    console.print(table)


@equipment_app.command("add")
def equipment_add(
    kind: Annotated[str, typer.Argument(help="band or kettlebell")],
    value: Annotated[str, typer.Argument(help="band: its resistance as sold (e.g. 'medium' or 'red'); kettlebell: kg")],
    kg: Annotated[float | None, typer.Option(min=0, help="A band's rated pull in kg, if known.")] = None,
) -> None:
    """Add a band or a kettlebell you own."""
    from scapula.app.inputs import EquipmentIn, parse
    from scapula.app.setup import add_item
    from scapula.store import get_athlete

    wanted = parse(EquipmentIn, kind=kind, value=value, kg=kg)
    with _db() as db:
        item = add_item(db, get_athlete(db), wanted)
    console.print(f"Added {item.label}.")


# ---------------------------------------------------------------- web app


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on. Anything but 127.0.0.1 opens the app to your network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on (plain HTTP).")] = 8000,
    upload_limit_mb: Annotated[
        float, typer.Option("--upload-limit-mb", min=1, max=2000, help="Largest upload accepted (running files), MB.")
    ] = 50,
    https: Annotated[
        bool,
        typer.Option(
            "--https",
            help="Also serve HTTPS (on --https-port) with a certificate Scapula makes, so that a phone on your "
            "network can use its camera; plain HTTP from the network then redirects there.",
        ),
    ] = False,
    https_port: Annotated[int, typer.Option(min=1, max=65535, help="Port of HTTPS, with --https.")] = 8443,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host", help="Another host name to answer to (repeat for more), e.g. a router's DNS name."
        ),
    ] = None,
) -> None:
    """The web app: setup, plan, guided sessions and progress in your browser (http://127.0.0.1:8000).

    For a phone as the camera: scapula serve --host 0.0.0.0 --https, then scan the QR code shown."""
    import logging

    from scapula.web.app import Config, create_app
    from scapula.web.security import host_name

    extra = tuple(allow_host or ())
    for name in extra:
        if host_name(name) != name.lower() or ":" in name:
            raise InvalidInputError(f"--allow-host: '{name}' is not a host name or address")
    if https and https_port == port:
        raise InvalidInputError("--https-port: must differ from --port (plain HTTP stays on --port)")
    # the server's own lines (jobs queued, done, failed) go to standard error with the time
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    config = Config(
        db_url=settings.db_url,
        data_dir=settings.data_dir,
        catalog_dir=settings.catalog,
        upload_limit_mb=upload_limit_mb,
        host=host,
        port=port,
        https=https,
        https_port=https_port,
        allow_hosts=extra,
    )
    web = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"Scapula on http://{shown}:{port} (log: {settings.db_url}). Ctrl-C stops it.")
    if not web.state.browser_pose:
        err.print("The in-browser pose files are not installed (make install): phones send frames to this computer.")
    if config.on_network:
        err.print(f"[yellow]Listening on {host}: phones on your network can open it once paired.[/yellow]")
    if https:
        _serve_https(web, config)
        return
    import uvicorn

    if config.on_network:
        _show_pairing(web)
    uvicorn.run(web, host=host, port=port, log_level="warning")


def _show_pairing(web) -> None:
    """The pairing QR code in the terminal, with the addresses a phone uses."""
    from scapula.web.pairing import qr_terminal
    from scapula.web.routes.phone import addresses

    where = addresses(web)
    if where["app"] is None:
        err.print("No network address found for this machine: a phone cannot reach it.")
        return
    url = f"{where['app']}/pair?token={web.state.pairing.new_token()}"
    minutes = round(web.state.pairing.ttl_s / 60)
    err.print(f"To use a phone as the camera, scan this with it (works once, for {minutes} minutes):")
    sys.stderr.write(qr_terminal(url))
    err.print(f"  {url}", soft_wrap=True)
    if where["ca"] is not None:
        err.print(f"Trust Scapula's certificate on the phone first (no warning then): {where['ca']}")
    err.print(f"A new code, and how to trust the certificate: http://127.0.0.1:{web.state.config.port}/phone")


def _serve_https(web, config) -> None:
    """HTTPS on config.https_port and the plain-HTTP listener on config.port, in one event loop."""
    import asyncio

    import uvicorn

    from scapula.web.plain import PlainHttp

    certificates = web.state.certificates
    for what in certificates.made:
        err.print(f"Made a new {what}, in {certificates.folder}.")
    shown = f"[{config.host}]" if ":" in config.host else config.host
    err.print(f"HTTPS on https://{shown}:{config.https_port}; plain HTTP on port {config.port} redirects there.")
    if config.on_network:
        _show_pairing(web)
    secure = uvicorn.Config(
        web,
        host=config.host,
        port=config.https_port,
        log_level="warning",
        ssl_certfile=str(certificates.cert),
        ssl_keyfile=str(certificates.key),
    )
    plain = uvicorn.Config(
        PlainHttp(web, certificates, config.https_port, web.state.allowed_hosts),
        host=config.host,
        port=config.port,
        log_level="warning",
        lifespan="off",
    )

    async def both() -> None:
        await asyncio.gather(uvicorn.Server(secure).serve(), uvicorn.Server(plain).serve())

    asyncio.run(both())


# ---------------------------------------------------------------- entry point


def main() -> None:
    try:
        app()  # Typer handles usage errors, Ctrl-C (exit 130) and its own exits
    except (UnknownExerciseError, InvalidInputError) as e:
        err.print(f"error: {e}", soft_wrap=True)
        sys.exit(2)
    except ScapulaError as e:
        err.print(f"error: {e}", soft_wrap=True)
        sys.exit(1)
