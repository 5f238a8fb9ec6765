"""Video to landmark stream, fast: both cores, and no more frames than the motion needs.

The clip is cut into consecutive segments that worker processes analyse in
parallel (MediaPipe holds one core each); results come back in order, so the
analyser downstream sees one time-ordered stream and memory holds only the
segments in flight, whatever the clip's length. A cut between two segments goes on a
keyframe when one is near, so the second segment decodes nothing before its own frames;
otherwise the segment starts a little early so the tracker has settled when they begin.

Reps last 1.2 s or more, so the pose is estimated at about ``ANALYSIS_FPS``
(every 3rd frame of a 30 fps clip, every 2nd of a 24 fps one): 12+ samples a rep, while
decoding skips the rest cheaply. On generated held-out clips (benchmarks/accuracy.py,
seeds 18000-18079, all 16 activities) 10 frames a second counts and flags nearly as well as
15 and as every frame: reps within one 97.5% (15 fps: 97.5%, every frame: 98.8%),
left/right exact 91.2% (90.6%, 93.8%), lowest fault F1 0.91 (0.90, 0.90), no reps on
any negative clip (one at 15 fps). BlazePose's tracker keeps the person as well at
10 as at 15 frames a second (the demo clip: a pose on 72 of 77 frames, 109 of 115).
``stride=1`` analyses every frame.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import queue
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from scapula.vision.landmarks import Frame, Header

ANALYSIS_FPS = 10.0
SEGMENT_S = 30.0  # at most: long enough that the warm-up is cheap, short enough to keep memory flat
WARMUP_S = 1.0  # frames before a segment's start, given to the tracker and then dropped
# Decoding a second of video without estimating the pose on it costs about a third of
# analysing that second (1080p30 on one core: 3.7 ms a frame decoded without deblocking,
# plus for every 3rd frame 0.9 ms converted and 20 ms of pose).
DECODE_SHARE = 0.35
SNAP_S = 2.0  # a cut moves at most this far to reach a keyframe
# BlazePose looks at a 256x256 crop around the person; at 960 px on the long side a person
# 1.5-3 m away still fills more than that. Converting fewer pixels cuts decoding time
# (measured: 36% less at 640 px on a 1080p clip); the pose itself costs the same.
POSE_MAX_SIDE = 960
READ_AHEAD = 4  # decoded frames waiting for the pose at most (1.5 MB each at 960x540)

T = TypeVar("T")


def default_stride(fps: float) -> int:
    return max(1, round(fps / ANALYSIS_FPS))


@dataclass(frozen=True)
class _Segment:
    path: str
    start_s: float
    end_s: float
    stride: int
    warmup_s: float = WARMUP_S


def _read_ahead(items: Iterator[T], depth: int) -> Iterator[T]:
    """``items``, produced by a thread up to ``depth`` ahead of the caller.

    FFmpeg's decoding and scaling and MediaPipe's graph run without the GIL, so a worker
    decodes the next frames while the model looks at this one (measured: one worker alone
    keeps 1.45 cores busy instead of 1.0). While every worker is busy that only interleaves
    work on the same cores; when one has run out of segments, the one still running does
    its decoding on the core left idle.
    Exceptions from ``items`` are raised here; closing this generator stops the thread.
    """
    done = object()
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as e:  # handed to the consumer, which raises it
            put((done, e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="decode", daemon=True)
    thread.start()
    try:
        while True:
            item, error = q.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _run_segment(seg: _Segment) -> list[tuple[float, np.ndarray | None, np.ndarray | None]]:
    from scapula.vision.pose import BlazePose, open_video

    video = open_video(Path(seg.path))
    begin = max(0.0, seg.start_s - seg.warmup_s)
    out = []
    # one decoding thread (_read_ahead) next to the pose: FFmpeg's own frame threads would
    # only add their overhead on cores that are busy already
    frames = video.frames(
        start_s=begin, end_s=seg.end_s, stride=seg.stride, max_side=POSE_MAX_SIDE, threads=False, deblock=False
    )
    with BlazePose() as pose:
        for t, rgb in _read_ahead(frames, READ_AHEAD):
            frame = pose.estimate(rgb, t)
            if t >= seg.start_s - 1e-6:  # the warm-up frames only settle the tracker
                out.append((frame.t, frame.image, frame.world))
    return out


def _cut(video, t: float, length: float) -> tuple[float, float]:
    """Where to cut the clip near ``t`` and the warm-up the next segment needs there.

    A segment that starts at ``t`` is decoded from the keyframe before its warm-up, which
    costs a warm-up's pose plus the decoding in between. Starting on a keyframe instead
    costs neither but moves work from one segment to its neighbour: the cut moves to the
    nearest keyframe when the move is smaller than the warm-up it saves (phones put a
    keyframe every 1-2 s; cameras and encoders with long keyframe gaps keep the warm-up)."""
    # packets are read from the keyframe before the warm-up to SNAP_S past t: a few seconds
    # of demuxing a cut, whatever the clip's length
    keys = video.keyframes(max(0.0, t - WARMUP_S), t + SNAP_S)
    if not keys:
        return t, WARMUP_S
    before = max((k for k in keys if k <= t - WARMUP_S + 1e-6), default=keys[0])
    saved = WARMUP_S + DECODE_SHARE * max(0.0, t - WARMUP_S - before)
    nearest = min(keys, key=lambda k: abs(k - t))
    if abs(nearest - t) < min(saved, SNAP_S, length / 2) and nearest > 0:
        return nearest, 0.0
    return t, WARMUP_S


def video_frames(path: Path, *, workers: int = 2, stride: int | None = None) -> tuple[Header, Iterator[Frame]]:
    """The header now; the frames, in time order, as the workers finish their segments."""
    from scapula.vision.pose import BlazePose, open_video

    video = open_video(path)
    stride = stride or default_stride(video.fps)
    header = Header(
        fps=video.fps / stride,
        width=video.width,
        height=video.height,
        source=f"{BlazePose.source}, every {stride} frame(s)",
    )
    # equal segments, as many as the workers or a multiple of them, none over SEGMENT_S,
    # so both cores stay busy to the end
    n = max(1, math.ceil(video.duration_s / SEGMENT_S))
    if workers > 1 and video.duration_s > 2 * WARMUP_S * workers:
        n = math.ceil(max(n, workers) / workers) * workers
    length = video.duration_s / n if video.duration_s > 0 else SEGMENT_S
    cuts = [_cut(video, i * length, length) for i in range(1, n)]
    bounds = [0.0] + [t for t, _ in cuts] + [math.inf]
    warmups = [0.0] + [w for _, w in cuts]
    segments = [_Segment(str(path), bounds[i], bounds[i + 1], stride, warmups[i]) for i in range(n)]

    if workers <= 1 or n == 1:

        def frames() -> Iterator[Frame]:
            for chunk in map(_run_segment, segments):
                yield from (Frame(t, image, world) for t, image, world in chunk)

        return header, frames()

    # The workers start now (a worker's start-up, Python and MediaPipe, is most of a second)
    # and run while the caller gets ready; the pool ends with the stream, or when a stream
    # that is never read is collected.
    ctx = mp.get_context("spawn")  # MediaPipe does not survive a fork
    pool = ctx.Pool(min(workers, n))
    chunks = pool.imap(_run_segment, segments)

    def pooled() -> Iterator[Frame]:
        try:
            for chunk in chunks:
                yield from (Frame(t, image, world) for t, image, world in chunk)
        finally:
            pool.terminate()

    stream = pooled()
    weakref.finalize(stream, pool.terminate)
    return header, stream
