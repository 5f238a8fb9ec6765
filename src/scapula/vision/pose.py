"""Video in, pose landmarks out: decoding and pose estimation only (no analysis, no drawing).

- ``open_video(path)`` probes a file with PyAV (FFmpeg's libraries, inside the ``av`` wheel)
  and returns a ``Video`` whose ``frames()`` yields ``(t, rgb)``: ``t`` in seconds from the
  clip's first frame, taken from the stream's own timestamps (irregular when the file is);
  ``rgb`` an upright ``uint8`` array (height, width, 3), the rotation metadata applied.
- ``BlazePose`` wraps MediaPipe's legacy pose solution, the full model that ships inside the
  ``mediapipe==0.10.21`` wheel (nothing is downloaded), behind the ``PoseEstimator`` protocol.
- ``video_landmarks(path)`` joins the two: a ``Header`` and a lazy stream of ``Frame``
  (CONTRACTS.md §2).

Errors: a file that cannot be used raises ``InputFileError`` naming it, from ``open_video``.
A file that breaks part-way (a damaged packet, or data that ends well before the length its
header declares, e.g. a cut-short upload) raises ``InputFileError`` when decoding reaches the
break, *after* every frame decoded before it has been yielded: a caller that wants the partial
result catches it and keeps what it has.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from scapula.errors import InputFileError
from scapula.vision.landmarks import Frame, Header
from scapula.vision.skeleton import N_LANDMARKS

# Frames whose long side is larger are shrunk to it before pose estimation (video_landmarks).
# Measured on 2 cores, decode + pose: a 4K clip runs at 28 frames/s whole, 31 at 1920, 34 at
# 1280, 37 at 640; the 1768x994 demo gains nothing from shrinking (the RGB conversion is cheap
# next to the model), and shrinking nudges the tracked landmarks (demo at 640: median 2.5 px).
DEFAULT_MAX_SIDE = 1920

_EPS = 1e-6  # seconds: frames are kept when start_s - _EPS <= t < end_s - _EPS
# Decoders hand frames out in display order, packets come in decoding order: a frame shown
# before end_s is stored at most this much later than frames shown after it (B-frames
# reorder a few frames; 1 s is far more than any encoder uses).
_REORDER_S = 1.0
# Clockwise turns for display -> the OpenCV rotation that does them.
_CV_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def _reason(e: BaseException) -> str:
    text = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return text.rstrip(".").replace("\n", " ")


@dataclass(frozen=True)
class Video:
    """A probed video file. ``width`` / ``height`` are the upright (displayed) size;
    ``rotation`` is the clockwise turn, in degrees (0, 90, 180, 270), that the file's display
    matrix asks for (an upright iPhone portrait clip: 90). ``frame_count`` and ``duration_s``
    are what the file declares (estimates; 0 when it declares nothing, as a raw .h264 stream)."""

    path: Path
    fps: float
    width: int
    height: int
    rotation: int
    frame_count: int
    duration_s: float
    _stream_index: int = field(repr=False)
    _start: float = field(repr=False)  # presentation time of the first frame in the file (s)
    _declared_s: float | None = field(repr=False)  # the video stream's own declared length

    def frames(
        self,
        start_s: float | None = None,
        end_s: float | None = None,
        stride: int = 1,
        *,
        max_side: int | None = None,
        threads: bool = True,
        deblock: bool = True,
    ) -> Iterator[tuple[float, np.ndarray]]:
        """Yields ``(t, rgb)`` for frames with ``start_s <= t < end_s`` (half-open, so two
        halves split at one time neither miss nor repeat a frame), every ``stride``-th of
        them counting from the first one kept. ``start_s`` seeks to the keyframe before it,
        then decodes forward. ``max_side`` shrinks frames whose long side exceeds it.
        ``threads``: let FFmpeg decode several frames at once in threads of its own (faster
        for a caller that uses one core; a caller that keeps every core busy already saves
        the threads' overhead, about 8% of the decoding, by turning this off).
        ``deblock=False`` skips the H.264 / HEVC decoder's deblocking filter (the smoothing
        of the edges between coded blocks): decoding a 1080p phone clip takes about 20% less
        CPU, and faint block edges are left in the picture; for pose estimation only."""
        if int(stride) != stride or stride < 1:
            raise ValueError(f"stride must be a whole number >= 1, not {stride!r}")
        if max_side is not None and max_side < 16:
            raise ValueError(f"max_side must be at least 16 pixels, not {max_side!r}")
        return self._decode(start_s, end_s, int(stride), max_side, threads, deblock)

    def _decode(self, start_s, end_s, stride, max_side, threads, deblock) -> Iterator[tuple[float, np.ndarray]]:
        lo = -math.inf if start_s is None else start_s - _EPS
        hi = math.inf if end_s is None else end_s - _EPS
        ranks = self._ranks(start_s, lo, hi) if stride > 1 else None
        last = -math.inf
        try:
            for t, rgb in self._decode_pass(start_s, lo, hi, stride, max_side, threads, deblock, ranks):
                last = t
                yield t, rgb
        except _OffPlan:
            # The decoder gave frames other than the packets announced (damaged timestamps?):
            # decode again, every frame, and go on from the last frame given.
            for t, rgb in self._decode_pass(start_s, lo, hi, stride, max_side, threads, deblock, None):
                if t > last:
                    yield t, rgb

    def keyframes(self, start_s: float, end_s: float) -> list[float] | None:
        """Times of the keyframes from the last one at or before ``start_s`` up to ``end_s``:
        where decoding can begin without decoding anything earlier. Read from the packets
        (a seek on the container's index, then demuxing: no decoding). None when the file
        cannot say (packets without timestamps, a seek that does not land on a keyframe)."""
        found: list[float] = []
        try:
            with av.open(str(self.path)) as container:
                stream = container.streams[self._stream_index]
                self._seek(container, stream, start_s)
                for packet in container.demux(stream):
                    if packet.size == 0:
                        continue
                    if packet.pts is None or (not found and not packet.is_keyframe):
                        return None
                    t = float(packet.pts * stream.time_base) - self._start
                    if t > end_s + _REORDER_S:
                        break
                    if packet.is_keyframe and t <= end_s + _EPS:
                        found.append(t)
        except av.FFmpegError:
            return None
        return sorted(found) or None

    def _seek(self, container, stream, start_s) -> None:
        if start_s is not None and start_s > 0:
            target = (self._start + start_s) / stream.time_base
            container.seek(int(math.floor(target)), stream=stream)  # keyframe at or before

    def _ranks(self, start_s, lo, hi) -> dict[int, int] | None:
        """The place of each frame with ``lo <= t < hi`` in display order, by its timestamp,
        read from the packets alone (demuxing reads the file without decoding it: a few
        milliseconds a second of 1080p). None if some packet has no timestamp."""
        pts = set()
        with av.open(str(self.path)) as container:
            stream = container.streams[self._stream_index]
            tb = stream.time_base
            self._seek(container, stream, start_s)
            for packet in container.demux(stream):
                if packet.size == 0:  # the empty packet that ends the stream
                    continue
                if packet.pts is None:
                    return None
                t = float(packet.pts * tb) - self._start
                if t >= hi + _REORDER_S:
                    break
                if lo <= t < hi:
                    pts.add(packet.pts)
        return {p: i for i, p in enumerate(sorted(pts))}

    def _decode_pass(
        self, start_s, lo, hi, stride, max_side, threads, deblock, ranks
    ) -> Iterator[tuple[float, np.ndarray]]:
        """Decodes from the keyframe before ``start_s`` and yields the frames kept.

        Without ``ranks``, the frames in range are counted as they come out of the decoder
        and every ``stride``-th is kept. With ``ranks`` (stride > 1), a frame is kept by its
        place among the timestamps the packets announced, which picks the same frames
        whenever the decoder returns one frame per packet, and knowing it before decoding
        lets the decoder skip the frames between those kept (those nothing refers to).
        Raises _OffPlan when the decoder returns a frame that was not announced, or skips
        past one to keep."""
        coded = (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)
        scale = 1.0 if not max_side or max(coded) <= max_side else max_side / max(coded)
        size = (max(1, round(coded[0] * scale)), max(1, round(coded[1] * scale)))
        turn = _CV_ROTATE.get(self.rotation)
        step = 1.0 / self.fps
        t_last = None  # time of the last frame decoded (kept or not)
        t_skippable = None  # time of the last frame that the decoder was allowed to skip
        kept = 0  # frames in [lo, hi) so far, without ranks
        want = 0  # with ranks: the place of the next frame expected
        convert = VideoReformatter()  # one for the whole run (see _to_rgb)
        try:
            with av.open(str(self.path)) as container:
                stream = container.streams[self._stream_index]
                if threads:
                    stream.thread_type = "AUTO"
                if not deblock:
                    stream.codec_context.options = {"skip_loop_filter": "all"}
                codec = stream.codec_context
                tb = stream.time_base
                self._seek(container, stream, start_s)
                for packet in container.demux(stream):
                    # A frame that is not kept and that no other frame refers to (most
                    # B-frames) need not be decoded at all: frames before start_s, and with
                    # a stride the frames between those kept. A packet carries its frame's
                    # timestamp, so this is known before decoding.
                    if packet.pts is not None and (lo > -math.inf or ranks is not None):
                        t = float(packet.pts * tb) - self._start
                        rank = None if ranks is None else ranks.get(packet.pts)
                        skippable = t < lo or (rank is not None and rank % stride != 0)
                        codec.skip_frame = "NONREF" if skippable else "DEFAULT"
                        if skippable:
                            t_skippable = t if t_skippable is None else max(t, t_skippable)
                    for frame in codec.decode(packet):
                        if frame.pts is not None:
                            t = float(frame.pts * tb) - self._start
                        else:  # no timestamps at all (a raw elementary stream): count frames
                            t = (t_last + step) if t_last is not None else max(start_s or 0.0, 0.0)
                        if t_last is not None and t <= t_last:
                            continue  # a repeated or backward timestamp: not a new frame
                        t_last = t
                        if t < lo:
                            continue
                        if t >= hi:
                            return
                        if ranks is None:
                            kept += 1
                            if (kept - 1) % stride:
                                continue
                        else:
                            rank = ranks.get(frame.pts)
                            if rank is None or rank < want or _kept_between(want, rank, stride):
                                raise _OffPlan  # unannounced, or a frame to keep never came
                            want = rank + 1
                            if rank % stride:
                                continue
                        rgb = _to_rgb(frame, size, convert)
                        if turn is not None:
                            rgb = cv2.rotate(rgb, turn)
                        yield round(t, 6), np.ascontiguousarray(rgb)
        except av.FFmpegError as e:
            where = "at the start" if t_last is None else f"after {t_last:.2f} s"
            raise InputFileError(self.path, f"is damaged or truncated: decoding failed {where} ({_reason(e)})") from e
        if t_skippable is not None and (t_last is None or t_skippable > t_last):
            t_last = t_skippable  # the file's last frame may be one the decoder skipped
        declared = self._declared_s
        if declared is not None and t_last is not None and t_last + step < declared - max(0.5, 3 * step):
            raise InputFileError(
                self.path, f"is truncated: the video stops at {t_last:.2f} s but the file declares {declared:.2f} s"
            )


def _to_rgb(frame: av.VideoFrame, size: tuple[int, int], convert: VideoReformatter) -> np.ndarray:
    """The frame as an RGB array of ``size`` (width, height), shrunk by pixel-area averaging.

    8-bit 4:2:0 video with studio-range levels (what x264 and most cameras write) is shrunk
    plane by plane and converted by OpenCV: measured on 1080p to 960x540, 0.9 ms of CPU a
    frame against 3.4 ms for swscale. OpenCV uses the BT.601 colour matrix whatever the file
    says; on a BT.709 clip the colours differ from swscale's by 2.5 levels on average. The
    tracked landmarks of the demo clip then move as much as between swscale's own area and
    bilinear shrinking (median 1-2 px; a tracker that hesitates between two people may pick
    the other on a frame or two). Any other format (full-range, 10-bit, 4:2:2 ...) goes
    through swscale, with one converter for the whole run: frame.to_ndarray builds a new
    swscale context for every frame, which costs about as much as the conversion itself."""
    w, h = size
    if frame.format.name == "yuv420p" and w % 2 == 0 and h % 2 == 0:
        planes = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes]
        if (w, h) != (frame.width, frame.height):
            planes = [
                cv2.resize(p, (w // (1 + (i > 0)), h // (1 + (i > 0))), interpolation=cv2.INTER_AREA)
                for i, p in enumerate(planes)
            ]
        i420 = np.concatenate([p.reshape(-1) for p in planes]).reshape(h * 3 // 2, w)
        return cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)
    if (w, h) == (frame.width, frame.height):
        return convert.reformat(frame, format="rgb24").to_ndarray()
    return convert.reformat(frame, width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()


class _OffPlan(Exception):
    """The decoder's frames differ from the timestamps its packets announced."""


def _kept_between(first: int, end: int, stride: int) -> bool:
    """Whether some place in ``first .. end - 1`` is one that the stride keeps."""
    return -(-first // stride) * stride < end


# The largest frame decoded: 8K UHD (7680x4320, 33 MP) and a little more. A larger frame is
# no phone's video; each would take 100+ MB to decode.
MAX_FRAME_PIXELS = 36_000_000


def open_video(path: Path | str) -> Video:
    """Probes ``path`` (opens it and decodes its first frame); every problem is an
    ``InputFileError``: missing, empty, not a video, no video stream, no decodable frame."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a directory, not a video file")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputFileError(path, f"cannot be read: {_reason(e)}") from e
    if size == 0:
        raise InputFileError(path, "is empty (0 bytes)")
    try:
        container = av.open(str(path))
    except av.FFmpegError as e:
        if isinstance(e, PermissionError):
            raise InputFileError(path, "cannot be read: permission denied") from e
        raise InputFileError(path, f"is not a video file FFmpeg can read ({_reason(e)})") from e
    with container:
        streams = [
            s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic
        ]  # cover art
        if not streams:
            kinds = sorted({s.type for s in container.streams})
            only = f" (only {', '.join(kinds)})" if kinds else ""
            raise InputFileError(path, f"has no video stream{only}")
        stream = streams[0]
        coded = (stream.codec_context.width or 0) * (stream.codec_context.height or 0)
        if coded > MAX_FRAME_PIXELS:  # refused before a frame is decoded
            raise InputFileError(
                path,
                f"too large a picture: {stream.codec_context.width}x"
                f"{stream.codec_context.height} a frame, "
                f"{MAX_FRAME_PIXELS // 1_000_000} megapixels at most (8K video)",
            )
        try:
            first = next(container.decode(stream), None)
        except av.FFmpegError as e:
            raise InputFileError(
                path, f"its video stream cannot be decoded, damaged or truncated? ({_reason(e)})"
            ) from e
        if first is None:
            raise InputFileError(path, f"its video stream ({stream.codec_context.name}) holds no frames")
        try:
            rotation = round(-first.rotation / 90) % 4 * 90  # PyAV reports counter-clockwise
        except (TypeError, ValueError, OverflowError):  # a degenerate display matrix
            rotation = 0
        tb = stream.time_base
        start = float(first.pts * tb) if first.pts is not None else 0.0
        declared = None
        if stream.duration and tb:
            declared = float((stream.start_time or 0) * tb + stream.duration * tb) - start
        elif container.duration and container.duration > 0:
            declared = container.duration / av.time_base
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        count = stream.frames or 0
        if rate and float(rate) > 0:
            fps = float(rate)
        elif count and declared:
            fps = count / declared
        else:
            fps = 30.0  # nothing in the file says: assume a phone's rate
        duration = declared if declared and declared > 0 else (count / fps if count else 0.0)
        if not count:
            count = round(duration * fps)
        width, height = first.width, first.height
        if rotation in (90, 270):
            width, height = height, width
        return Video(
            path,
            fps,
            width,
            height,
            rotation,
            int(count),
            float(duration),
            stream.index,
            start,
            declared if stream.duration else None,
        )


class PoseEstimator(Protocol):
    """One RGB frame in, one ``Frame`` out. ``t`` is the frame's time in seconds; an
    estimator that tracks across frames relies on ``t`` increasing."""

    def estimate(self, rgb: np.ndarray, t: float) -> Frame: ...

    def close(self) -> None: ...


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """MediaPipe's C++ side (TFLite, absl) writes INFO / WARNING lines straight to file
    descriptor 2 when its graph starts; no setting turns them off. Hides them meanwhile
    (anything else written to stderr in those few milliseconds is lost too)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class BlazePose(PoseEstimator):
    """MediaPipe BlazePose full (``model_complexity=1``, the only model the wheel bundles),
    in tracking mode: each frame's landmarks seed the next frame's search, so feed one
    clip's frames in time order and make one estimator per clip (or per worker).

    ``static_image_mode=True`` runs the person detector on every image instead (unrelated
    photos, e.g. the posture check); ``smooth_landmarks`` has no effect then."""

    source = f"mediapipe {version('mediapipe')} BlazePose full"
    _first_pose_seen = False  # per process, like MediaPipe's log-once counters

    def __init__(
        self,
        *,
        smooth_landmarks: bool = True,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        quiet: bool = True,
        static_image_mode: bool = False,
    ) -> None:
        from mediapipe.python.solutions import pose as mp_pose  # ~0.6 s import: only when used

        with _native_stderr_silenced() if quiet else nullcontext():
            self._pose = mp_pose.Pose(
                static_image_mode=static_image_mode,
                model_complexity=1,
                smooth_landmarks=smooth_landmarks,
                enable_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            self._pose._graph.wait_until_idle()  # the graph's threads log as they open
        # process() stamps each packet with _simulated_timestamp + 33333 µs (a fixed 30 fps);
        # setting it from the real t lets the landmark smoothing see the clip's own timing.
        if not isinstance(getattr(self._pose, "_simulated_timestamp", None), int):
            raise RuntimeError("mediapipe's Pose changed: _simulated_timestamp is gone")
        self._last_us: int | None = None
        self._quiet = quiet

    def estimate(self, rgb: np.ndarray, t: float) -> Frame:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an RGB uint8 image (h, w, 3), got {rgb.dtype} {rgb.shape}")
        us = int(round(t * 1e6))
        if self._last_us is not None and us <= self._last_us:
            us = self._last_us + 1  # MediaPipe refuses timestamps that do not increase
        self._last_us = us
        self._pose._simulated_timestamp = us - 33333
        # The first pose found in a process logs one more warning (landmark_projection_calculator).
        hush = self._quiet and not BlazePose._first_pose_seen
        with _native_stderr_silenced() if hush else nullcontext():
            results = self._pose.process(np.ascontiguousarray(rgb))
        found = results.pose_landmarks
        if found is None:
            return Frame(t, None, None)
        BlazePose._first_pose_seen = True
        image = np.array([(p.x, p.y, p.z, p.visibility) for p in found.landmark], dtype=np.float64)
        metric = results.pose_world_landmarks
        world = None if metric is None else np.array([(p.x, p.y, p.z) for p in metric.landmark], dtype=np.float64)
        if image.shape != (N_LANDMARKS, 4) or (world is not None and world.shape != (N_LANDMARKS, 3)):
            raise RuntimeError(f"BlazePose returned {image.shape[0]} landmarks, not {N_LANDMARKS}")
        return Frame(t, image, world)

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None

    def __enter__(self) -> BlazePose:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def video_landmarks(
    path: Path | str,
    estimator_factory: Callable[[], PoseEstimator] = BlazePose,
    start_s: float | None = None,
    end_s: float | None = None,
    stride: int = 1,
    *,
    max_side: int | None = DEFAULT_MAX_SIDE,
) -> tuple[Header, Iterator[Frame]]:
    """The landmark stream of a video (CONTRACTS.md §2): the header at once (the file is
    probed now, so a bad file fails here), then one ``Frame`` per kept frame, lazily. The
    estimator is made when the first frame is asked for and closed when the stream ends or
    is closed. ``header.fps`` is the nominal rate of the frames kept (``video.fps / stride``);
    ``width`` / ``height`` are the upright video's, whatever ``max_side`` shrinks the pixels
    to (image landmarks are normalised, so they hold for both)."""
    video = open_video(path)
    frames = video.frames(start_s, end_s, stride, max_side=max_side)  # checks the arguments
    source = (
        getattr(estimator_factory, "source", None)
        or getattr(estimator_factory, "__name__", None)
        or "unknown pose estimator"
    )
    header = Header(
        fps=video.fps / stride, width=video.width, height=video.height, skeleton="blazepose33", source=str(source)
    )
    return header, _estimate_all(frames, estimator_factory)


def _estimate_all(frames: Iterator[tuple[float, np.ndarray]], factory: Callable[[], PoseEstimator]) -> Iterator[Frame]:
    estimator = factory()
    try:
        for t, rgb in frames:
            yield estimator.estimate(rgb, t)
    finally:
        frames.close()  # type: ignore[attr-defined]  # a generator, whose close() ends the decoding
        estimator.close()
