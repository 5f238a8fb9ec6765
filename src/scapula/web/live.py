"""The live camera coach: a WebSocket at ``/ws/coach`` that runs the analyser frame by frame.

One socket is one camera run. The client says hello first::

    {"type": "hello", "mode": "video", "width": 640, "height": 360, "fps": 15}
    {"type": "hello", "mode": "landmarks", "header": {<CONTRACTS.md §2 header>}}

(the exercise comes from ``?exercise=`` or the hello's ``"exercise"``; default ``auto``), and
the server answers ``{"type": "ready", ...}``. Then frames:

* video: binary messages, an 8-byte little-endian float64 capture time in seconds, then one
  JPEG. The server decodes it and runs BlazePose (tracking mode, one per socket) on it;
* landmarks: text messages, one §2 frame row each (``{"t", "image", "world"}``), from a
  client that runs its own pose estimator (a phone app).

Each frame's landmarks go into one ``Analyzer`` — the same streaming object that
``analyze()`` (and so ``scapula analyze``) feeds every frame of a file — and the reply is
``{"type": "frame", "t", "tracked", "reps": {"left", "right", "both"}, "last_rep", "points",
"view"}``, where ``view`` lists what is wrong with the camera's view over the last seconds (a
part of the body out of the picture, an arm hidden behind the body), in words, empty when
nothing is.
``{"type": "end"}`` asks for the set's report (CONTRACTS.md §3, as ``scapula analyze``
prints it, plus ``live``: the mode that ran and the pose estimator's name) and starts a new
set on the same socket.

Back-pressure: at most one frame is being processed and one waits; a newer frame replaces
the waiting one, which is answered ``{"type": "skipped", "t"}``. Nothing is queued without
bound, and nothing is written anywhere: the frames live in memory only until analysed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import struct
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import orjson

from scapula.catalog import Catalog
from scapula.errors import InputFileError, InvalidInputError, ScapulaError
from scapula.vision.analyzer import AUTO, Analyzer, RepEvent
from scapula.vision.landmarks import Frame, Header, frame_from_json, header_from_json

if TYPE_CHECKING:
    from scapula.vision.pose import BlazePose

log = logging.getLogger(__name__)

MAX_SIDE = 1920  # a video frame larger than this on a side is refused
MAX_JPEG_BYTES = 2_000_000
MAX_FPS = 60.0
TIME_PREFIX = struct.Struct("<d")
WHERE = "live frame"


class Refused(ScapulaError):
    """A message the coach cannot use: the socket is told why and closed."""


@dataclass
class Hello:
    mode: str  # "video" | "landmarks"
    exercise: str
    header: Header


def parse_hello(raw, exercise_param: str | None, catalog: Catalog) -> Hello:
    if not isinstance(raw, dict) or raw.get("type", "hello") != "hello":
        raise Refused('the first message must be {"type": "hello", "mode": "video" | "landmarks", ...}')
    exercise = raw.get("exercise") or exercise_param or AUTO
    if exercise_param and raw.get("exercise") and raw["exercise"] != exercise_param:
        raise Refused(f"exercise '{raw['exercise']}' in the hello differs from '{exercise_param}' in the URL")
    if exercise != AUTO:
        catalog.move(str(exercise))  # UnknownExerciseError names the valid ids
    mode = raw.get("mode")
    if mode == "landmarks":
        try:
            header = header_from_json(raw.get("header"), "hello")
        except InputFileError as e:
            raise Refused(e.reason) from None
    elif mode == "video":
        try:
            width, height = int(raw["width"]), int(raw["height"])
            fps = float(raw.get("fps", 15))
        except (KeyError, TypeError, ValueError):
            raise Refused("a video hello needs numeric 'width' and 'height' (and 'fps')") from None
        if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
            raise Refused(f"width and height: 1 to {MAX_SIDE} pixels")
        if not (math.isfinite(fps) and 1 <= fps <= MAX_FPS):
            raise Refused(f"fps: 1 to {MAX_FPS:g}")
        from scapula.vision.pose import BlazePose

        header = Header(fps, width, height, source=f"{BlazePose.source}, live camera")
    else:
        raise Refused("'mode' must be 'video' or 'landmarks'")
    return Hello(mode, str(exercise), header)


def decode_jpeg(data: bytes) -> tuple[float, np.ndarray]:
    """(capture time, RGB) from a binary video message."""
    if len(data) <= TIME_PREFIX.size:
        raise Refused("a video frame is 8 bytes of time then a JPEG")
    if len(data) > MAX_JPEG_BYTES + TIME_PREFIX.size:
        raise Refused(f"a video frame over {MAX_JPEG_BYTES // 1000} kB")
    (t,) = TIME_PREFIX.unpack_from(data)
    if not math.isfinite(t):
        raise Refused("a frame time that is not a number")
    if data[8:11] != b"\xff\xd8\xff":
        raise Refused("a video frame must be a JPEG")
    width, height = jpeg_size(data[TIME_PREFIX.size :])  # from the header, before any decoding
    if max(width, height) > MAX_SIDE:
        raise Refused(f"a {width}x{height} frame: {MAX_SIDE} pixels a side at most")
    import cv2

    bgr = cv2.imdecode(np.frombuffer(data, np.uint8, offset=TIME_PREFIX.size), cv2.IMREAD_COLOR)
    if bgr is None or max(bgr.shape[:2]) > MAX_SIDE:
        raise Refused("a JPEG frame that cannot be decoded")
    return t, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame segment, without decoding the picture."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # a large size is refused by the caller, not warned about
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(jpeg), formats=["JPEG"]) as im:  # reads the header only
                return im.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Refused("a JPEG frame whose header cannot be read") from None


@dataclass
class Coach:
    """One socket's state: the analyser (and the pose estimator for video). Not thread-safe:
    the socket's single worker thread is the only caller."""

    hello: Hello
    catalog: Catalog
    analyzer: Analyzer = field(init=False)
    pose: BlazePose | None = field(init=False, default=None)
    counts: dict[str, Counter] = field(init=False)
    last: RepEvent | None = field(init=False, default=None)
    last_t: float = field(init=False, default=-math.inf)
    frames: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.new_set()

    def new_set(self) -> None:
        self.analyzer = Analyzer(self.hello.header, self.hello.exercise)
        self.counts = {}
        self.last = None
        self.frames = 0

    def start_pose(self) -> None:
        if self.hello.mode == "video" and self.pose is None:
            from scapula.vision.pose import BlazePose

            self.pose = BlazePose()

    def frame_of(self, message: bytes | dict) -> Frame:
        """Turn one message into a landmark frame (pose estimate for video)."""
        if self.hello.mode == "video":
            if not isinstance(message, bytes):
                raise Refused("video mode: frames are binary messages")
            t, rgb = decode_jpeg(message)
            if t < self.last_t:
                raise Refused(f"frame time {t} goes back in time")
            assert self.pose is not None  # video mode starts the model first
            frame = self.pose.estimate(rgb, t)
        else:
            if not isinstance(message, dict):
                raise Refused("landmarks mode: frames are §2 JSON rows")
            try:
                frame = frame_from_json(message, WHERE, self.frames + 1, self.last_t)
            except InputFileError as e:
                raise Refused(e.reason) from None
        self.last_t = frame.t
        return frame

    def push(self, message: bytes | dict) -> dict:
        frame = self.frame_of(message)
        self.frames += 1
        for event in self.analyzer.push(frame):
            self.counts.setdefault(event.exercise, Counter())[event.side] += 1
            if self.hello.exercise != AUTO or event.exercise == self.leader():
                self.last = event
        return self.reply(frame)

    def leader(self) -> str:
        if self.hello.exercise != AUTO:
            return self.hello.exercise
        if not self.counts:
            return AUTO
        return max(self.counts, key=lambda e: sum(self.counts[e].values()))

    def reply(self, frame: Frame) -> dict:
        leader = self.leader()
        counts = self.counts.get(leader, Counter())
        points = None
        if frame.image is not None:
            points = np.round(frame.image[:, [0, 1, 3]], 3).tolist()
        return {
            "type": "frame",
            "t": frame.t,
            "tracked": frame.has_person,
            "exercise": leader,
            "reps": {s: counts.get(s, 0) for s in ("left", "right", "both")},
            "total": sum(counts.values()),
            "last_rep": self.rep_out(self.last),
            "points": points,
            "view": self.analyzer.view_advice(leader),
        }

    def rep_out(self, event: RepEvent | None) -> dict | None:
        if event is None:
            return None
        entry = self.catalog.get(event.exercise)
        faults = [{"id": f, "name": entry.fault(f).name, "cue": entry.fault(f).fix} for f in event.faults]
        return {
            "index": event.index,
            "side": event.side,
            "faults": faults,
            "cue": faults[0]["cue"] if faults else None,
            "end_s": event.end_s,
        }

    def end(self) -> dict:
        from scapula.vision.report import build_report

        result = self.analyzer.finish()
        report = build_report(result, self.catalog) if result.frames_total else None
        # which mode ran: "video" (frames, pose found here) or "landmarks" (found on the device)
        live = {"mode": self.hello.mode, "pose": self.hello.header.source}
        if report is not None:
            report["live"] = live
        out = {"type": "result", "frames": self.frames, "live": live, "report": report}
        self.new_set()
        return out

    def close(self) -> None:
        if self.pose is not None:
            self.pose.close()
            self.pose = None


