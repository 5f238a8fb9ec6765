"""The plan: runs and races in, the coming weeks out (and kept), and what is made of it
(the calendar file, the watch workouts, the weeks done against planned).

`make_plan` reads the imported runs, the declared week, the races and the training log,
places the sessions (schedule.py), sets each move's dose (progression.py) and writes the
placements back as planned sessions, so a later call can tell a missed session from a
done one and calendar exports keep their UIDs.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from scapula.app.scratch import work_folder
from scapula.catalog import Catalog
from scapula.clock import athlete_zone, on_clock, today_for
from scapula.plan.model import Plan, Prescription, SessionPlan
from scapula.plan.progression import Decision, LoggedSet, Owned, Progression
from scapula.plan.schedule import LIGHTER, Calendar, Placement, Scheduler, Strictness, WeekPlan
from scapula.plan.week import PATTERN_WEEKS, Template, classify_days, usual_week
from scapula.store.models import Athlete, PlannedSession
from scapula.store.queries import (
    first_planned_day,
    list_equipment,
    logged_sets,
    planned_sessions,
    races,
    runs_since,
    save_planned_sessions,
    sessions_of,
)
from scapula.workout import MAX_MINUTES, Workout, todays_workout


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _log(db: Session, athlete: Athlete, exclude_session_id: int | None = None) -> list[LoggedSet]:
    return [
        LoggedSet(r.session_id, started, r.exercise_id, r.side, r.reps, r.load_label, r.load_kg, r.hold_s, r.rpe)
        for r, started in logged_sets(db, athlete=athlete, exclude_session_id=exclude_session_id)
    ]


def planned_workout(
    catalog: Catalog, decisions: list[Decision], *, light: bool, kettlebell: bool = True, max_minutes: int = MAX_MINUTES
) -> Workout:
    """A planned session's workout: the progression laid over the catalog dose, two sets a
    move when `light`, the kettlebell moves left out unless `kettlebell`, kept to the time."""
    return todays_workout(
        catalog, day=date.min, decisions=decisions, light=light, kettlebell=kettlebell, max_minutes=max_minutes
    )


def prescriptions(workout: Workout) -> tuple[Prescription, ...]:
    """The workout's blocks as one prescription a move, sides merged."""
    items: list[Prescription] = []
    for b in workout.moves + workout.stretches:
        loads = set(b.loads.values())
        if b.variant:
            label, kg = b.variant, None
        elif len(loads) == 1:
            label, kg = loads.pop()
        elif loads:  # the sides progressed apart (unilateral moves only)
            label, kg = " / ".join(f"{side[0].upper()} {lab}" for side, (lab, _) in b.loads.items()), None
        else:
            label, kg = None, None
        variant = next((o.id for o in b.entry.variants if o.name == b.variant), None)
        fewer = b.why and b.sets < b.entry.dose.sets
        why = b.why + (f"; {b.sets} sets in this session" if fewer else "")
        items.append(
            Prescription(
                exercise_id=b.entry.id,
                sets=b.sets,
                per_side=b.entry.dose.per_side,
                reps_min=b.reps_min,
                reps_max=b.reps_max,
                hold_s=b.hold_s,
                rest_s=b.rest_s,
                load_label=label,
                load_kg=kg,
                variant=variant,
                why=why,
            )
        )
    return tuple(items)


