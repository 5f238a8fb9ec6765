"""The plan from the store: runs and races in, the coming weeks out (and kept).

`make_plan` reads the imported runs, the declared week, the races and the training log,
places the sessions (schedule.py), sets each move's dose (progression.py) and writes the
placements back as planned sessions, so a later call can tell a missed session from a
done one and calendar exports keep their UIDs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from scapula.catalog import Catalog
from scapula.errors import ScapulaError
from scapula.plan.model import Prescription, SessionPlan
from scapula.plan.progression import Decision, LoggedSet, Owned, Progression
from scapula.plan.schedule import LIGHTER, Calendar, Placement, Scheduler, Strictness, WeekPlan
from scapula.plan.week import PATTERN_WEEKS, Template, UsualWeek, classify_days, usual_week
from scapula.store.models import (
    Athlete,
    Equipment,
    PerformedSession,
    PlannedSession,
    Race,
    Run,
    SetRecord,
)
from scapula.store.queries import save_planned_sessions
from scapula.workout import MAX_MINUTES, Workout, todays_workout



def athlete_zone(athlete: Athlete) -> tzinfo:
    if athlete.timezone:
        try:
            return ZoneInfo(athlete.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ScapulaError(f"unknown time zone '{athlete.timezone}'") from e
    return datetime.now().astimezone().tzinfo  # this machine's


def midday_of(day: date, athlete: Athlete) -> datetime:
    """Midday of a day on the athlete's clock: a set or a check logged "on" a day lands on
    that day whatever this machine's clock says."""
    return datetime.combine(day, time(12, 0), tzinfo=athlete_zone(athlete))


@dataclass
class Plan:
    usual: UsualWeek
    weeks: list[WeekPlan]
    sessions: list[SessionPlan]  # every placement of the planned weeks, all statuses
    decisions: list[Decision]
    strictness: Strictness = Strictness.fit
    max_minutes: int = MAX_MINUTES  # the longest session the athlete wants

    def upcoming(self) -> list[SessionPlan]:
        return [s for s in self.sessions if s.status == "planned"]


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _log(db: Session, athlete: Athlete, exclude_session_id: int | None = None) -> list[LoggedSet]:
    query = (select(SetRecord, PerformedSession.started_at)
             .join(PerformedSession)
             .where(PerformedSession.athlete_id == athlete.id))
    if exclude_session_id is not None:
        query = query.where(PerformedSession.id != exclude_session_id)
    rows = db.execute(query).all()
    return [LoggedSet(r.session_id, started, r.exercise_id, r.side, r.reps, r.load_label,
                      r.load_kg, r.hold_s, r.rpe) for r, started in rows]


def planned_workout(catalog: Catalog, decisions: list[Decision], *, light: bool, kettlebell: bool = True,
                    max_minutes: int = MAX_MINUTES) -> Workout:
    """A planned session's workout: the progression laid over the catalog dose, two sets a
    move when `light`, the kettlebell moves left out unless `kettlebell`, kept to the time."""
    return todays_workout(catalog, day=date.min, decisions=decisions, light=light,
                          kettlebell=kettlebell, max_minutes=max_minutes)


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
        items.append(Prescription(
            exercise_id=b.entry.id, sets=b.sets, per_side=b.entry.dose.per_side,
            reps_min=b.reps_min, reps_max=b.reps_max, hold_s=b.hold_s, rest_s=b.rest_s,
            load_label=label, load_kg=kg, variant=variant, why=why))
    return tuple(items)


