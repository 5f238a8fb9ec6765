"""The annotated video: skeleton, live rep count per side, and the last rep's fault."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from scapula.errors import InputFileError
from scapula.vision.analyzer import Analyzer, RepEvent
from scapula.vision.landmarks import Frame, Header, LandmarkWriter
from scapula.vision.skeleton import BONES

GREEN = (80, 200, 80)
RED = (60, 60, 230)
WHITE = (255, 255, 255)
DARK = (20, 20, 20)


class Annotator:
    """Writes frames with the coach's overlay to an mp4 file."""

    def __init__(self, path: Path, fps: float, width: int, height: int, fault_names: dict[str, str]) -> None:
        self.path = Path(path)
        self.size = (width, height)
        fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]  # in cv2, not in its stubs
        self.writer = cv2.VideoWriter(str(self.path), fourcc, fps, self.size)
        if not self.writer.isOpened():
            raise InputFileError(self.path, "cannot write a video here")
        self.fault_names = fault_names
        self.counts: dict[str, int] = {}
        self.last: RepEvent | None = None

    def add_reps(self, events: list[RepEvent]) -> None:
        for event in events:
            self.counts[event.side] = self.counts.get(event.side, 0) + 1
            self.last = event

    def write(self, rgb: np.ndarray, frame: Frame) -> None:
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        if bgr.shape[1::-1] != self.size:
            bgr = cv2.resize(bgr, self.size)
        h, w = bgr.shape[:2]
        scale = max(1, round(min(w, h) / 400))
        if frame.image is not None:
            pts = (frame.image[:, :2] * [w, h]).astype(int)
            bad = bool(self.last and self.last.faults)
            for a, b in BONES:
                cv2.line(bgr, tuple(pts[a]), tuple(pts[b]), RED if bad else GREEN, 2 * scale, cv2.LINE_AA)
            for p in pts:
                cv2.circle(bgr, tuple(p), 3 * scale, WHITE, -1, cv2.LINE_AA)
        order = [s for s in ("left", "right", "both") if s in self.counts]
        text = "  ".join(f"{s}: {self.counts[s]}" for s in order) or "reps: 0"
        self._label(bgr, text, (10 * scale, 30 * scale), scale)
        if self.last is not None:
            names = [self.fault_names.get(f, f) for f in self.last.faults]
            note = f"rep {self.last.index}: " + (", ".join(names) if names else "clean")
            self._label(bgr, note, (10 * scale, 62 * scale), scale, RED if names else GREEN)
        self.writer.write(bgr)

    @staticmethod
    def _label(img: np.ndarray, text: str, org: tuple[int, int], scale: int, colour=WHITE) -> None:
        font, size, thick = cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale, 2 * scale
        (tw, th), _ = cv2.getTextSize(text, font, size, thick)
        x, y = org
        cv2.rectangle(img, (x - 4, y - th - 6), (x + tw + 4, y + 6), DARK, -1)
        cv2.putText(img, text, (x, y), font, size, colour, thick, cv2.LINE_AA)

    def close(self) -> None:
        self.writer.release()


def annotate_video(
    path: Path,
    out: Path,
    exercise: str,
    fault_names: dict[str, str],
    stride: int | None = None,
    landmarks_out: Path | None = None,
    progress=None,
) -> Analyzer:
    """Analyse a video in one pass and write it back with the coach's overlay.

    The pose is estimated on the same frames as the fast path (``stride``); a frame in
    between waits for the next estimate (at most stride - 1 frames are held) and is drawn
    with the skeleton interpolated to its time, so the overlay follows a fast arm instead
    of trailing it by up to stride - 1 frames. Returns the analyser, finished.
    ``progress(fraction)``, when given, is called as the frames go by (0..1 of the length
    the file declares).
    """
    from scapula.vision.pipeline import default_stride
    from scapula.vision.pose import BlazePose, open_video

    video = open_video(path)
    stride = stride or default_stride(video.fps)
    header = Header(video.fps / stride, video.width, video.height, source=BlazePose.source)
    analyzer = Analyzer(header, exercise)
    annotator = Annotator(out, video.fps, video.width, video.height, fault_names)
    writer = LandmarkWriter(landmarks_out, header) if landmarks_out else None
    latest = Frame(0.0, None, None)
    waiting: list[tuple[float, np.ndarray]] = []  # frames since ``latest``, not yet drawn
    try:
        with BlazePose() as pose:
            for i, (t, rgb) in enumerate(video.frames()):
                if progress is not None and i % 10 == 0 and video.duration_s > 0:
                    progress(min(1.0, t / video.duration_s))
                if i % stride:
                    waiting.append((t, rgb))
                    continue
                estimate = pose.estimate(rgb, t)
                for t_between, between in waiting:
                    annotator.write(between, _interpolated(latest, estimate, t_between))
                waiting.clear()
                latest = estimate
                if writer is not None:
                    writer.write(latest)
                annotator.add_reps(analyzer.push(latest))
                annotator.write(rgb, latest)
            for _, between in waiting:  # the clip's last frames: nothing to interpolate toward
                annotator.write(between, latest)
    finally:
        annotator.close()
        if writer is not None:
            writer.close()
    return analyzer


def _interpolated(before: Frame, after: Frame, t: float) -> Frame:
    """The skeleton at time ``t`` between two estimates (image points only, for drawing);
    ``before`` as it is when either has no person."""
    if before.image is None or after.image is None or after.t <= before.t:
        return before
    w = (t - before.t) / (after.t - before.t)
    return Frame(t, before.image + w * (after.image - before.image), None)
