"""Files through the API: running files imported, a clip's video check, a posture check."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from scapula.app import posture_checks as posture
from scapula.app import run_uploads as runs
from scapula.app.uploads import Upload
from scapula.catalog import Catalog
from scapula.errors import InvalidInputError, NotFoundError
from scapula.store import get_athlete
from scapula.web.deps import CATALOG, DB, RowId
from scapula.web.schemas import (
    ERRORS,
    VIDEO_ERRORS,
    Detail,
    FileResultOut,
    ImportOut,
    PostureHistoryOut,
    PostureOut,
    PostureSavedOut,
    PostureSaveIn,
    VideoJobOut,
    video_job_out,
)
from scapula.web.security import csrf_protect

router = APIRouter(prefix="/api", tags=["files"], dependencies=[Depends(csrf_protect)])


# ---------------------------------------------------------------- running files


@router.post(
    "/import",
    response_model=ImportOut,
    responses={
        400: {"model": Detail, "description": "No file could be imported"},
        413: {"model": Detail, "description": "Over the upload size limit"},
        415: {"model": Detail, "description": "Not a FIT, GPX, TCX or Strava export zip"},
    },
    summary="Import running files (FIT, GPX, TCX, .gz, Strava export zip)",
)
async def import_files(
    files: Annotated[list[UploadFile], File(description="One or more running files")], db: Session = DB
):
    uploads = [Upload(f.filename or "upload", await f.read()) for f in files]
    results = await run_in_threadpool(runs.import_uploads, db, get_athlete(db), uploads)  # off the event loop
    out = ImportOut(
        files=[FileResultOut(filename=r.filename, status=r.status, message=r.message, runs=r.runs) for r in results],
        imported=sum(len(r.runs) for r in results),
        duplicates=sum(1 for r in results if r.status == "duplicate"),
    )
    if results and all(r.status in ("refused", "error") for r in results):
        status = 415 if all(r.status == "refused" for r in results) else 400
        detail = "; ".join(f"{r.filename}: {r.message}" for r in results)
        return JSONResponse({"detail": detail, **out.model_dump()}, status_code=status)
    return out


# ---------------------------------------------------------------- video check


def _video_job(request: Request, job_id: str):
    job = request.app.state.videos.get(job_id)
    if job is None:
        raise NotFoundError(f"no video check with id {job_id!r}")
    return job


@router.post(
    "/video",
    response_model=VideoJobOut,
    status_code=202,
    responses=VIDEO_ERRORS,
    summary="Upload a clip for the video check: poll GET /api/video/{id} until done",
)
async def create_video_check(
    request: Request,
    file: Annotated[UploadFile, File(description="One clip of one set")],
    exercise: Annotated[str, Form(description="An exercise id, or auto")] = "auto",
) -> VideoJobOut:
    job = await run_in_threadpool(
        request.app.state.videos.submit, file.filename or "upload", await file.read(), exercise
    )
    return video_job_out(job)


@router.get(
    "/video/{job_id}",
    response_model=VideoJobOut,
    responses=VIDEO_ERRORS,
    summary="A video check's progress, and its report once done",
)
def read_video_check(request: Request, job_id: str) -> VideoJobOut:
    return video_job_out(_video_job(request, job_id))


@router.delete(
    "/video/{job_id}", status_code=204, responses=VIDEO_ERRORS, summary="Delete a video check and its files now"
)
def delete_video_check(request: Request, job_id: str) -> Response:
    if not request.app.state.videos.drop(job_id):
        raise NotFoundError(f"no video check with id {job_id!r}")
    return Response(status_code=204)


# ---------------------------------------------------------------- posture check


@router.post(
    "/posture",
    response_model=PostureOut,
    responses={**VIDEO_ERRORS, 422: ERRORS[422]},
    summary="Posture check from photos or a short clip (or landmark files); 422 when refused",
)
async def create_posture_check(
    request: Request,
    files: Annotated[list[UploadFile], File(description="Side or front photos, or one short clip")],
    view: Annotated[Literal["auto", "side", "front"], Form()] = "auto",
    save: Annotated[bool, Form(description="Keep the numbers in the log")] = False,
    day: Annotated[date | None, Form(alias="date", description="With save: the day of the check")] = None,
    db: Session = DB,
    catalog: Catalog = CATALOG,
):
    uploads = [Upload(f.filename or "upload", await f.read()) for f in files]
    checked = await run_in_threadpool(posture.check, db, get_athlete(db), catalog, uploads, view, save, day)
    token = request.app.state.csrf.seal(checked.record) if checked.record and not checked.saved else None
    out = PostureOut(report=checked.report, saved=checked.saved, picture_png=checked.picture_png, save_token=token)
    if checked.report["status"] == "refused":
        problems = "; ".join(f"{i['input']}: {p['message']}" for i in checked.report["inputs"] for p in i["problems"])
        return JSONResponse(
            {"detail": problems or "nothing could be measured", **out.model_dump(mode="json")}, status_code=422
        )
    return out


@router.post(
    "/posture/save",
    response_model=PostureSavedOut,
    status_code=201,
    responses=ERRORS,
    summary="Keep the numbers of a check already measured (its save_token)",
)
def save_posture_check(request: Request, body: PostureSaveIn, db: Session = DB) -> PostureSavedOut:
    record = request.app.state.csrf.unseal(body.save_token)
    if not isinstance(record, dict):
        raise InvalidInputError("save_token: not a token of this app's posture check")
    return PostureSavedOut(saved=posture.save_record(db, get_athlete(db), record))


@router.delete("/posture/checks/{check_id}", status_code=204, responses=ERRORS, summary="Delete a saved posture check")
def delete_posture_check(check_id: RowId, db: Session = DB) -> Response:
    posture.delete_check(db, get_athlete(db), check_id)
    return Response(status_code=204)


@router.get("/posture/history", response_model=PostureHistoryOut, summary="Saved posture checks and their trend")
def read_posture_history(db: Session = DB) -> PostureHistoryOut:
    checks, trend = posture.history(db, get_athlete(db))
    return PostureHistoryOut(checks=[{**c, "checked_at": c["checked_at"].isoformat()} for c in checks], trend=trend)
