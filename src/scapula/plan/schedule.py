"""Where the upper-back sessions go: 2-3 a week around the running, each with its reason.

Placements are ranked, not forbidden. The ideal day is a rest or easy day that is not the
eve of a hard session or long run. When the ideal days cannot hold the sessions asked for,
the plan bends one rule at a time, in the order a coach accepts (`Bend`):

1. ``stacked``: on a hard day, after the hard run (never before it): hard days stay hard,
   easy days easy;
2. ``eve``: the eve of a hard session or long run, as a lighter session: bands and
   supermans only, two sets, no kettlebell.

Some rules never bend: never on a long-run or race day, never in the two days before a
race, never two days in a row (at least 48 h apart at the same time of day, across weeks
too), and on a running day always after the run (after the last one on a double-run day).
With ``Strictness.ideal`` nothing bends: what the ideal days cannot hold is left out, and
the week says why.

Among the placements of a week the most sessions win (up to the number asked for), then the
mildest bends (the worst bend used as rarely as possible, then the next), then the widest
spacing (capped at 72 h), then rest days over easy days, then earlier days.

Race week has one session fewer, every 4th week is a deload week (same days, lighter dose:
see progression), and a missed session is never crammed in: the rest of the week is placed
again from today under the same ranking; what fits is "moved", what does not is "dropped",
and the week's notes say which rule stopped it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from itertools import combinations, pairwise

from scapula.plan.week import DOW, DayInfo, DayKind, UsualWeek

MIN_GAP_DAYS = 2  # 48 h between sessions when both are at the same time of day
SPREAD_CAP_DAYS = 3  # beyond 72 h apart, more spacing buys nothing
RACE_QUIET_DAYS = 2  # no upper-back work in the two days before a race
DELOAD_EVERY = 4  # weeks


class Strictness(str, Enum):
    """How far the plan may go to fit the sessions asked for."""

    ideal = "ideal"  # only ideal days
    fit = "fit"  # fit what I asked for, bending rules in `Bend` order

    def phrase(self) -> str:
        return {"ideal": "only ideal days", "fit": "fit what I asked for"}[self.value]


class Bend(str, Enum):
    """A rule of the ideal day, bent to fit the sessions asked for; mildest first."""

    stacked = "stacked"  # a hard day, after the hard run
    eve = "eve"  # the eve of a hard session or long run: the lighter session

    @property
    def rank(self) -> int:
        return {"stacked": 1, "eve": 2}[self.value]

    @property
    def rule(self) -> str:
        """The rule bent, as the runner reads it."""
        return {"stacked": "rest or easy days only", "eve": "not the eve of a hard session or long run"}[self.value]

    @property
    def light(self) -> bool:
        """The session is the lighter one: bands and supermans, two sets, no kettlebell."""
        return self is Bend.eve


LIGHTER = "lighter: bands and supermans only, two sets, no kettlebell"


@dataclass(frozen=True)
class Placement:
    day: date
    reason: str
    status: str = "planned"  # planned | done | moved | dropped
    replaces: date | None = None  # the missed day a "moved" session stands in for
    bends: tuple[Bend, ...] = ()  # the rules of the ideal day this placement bends

    @property
    def light(self) -> bool:
        return any(b.light for b in self.bends)


@dataclass
class WeekPlan:
    monday: date
    target: int  # sessions the week should hold (after the race-week cut)
    deload: bool
    race_week: bool
    sessions: list[Placement] = field(default_factory=list)  # in day order, all statuses
    notes: list[str] = field(default_factory=list)
    days: list[DayInfo] = field(default_factory=list)  # the kind of each day, Mon..Sun

    @property
    def planned(self) -> list[Placement]:
        return [p for p in self.sessions if p.status in ("planned", "moved")]


@dataclass(frozen=True)
class Calendar:
    """What is known about the days: the usual week, actual runs of past days, races."""

    usual: UsualWeek
    actual: dict[date, DayInfo]  # classified days with runs (past, and today if run)
    races: dict[date, str]  # future and past race days -> name
    today: date

    def day(self, d: date) -> DayInfo:
        if d in self.races:
            return DayInfo(d, DayKind.race, f"race: {self.races[d]}", 1)
        if d in self.actual and d <= self.today:
            return self.actual[d]
        if d < self.today:
            return DayInfo(d, DayKind.rest, "no run recorded")
        usual = self.usual.kind(d.weekday())
        return DayInfo(d, usual.kind, usual.why, usual.runs)


def deload_week(monday: date, anchor: date) -> bool:
    """Every 4th week from the first week of training is a deload week."""
    weeks = (monday - anchor).days // 7
    return weeks >= 0 and weeks % DELOAD_EVERY == DELOAD_EVERY - 1


def _hours(a: date, b: date) -> str:
    return f"{abs((b - a).days) * 24} h"


def _after_run(info: DayInfo) -> str:
    """When on the day the session goes: never before a run of the same day."""
    if info.kind is DayKind.hard:
        return (
            "after the hard run and the day's other run, never before either"
            if info.runs > 1
            else "after the hard run, never before it"
        )
    if info.runs > 1:
        return "after your second run" if info.runs == 2 else "after your last run of the day"
    return "after your run" if info.runs else ""


class Scheduler:
    def __init__(
        self, cal: Calendar, *, sessions_per_week: int, anchor: date, strictness: Strictness = Strictness.fit
    ) -> None:
        self.cal = cal
        self.per_week = sessions_per_week
        self.anchor = anchor
        self.strictness = strictness

    def _never(self, d: date) -> str | None:
        """Why day d can never hold a session (the rules that do not bend), or None."""
        info = self.cal.day(d)
        if info.kind in (DayKind.long, DayKind.race):
            return f"{DOW[d.weekday()]}: {info.kind.phrase()}"
        for race_day, name in self.cal.races.items():
            ahead = (race_day - d).days
            if 0 < ahead <= RACE_QUIET_DAYS:
                when = "the day" if ahead == 1 else f"{ahead} days"
                return f"{DOW[d.weekday()]}: {when} before {name}"
        return None

    def bends(self, d: date) -> tuple[Bend, ...]:
        """The rules of the ideal day that a session on day d bends (none: an ideal day)."""
        out = []
        if self.cal.day(d).kind is DayKind.hard:
            out.append(Bend.stacked)
        if self.cal.day(d + timedelta(days=1)).kind.key:
            out.append(Bend.eve)
        return tuple(out)

    def _not_ideal(self, d: date) -> str | None:
        """Why day d is not an ideal day, or None when it is."""
        never = self._never(d)
        if never:
            return never
        bends = self.bends(d)
        if not bends:
            return None
        words = []
        if Bend.stacked in bends:
            words.append(self.cal.day(d).kind.phrase())
        if Bend.eve in bends:
            nxt = self.cal.day(d + timedelta(days=1))
            words.append(f"eve of the {DOW[nxt.day.weekday()]} {nxt.kind.phrase()}")
        return f"{DOW[d.weekday()]}: {' and '.join(words)}"

    def why_not(self, d: date, taken: list[date]) -> str | None:
        """Why no session can go on day d, or None when it can (bending rules unless the
        athlete asked for ideal days only)."""
        bar = self._not_ideal(d) if self.strictness is Strictness.ideal else self._never(d)
        if bar:
            return bar
        for t in taken:
            if abs((t - d).days) < MIN_GAP_DAYS:
                return f"{DOW[d.weekday()]}: under 48 h from the {DOW[t.weekday()]} session"
        return None

    def reason(self, d: date, others: list[date], target: int) -> str:
        info = self.cal.day(d)
        bends = self.bends(d)
        parts = [f"{DOW[d.weekday()]}: {info.kind.phrase()}"]
        if after := _after_run(info):
            parts.append(after)
        if Bend.eve in bends:
            nxt = self.cal.day(d + timedelta(days=1))
            parts.append(f"eve of the {DOW[nxt.day.weekday()]} {nxt.kind.phrase()}")
        before = [o for o in others if o < d]
        if before and (d - max(before)).days <= 4:  # further back, spacing is no question
            prev = max(before)
            parts.append(f"{_hours(prev, d)} after {DOW[prev.weekday()]}")
        if not bends:  # what keeps an ideal day ideal
            for ahead in range(2, 7):
                nxt = self.cal.day(d + timedelta(days=ahead))
                if nxt.kind.key:
                    parts.append(f"not before {DOW[nxt.day.weekday()]} {nxt.kind.phrase()}")
                    break
        text = ", ".join(parts)
        if bends:
            text += " — bends " + " and ".join(f"'{b.rule}'" for b in bends) + f" to fit {target} sessions this week"
            if Bend.stacked in bends:
                text += ": hard days stay hard, easy days easy"
            if any(b.light for b in bends):
                text += f"; {LIGHTER}"
        return text

    def _profile(self, combo: tuple[date, ...]) -> tuple[int, ...]:
        """How much a set of days bends, to be made as small as possible: each day's bends
        added up, worst first (so the worst bend is used as rarely as possible)."""
        return tuple(sorted((sum(b.rank for b in self.bends(d)) for d in combo), reverse=True))

    def choose(self, days: list[date], n: int, taken: list[date]) -> list[date]:
        """The best set of up to n days from `days` that keeps every unbending rule with `taken`."""
        free = [d for d in days if self.why_not(d, taken) is None]
        for k in range(min(n, len(free)), 0, -1):
            best: tuple | None = None
            for combo in combinations(free, k):
                if any((b - a).days < MIN_GAP_DAYS for a, b in pairwise(combo)):
                    continue
                around = sorted(list(combo) + [t for t in taken if abs((t - combo[0]).days) <= 7])
                gaps = [(b - a).days for a, b in pairwise(around)]
                # the same days come round next week: Sunday then Monday is 24 h apart
                gaps.append((combo[0] - combo[-1]).days + 7)
                spread = min([min(g, SPREAD_CAP_DAYS) for g in gaps] or [SPREAD_CAP_DAYS])
                rest = sum(self.cal.day(d).kind is DayKind.rest for d in combo)
                bent = tuple(-r for r in self._profile(combo))
                score = (bent, spread, rest, -sum(d.toordinal() for d in combo))
                if best is None or score > best[0]:
                    best = (score, list(combo))
            if best:
                return best[1]
        return []

    def week(self, monday: date, *, done: list[date], earlier: list[date], planned_before: list[date]) -> WeekPlan:
        """One week. `done`: sessions performed (any week), `earlier`: sessions placed in
        the weeks before this one, `planned_before`: days this week already held a plan
        for (to find the missed ones)."""
        today = self.cal.today
        days = [monday + timedelta(days=i) for i in range(7)]
        race_days = [d for d in days if d in self.cal.races]
        race_week = bool(race_days)
        target = max(1, self.per_week - 1) if race_week else self.per_week
        plan = WeekPlan(
            monday, target, deload_week(monday, self.anchor), race_week, days=[self.cal.day(d) for d in days]
        )
        done_here = sorted(d for d in done if monday <= d <= days[-1])
        for d in done_here:
            plan.sessions.append(Placement(d, f"{DOW[d.weekday()]}: done", "done"))
        past_planned = sorted(d for d in planned_before if d < today)
        unmatched_done = [d for d in done_here if d not in past_planned]
        missed = [d for d in past_planned if d not in done_here]
        missed = missed[len(unmatched_done) :]  # a session done on another day stands in
        future_planned = [d for d in planned_before if d >= today]

        open_days = [d for d in days if d >= today and d not in done_here]
        need = max(0, target - len(done_here))
        taken = sorted(set(done) | set(earlier))
        # a day the athlete was already given stays put while it keeps every rule
        kept: list[date] = []
        for d in sorted(future_planned):
            if d in open_days and len(kept) < need and self.why_not(d, taken + kept) is None:
                kept.append(d)
        rest = [d for d in open_days if d not in kept]
        chosen = sorted(kept + self.choose(rest, need - len(kept), sorted(taken + kept)))
        # ...unless moving it lets the week hold more sessions (a missed one re-placed),
        # or the same number bending fewer rules
        free = self.choose(open_days, need, taken)
        if (len(free), tuple(-r for r in self._profile(tuple(free)))) > (
            len(chosen),
            tuple(-r for r in self._profile(tuple(chosen))),
        ):
            chosen = free
        everyone = sorted(set(taken) | set(chosen))
        moved = max(0, min(len(missed), len(chosen) - len(future_planned)))
        for i, d in enumerate(chosen):
            reason = self.reason(d, everyone, target)
            if i < moved:
                reason += f" (stands in for the missed {DOW[missed[i].weekday()]} session)"
            plan.sessions.append(
                Placement(
                    d, reason, "moved" if i < moved else "planned", missed[i] if i < moved else None, self.bends(d)
                )
            )
        for m in missed[moved:]:
            plan.sessions.append(Placement(m, f"{DOW[m.weekday()]}: missed", "dropped"))
        plan.sessions.sort(key=lambda p: (p.day, p.status))

        for m in missed[:moved]:
            to = chosen[missed.index(m)]
            plan.notes.append(f"{DOW[m.weekday()]}'s session was missed: moved to {DOW[to.weekday()]}")
        if missed[moved:]:
            names = ", ".join(DOW[m.weekday()] for m in missed[moved:])
            plan.notes.append(
                f"{names} missed and dropped, not crammed in: no day left this week "
                + ("keeps every rule" if not chosen else "beyond the ones placed keeps every rule")
                + self._blocked(open_days, everyone)
            )
        short = need - len(chosen) - len(missed[moved:])
        if short > 0:
            plan.notes.append(
                f"only {len(done_here) + len(chosen)} of {target} sessions fit this week"
                + self._blocked(open_days, everyone)
                + (
                    "; you asked for ideal days only (`--strictness fit` bends a rule to fit more)"
                    if self.strictness is Strictness.ideal
                    and any(self._never(d) is None and self.bends(d) for d in open_days)
                    else ""
                )
            )
        bent = [d for d in chosen if self.bends(d)]
        if bent:
            ideal = [d for d in chosen if not self.bends(d)]
            why = [w for d in open_days if (w := self._not_ideal(d))]
            plan.notes.append(
                f"{len(ideal)} of {len(chosen)} sessions on ideal days; "
                + ", ".join(DOW[d.weekday()] for d in bent)
                + f" bend{'s' if len(bent) == 1 else ''} a rule, the mildest that fits"
                + (f" (not ideal: {'; '.join(why)})" if why else "")
            )
        running = [self.cal.day(d).runs for d in days]
        if chosen and all(running):
            plan.notes.append(
                "you run twice every day: each session comes after your second run, and none "
                "can fall on a day off running"
                if min(running) > 1
                else "no day off running this week: each session comes after that day's run"
            )
        if race_week:
            names = ", ".join(f"{self.cal.races[d]} on {DOW[d.weekday()]}" for d in race_days)
            plan.notes.append(
                f"race week ({names}): one session fewer, two sets a move, "
                f"nothing in the {RACE_QUIET_DAYS} days before the race"
            )
        if plan.deload:
            plan.notes.append("deload week (every 4th): two sets a move at the same load")
        return plan

    def _blocked(self, open_days: list[date], taken: list[date]) -> str:
        why = [w for d in open_days if d not in taken and (w := self.why_not(d, taken))]
        return f" ({'; '.join(why)})" if why else ""

    def plan(
        self, first_monday: date, weeks: int, *, done: list[date], planned_before: dict[date, list[date]]
    ) -> list[WeekPlan]:
        out: list[WeekPlan] = []
        earlier: list[date] = []
        for w in range(weeks):
            monday = first_monday + timedelta(weeks=w)
            week = self.week(monday, done=done, earlier=earlier, planned_before=planned_before.get(monday, []))
            earlier += [p.day for p in week.planned]
            out.append(week)
        return out
