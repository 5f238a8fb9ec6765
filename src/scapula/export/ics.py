"""The planned sessions as an iCalendar file: one event per session, updated in place on re-export.

Re-export and calendar updates: every event's UID is ``<SessionPlan.uid>@scapula.local``, so a
calendar that imports the file again updates the event instead of adding a second one. An
update is only taken when its SEQUENCE is higher, so SEQUENCE is derived from the content:
each event carries a hash of what it says (``X-SCAPULA-CONTENT``: times, summary, description,
status, alarm). When the file is written over an earlier export, an event whose hash is the
same keeps its SEQUENCE, DTSTAMP and LAST-MODIFIED (re-exporting an unchanged plan writes the
same bytes); one whose content differs (moved, re-dosed, cancelled) gets SEQUENCE + 1 and
DTSTAMP = LAST-MODIFIED = now; a new UID starts at 0. Written to a fresh path, every event
starts at 0 again, so keep exporting to the same file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event

from scapula.catalog import Catalog, Dose, Entry
from scapula.errors import InputFileError, ScapulaError
from scapula.export._common import CANCELLED_STATUSES, load_text, option_name, write_atomic
from scapula.plan.model import Prescription, SessionPlan

PRODID = "-//Scapula//upper-back sessions//EN"
UID_DOMAIN = "scapula.local"
CONTENT = "X-SCAPULA-CONTENT"


def machine_zone() -> str:
    """The IANA name of this machine's time zone: $TZ, else /etc/localtime's link, else
    /etc/timezone; UTC when none names a known zone."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        names.append(os.readlink("/etc/localtime").partition("zoneinfo/")[2])
    with contextlib.suppress(OSError):
        names.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in names:
        if name and _known_zone(name):
            return name
    return "UTC"


def build_calendar(
    plans: Sequence[SessionPlan],
    catalog: Catalog,
    *,
    tz: str | None = None,
    default_start: time = time(18, 0),  # the time of day when the athlete set none
    alarm_minutes: int = 30,
    previous: Calendar | None = None,
    now: datetime | None = None,
) -> Calendar:
    """The calendar for ``plans``; ``previous`` is the earlier export of the same file, if any,
    whose SEQUENCE and stamps are carried on (see the module doc)."""
    if alarm_minutes < 0:
        raise ValueError("alarm_minutes must be 0 or more")
    zone = _zone(tz)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    before = _revisions(previous)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    seen: set[str] = set()
    for plan in sorted(plans, key=lambda p: (p.day, p.start or default_start, p.uid)):
        event = _event(plan, catalog, zone, default_start, alarm_minutes)
        uid = str(event["UID"])
        if uid in seen:
            raise ValueError(f"two planned sessions share the uid '{plan.uid}'")
        seen.add(uid)
        content = hashlib.sha256(event.to_ical()).hexdigest()[:24]
        old = before.get(uid)
        if old is None:
            sequence, stamp = 0, now
        elif old.content == content:
            sequence, stamp = old.sequence, old.stamp
        else:
            sequence, stamp = old.sequence + 1, now
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add(CONTENT, content)
        calendar.add_component(event)
    if plans:
        # Only the zone's rules around the planned days: a whole-history VTIMEZONE is kilobytes.
        calendar.add_missing_timezones(
            first_date=min(p.day for p in plans) - timedelta(days=1),
            last_date=max(p.day for p in plans) + timedelta(days=2),
        )
    return calendar


def write_ics(
    plans: Sequence[SessionPlan],
    catalog: Catalog,
    path: Path,
    *,
    tz: str | None = None,
    default_start: time = time(18, 0),
    alarm_minutes: int = 30,
    now: datetime | None = None,
) -> int:
    """Write the calendar to ``path`` atomically, over its earlier export; returns the events written."""
    path = Path(path)
    calendar = build_calendar(
        plans,
        catalog,
        tz=tz,
        default_start=default_start,
        alarm_minutes=alarm_minutes,
        previous=_read_previous(path),
        now=now,
    )
    write_atomic(path, calendar.to_ical())
    return len(calendar.walk("VEVENT"))


def summary(plan: SessionPlan) -> str:
    """ "Scapula: upper back (25 min)", with ", deload" or ", race week" when the week is one."""
    tags = [tag for tag, on in (("deload", plan.deload), ("race week", plan.race_week)) if on]
    marks = "".join(f", {tag}" for tag in tags)
    return f"Scapula: upper back{marks} ({plan.minutes} min)"


def describe(plan: SessionPlan, catalog: Catalog) -> str:
    """Every item in order with its dose, load, rest and why; then the day's reason and notes."""
    lines = []
    for number, item in enumerate(plan.items, 1):
        entry = catalog.get(item.exercise_id)
        lines.append(f"{number}. {_item_line(item, entry)}")
        if item.why:
            lines.append(f"   Why: {item.why}")
    lines += ["", f"Why this day: {plan.reason}"]
    lines += [f"Note: {note}" for note in plan.notes]
    return "\n".join(lines)


def _item_line(item: Prescription, entry: Entry) -> str:
    name = entry.name
    if item.variant:
        name += f" ({option_name(entry, item.variant)})"
    # The catalog's own wording of a dose; the plan's numbers are trusted, not re-validated here.
    dose = Dose.model_construct(
        sets=item.sets,
        reps_min=item.reps_min,
        reps_max=item.reps_max,
        hold_s=item.hold_s,
        rest_s=item.rest_s,
        per_side=item.per_side,
    )
    parts = [dose.target_text()]
    load = load_text(item)
    if load:
        parts.append(load)
    if item.rest_s:
        parts.append(f"rest {item.rest_s} s")
    return f"{name}: " + "; ".join(parts)


def _event(
    plan: SessionPlan,
    catalog: Catalog,
    zone: ZoneInfo,
    default_start: time,
    alarm_minutes: int,
) -> Event:
    start = datetime.combine(plan.day, plan.start or default_start, tzinfo=zone)
    cancelled = plan.status in CANCELLED_STATUSES
    event = Event()
    event.add("uid", f"{plan.uid}@{UID_DOMAIN}")
    event.add("summary", summary(plan))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=plan.minutes))
    event.add("description", describe(plan, catalog))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:  # a cancelled session should not ring
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary(plan))
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


@dataclass(frozen=True)
class _Revision:
    content: str
    sequence: int
    stamp: datetime


def _revisions(previous: Calendar | None) -> dict[str, _Revision]:
    """Each earlier event's content hash, SEQUENCE and stamp, by UID."""
    if previous is None:
        return {}
    revisions = {}
    for event in previous.walk("VEVENT"):
        stamp = event.get("LAST-MODIFIED") or event.get("DTSTAMP")
        if "UID" not in event or stamp is None:
            continue
        revisions[str(event["UID"])] = _Revision(
            content=str(event.get(CONTENT, "")),
            sequence=int(event.get("SEQUENCE", 0)),
            stamp=stamp.dt,
        )
    return revisions


def _read_previous(path: Path) -> Calendar | None:
    """The earlier export at ``path``; a file there that is not a calendar is refused, not overwritten."""
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(path, f"cannot be read: {e.strerror or e}") from e
    if not data.strip():
        return None
    try:
        calendar = Calendar.from_ical(data)
    except ValueError:
        calendar = None
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise InputFileError(path, "exists and is not an iCalendar file; not overwritten")
    return calendar


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone(name: str | None) -> ZoneInfo:
    name = name or machine_zone()
    if not _known_zone(name):
        raise ScapulaError(f"unknown time zone '{name}': give an IANA name such as Europe/Berlin")
    return ZoneInfo(name)
