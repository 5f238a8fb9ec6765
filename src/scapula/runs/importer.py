"""Importing a batch: read and parse in worker processes, dedupe and store in this one.

For each item, in the order given: a worker reads the bytes (decompressing .gz), hashes
them and parses them unless the hash is already stored. This process then drops
duplicates (same content, or the same run from another source), stores the rest of that
file's activities in one transaction, and reports one ``Outcome``. A file that fails is
reported and rolled back alone; everything stored before it stays.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scapula.errors import InputFileError, NotAnActivityError
from scapula.runs.activity import Activity
from scapula.runs.sources import Item, Source, expand, read_activities_bytes
from scapula.runs.strava import StravaRow
from scapula.store.models import Athlete, Run
from scapula.store.queries import add_runs, same_run, stored_run_hashes

# A file that names no sport (a bare GPX track, a TCX "Other") is taken as a run: people
# import their running here, and Strava's row, when there is one, says otherwise. Faster
# than any runner's average (2:47 /km), it was a ride.
DEFAULT_SPORT = "running"
FASTEST_RUN_M_S = 6.0


@dataclass
class Outcome:
    """What became of one item: ``imported`` (maybe with some duplicates), ``duplicate``,
    ``note`` (skipped, not an error) or ``error``."""

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
        data = source.read()
        sha = hashlib.sha256(data).hexdigest()
        if sha in _known:
            return "known", sha, []  # the same content is stored: not even parsed
        return "ok", sha, read_activities_bytes(source.kind, data, source.name)
    except NotAnActivityError as e:
        return "note", None, e.reason
    except InputFileError as e:
        return "error", None, e.reason
    except Exception as e:  # noqa: BLE001 - one odd file must not stop a batch of a thousand
        return "error", None, f"cannot be read ({type(e).__name__}: {e})"


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
    db: Session, *, athlete: Athlete, paths: list[Path], report: Callable[[Outcome], None],
    workers: int | None = None, on_items: Callable[[int], None] | None = None,
) -> Summary:
    """Import every activity under ``paths``; ``report`` hears one outcome per item or bad path."""
    summary = Summary()
    items, errors = expand(paths)
    for error in errors:
        outcome = Outcome(str(error.path), "error", error.reason)
        summary.add(outcome)
        report(outcome)
    if on_items is not None:
        on_items(len(items))
    known = stored_run_hashes(db, athlete=athlete)
    to_parse = sum(1 for item in items if item.source is not None)
    workers = min(workers or os.cpu_count() or 1, to_parse)
    results = _parsed([item.source for item in items], frozenset(known), workers)
    for item, (status, sha, payload) in zip(items, results):
        outcome = _store(db, athlete, item, status, sha, payload, known)
        summary.add(outcome)
        report(outcome)
    return summary


def _store(db: Session, athlete: Athlete, item: Item, status: str, sha: str | None,
           payload, known: set[str]) -> Outcome:
    where = item.name
    if status in ("note", "error"):
        return Outcome(where, status, payload)
    if status == "known":
        _rename(db, athlete, sha, item.row)
        return Outcome(where, "duplicate", "already imported", duplicates=1)
    message = ""
    if status == "row":  # a Strava row with no file: a manual activity, or its file is missing
        row: StravaRow = item.row
        if row.filename:
            message = f"{row.filename} is not in the export; imported from its activities.csv row"
        try:
            found = [(row.sha256, row.activity())]
        except InputFileError as e:
            return Outcome(where, "error", e.reason)
        kind = "strava_csv"
    else:
        kind = item.source.kind
        # every activity after a file's first gets an identity derived from the file's hash
        found = [(sha if i == 0 else hashlib.sha256(f"{sha}:{i}".encode()).hexdigest(), a)
                 for i, a in enumerate(payload)]
    new, duplicates = [], 0
    for run_sha, activity in found:
        run = _run(activity, item.row, run_sha, kind, where)
        if run_sha in known:
            _rename(db, athlete, run_sha, item.row)
            duplicates += 1
            continue
        same = same_run(db, athlete=athlete, sport=run.sport, started_at=run.started_at,
                        duration_s=run.duration_s)
        if same is not None:
            _rename(db, athlete, same.sha256, item.row)
            duplicates += 1
            message = f"the same run as {same.source_name}, already stored"
            continue
        new.append(run)
    if new:
        try:
            add_runs(db, athlete=athlete, runs=new)
        except SQLAlchemyError as e:
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            return Outcome(where, "error", f"cannot be stored ({reason})")
        known.update(run.sha256 for run in new)
    return Outcome(where, "imported" if new else "duplicate", message, runs=new, duplicates=duplicates)


def _run(activity: Activity, row: StravaRow | None, sha: str, kind: str, where: str) -> Run:
    """The ``Run`` row of an activity; a Strava row's name wins over the file's."""
    sport, sub_sport = activity.sport, activity.sub_sport
    if sport is None and row is not None:
        sport, sub_sport = row.sport, row.sub_sport
    if sport is None:
        speed = (activity.distance_m or 0) / activity.duration_s
        sport = DEFAULT_SPORT if speed <= FASTEST_RUN_M_S else "cycling"
    return Run(
        sha256=sha, source_name=where[-255:], source_kind=kind,
        external_id=row.activity_id[:64] if row else None, started_at=activity.started_at,
        utc_offset_min=activity.utc_offset_min, sport=sport[:30],
        sub_sport=sub_sport[:30] if sub_sport else None,
        name=(row.name if row and row.name else activity.name), duration_s=activity.duration_s,
        elapsed_s=activity.elapsed_s, distance_m=activity.distance_m, avg_hr=activity.avg_hr,
        max_hr=activity.max_hr, laps=activity.laps, splits=activity.splits,
    )


def _rename(db: Session, athlete: Athlete, sha: str | None, row: StravaRow | None) -> None:
    """A Strava row names a run already stored: the runner's name for it is kept."""
    if row is None or not row.name or sha is None:
        return
    run = db.scalars(select(Run).where(Run.athlete_id == athlete.id, Run.sha256 == sha)).first()
    if run is not None and (run.name != row.name or run.external_id is None):
        run.name = row.name
        run.external_id = run.external_id or row.activity_id[:64]
        db.commit()
