"""The landmark file (CONTRACTS.md §2, "scapula-landmarks" v1) and the in-memory frame.

Reading streams line by line, so a 30-minute file never sits in memory; every
problem is an ``InputFileError`` naming the file and the line.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import orjson

from scapula.errors import InputFileError
from scapula.vision.skeleton import N_LANDMARKS

FORMAT = "scapula-landmarks"
VERSION = 1


@dataclass(frozen=True)
class Header:
    fps: float
    width: int
    height: int
    skeleton: str = "blazepose33"
    source: str = ""

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "fps": self.fps,
            "width": self.width,
            "height": self.height,
            "skeleton": self.skeleton,
            "source": self.source,
        }


@dataclass(frozen=True, eq=False)
class Frame:
    """One frame's pose: ``image`` (33, 4) x, y, z, visibility; ``world`` (33, 3) metres.

    Both are None when no person was found; ``world`` alone may be None.
    """

    t: float
    image: np.ndarray | None
    world: np.ndarray | None

    @property
    def has_person(self) -> bool:
        return self.image is not None

    def to_json(self) -> dict:
        def rows(a: np.ndarray | None, digits: int) -> np.ndarray | None:
            return None if a is None else np.round(a.astype(np.float64), digits)

        return {"t": round(self.t, 4), "image": rows(self.image, 5), "world": rows(self.world, 4)}


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def _array(path: Path | str, line_no: int, name: str, value, width: int) -> np.ndarray | None:
    if value is None:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputFileError(path, f"line {line_no}: '{name}' is not a table of numbers") from None
    if array.shape != (N_LANDMARKS, width):
        raise InputFileError(
            path, f"line {line_no}: '{name}' must be {N_LANDMARKS} rows of {width} numbers, found shape {array.shape}"
        )
    if not math.isfinite(array.sum()):  # one sum catches any NaN or infinity
        raise InputFileError(path, f"line {line_no}: '{name}' holds a non-finite number")
    return array


def _header(path: Path, line: str) -> Header:
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise InputFileError(path, "line 1 is not a JSON header (is this a scapula-landmarks file?)") from None
    return header_from_json(raw, path)


def header_from_json(raw, where: Path | str = "header") -> Header:
    """A §2 header object (already parsed JSON) checked into a ``Header``; ``InputFileError``
    naming ``where`` otherwise. Shared by the file reader and the live coach's socket."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InputFileError(where, f"header 'format' must be '{FORMAT}'")
    if raw.get("version") != VERSION:
        raise InputFileError(where, f"unsupported {FORMAT} version {raw.get('version')!r} (this reads {VERSION})")
    if raw.get("skeleton", "blazepose33") != "blazepose33":
        raise InputFileError(where, f"skeleton {raw.get('skeleton')!r} is not supported (blazepose33 is)")
    try:
        fps, width, height = float(raw["fps"]), int(raw["width"]), int(raw["height"])
    except (KeyError, TypeError, ValueError):
        raise InputFileError(where, "header needs numeric 'fps', 'width' and 'height'") from None
    if not (fps > 0 and math.isfinite(fps) and width > 0 and height > 0):
        raise InputFileError(where, "header 'fps', 'width' and 'height' must be positive")
    return Header(fps, width, height, "blazepose33", str(raw.get("source", ""))[:500])


def frame_from_json(raw, where: Path | str, line_no: int, last_t: float = -math.inf) -> Frame:
    """One §2 frame row (already parsed JSON) checked into a ``Frame``: ``t`` a finite number
    not before ``last_t``, ``image`` 33x4 and ``world`` 33x3 finite numbers or null."""
    if not isinstance(raw, dict) or "t" not in raw:
        raise InputFileError(where, f"line {line_no}: a frame needs 't', 'image' and 'world'")
    try:
        t = float(raw["t"])
    except (TypeError, ValueError):
        raise InputFileError(where, f"line {line_no}: 't' is not a number") from None
    if not math.isfinite(t) or t < last_t:
        raise InputFileError(where, f"line {line_no}: 't' = {raw['t']!r} goes back in time")
    image = _array(where, line_no, "image", raw.get("image"), 4)
    world = _array(where, line_no, "world", raw.get("world"), 3) if image is not None else None
    return Frame(t, image, world)


def read_landmarks(path: Path | str) -> tuple[Header, Iterator[Frame]]:
    """The header at once, then the frames lazily (errors surface while iterating)."""
    path = Path(path)
    try:
        stream = _open_text(path)
        first = stream.readline()
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise InputFileError(path, f"cannot be read: {e}") from e
    if not first.strip():
        stream.close()
        raise InputFileError(path, "is empty")
    header = _header(path, first)
    return header, _frames(path, stream)


def _frames(path: Path, stream: IO[str]) -> Iterator[Frame]:
    last_t = -math.inf
    with stream:
        line_no = 1
        while True:
            try:
                line = stream.readline()
            except (OSError, UnicodeDecodeError, EOFError) as e:
                raise InputFileError(path, f"line {line_no + 1}: cannot be read: {e}") from e
            if not line:
                return
            line_no += 1
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError:
                what = "truncated" if not line.endswith("\n") else "not valid JSON"
                raise InputFileError(path, f"line {line_no}: {what}") from None
            frame = frame_from_json(raw, path, line_no, last_t)
            last_t = frame.t
            yield frame


class LandmarkWriter:
    """Writes a landmark file frame by frame (``.gz`` compresses)."""

    def __init__(self, path: Path | str, header: Header) -> None:
        self.path = Path(path)
        try:
            # the writer keeps the file open until its close()
            opener = gzip.open if self.path.suffix == ".gz" else open
            self._out = opener(self.path, "wt", encoding="utf-8")
        except OSError as e:
            raise InputFileError(self.path, f"cannot be written: {e.strerror or e}") from e
        self._write(header.to_json())

    def _write(self, obj: dict) -> None:
        self._out.write(orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY).decode() + "\n")

    def write(self, frame: Frame) -> None:
        self._write(frame.to_json())

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> LandmarkWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_landmarks(path: Path | str, header: Header, frames) -> None:
    with LandmarkWriter(path, header) as out:
        for frame in frames:
            out.write(frame)
