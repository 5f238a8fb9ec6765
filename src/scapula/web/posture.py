"""The posture check on the web: uploaded photos or a clip (or landmark files) through the same
``run_check`` / ``build_report`` as ``scapula posture``, the picture with the measured lines,
an optional save of the numbers (never the picture), and the saved checks' trend.

Uploads are written to a temporary folder this module makes, under names it makes
(``input-1.jpg``), read, and deleted before the answer goes out; the browser's file names
only appear in the report's text.
"""

from __future__ import annotations

import base64
import io
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from scapula.catalog import Catalog
from scapula.errors import InputFileError
from scapula.store import Athlete
from scapula.web.services import Upload, display_name
from scapula.web.videocheck import NotAVideo, video_suffix

PHOTO_MAGIC = {  # suffix -> test on the first bytes
    ".jpg": lambda h: h[:3] == b"\xff\xd8\xff", ".jpeg": lambda h: h[:3] == b"\xff\xd8\xff",
    ".png": lambda h: h[:8] == b"\x89PNG\r\n\x1a\n",
    ".webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    ".bmp": lambda h: h[:2] == b"BM",
    ".tif": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"), ".tiff": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    ".heic": lambda h: h[4:8] == b"ftyp", ".heif": lambda h: h[4:8] == b"ftyp",
}
MAX_FILES = 6
ACCEPT = ",".join(PHOTO_MAGIC) + ",.mp4,.mov,.m4v,.webm,.jsonl,image/*,video/*"


def upload_suffix(upload: Upload) -> str:
    """A photo's, a clip's or a landmark file's suffix when the name and the first bytes
    agree; ``NotAVideo`` (415) naming the file otherwise."""
    name = display_name(upload.filename)
    suffix = next((s for s in PHOTO_MAGIC if name.lower().endswith(s)), None)
    if suffix is not None:
        if not upload.data:
            raise InputFileError(name, "empty file")
        if not PHOTO_MAGIC[suffix](upload.data[:16]):
            raise NotAVideo(name, f"the content is not a {suffix.lstrip('.').upper()} picture")
        return suffix
    try:
        return video_suffix(upload.filename, upload.data[:64])
    except NotAVideo as e:
        if "not a video:" in e.reason:
            raise NotAVideo(name, "not a photo or a clip: upload .jpg, .png, .heic or .webp photos, "
                                  "a short .mp4/.mov clip, or landmark files (.jsonl)") from None
        raise


@dataclass
class Checked:
    report: dict
    lines: list[str]
    picture_png: str | None  # base64 PNG of the first picture with the measured lines, or None
    saved: bool
    record: dict | None = None  # the numbers a save keeps (None when refused): saved now or later


def check(db: Session, athlete: Athlete, catalog: Catalog, uploads: list[Upload], view: str = "auto",
          save: bool = False, on: date | None = None) -> Checked:
    from scapula.errors import InvalidInputError
    from scapula.plan.service import athlete_zone, midday_of
    from scapula.posture import run_check
    from scapula.posture.check import VIEWS
    from scapula.posture.report import build_report, summary_lines

    if view not in VIEWS:
        raise InvalidInputError(f"view must be side, front or auto, not '{view}'")
    if not uploads:
        raise InvalidInputError("choose one or more photos, or a clip, first")
    if len(uploads) > MAX_FILES:
        raise InvalidInputError(f"{MAX_FILES} files at most in one check")
    today = datetime.now(athlete_zone(athlete)).date()
    if on is not None and not today - timedelta(days=366 * 100) <= on <= today:
        raise InvalidInputError(f"date: {on.isoformat()} is not a day of the last hundred years up to today")
    suffixes = [upload_suffix(u) for u in uploads]  # every file checked before any is written
    when = datetime.now(athlete_zone(athlete)) if on is None else midday_of(on, athlete)  # the athlete's day
    folder = Path(tempfile.mkdtemp(prefix="scapula-posture-"))
    try:
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
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    record = None if result.refused else _record(result, report, when)
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


def _record(result, report: dict, when: datetime) -> dict:
    """What ``scapula posture --save`` keeps, as plain JSON values: the numbers, their
    uncertainty and the notes; never the picture."""
    measured = [r for r in result.captures if not r.refused]
    return {
        "checked_at": when.isoformat(), "view": result.view,
        "values": {m: [x.angle_deg, x.cm, x.band] for m, x in result.measures.items()},
        "uncertainty": {m: {"deg": round(x.sd_deg, 3), "cm": round(x.sd_cm, 3)} for m, x in result.measures.items()},
        "source": "; ".join(r.capture.description for r in measured),
        "steadiness": next((r.steadiness for r in measured if r.steadiness), None),
        "notes": list(report["notes"]),
    }


def save_record(db: Session, athlete: Athlete, record: dict) -> bool:
    """Keep a check's numbers; False when this very check is kept already (saved twice)."""
    from scapula.store import add_posture_check, posture_checks
    from scapula.store.queries import as_utc

    when = datetime.fromisoformat(record["checked_at"])
    if any(as_utc(c.checked_at) == when and c.source == record["source"]
           for c in posture_checks(db, athlete=athlete, view=record["view"])):
        return False
    add_posture_check(
        db, athlete=athlete, checked_at=when, view=record["view"],
        values={m: tuple(v) for m, v in record["values"].items()}, uncertainty=record["uncertainty"],
        source=record["source"], steadiness=record["steadiness"], quality_notes=record["notes"])
    return True


def delete_check(db: Session, athlete: Athlete, check_id: int) -> None:
    from scapula.store.models import PostureCheck
    from scapula.store.queries import delete_records
    from scapula.web.services import NotFound

    row = db.get(PostureCheck, check_id)
    if row is None or row.athlete_id != athlete.id:
        raise NotFound(f"no posture check with id {check_id}")
    delete_records(db, [row])


def history(db: Session, athlete: Athlete) -> tuple[list[dict], dict]:
    """The saved checks (oldest first, as plain records) and their trend, as
    ``scapula posture --history`` shows them."""
    from scapula.posture.history import trend
    from scapula.posture.norms import NORMS
    from scapula.store import posture_checks
    from scapula.store.queries import as_utc

    checks = []
    for row in posture_checks(db, athlete=athlete):
        record = {"id": row.id, "checked_at": as_utc(row.checked_at), "view": row.view,
                  "uncertainty": row.uncertainty, "source": row.source}
        for m in NORMS:
            for unit in ("deg", "cm", "class"):
                record[f"{m}_{unit}"] = getattr(row, f"{m}_{unit}")
        checks.append(record)
    return checks, trend(checks)


COLOURS = ("#1f6f8b", "#d1495b")


def trend_charts(checks: list[dict]) -> list[tuple[str, str]]:
    """(title, inline SVG) per view with saved checks: each measure's degrees over time."""
    from scapula.posture.norms import NORMS, VIEW_MEASURES
    from scapula.web.charts import Series, line_chart

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
                    s.points.append((c["checked_at"].date(), float(c[f"{m}_deg"]),
                                     f"{c[f'{m}_deg']:+.1f} deg, {c[f'{m}_class']}"))
            series.append(s)
            colours[s.side] = COLOURS[i % len(COLOURS)]
        values = [v for s in series for _, v, _ in s.points]
        if not values:
            continue
        lo = min(0.0, float(int(min(values)) - 5) // 5 * 5)
        hi = max(5.0, (float(int(max(values)) + 5) // 5 + 1) * 5)
        title = f"{view.capitalize()} view: degrees per check"
        out.append((title, line_chart(series, title=title, y_min=lo, y_max=hi, colours=colours)))
    return out
