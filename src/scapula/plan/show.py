"""The plan as a person reads it (tables) and as a program reads it (JSON)."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.table import Table

from scapula.catalog import Catalog
from scapula.plan.model import Plan, Prescription
from scapula.plan.week import DOW


def dose_text(p: Prescription) -> str:
    if p.reps_min is None:
        text = f"{p.sets} x {p.hold_s:g} s hold"
    else:
        reps = f"{p.reps_min}-{p.reps_max}" if p.reps_min != p.reps_max else f"{p.reps_max}"
        text = f"{p.sets} x {reps}"
        if p.hold_s:
            text += f", {p.hold_s:g} s hold"
    if p.per_side:
        text += " each side"
    if p.load_label:
        text += f", {p.load_label}"
    if p.reps_min is not None and p.sets > 1:
        text += f", {p.rest_s} s rest"
    return text


def print_plan(console: Console, plan: Plan, catalog: Catalog) -> None:
    console.print(
        f"[bold]Your running week[/] (from {plan.usual.source}): "
        + ", ".join(f"{DOW[i]} {info.kind.value}" for i, info in enumerate(plan.usual.days))
    )
    other = "ideal" if plan.strictness.value == "fit" else "fit"
    console.print(
        f"Placing: {plan.strictness.phrase()} (--strictness {other} for "
        f"{'only ideal days' if other == 'ideal' else 'fitting what you asked for'}); "
        f"sessions of at most {plan.max_minutes} min",
        markup=False,
    )
    by_uid_day = {(s.day, s.status): s for s in plan.sessions}
    for week in plan.weeks:
        title = f"Week of {week.monday:%a %d %b}"
        if week.deload:
            title += " — deload"
        if week.race_week:
            title += " — race week"
        table = Table(title=title, title_justify="left")
        for column in ("day", "running", "upper back", "why"):
            table.add_column(column)
        for i in range(7):
            d = week.monday + timedelta(days=i)
            info = week.days[i]
            here = [p for p in week.sessions if p.day == d]
            if not here:
                table.add_row(f"{d:%a %d}", info.kind.value, "", "")
            for p in here:
                s = by_uid_day.get((p.day, "planned" if p.status == "moved" else p.status))
                kind = "lighter session" if s and s.light else "session"
                label = {
                    "planned": f"{kind}, {s.minutes if s else '?'} min",
                    "moved": f"{kind} (moved)",
                    "done": "done",
                    "dropped": "missed, dropped",
                }[p.status]
                table.add_row(f"{d:%a %d}", info.kind.value, label, p.reason)
        console.print(table)
        for note in week.notes:
            console.print(f"  • {note}")
    upcoming = plan.upcoming()
    if upcoming:
        first = upcoming[0]
        console.print(f"\n[bold]Next session ({first.day:%a %d %b}, {first.minutes} min):[/]")
        for note in first.notes:
            console.print(f"  ({note})", markup=False)
        for item in first.items:
            line = f"  {catalog.get(item.exercise_id).name}: {dose_text(item)}"
            console.print(line + (f"\n      {item.why}" if item.why else ""))


def plan_json(plan: Plan) -> dict:
    return {
        "strictness": plan.strictness.value,
        "max_minutes": plan.max_minutes,
        "usual_week": {
            "source": plan.usual.source,
            "days": [{"weekday": DOW[i], "kind": d.kind.value, "why": d.why} for i, d in enumerate(plan.usual.days)],
        },
        "weeks": [
            {
                "monday": w.monday.isoformat(),
                "target": w.target,
                "deload": w.deload,
                "race_week": w.race_week,
                "days": [{"date": d.day.isoformat(), "kind": d.kind.value, "why": d.why} for d in w.days],
                "notes": w.notes,
            }
            for w in plan.weeks
        ],
        "sessions": [
            {
                "uid": s.uid,
                "date": s.day.isoformat(),
                "status": s.status,
                "minutes": s.minutes,
                "reason": s.reason,
                "deload": s.deload,
                "race_week": s.race_week,
                "light": s.light,
                "bends": list(s.bends),
                "notes": list(s.notes),
                "items": [
                    {
                        "exercise_id": p.exercise_id,
                        "sets": p.sets,
                        "per_side": p.per_side,
                        "reps_min": p.reps_min,
                        "reps_max": p.reps_max,
                        "hold_s": p.hold_s,
                        "rest_s": p.rest_s,
                        "load_label": p.load_label,
                        "load_kg": p.load_kg,
                        "variant": p.variant,
                        "why": p.why,
                    }
                    for p in s.items
                ],
            }
            for s in plan.sessions
        ],
        "progression": [
            {
                "exercise_id": d.exercise_id,
                "side": d.side,
                "load_label": d.load_label,
                "load_kg": d.load_kg,
                "reps_target": d.reps_target,
                "hold_s": d.hold_s,
                "variant": d.variant,
                "why": d.why,
            }
            for d in plan.decisions
        ],
    }
