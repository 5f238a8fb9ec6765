"""Importing runs from files a browser uploaded: each written under a name the application
makes into a folder it makes, read by the same importer as ``scapula import``, and deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from sqlalchemy.orm import Session

from scapula.app.scratch import work_folder
from scapula.app.uploads import Upload, display_name, running_file_suffix
from scapula.clock import local_time
from scapula.errors import InputFileError
from scapula.store import Athlete, Run

Status = Literal["imported", "duplicate", "note", "error", "refused"]


@dataclass
class UploadResult:
    filename: str
    status: Status
    message: str = ""
    runs: list[str] = field(default_factory=list)  # one line per run imported


def import_uploads(db: Session, athlete: Athlete, uploads: list[Upload]) -> list[UploadResult]:
    """Import uploaded files with the real importer.

    Each file is written to a temporary folder we create, under a name we make
    (``upload-1.fit``): the browser's file name never reaches the file system, only the
    messages and the stored run's source name.
    """
    from scapula.runs import Outcome, import_paths

    results: list[UploadResult] = []
    with work_folder("upload") as folder:
        for number, upload in enumerate(uploads, 1):
            name = display_name(upload.filename)
            try:
                suffix = running_file_suffix(upload)
            except InputFileError as e:
                results.append(UploadResult(name, "refused", e.reason))
                continue
            path = folder / f"upload-{number}{suffix}"
            path.write_bytes(upload.data)
            outcomes: list[Outcome] = []
            import_paths(db, athlete=athlete, paths=[path], report=outcomes.append, workers=1)
            for outcome in outcomes:
                where = outcome.where.replace(str(path), name)
                for run in outcome.runs:
                    run.source_name = where[-255:]  # what the runner called the file
                if outcome.runs:
                    db.commit()
                results.append(
                    UploadResult(
                        where,
                        cast(Status, outcome.status),
                        outcome.message.replace(str(path), name),
                        [_run_line(athlete, run) for run in outcome.runs],
                    )
                )
    return results


def _run_line(athlete: Athlete, run: Run) -> str:
    started = local_time(athlete, run.started_at)
    minutes = round(run.duration_s / 60)
    km = f", {run.distance_m / 1000:.1f} km" if run.distance_m else ""
    return f"{started:%a %d %b %Y}: {run.sport}, {minutes} min{km}" + (f" — {run.name}" if run.name else "")
