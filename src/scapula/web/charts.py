"""Progress charts as inline SVG, drawn on the server: no chart library, nothing fetched.

``series_from_log`` turns the training log into per-move, per-side points (reps per set and
the load of each session); ``line_chart`` and ``bar_chart`` draw them. Loads are plotted in
what the move is loaded with: kilograms for a kettlebell, the band ladder (lightest to
heaviest band owned or used, by the progression's own ranking) for a band, and the hold at
the top in seconds for supermans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from html import escape

from sqlalchemy.orm import Session

from scapula.catalog import Catalog, Load
from scapula.clock import as_utc, athlete_zone, on_clock
from scapula.plan.progression import Owned
from scapula.store import Athlete, history, list_equipment

SIDE_COLOURS = {"both": "#1f6f8b", "left": "#d1495b", "right": "#1f6f8b"}
PLANNED_COLOUR = "#c9d6df"
DONE_COLOUR = "#2a9d8f"


@dataclass
class Series:
    side: str
    points: list[tuple[date, float, str]] = field(default_factory=list)  # day, value, label


@dataclass
class MoveCharts:
    exercise_id: str
    name: str
    load_title: str  # "kettlebell, kg" / "band" / "hold at the top, s"
    reps: list[Series]
    load: list[Series]
    load_ticks: list[str] = field(default_factory=list)  # band ladder names, when categorical
    sets: int = 0


def series_from_log(sessions: Sequence, catalog: Catalog, owned: Sequence[Owned], *, zone: tzinfo) -> list[MoveCharts]:
    """Per move: the mean reps a set of each session, and its load, one series per side.
    ``sessions`` are PerformedSessions with their sets loaded (any order); each is charted on
    its day in ``zone`` (the athlete's)."""
    ordered = sorted(sessions, key=lambda p: as_utc(p.started_at))
    out = []
    for entry in catalog.moves:
        reps = {side: Series(side) for side in entry.sides}
        load = {side: Series(side) for side in entry.sides}
        ladder: list[str] = []
        if entry.load is Load.band:
            labels = {o.label for o in owned if o.kind == "band"}
            labels |= {s.load_label for p in ordered for s in p.sets if s.exercise_id == entry.id and s.load_label}
            ranks = {o.label: o.rank() for o in owned}
            ladder = sorted(labels, key=lambda lab: (ranks.get(lab, Owned("band", lab, None, lab).rank()), lab))
        count = 0
        for performed in ordered:
            day = on_clock(performed.started_at, zone).date()
            for side in entry.sides:
                mine = [s for s in performed.sets if s.exercise_id == entry.id and s.side == side]
                if not mine:
                    continue
                count += len(mine)
                mean = sum(s.reps for s in mine) / len(mine)
                reps[side].points.append((day, mean, f"{len(mine)} sets: " + ", ".join(str(s.reps) for s in mine)))
                last = mine[-1]
                if entry.load is Load.bodyweight:
                    if last.hold_s is not None:
                        load[side].points.append((day, last.hold_s, f"{last.hold_s:g} s hold"))
                elif entry.load is Load.kettlebell:
                    if last.load_kg is not None:
                        load[side].points.append((day, last.load_kg, last.load_label or f"{last.load_kg:g} kg"))
                elif last.load_label in ladder:
                    load[side].points.append((day, ladder.index(last.load_label), last.load_label))
        title = {Load.kettlebell: "Kettlebell, kg", Load.band: "Band", Load.bodyweight: "Hold at the top, s"}[
            entry.load
        ]
        out.append(MoveCharts(entry.id, entry.name, title, list(reps.values()), list(load.values()), ladder, count))
    return out


# ---------------------------------------------------------------- drawing

# a small canvas, so the 15 px labels stay readable when a phone scales the chart down
W, H = 480, 230
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 44
DODGE = 11  # px between the dots of two series on the same day: more than a dot's width (10)


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200):
        if value <= step:
            return step
    return value


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_ticks: Sequence[str] = (),
    y_min: float | None = None,
    y_max: float | None = None,
    colours: dict[str, str] | None = None,
) -> str:
    """A line per side over time. With ``y_ticks`` the axis is categorical (0..n-1 labelled).
    ``colours`` and the legend key on each series' ``side`` (a measure's name, for posture)."""
    colours = colours or SIDE_COLOURS
    points = [pt for s in series for pt in s.points]
    label = escape(title)
    if not points:
        return ""
    days = sorted({pt[0] for pt in points})
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    if y_ticks:
        lo, hi = -0.5, len(y_ticks) - 0.5
        ticks: list[tuple[float, str]] = [(i, t) for i, t in enumerate(y_ticks)]
    else:
        top = _nice_max(max(pt[1] for pt in points))
        lo = 0 if y_min is None else y_min
        hi = top if y_max is None else y_max
        ticks = [(lo + (hi - lo) * i / 4, f"{lo + (hi - lo) * i / 4:g}") for i in range(5)]
    # room on the left for the longest tick label (band names)
    left = max(LEFT, 16 + 9 * max(len(t) for _, t in ticks))
    plot_w, plot_h = W - left - RIGHT, H - TOP - BOTTOM

    def x(day: date) -> float:
        if len(days) == 1:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - lo) / (hi - lo or 1))

    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
    ]
    for value, text in ticks:
        ty = y(value)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{W - RIGHT}" y2="{ty:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{ty + 5:.1f}" text-anchor="end" class="tick">{escape(text)}</text>'
        )
    shown = days if len(days) <= 5 else [days[round(i * (len(days) - 1) / 4)] for i in range(5)]
    for day in dict.fromkeys(shown):
        # a date at the right edge ends there, so it is not cut off
        anchor = "end" if len(days) > 1 and x(day) > W - RIGHT - 24 else "middle"
        parts.append(
            f'<text x="{x(day):.1f}" y="{H - BOTTOM + 20}" text-anchor="{anchor}" class="tick">{day:%d %b}</text>'
        )
    drawn = [s for s in series if s.points]
    for i, s in enumerate(drawn):
        colour = colours[s.side]
        # two sides on one day sit side by side (DODGE px apart), not one over the other
        shift = (i - (len(drawn) - 1) / 2) * DODGE
        path = " ".join(f"{x(d) + shift:.1f},{y(v):.1f}" for d, v, _ in s.points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>')
        for d, v, text in s.points:
            parts.append(
                f'<circle cx="{x(d) + shift:.1f}" cy="{y(v):.1f}" r="5" fill="{colour}">'
                f"<title>{d:%a %d %b}, {s.side}: {escape(text)}</title></circle>"
            )
    sides = [s for s in series if s.points]
    if len(sides) > 1 or (sides and sides[0].side != "both"):
        lx = left + 8
        for s in sides:
            parts.append(
                f'<rect x="{lx}" y="{H - 14}" width="12" height="12" fill="{colours[s.side]}"/>'
                f'<text x="{lx + 16}" y="{H - 4}" class="tick">{escape(s.side)}</text>'
            )
            lx += 40 + 8 * len(s.side)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(weeks: Sequence, *, title: str) -> str:
    """Sessions planned (pale) and done (solid) a week: ``weeks`` have monday/planned/done."""
    if not weeks:
        return ""
    label = escape(title)
    top = max(3, max(max(w.planned, w.done) for w in weeks))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / len(weeks)
    bar = min(28.0, slot / 3)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
    ]
    for value in range(0, top + 1):
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{W - RIGHT}" y2="{y(value):.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">{value}</text>'
        )
    for i, w in enumerate(weeks):
        cx = LEFT + slot * (i + 0.5)
        for offset, value, colour, what in (
            (-bar / 2 - 1, w.planned, PLANNED_COLOUR, "planned"),
            (bar / 2 + 1, w.done, DONE_COLOUR, "done"),
        ):
            top_y = y(value)
            parts.append(
                f'<rect x="{cx + offset - bar / 2:.1f}" y="{top_y:.1f}" width="{bar:.1f}" '
                f'height="{y(0) - top_y:.1f}" fill="{colour}"><title>week of {w.monday:%d %b}: '
                f"{value} {what}</title></rect>"
            )
        if len(weeks) > 6 and (len(weeks) - 1 - i) % 2:
            continue  # every other week's date, the latest always: they fit a phone
        parts.append(
            f'<text x="{cx:.1f}" y="{H - BOTTOM + 20}" text-anchor="middle" class="tick">{w.monday:%d %b}</text>'
        )
    parts.append(
        f'<rect x="{LEFT + 8}" y="{H - 14}" width="12" height="12" fill="{PLANNED_COLOUR}"/>'
        f'<text x="{LEFT + 24}" y="{H - 4}" class="tick">planned</text>'
        f'<rect x="{LEFT + 108}" y="{H - 14}" width="12" height="12" fill="{DONE_COLOUR}"/>'
        f'<text x="{LEFT + 124}" y="{H - 4}" class="tick">done</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def progress_data(db: Session, athlete: Athlete, catalog: Catalog, weeks: int = 8):
    """Each move's reps and load per side over the log, and the weeks' sessions done against
    planned: what the progress page draws and ``/api/progress`` returns."""
    from scapula.app.planning import weeks_done_vs_planned

    sessions = history(db, athlete=athlete, limit=1000)
    owned = [Owned(e.kind, e.label, e.kg, e.resistance) for e in list_equipment(db, athlete=athlete)]
    return (
        series_from_log(sessions, catalog, owned, zone=athlete_zone(athlete)),
        weeks_done_vs_planned(db, athlete, weeks),
    )


# ---------------------------------------------------------------- posture checks

POSTURE_COLOURS = ("#1f6f8b", "#d1495b")


def posture_charts(checks: list[dict]) -> list[tuple[str, str]]:
    """(title, inline SVG) per view with saved checks: each measure's degrees over time."""
    from scapula.posture.norms import NORMS, VIEW_MEASURES

    out = []
    for view, measures in VIEW_MEASURES.items():
        mine = [c for c in checks if c["view"] == view]
        if not mine:
            continue
        series, colours = [], {}
        for i, m in enumerate(measures):
            s = Series(NORMS[m].name)
            for c in mine:
                if c[f"{m}_deg"] is not None:
                    s.points.append(
                        (c["checked_at"].date(), float(c[f"{m}_deg"]), f"{c[f'{m}_deg']:+.1f} deg, {c[f'{m}_class']}")
                    )
            series.append(s)
            colours[s.side] = POSTURE_COLOURS[i % len(POSTURE_COLOURS)]
        values = [v for s in series for _, v, _ in s.points]
        if not values:
            continue
        lo = min(0.0, float(int(min(values)) - 5) // 5 * 5)
        hi = max(5.0, (float(int(max(values)) + 5) // 5 + 1) * 5)
        title = f"{view.capitalize()} view: degrees per check"
        out.append((title, line_chart(series, title=title, y_min=lo, y_max=hi, colours=colours)))
    return out
