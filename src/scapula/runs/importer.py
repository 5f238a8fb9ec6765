"""Importing a batch: read and parse in worker processes, dedupe and store in this one.

For each item, in the order given: a worker reads the bytes (decompressing .gz), hashes
them and parses them unless the hash is already stored. This process then drops
duplicates (same content, or the same run from another source), stores the rest of that
file's activities in one transaction, and reports one ``Outcome``. Every activity passes ``door.admit``
on its way in, whatever read it. A file that fails is reported and rolled back alone;
everything stored before it stays, and nothing in one file stops the batch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scapula.errors import InputFileError, NotAnActivityError
from scapula.runs.activity import Activity
from scapula.runs.door import admit, clock_text, distance_text
from scapula.runs.sources import Item, Source, expand, read_activities_of
from scapula.runs.strava import StravaRow
from scapula.store.models import Athlete, Run
from scapula.store.queries import add_runs, run_by_hash, same_run, stored_run_hashes

_KIND_WORDS = {"fit": "FIT", "gpx": "GPX", "tcx": "TCX", "apple": "Apple Health export"}


@dataclass
class Outcome:
    """What became of one item: ``imported`` (maybe with some duplicates), ``duplicate``,
    ``note`` (skipped, not an error: a workout file, a fragment, an export's CSV that
    cannot be read while its files are) or ``error``."""

    where: str
    status: str
    message: str = ""
    runs: list[Run] = field(default_factory=list)
    duplicates: int = 0


@dataclass
class Summary:
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0

    def add(self, outcome: Outcome) -> None:
        self.imported += len(outcome.runs)
        self.duplicates += outcome.duplicates
        self.skipped += outcome.status in ("note", "error")
        self.errors += outcome.status == "error"


# ---------------------------------------------------------------- worker side

_known: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str]) -> None:
    global _known
    _known = known


def _parse(source: Source | None) -> tuple[str, str | None, list[Activity] | str]:
    """(status, sha256, activities or reason) for one source; runs in a worker process."""
    if source is None:
        return "row", None, []
    try:
        if source.kind == "apple":  # many workouts, each with its own identity: never skipped whole
            return "ok", None, read_activities_of(source)
        data = source.read()
        sha = hashlib.sha256(data).hexdigest()
        if sha in _known:
            return "known", sha, []  # the same content is stored: not even parsed
        return "ok", sha, read_activities_of(source, data)
    except NotAnActivityError as e:
        return "note", None, e.reason
    except InputFileError as e:
        return "error", None, e.reason
    except Exception:
        what = _KIND_WORDS.get(source.kind or "", "activity")
        return "error", None, f"cannot be read: its content is not laid out as a {what} file's should be"


def _parsed(sources: list[Source | None], known: frozenset[str], workers: int) -> Iterable[tuple]:
    """Parse results in input order, from ``workers`` processes (here when there is one)."""
    if workers <= 1:
        _init_worker(known)
        yield from map(_parse, sources)
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(known,)) as pool:
        yield from pool.map(_parse, sources, chunksize=max(1, min(16, len(sources) // (4 * workers))))


# ---------------------------------------------------------------- this side


def import_paths(
    db: Session,
    *,
    athlete: Athlete,
    paths: list[Path],
    report: Callable[[Outcome], None],
    workers: int | None = None,
    on_items: Callable[[int], None] | None = None,
) -> Summary:
    """Import every activity under ``paths``; ``report`` hears one outcome per item or bad path."""
    summary = Summary()
    items, errors, notes = expand(paths)
    for status, problems in (("error", errors), ("note", notes)):
        for problem in problems:
            outcome = Outcome(str(problem.path), status, problem.reason)
            summary.add(outcome)
            report(outcome)
    if on_items is not None:
        on_items(len(items))
    known = stored_run_hashes(db, athlete=athlete)
    to_parse = sum(1 for item in items if item.source is not None)
    workers = min(workers or os.cpu_count() or 1, to_parse)
    results = _parsed([item.source for item in items], frozenset(known), workers)
    for item, (status, sha, payload) in zip(items, results):
        try:
            outcome = _store(db, athlete, item, status, sha, payload, known)
        except Exception:
            db.rollback()
            outcome = Outcome(
                item.name, "error", "cannot be stored: something in it is out of the range a run can have"
            )
        summary.add(outcome)
        report(outcome)
    return summary


def _store(
    db: Session, athlete: Athlete, item: Item, status: str, sha: str | None, payload, known: set[str]
) -> Outcome:
    where = item.name
    if status in ("note", "error"):
        return Outcome(where, status, payload)
    if status == "known":
        _rename(db, athlete, sha, item.row)
        return Outcome(where, "duplicate", "already imported", duplicates=1)
    remarks: list[str] = []
    if status == "row":  # a Strava row with no file: a manual activity, or its file is missing
        row = cast(StravaRow, item.row)  # the status of an item that is a Strava row alone
        if row.filename:
            remarks.append(f"{row.filename} is not in the export; imported from its activities.csv row")
        try:
            found: list[tuple[str, Any]] = [(row.sha256, row.activity())]
        except InputFileError as e:
            return Outcome(where, "error", e.reason)
        kind = "strava_csv"
    else:
        kind = cast(str, cast(Source, item.source).kind)  # a file of a known kind was read
        # a workout of a health export has its own identity; in a file, every activity after
        # the first gets one derived from the file's hash
        found = [
            (
                _identity(a.identity)
                if getattr(a, "identity", None)
                else cast(str, sha)  # a file's hash: only an export's workouts come without one
                if i == 0
                else hashlib.sha256(f"{sha}:{i}".encode()).hexdigest(),
                a,
            )
            for i, a in enumerate(payload)
        ]
    platform = (item.row.sport, item.row.sub_sport, "its Strava entry") if item.row else None
    new, duplicates, left_out, refused = [], 0, [], []
    for run_sha, activity in found:
        if isinstance(activity, InputFileError):  # one workout of an export that cannot be read
            refused.append(activity.reason)
            continue
        try:
            activity, said = admit(activity, where, platform_sport=platform)
        except NotAnActivityError as e:
            left_out.append(e.reason)
            continue
        except InputFileError as e:
            refused.append(e.reason)
            continue
        run = _run(activity, item.row, run_sha, kind, where)
        if run_sha in known:
            _rename(db, athlete, run_sha, item.row)
            duplicates += 1
            continue
        same = same_run(db, athlete=athlete, sport=run.sport, started_at=run.started_at, duration_s=run.duration_s)
        if same is not None:
            _rename(db, athlete, same.sha256, item.row)
            duplicates += 1
            remarks.append(f"the same run as {same.source_name}, already stored")
            continue
        remarks += said
        if activity.damage:
            remarks.append(f"{activity.damage} — imported what was there ({_amount(activity)})")
        new.append(run)
    if not new and not duplicates and (refused or left_out):
        if refused:
            return Outcome(where, "error", refused[0])
        return Outcome(
            where,
            "note",
            left_out[0]
            if len(left_out) == 1
            else f"{len(left_out)} activities, all fragments or routes ({left_out[0]})",
        )
    if left_out:
        remarks.append(f"{len(left_out)} left out ({left_out[0]})" if len(left_out) > 1 else f"left out {left_out[0]}")
    remarks += refused
    if new:
        try:
            add_runs(db, athlete=athlete, runs=new)
        except SQLAlchemyError as e:
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            return Outcome(where, "error", f"cannot be stored ({reason})")
        known.update(run.sha256 for run in new)
    return Outcome(where, "imported" if new else "duplicate", "; ".join(remarks), runs=new, duplicates=duplicates)


def _identity(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _amount(activity: Activity) -> str:
    return distance_text(activity.distance_m) if activity.distance_m else clock_text(activity.duration_s)


def _run(activity: Activity, row: StravaRow | None, sha: str, kind: str, where: str) -> Run:
    """The ``Run`` row of an admitted activity; a Strava row's name wins over the file's."""
    return Run(
        sha256=sha,
        source_name=where[-255:],
        source_kind=kind,
        external_id=row.activity_id[:64] if row else None,
        started_at=activity.started_at,
        utc_offset_min=activity.utc_offset_min,
        sport=cast(str, activity.sport)[:30],  # an admitted activity has a sport (door.admit)
        sub_sport=activity.sub_sport[:30] if activity.sub_sport else None,
        name=(row.name if row and row.name else activity.name),
        duration_s=activity.duration_s,
        elapsed_s=activity.elapsed_s,
        distance_m=activity.distance_m,
        avg_hr=activity.avg_hr,
        max_hr=activity.max_hr,
        energy_kcal=activity.energy_kcal,
        laps=activity.laps,
        splits=activity.splits,
        legs=activity.legs,
    )


def _rename(db: Session, athlete: Athlete, sha: str | None, row: StravaRow | None) -> None:
    """A Strava row names a run already stored: the runner's name for it is kept."""
    if row is None or not row.name or sha is None:
        return
    run = run_by_hash(db, athlete=athlete, sha256=sha)
    if run is not None and (run.name != row.name or run.external_id is None):
        run.name = row.name
        run.external_id = run.external_id or row.activity_id[:64]
        db.commit()