def make_plan(db: Session, athlete: Athlete, catalog: Catalog, *, today: date,
              weeks: int = 3, keep: bool = True) -> Plan:
    tz = athlete_zone(athlete)
    this_monday = _monday(today)
    since = this_monday - timedelta(weeks=PATTERN_WEEKS + 1)
    runs = db.scalars(select(Run).where(Run.athlete_id == athlete.id,
                                        Run.started_at >= datetime.combine(since, datetime.min.time(), tz))
                      ).all()
    races = {r.day: r.name for r in db.scalars(select(Race).where(Race.athlete_id == athlete.id))}
    days = classify_days(runs, tz, races=races)
    template = Template(athlete.long_run_day, tuple(athlete.hard_days or ()), tuple(athlete.rest_days or ()))
    usual = usual_week(days, today=today, template=template)

    performed = db.scalars(select(PerformedSession).where(PerformedSession.athlete_id == athlete.id)).all()
    done = sorted({p.started_at.astimezone(tz).date() for p in performed if p.sets})
    stored = db.scalars(select(PlannedSession).where(PlannedSession.athlete_id == athlete.id,
                                                     PlannedSession.day >= this_monday - timedelta(days=7))
                        ).all()
    first_planned = db.scalars(select(PlannedSession.day).where(PlannedSession.athlete_id == athlete.id)
                               .order_by(PlannedSession.day).limit(1)).first()
    anchor = _monday(min([today] + done[:1] + ([first_planned] if first_planned else [])))
    held: dict[date, list[date]] = defaultdict(list)
    for row in stored:
        if row.status in ("planned", "done") and row.day >= this_monday:
            held[_monday(row.day)].append(row.day)

    cal = Calendar(usual, days, races, today)
    scheduler = Scheduler(cal, sessions_per_week=athlete.sessions_per_week, anchor=anchor,
                          strictness=Strictness(athlete.strictness or Strictness.fit.value))
    week_plans = scheduler.plan(this_monday, weeks, done=[d for d in done if d < this_monday + timedelta(weeks=weeks)],
                                planned_before=held)

    decisions = progression_decisions(db, athlete, catalog)
    max_minutes = athlete.session_minutes or MAX_MINUTES
    workouts = {(light, kettlebell): planned_workout(catalog, decisions, light=light, kettlebell=kettlebell,
                                                     max_minutes=max_minutes)
                for light in (False, True) for kettlebell in (False, True)}

    sessions: list[SessionPlan] = []
    for week in week_plans:
        mine = [row for row in stored if _monday(row.day) == week.monday and row.uid]
        for placement, uid in _uids(week, mine):
            workout = workouts[(week.deload or week.race_week or placement.light, not placement.light)]
            status = "planned" if placement.status == "moved" else placement.status
            notes = ((LIGHTER,) if placement.light else ()) + workout.notes
            sessions.append(SessionPlan(
                uid=uid, day=placement.day, minutes=workout.minutes(), reason=placement.reason,
                items=prescriptions(workout), deload=week.deload, race_week=week.race_week,
                start=athlete.session_time, status=status, notes=notes,
                bends=tuple(b.value for b in placement.bends), light=placement.light))
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
    return {"light": lighter or (week is not None and (week.deload or week.race_week)),
            "kettlebell": not lighter, "max_minutes": plan.max_minutes}


def progression_decisions(db: Session, athlete: Athlete, catalog: Catalog, *,
                          exclude_session_id: int | None = None) -> list[Decision]:
    """Each move's and side's next dose from the log. ``exclude_session_id`` leaves a session
    out: a session in progress is dosed from the ones before it, so its own sets do not
    move the targets while it is being logged."""
    owned = [Owned(e.kind, e.label, e.kg, e.resistance) for e in
             db.scalars(select(Equipment).where(Equipment.athlete_id == athlete.id))]
    progression = Progression(catalog, owned)
    log = _log(db, athlete, exclude_session_id)
    return [progression.decide(e.id, side, log) for e in catalog.moves for side in e.sides]


def _uids(week: WeekPlan, rows: list[PlannedSession]) -> list[tuple[Placement, str]]:
    """Each placement's UID: its day's stored row, the missed row it stands in for, or a
    stored row left without a day (the event moves), or a new slot of the week."""
    by_day = {row.day: row.uid for row in rows}
    used: set[str] = set()
    out: list[tuple[Placement, str | None]] = []
    for p in week.sessions:
        day = p.replaces if p.status == "moved" else p.day
        uid = by_day.get(day) if by_day.get(day) not in used else None
        if uid:
            used.add(uid)
        out.append((p, uid))
    spare = [row.uid for row in sorted(rows, key=lambda r: r.day)
             if row.uid not in used and row.status == "planned"]
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
    save_planned_sessions(db, athlete=athlete, slots=[
        {"uid": s.uid, "day": s.day, "status": s.status, "reason": s.reason, "deload": s.deload,
         "race_week": s.race_week} for s in plan.sessions])


def set_week(db: Session, athlete: Athlete, **changes) -> None:
    """Change the declared week / preferences (only the keys given)."""
    for key, value in changes.items():
        setattr(athlete, key, value)
    db.commit()


def remove_race(db: Session, athlete: Athlete, race_id: int) -> Race | None:
    """Forget a race (entered by mistake, or no longer run); None when there is no such race."""
    race = db.get(Race, race_id)
    if race is None or race.athlete_id != athlete.id:
        return None
    db.delete(race)
    db.commit()
    return race


def add_race(db: Session, athlete: Athlete, day: date, name: str) -> Race:
    race = db.scalars(select(Race).where(Race.athlete_id == athlete.id, Race.day == day)).first()
    if race is None:
        race = Race(athlete_id=athlete.id, day=day, name=name)
        db.add(race)
    race.name = name
    db.commit()
    return race

