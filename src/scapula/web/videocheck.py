"""The video check: an uploaded clip analysed in the background, as ``scapula analyze
--annotate`` does it, with its progress, its report and its annotated video.

Each job has a random id and a temporary folder of its own that the server names; the upload
is written there as ``input<suffix>`` and the annotated video as ``annotated.mp4``. A
request names a job by its id only (a dictionary lookup): no path from a request reaches the
file system. A job's folder is deleted when it expires (``KEEP_S`` after it ends), when it
is deleted, or when the server stops; the report itself is kept by downloading it.

The job folders sit in one folder per server (``scapula-videos-*`` in the temporary
directory) that the server holds a lock on while it runs. A server killed before it could
clean up leaves its folder unlocked, and the next server to start deletes it: the lock,
not a process id that may have been reused, tells an abandoned folder from a live one.

One job runs at a time (the pose model takes a core, the encoder the other); a few more may
wait, and more than that are refused with 503.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from scapula.app.scratch import new_folder
from scapula.app.uploads import LANDMARK_SUFFIXES, display_name, video_suffix
from scapula.catalog import Catalog
from scapula.errors import BusyError, InputFileError, ScapulaError

log = logging.getLogger(__name__)

KEEP_S = 3600.0  # a finished job's files and report, then gone
MAX_WAITING = 3
WEB_MAX_SIDE = 960  # the annotated video for the browser: H.264, at most this on its long side


@dataclass
class Job:
    id: str
    name: str  # the browser's file name, for display only
    exercise: str
    folder: Path
    suffix: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""
    report: dict | None = None
    summary: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    ended: float | None = None
    cancelled: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def input(self) -> Path:
        return self.folder / f"input{self.suffix}"

    @property
    def is_landmarks(self) -> bool:
        return self.suffix in LANDMARK_SUFFIXES

    @property
    def annotated(self) -> Path:
        return self.folder / "annotated.mp4"

    @property
    def has_video(self) -> bool:
        return self.status == "done" and self.annotated.exists()


class VideoChecks:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scapula-video")
        self.root, self._owner = new_folder("videos")

    def submit(self, filename: str, data: bytes, exercise: str) -> Job:
        from scapula.vision.analyzer import AUTO

        if exercise != AUTO:
            self.catalog.move(exercise)  # UnknownExerciseError names the valid ids
        suffix = video_suffix(filename, data[:64])
        self.sweep()
        with self.lock:
            waiting = sum(1 for j in self.jobs.values() if j.status in ("queued", "running"))
            if waiting > MAX_WAITING:
                raise BusyError(f"{waiting} video checks are already waiting: try again in a minute")
            job = Job(
                secrets.token_urlsafe(12),
                display_name(filename),
                exercise,
                Path(tempfile.mkdtemp(prefix="job-", dir=self.root)),
                suffix,
            )
            self.jobs[job.id] = job
        try:
            job.input.write_bytes(data)
            if job.is_landmarks:
                from scapula.vision.landmarks import read_landmarks

                read_landmarks(job.input)  # the header is checked now; the rows as they are read
            else:
                from scapula.vision.pose import open_video

                video = open_video(job.input)  # refused now, with the reason, if FFmpeg cannot read it
            if not job.is_landmarks and video.duration_s > 15 * 60:
                raise InputFileError(
                    job.name, f"{video.duration_s / 60:.0f} minutes long: check a clip of one set (15 minutes at most)"
                )
        except InputFileError as e:
            self.drop(job.id)
            log.info("video check refused: %s", e.reason)
            raise InputFileError(job.name, e.reason) from None
        self.worker.submit(self._run, job)
        log.info("video check %s queued (%s, %.1f MB)", job.id, exercise, len(data) / 1e6)
        return job

    def _run(self, job: Job) -> None:
        from scapula.vision.annotated_video import annotate_video
        from scapula.vision.report import build_report, summary_lines

        if job.cancelled.is_set():  # deleted while it waited
            return
        job.status = "running"
        started = time.monotonic()
        raw = job.folder / "annotated-mp4v.mp4"
        try:
            names = {fault.id: fault.name for move in self.catalog.moves for fault in move.faults}

            def progress(fraction: float) -> None:
                if job.cancelled.is_set():  # deleted while running: stop decoding, free the worker
                    raise _Cancelled
                job.progress = 0.9 * fraction  # the last tenth: the browser's copy of the video

            if job.is_landmarks:  # as `scapula analyze FILE.jsonl`: no pictures, so no video
                result = analyze_landmarks(job.input, job.exercise)
            else:
                result = annotate_video(job.input, raw, job.exercise, names, progress=progress).finish()
            if result.frames_with_person == 0:
                raise InputFileError(job.name, f"no person found in any of its {result.frames_total} frames")
            job.report = build_report(result, self.catalog)
            job.summary = summary_lines(job.report, self.catalog)
            if not job.is_landmarks:
                web_video(raw, job.annotated)
            job.progress = 1.0
            job.status = "done"
        except _Cancelled:
            job.status, job.message = "failed", "deleted before it finished"
        except ScapulaError as e:
            job.status, job.message = "failed", str(e).replace(str(job.input), job.name)
        except Exception as e:
            job.status, job.message = "failed", f"the analysis failed: {type(e).__name__}: {e}"
            log.exception("video check %s failed", job.id)
        finally:
            job.ended = time.time()
            log.info(
                "video check %s %s in %.1f s%s",
                job.id,
                job.status,
                time.monotonic() - started,
                f": {job.message}" if job.message else "",
            )
            raw.unlink(missing_ok=True)
            job.input.unlink(missing_ok=True)  # the upload is not kept once analysed
            if job.cancelled.is_set():
                shutil.rmtree(job.folder, ignore_errors=True)  # drop() may have run mid-write

    def get(self, job_id: str) -> Job | None:
        self.sweep()
        return self.jobs.get(job_id)

    def drop(self, job_id: str) -> bool:
        with self.lock:
            job = self.jobs.pop(job_id, None)
        if job is None:
            return False
        job.cancelled.set()
        shutil.rmtree(job.folder, ignore_errors=True)
        return True

    def sweep(self, now: float | None = None) -> None:
        now = now or time.time()
        for job in list(self.jobs.values()):
            if job.ended is not None and now - job.ended > KEEP_S:
                self.drop(job.id)

    def close(self) -> None:
        self.worker.shutdown(wait=False, cancel_futures=True)
        for job_id in list(self.jobs):
            self.drop(job_id)
        shutil.rmtree(self.root, ignore_errors=True)
        self._owner.close()


def analyze_landmarks(path: Path, exercise: str):
    """A landmark file analysed as ``scapula analyze FILE.jsonl`` does (it takes a second or
    two, so no progress is told)."""
    from scapula.vision.analyzer import analyze
    from scapula.vision.landmarks import read_landmarks

    header, frames = read_landmarks(path)
    return analyze(header, frames, exercise)


class _Cancelled(Exception):
    """The job was deleted while it ran."""


def web_video(source: Path, dest: Path) -> None:
    """The annotated video re-encoded for browsers: H.264 (yuv420p) in an mp4 with the index
    first, at most ``WEB_MAX_SIDE`` on its long side. OpenCV's writer only has MPEG-4 Part 2,
    which browsers do not play."""
    import av

    with av.open(str(source)) as src, av.open(str(dest), "w", options={"movflags": "faststart"}) as out:
        stream_in = src.streams.video[0]
        w, h = stream_in.codec_context.width, stream_in.codec_context.height
        scale = min(1.0, WEB_MAX_SIDE / max(w, h))
        size = (max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2))
        rate = stream_in.average_rate or 30
        stream = out.add_stream("libx264", rate=rate, options={"crf": "26", "preset": "veryfast"})
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = stream_in.time_base
        for frame in src.decode(stream_in):
            small = frame.reformat(width=size[0], height=size[1], format="yuv420p")
            small.pts, small.time_base = frame.pts, frame.time_base  # the source's own timing
            for packet in stream.encode(small):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
