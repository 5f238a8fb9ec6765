"""The running week: what each day of running was (rest, other, easy, hard, long, race) and
the week the athlete usually runs, learned from the imported runs or declared.

Only runs decide the running kinds; a day with other sports only (walks, hikes, rides, ...)
is "other training", which the plan treats like an easy day (not rest) and nothing more,
since the upper-back sessions are placed around the *running* load.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from typing import Protocol

DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RUNNING = {"running", "run", "trail_running", "trail", "treadmill", "track", "virtual_run"}

# A long run is "over ~90 min", or the longest of its week and clearly longer than the
# rest: 1.3x the next longest and 1.25x the athlete's usual run, and at least 45 min
# (below that nobody calls a run long, whatever the rest of the week looks like).
LONG_ANY_S = 90 * 60
LONG_MIN_S = 45 * 60
LONG_OVER_NEXT = 1.3
LONG_OVER_USUAL = 1.25

# Hard from the numbers. Interval laps: at least 3 work bouts >= 12% faster than the
# run's median lap pace (a 5:00/km jog around 4:20/km reps is 13%). Tempo: the whole
# run, or a 3 km block of splits, >= 8% faster than the athlete's usual pace (typical
# easy-to-threshold gap is 10-20%; 8% keeps a good day's easy run easy). Heart rate:
# average >= 10 bpm above the athlete's usual and >= 85% of the highest average seen.
INTERVAL_FASTER = 0.12
INTERVAL_MIN_BOUTS = 3
TEMPO_FASTER = 0.08
TEMPO_BLOCK_KM = 3
HR_ABOVE_USUAL = 10.0
HR_OF_TOP = 0.85
MIN_LAP_S = 30  # shorter laps are button presses, not bouts

# Names runners give races and workouts. "race" and parkrun win over workout words;
# workout words win over race-distance words ("marathon pace" is a workout).
_RACE = re.compile(r"\b(race|racing|parkrun|bib|wettkampf|carrera)\b", re.I)
_WORKOUT = re.compile(
    r"\b(intervals?|tempo|threshold|fartlek|repeats?|reps|vo2|vo2max|track|speed|workout|"
    r"progression|cruise|hills?|lt|mp|pace)\b|\d+\s*[x×]\s*\d+",
    re.I,
)
_RACE_EVENT = re.compile(
    r"\b(marathon|half|halbmarathon|ultra|championships?|xc|cross[- ]country|relay|"
    r"10k|5k|15k|10 ?mile)\b",
    re.I,
)
_EASY = re.compile(r"\b(easy|recovery|recover|shakeout|shake-out|base|aerobic|jog)\b", re.I)


class DayKind(str, Enum):
    rest = "rest"
    other = "other"  # other training only (a walk, a hike, a ride): as easy as an easy run for the plan
    easy = "easy"
    hard = "hard"
    long = "long"
    race = "race"

    @property
    def key(self) -> bool:
        """A day whose eve stays free of upper-back work."""
        return self in (DayKind.hard, DayKind.long, DayKind.race)

    @property
    def weight(self) -> int:
        return _WEIGHT[self]

    def phrase(self) -> str:
        return {
            "rest": "rest day",
            "other": "other training",
            "easy": "easy day",
            "hard": "hard session",
            "long": "long run",
            "race": "race",
        }[self.value]


_WEIGHT = {DayKind.rest: 0, DayKind.other: 1, DayKind.easy: 2, DayKind.hard: 3, DayKind.long: 4, DayKind.race: 5}


class RunLike(Protocol):
    """What classification reads from an imported run (the store's Run has all of it)."""

    started_at: datetime
    utc_offset_min: int | None
    sport: str
    sub_sport: str | None
    name: str | None
    duration_s: float
    distance_m: float | None
    avg_hr: float | None
    laps: list[dict]
    splits: list[dict]


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    why: str  # "long run: 1 h 42 min, longest of the week"
    runs: int = 0  # runs on the day (in a usual week: the usual number); 0 also when unknown


def local_day(run: RunLike, tz: tzinfo) -> date:
    """The calendar day the run happened on where the runner was (the file's offset if
    it has one, else the athlete's zone)."""
    start = run.started_at
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if run.utc_offset_min is not None:
        return (start.astimezone(UTC) + timedelta(minutes=run.utc_offset_min)).date()
    return start.astimezone(tz).date()


def is_run(run: RunLike) -> bool:
    sport = (run.sport or "").lower()
    return sport in RUNNING or sport.endswith("running")


def hm(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def pace(s_per_km: float) -> str:
    s = round(s_per_km)
    return f"{s // 60}:{s % 60:02d}/km"


def _speed(duration_s: float | None, distance_m: float | None) -> float | None:
    if not duration_s or not distance_m or duration_s <= 0 or distance_m <= 0:
        return None
    return distance_m / duration_s


@dataclass(frozen=True)
class Usual:
    """The athlete's usual run over the window: what "faster" and "longer" are measured against."""

    duration_s: float | None
    speed: float | None  # m/s, median over runs with distance
    avg_hr: float | None
    top_hr: float | None  # highest run average seen

    @classmethod
    def of(cls, runs: Sequence[RunLike]) -> Usual:
        durations = [r.duration_s for r in runs if r.duration_s]
        speeds = [s for r in runs if (s := _speed(r.duration_s, r.distance_m))]
        hrs = [r.avg_hr for r in runs if r.avg_hr]
        return cls(
            duration_s=statistics.median(durations) if durations else None,
            speed=statistics.median(speeds) if speeds else None,
            avg_hr=statistics.median(hrs) if hrs else None,
            top_hr=max(hrs) if hrs else None,
        )


def _from_name(name: str | None) -> tuple[DayKind, str] | None:
    if not name:
        return None
    if _RACE.search(name):
        return DayKind.race, f"race: named '{name}'"
    if _EASY.search(name) and not re.search(r"\d+\s*[x×]\s*\d+", name):
        return DayKind.easy, f"easy: named '{name}'"
    if _WORKOUT.search(name):
        return DayKind.hard, f"hard: workout '{name}'"
    if _RACE_EVENT.search(name):
        return DayKind.race, f"race: named '{name}'"
    return None


def _intervals(run: RunLike) -> str | None:
    """Work bouts from the laps: flagged active/rest by the watch, or clearly faster laps
    with slower ones between them; without laps, the same from the 1 km splits (long
    reps and fartlek show there; 400 m reps average out)."""
    laps = [lap for lap in run.laps or [] if (lap.get("duration_s") or 0) >= MIN_LAP_S]
    flagged_work = [lap for lap in laps if lap.get("intensity") == "active"]
    flagged_rest = [lap for lap in laps if lap.get("intensity") in ("rest", "recovery")]
    if len(flagged_work) >= INTERVAL_MIN_BOUTS and len(flagged_rest) >= INTERVAL_MIN_BOUTS - 1:
        return f"intervals: {len(flagged_work)} work laps with recoveries"
    if len(laps) < 2 * INTERVAL_MIN_BOUTS - 1:
        laps = [
            {"duration_s": s.get("duration_s"), "distance_m": s.get("distance_m") or 1000.0} for s in run.splits or []
        ]
    speeds = [_speed(lap.get("duration_s"), lap.get("distance_m")) for lap in laps]
    known = [s for s in speeds if s]
    if len(known) < 2 * INTERVAL_MIN_BOUTS - 1:
        return None
    median = statistics.median(known)
    fast = [s is not None and s >= median * (1 + INTERVAL_FASTER) for s in speeds]
    # a bout is a run of fast laps that has a slower lap after it (or before it)
    bouts = sum(1 for i, f in enumerate(fast) if f and (i == 0 or not fast[i - 1]))
    if bouts >= INTERVAL_MIN_BOUTS and not all(fast):
        quick = [s for s, f in zip(speeds, fast) if f and s]
        return f"intervals: {bouts} fast bouts at {pace(1000 / statistics.median(quick))} between slower stretches"
    return None


def _tempo(run: RunLike, usual: Usual) -> str | None:
    if not usual.speed:
        return None
    speed = _speed(run.duration_s, run.distance_m)
    if speed and speed >= usual.speed * (1 + TEMPO_FASTER):
        return (
            f"hard: {pace(1000 / speed)} average, "
            f"{round((speed / usual.speed - 1) * 100)}% quicker than your usual {pace(1000 / usual.speed)}"
        )
    splits = [s for s in run.splits or [] if s.get("duration_s") and not s.get("distance_m")]
    for i in range(len(splits) - TEMPO_BLOCK_KM + 1):
        block = splits[i : i + TEMPO_BLOCK_KM]
        block_speed = 1000 * TEMPO_BLOCK_KM / sum(s["duration_s"] for s in block)
        if block_speed >= usual.speed * (1 + TEMPO_FASTER):
            return (
                f"tempo: {TEMPO_BLOCK_KM} km at {pace(1000 / block_speed)} from km {i + 1}, "
                f"quicker than your usual {pace(1000 / usual.speed)}"
            )
    return None


def _heart(run: RunLike, usual: Usual) -> str | None:
    if not run.avg_hr or not usual.avg_hr or not usual.top_hr:
        return None
    if run.avg_hr >= usual.avg_hr + HR_ABOVE_USUAL and run.avg_hr >= HR_OF_TOP * usual.top_hr:
        return f"hard: heart rate {run.avg_hr:.0f} average against your usual {usual.avg_hr:.0f}"
    return None


def classify_run(run: RunLike, usual: Usual) -> tuple[DayKind, str]:
    """One run on its own: race, hard or easy (long is a question of the week)."""
    named = _from_name(run.name)
    if named and named[0] is not DayKind.easy:
        return named
    for check in (_intervals(run), _tempo(run, usual), _heart(run, usual)):
        if check and not named:
            return DayKind.hard, check
    if named:
        return named
    return DayKind.easy, f"easy run: {hm(run.duration_s)}"


def classify_days(runs: Iterable[RunLike], tz: tzinfo, *, races: Iterable[date] = ()) -> dict[date, DayInfo]:
    """Each day with a run, classified; declared race days are races whatever was run."""
    runs = list(runs)
    running = [r for r in runs if is_run(r)]
    usual = Usual.of(running)
    by_day: dict[date, list[RunLike]] = defaultdict(list)
    for r in runs:
        by_day[local_day(r, tz)].append(r)
    by_week: dict[date, list[RunLike]] = defaultdict(list)
    for r in running:
        d = local_day(r, tz)
        by_week[d - timedelta(days=d.weekday())].append(r)
    long_runs = {id(r): why for week in by_week.values() for r, why in _long_of_week(week, usual)}

    days: dict[date, DayInfo] = {}
    for day, day_runs in by_day.items():
        best: tuple[DayKind, str] | None = None
        for r in day_runs:
            if not is_run(r):
                found = (DayKind.other, f"other training: {r.sport.replace('_', ' ')}, {hm(r.duration_s)}")
            else:
                found = classify_run(r, usual)
                if id(r) in long_runs and found[0].weight < DayKind.long.weight:
                    found = (DayKind.long, long_runs[id(r)])
            if best is None or found[0].weight > best[0].weight:
                best = found
        assert best is not None
        days[day] = DayInfo(day, *best, runs=sum(1 for r in day_runs if is_run(r)))
    for day in races:
        days[day] = DayInfo(
            day, DayKind.race, "race: on your race list", runs=max(1, days[day].runs if day in days else 0)
        )
    return days


def _long_of_week(week: list[RunLike], usual: Usual) -> list[tuple[RunLike, str]]:
    found = [(r, f"long run: {hm(r.duration_s)}, over 90 min") for r in week if r.duration_s >= LONG_ANY_S]
    ranked = sorted(week, key=lambda r: r.duration_s, reverse=True)
    top = ranked[0]
    if top.duration_s >= LONG_ANY_S or top.duration_s < LONG_MIN_S:
        return found
    next_longest = ranked[1].duration_s if len(ranked) > 1 else 0.0
    clearly = top.duration_s >= LONG_OVER_NEXT * next_longest
    over_usual = usual.duration_s is None or top.duration_s >= LONG_OVER_USUAL * usual.duration_s
    if clearly and over_usual:
        found.append((top, f"long run: {hm(top.duration_s)}, the longest of the week"))
    return found


# ----------------------------------------------------------------- the usual week

PATTERN_WEEKS = 6  # the running of the last six weeks describes the coming ones
KEY_SHARE = 0.4  # a weekday is "hard"/"long" when it was in at least 40% of running weeks
RUN_SHARE = 0.3  # and a day off when the athlete ran on it in under 30% of them


@dataclass(frozen=True)
class Template:
    """A running week as the athlete declares it (weekday numbers, Monday = 0)."""

    long_run_day: int | None = None
    hard_days: tuple[int, ...] = ()
    rest_days: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return self.long_run_day is None and not self.hard_days and not self.rest_days


@dataclass(frozen=True)
class UsualWeek:
    """For each weekday (Monday = 0) the kind of day to expect and why."""

    days: tuple[DayInfo, ...]  # .day holds a representative date; only the weekday matters
    source: str  # "your runs of the last 6 weeks", "your declared week", "nothing known"

    def kind(self, weekday: int) -> DayInfo:
        return self.days[weekday]


def usual_week(
    days: dict[date, DayInfo], *, today: date, template: Template = Template(), weeks: int = PATTERN_WEEKS
) -> UsualWeek:
    """The week to plan against: the running of the last complete weeks, day by day,
    with whatever the athlete declared laid over it."""
    this_monday = today - timedelta(days=today.weekday())
    start = this_monday - timedelta(weeks=weeks)
    window = {d: info for d, info in days.items() if start <= d < this_monday}
    active_weeks = {d - timedelta(days=d.weekday()) for d in window}
    base = this_monday  # representative dates: this week's
    out: list[DayInfo] = []
    n = len(active_weeks)
    for wd in range(7):
        rep = base + timedelta(days=wd)
        seen = [info for d, info in window.items() if d.weekday() == wd]
        if not n:
            out.append(DayInfo(rep, DayKind.easy, "no running known for this day"))
            continue
        counts = Counter(info.kind for info in seen if info.kind is not DayKind.race)
        ran = sum(counts.values())
        # the usual number of runs: the most common over the weeks (a week without is 0)
        runs = Counter([info.runs for info in seen] + [0] * (n - len(seen))).most_common(1)[0][0]
        if counts[DayKind.long] >= KEY_SHARE * n:
            out.append(
                DayInfo(
                    rep, DayKind.long, f"long run on {counts[DayKind.long]} of your last {n} {DOW[wd]}s", max(runs, 1)
                )
            )
        elif counts[DayKind.hard] + counts[DayKind.long] >= KEY_SHARE * n:
            out.append(
                DayInfo(
                    rep,
                    DayKind.hard,
                    f"hard session on {counts[DayKind.hard] + counts[DayKind.long]} of your last {n} {DOW[wd]}s",
                    max(runs, 1),
                )
            )
        elif ran < RUN_SHARE * n:
            out.append(DayInfo(rep, DayKind.rest, f"you ran on {ran} of your last {n} {DOW[wd]}s"))
        else:
            twice = " (twice)" if runs > 1 else ""
            out.append(DayInfo(rep, DayKind.easy, f"easy running{twice} on {ran} of your last {n} {DOW[wd]}s", runs))
    source = f"your runs of the last {weeks} weeks" if n else "nothing known"
    if not template.empty:
        for wd in range(7):
            rep = base + timedelta(days=wd)
            if wd == template.long_run_day:
                out[wd] = DayInfo(rep, DayKind.long, "long run: your declared week", max(out[wd].runs, 1))
            elif wd in template.hard_days:
                out[wd] = DayInfo(rep, DayKind.hard, "hard session: your declared week", max(out[wd].runs, 1))
            elif wd in template.rest_days:
                out[wd] = DayInfo(rep, DayKind.rest, "rest day: your declared week")
            elif not n:
                out[wd] = DayInfo(rep, DayKind.easy, "easy or no running: your declared week")
        source = "your declared week" if not n else f"{source}, with your declared days"
    return UsualWeek(tuple(out), source)