class Inbox:
    """What the socket has received and the worker has not taken: control messages in order,
    and at most one waiting frame (a newer frame replaces it; the replaced one is returned so
    that it can be answered "skipped")."""

    def __init__(self) -> None:
        self.items: deque[tuple[str, object, float | None]] = deque()
        self.ready = asyncio.Event()

    def put(self, kind: str, payload, t: float | None = None):
        dropped = None
        if kind == "frame":
            for i, item in enumerate(self.items):
                if item[0] == "frame":
                    dropped = item
                    del self.items[i]
                    break
        self.items.append((kind, payload, t))
        self.ready.set()
        return dropped

    async def get(self):
        while not self.items:
            self.ready.clear()
            await self.ready.wait()
        return self.items.popleft()


def frame_time(kind: str, message) -> float | None:
    """The capture time a frame message says, for the "skipped" answer."""
    try:
        if kind == "bytes":
            return TIME_PREFIX.unpack_from(message)[0] if len(message) >= 8 else None
        t = message.get("t") if isinstance(message, dict) else None
        return float(t) if t is not None else None
    except (TypeError, ValueError, struct.error):
        return None


async def run_socket(websocket, catalog: Catalog) -> None:
    """The whole life of one accepted socket."""
    from starlette.websockets import WebSocketDisconnect

    loop = asyncio.get_running_loop()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scapula-coach")
    coach: Coach | None = None
    try:
        try:
            raw = orjson.loads(await websocket.receive_text())
            hello = parse_hello(raw, websocket.query_params.get("exercise"), catalog)
            coach = Coach(hello, catalog)
            await loop.run_in_executor(worker, coach.start_pose)
        except (orjson.JSONDecodeError, KeyError):
            raise Refused("the first message must be a JSON hello") from None
        await websocket.send_json(
            {
                "type": "ready",
                "mode": hello.mode,
                "exercise": hello.exercise,
                "fps": hello.header.fps,
                "width": hello.header.width,
                "height": hello.header.height,
            }
        )
        inbox = Inbox()
        done = asyncio.Event()

        async def receive() -> None:
            try:
                while True:
                    message = await websocket.receive()
                    if message["type"] == "websocket.disconnect":
                        break
                    if message.get("bytes") is not None:
                        kind, payload = "bytes", message["bytes"]
                    else:
                        try:
                            payload = orjson.loads(message.get("text") or "")
                        except orjson.JSONDecodeError:
                            inbox.put("error", "a text message that is not JSON")
                            break
                        kind = "json"
                        if isinstance(payload, dict) and payload.get("type") in ("end", "bye"):
                            inbox.put(payload["type"], None)
                            if payload["type"] == "bye":
                                break
                            continue
                    dropped = inbox.put("frame", payload, frame_time(kind, payload))
                    if dropped is not None:
                        await websocket.send_json({"type": "skipped", "t": dropped[2]})
            finally:
                inbox.put("closed", None)
                done.set()

        reader = asyncio.create_task(receive())
        try:
            while True:
                kind, payload, _ = await inbox.get()
                if kind == "frame":
                    reply = await loop.run_in_executor(worker, coach.push, payload)
                    await websocket.send_json(reply)
                elif kind == "end":
                    await websocket.send_json(await loop.run_in_executor(worker, coach.end))
                elif kind == "error":
                    raise Refused(payload)
                else:  # closed or bye
                    break
        finally:
            reader.cancel()
        await _close(websocket, 1000)
    except WebSocketDisconnect:
        pass
    except (Refused, InvalidInputError, ScapulaError) as e:
        detail = str(e)
        log.info("live coach refused: %s", detail)
        with contextlib.suppress(Exception):
            await websocket.send_json({"type": "error", "detail": detail})
        await _close(websocket, 1008)
    finally:
        if coach is not None:
            worker.submit(coach.close)
        worker.shutdown(wait=False)


async def _close(websocket, code: int) -> None:
    from starlette.websockets import WebSocketState

    if websocket.application_state != WebSocketState.DISCONNECTED:
        with contextlib.suppress(RuntimeError):
            await websocket.close(code)
