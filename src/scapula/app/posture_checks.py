"""The posture check: uploaded photos or a clip (or landmark files) measured, the picture
with the measured lines, the numbers kept when asked (never the picture), and the saved
checks with their trend. ``scapula posture`` and the web app both keep and read checks here.

Uploads are written to a temporary folder this module makes, under names it makes
(``input-1.jpg``), read, and deleted before the answer goes out; the browser's file names
only appear in the report's text.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from scapula.app.scratch import work_folder
from scapula.app.uploads import Upload, display_name, photo_or_clip_suffix
from scapula.catalog import Catalog
from scapula.clock import as_utc, athlete_zone, midday_of
from scapula.errors import InputFileError, InvalidInputError, NotFoundError
from scapula.store import Athlete, add_posture_check, posture_checks
from scapula.store.queries import delete_records, posture_check_by_id

MAX_FILES = 6  # photos (or clips) in one check


@dataclass
class Checked:
    report: dict
    lines: list[str]
    picture_png: str | None  # base64 PNG of the first picture with the measured lines, or None
    saved: bool
    record: dict | None = None  # the numbers a save keeps (None when refused): saved now or later


def check(
    db: Session,
    athlete: Athlete,
    catalog: Catalog,
    uploads: list[Upload],
    view: str = "auto",
    save: bool = False,
    on: date | None = None,
) -> Checked:
    from scapula.posture import run_check
    from scapula.posture.check import VIEWS
    from scapula.posture.posture_report import build_report, summary_lines

    if view not in VIEWS:
        raise InvalidInputError(f"view must be side, front or auto, not '{view}'")
    if not uploads:
        raise InvalidInputError("choose one or more photos, or a clip, first")
    if len(uploads) > MAX_FILES:
        raise InvalidInputError(f"{MAX_FILES} files at most in one check")
    today = datetime.now(athlete_zone(athlete)).date()
    if on is not None and not today - timedelta(days=366 * 100) <= on <= today:
        raise InvalidInputError(f"date: {on.isoformat()} is not a day of the last hundred years up to today")
    suffixes = [photo_or_clip_suffix(u) for u in uploads]  # every file checked before any is written
    when = datetime.now(athlete_zone(athlete)) if on is None else midday_of(on, athlete)  # the athlete's day
    with work_folder("posture") as folder:
        paths, names = [], {}
        for number, (upload, suffix) in enumerate(zip(uploads, suffixes), 1):
            path = folder / f"input-{number}{suffix}"
            path.write_bytes(upload.data)
            paths.append(path)
            names[path.name] = display_name(upload.filename)
        try:
            result = run_check(paths, view)
        except InputFileError as e:
            raise InputFileError(names.get(e.path.name, "upload"), e.reason) from None
        for r in result.captures:  # the runner's file names in the report, never our paths
            ours = Path(r.capture.name).name
            r.capture.name = names.get(ours, "upload")
            r.capture.description = r.capture.description.replace(ours, r.capture.name)
        report = build_report(result, {e.id: e.name for e in catalog.entries}, when)
        picture = _picture(result, report)
    record = None if result.refused else record_of(result, report, when)
    if save and record is not None:
        save_record(db, athlete, record)
    return Checked(report, summary_lines(report), picture, bool(save and record is not None), record)


def _picture(result, report: dict) -> str | None:
    from scapula.posture.annotate import annotate

    drawable = [r for r in result.captures if r.capture.picture is not None and r.shot is not None]
    if not drawable:
        return None
    out = io.BytesIO()
    annotate(drawable[0], report, out)  # PIL writes the PNG into memory
    return base64.b64encode(out.getvalue()).decode("ascii")


def record_of(result, report: dict, when: datetime) -> dict:
    """What a saved check keeps, as plain JSON values: the numbers, their uncertainty and
    the notes; never the picture."""
    measured = [r for r in result.captures if not r.refused]
    return {
        "checked_at": when.isoformat(),
        "view": result.view,
        "values": {m: [x.angle_deg, x.cm, x.band] for m, x in result.measures.items()},
        "uncertainty": {m: {"deg": round(x.sd_deg, 3), "cm": round(x.sd_cm, 3)} for m, x in result.measures.items()},
        "source": "; ".join(r.capture.description for r in measured),
        "steadiness": next((r.steadiness for r in measured if r.steadiness), None),
        "notes": list(report["notes"]),
    }


def save_record(db: Session, athlete: Athlete, record: dict) -> bool:
    """Keep a check's numbers; False when this very check is kept already (saved twice)."""
    when = datetime.fromisoformat(record["checked_at"])
    if any(
        as_utc(c.checked_at) == when and c.source == record["source"]
        for c in posture_checks(db, athlete=athlete, view=record["view"])
    ):
        return False
    add_posture_check(
        db,
        athlete=athlete,
        checked_at=when,
        view=record["view"],
        values={m: tuple(v) for m, v in record["values"].items()},
        uncertainty=record["uncertainty"],
        source=record["source"],
        steadiness=record["steadiness"],
        quality_notes=record["notes"],
    )
    return True


def delete_check(db: Session, athlete: Athlete, check_id: int) -> None:
    row = posture_check_by_id(db, athlete=athlete, check_id=check_id)
    if row is None:
        raise NotFoundError(f"no posture check with id {check_id}")
    delete_records(db, [row])


def history(db: Session, athlete: Athlete) -> tuple[list[dict], dict]:
    """The saved checks (oldest first, as plain records) and their trend."""
    from scapula.posture.history import trend
    from scapula.posture.norms import NORMS

    checks = []
    for row in posture_checks(db, athlete=athlete):
        record = {
            "id": row.id,
            "checked_at": as_utc(row.checked_at),
            "view": row.view,
            "uncertainty": row.uncertainty,
            "source": row.source,
            "steadiness": row.steadiness,
            "quality_notes": row.quality_notes,
        }
        for m in NORMS:
            for unit in ("deg", "cm", "class"):
                record[f"{m}_{unit}"] = getattr(row, f"{m}_{unit}")
        checks.append(record)
    return checks, trend(checks)