def make_plan(
    db: Session, athlete: Athlete, catalog: Catalog, *, today: date, weeks: int = 3, keep: bool = True
) -> Plan:
    tz = athlete_zone(athlete)
    this_monday = _monday(today)
    since = this_monday - timedelta(weeks=PATTERN_WEEKS + 1)
    runs = runs_since(db, athlete=athlete, since=datetime.combine(since, datetime.min.time(), tz))
    race_days = {r.day: r.name for r in races(db, athlete=athlete)}
    days = classify_days(runs, tz, races=race_days)
    template = Template(athlete.long_run_day, tuple(athlete.hard_days or ()), tuple(athlete.rest_days or ()))
    usual = usual_week(days, today=today, template=template)

    performed = sessions_of(db, athlete=athlete)
    done = sorted({on_clock(p.started_at, tz).date() for p in performed if p.sets})
    stored = planned_sessions(db, athlete=athlete, first=this_monday - timedelta(days=7))
    first_planned = first_planned_day(db, athlete=athlete)
    anchor = _monday(min([today] + done[:1] + ([first_planned] if first_planned else [])))
    held: dict[date, list[date]] = defaultdict(list)
    for row in stored:
        if row.status in ("planned", "done") and row.day >= this_monday:
            held[_monday(row.day)].append(row.day)

    cal = Calendar(usual, days, race_days, today)
    scheduler = Scheduler(
        cal,
        sessions_per_week=athlete.sessions_per_week,
        anchor=anchor,
        strictness=Strictness(athlete.strictness or Strictness.fit.value),
    )
    week_plans = scheduler.plan(
        this_monday, weeks, done=[d for d in done if d < this_monday + timedelta(weeks=weeks)], planned_before=held
    )

    decisions = progression_decisions(db, athlete, catalog)
    max_minutes = athlete.session_minutes or MAX_MINUTES
    workouts = {
        (light, kettlebell): planned_workout(
            catalog, decisions, light=light, kettlebell=kettlebell, max_minutes=max_minutes
        )
        for light in (False, True)
        for kettlebell in (False, True)
    }

    sessions: list[SessionPlan] = []
    for week in week_plans:
        mine = [row for row in stored if _monday(row.day) == week.monday and row.uid]
        for placement, uid in _uids(week, mine):
            workout = workouts[(week.deload or week.race_week or placement.light, not placement.light)]
            status = "planned" if placement.status == "moved" else placement.status
            notes = ((LIGHTER,) if placement.light else ()) + workout.notes
            sessions.append(
                SessionPlan(
                    uid=uid,
                    day=placement.day,
                    minutes=workout.minutes(),
                    reason=placement.reason,
                    items=prescriptions(workout),
                    deload=week.deload,
                    race_week=week.race_week,
                    start=athlete.session_time,
                    status=status,
                    notes=notes,
                    bends=tuple(b.value for b in placement.bends),
                    light=placement.light,
                )
            )
    plan = Plan(usual, week_plans, sessions, decisions, scheduler.strictness, max_minutes)
    if keep:
        _keep(db, athlete, plan)
    return plan


def session_dose(plan: Plan, day: date) -> dict:
    """How the session done on `day` is dosed, as `todays_workout`'s keyword arguments: two
    sets a move in a deload or race week, the lighter session when the plan placed one on
    the day, and the athlete's session length."""
    week = next((w for w in plan.weeks if w.monday <= day < w.monday + timedelta(days=7)), None)
    placed = next((s for s in plan.sessions if s.day == day and s.status == "planned"), None)
    lighter = placed is not None and placed.light
    return {
        "light": lighter or (week is not None and (week.deload or week.race_week)),
        "kettlebell": not lighter,
        "max_minutes": plan.max_minutes,
    }


def progression_decisions(
    db: Session, athlete: Athlete, catalog: Catalog, *, exclude_session_id: int | None = None
) -> list[Decision]:
    """Each move's and side's next dose from the log. ``exclude_session_id`` leaves a session
    out: a session in progress is dosed from the ones before it, so its own sets do not
    move the targets while it is being logged."""
    owned = [Owned(e.kind, e.label, e.kg, e.resistance) for e in list_equipment(db, athlete=athlete)]
    progression = Progression(catalog, owned)
    log = _log(db, athlete, exclude_session_id)
    return [progression.decide(e.id, side, log) for e in catalog.moves for side in e.sides]


def _uids(week: WeekPlan, rows: list[PlannedSession]) -> list[tuple[Placement, str]]:
    """Each placement's UID: its day's stored row, the missed row it stands in for, or a
    stored row left without a day (the event moves), or a new slot of the week."""
    by_day: dict[date | None, str | None] = {row.day: row.uid for row in rows}
    used: set[str | None] = set()
    out: list[tuple[Placement, str | None]] = []
    for p in week.sessions:
        day = p.replaces if p.status == "moved" else p.day
        uid = by_day.get(day) if by_day.get(day) not in used else None
        if uid:
            used.add(uid)
        out.append((p, uid))
    spare = [
        row.uid
        for row in sorted(rows, key=lambda r: r.day)
        if row.uid and row.uid not in used and row.status == "planned"
    ]
    iso = week.monday.isocalendar()
    slot = 1
    taken = {row.uid for row in rows}
    result: list[tuple[Placement, str]] = []
    for p, uid in out:
        if uid is None and spare:
            uid = spare.pop(0)
        while uid is None:
            candidate = f"scapula-{iso.year}-W{iso.week:02d}-{slot}"
            slot += 1
            if candidate not in taken:
                uid = candidate
        taken.add(uid)
        result.append((p, uid))
    for uid in spare:  # a planned slot the new plan has no day for
        row = next(r for r in rows if r.uid == uid)
        result.append((Placement(row.day, f"{row.reason} — no longer fits the plan", "dropped"), uid))
    return result


def _keep(db: Session, athlete: Athlete, plan: Plan) -> None:
    save_planned_sessions(
        db,
        athlete=athlete,
        slots=[
            {
                "uid": s.uid,
                "day": s.day,
                "status": s.status,
                "reason": s.reason,
                "deload": s.deload,
                "race_week": s.race_week,
            }
            for s in plan.sessions
        ],
    )


# ---------------------------------------------------------------- the plan from today, and what is made of it


def plan_for(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 3, keep: bool = True) -> Plan:
    """``make_plan`` from today in the athlete's zone. ``keep`` writes the placements back, as
    ``scapula plan`` does, so a missed session is told from a done one later."""
    return make_plan(db, athlete, catalog, today=today_for(athlete), weeks=weeks, keep=keep)


def room_warning(db: Session, athlete: Athlete, catalog: Catalog) -> str:
    """'' when a normal week of the plan holds the sessions asked for; else what it lacks and
    why, read from the plan itself (the next full week, clear of today's position)."""
    plan = plan_for(db, athlete, catalog, weeks=2, keep=False)
    week = plan.weeks[-1]
    held = [p for p in week.sessions if p.status in ("planned", "moved", "done")]
    if week.race_week or len(held) >= athlete.sessions_per_week:
        return ""
    why = " ".join(week.notes)
    how = (
        "only on ideal days, as you chose (placing the sessions: fit what I asked for would bend a rule to fit more)"
        if athlete.strictness == "ideal"
        else "even bending a rule (never two days in a row, never on the long run or before a race)"
    )
    return (
        f"Your running week leaves room for {len(held)} of the {athlete.sessions_per_week} upper-back "
        f"sessions you asked for, {how}. {why}"
    ).strip()


def ics_bytes(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 4, alarm: int = 30) -> bytes:
    """The calendar file, built in memory (no path from the request is ever written).

    As ``scapula export ics`` does with the file it writes over, each event's SEQUENCE is
    carried on from the last file handed out (kept in the database): unchanged events keep
    theirs, changed ones go up by one, so importing the new file updates the calendar."""
    from icalendar import Calendar

    from scapula.export import build_calendar

    plan = plan_for(db, athlete, catalog, weeks)
    start: dict[str, Any] = {"default_start": athlete.session_time} if athlete.session_time else {}
    previous = None
    if athlete.calendar_export:
        try:
            previous = Calendar.from_ical(athlete.calendar_export)
        except ValueError:  # unreadable: start the numbering again rather than fail the download
            previous = None
    data = build_calendar(
        plan.sessions, catalog, tz=athlete.timezone, alarm_minutes=alarm, previous=previous, **start
    ).to_ical()
    athlete.calendar_export = data.decode("utf-8")
    db.commit()
    return data


def fit_zip(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 2) -> tuple[bytes, int]:
    """One FIT workout per coming session, written by ``write_fit_workouts`` into a temporary
    folder of our own and returned as a zip (with the number of workouts)."""
    from scapula.export import write_fit_workouts

    plan = plan_for(db, athlete, catalog, weeks)
    buffer = io.BytesIO()
    with work_folder("fit") as folder:
        paths = write_fit_workouts(plan.upcoming(), catalog, folder)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, arcname=path.name)
    return buffer.getvalue(), len(paths)


# ---------------------------------------------------------------- sessions done vs planned


@dataclass
class WeekCount:
    monday: date
    planned: int
    done: int


def weeks_done_vs_planned(db: Session, athlete: Athlete, weeks: int = 8) -> list[WeekCount]:
    """For each of the last ``weeks`` weeks (this one included): sessions the plan placed
    (kept placements that were not replaced by a move) and sessions with at least one set."""
    tz = athlete_zone(athlete)
    today = today_for(athlete)
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    planned_rows = planned_sessions(db, athlete=athlete, first=first, before=this_monday + timedelta(days=7))
    done_rows = sessions_of(db, athlete=athlete)
    out = []
    for i in range(weeks):
        monday = first + timedelta(weeks=i)
        sunday = monday + timedelta(days=6)
        planned = sum(1 for r in planned_rows if monday <= r.day <= sunday and r.status != "moved")
        done = sum(1 for p in done_rows if p.sets and monday <= on_clock(p.started_at, tz).date() <= sunday)
        out.append(WeekCount(monday, planned, done))
    return out
