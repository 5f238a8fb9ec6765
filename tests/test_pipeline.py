"""The worker's read-ahead: a decoding thread feeding the pose loop (no video needed)."""

from __future__ import annotations

import threading

import pytest

from scapula.errors import InputFileError
from scapula.vision.pipeline import _read_ahead


def _decode_threads() -> int:
    return sum(t.name == "decode" for t in threading.enumerate())


def test_items_come_in_order_and_the_thread_ends():
    assert list(_read_ahead(iter(range(100)), depth=3)) == list(range(100))
    assert _decode_threads() == 0


def test_an_error_arrives_after_the_items_before_it():
    def frames():
        yield from range(5)
        raise InputFileError("clip.mp4", "is truncated")

    got = []
    with pytest.raises(InputFileError, match="truncated"):
        for item in _read_ahead(frames(), depth=2):
            got.append(item)
    assert got == list(range(5))
    assert _decode_threads() == 0


def test_stopping_early_stops_and_closes_the_source():
    closed = threading.Event()

    def frames():
        try:
            yield from range(10**9)
        finally:
            closed.set()

    ahead = _read_ahead(frames(), depth=2)
    assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    ahead.close()
    assert closed.is_set()
    assert _decode_threads() == 0


def test_the_workers_start_at_once_and_end_with_the_stream(demo):
    """video_frames starts its worker processes before the first frame is asked for, so
    they start up while the caller gets ready; reading the stream to its end, or dropping
    it unread, leaves no worker behind."""
    import gc
    import multiprocessing

    from scapula.vision.pipeline import video_frames

    _, stream = video_frames(demo, workers=2)
    assert len(multiprocessing.active_children()) == 2
    del stream
    gc.collect()
    assert multiprocessing.active_children() == []

    _, stream = video_frames(demo, workers=2)
    times = [frame.t for frame in stream]
    assert times == sorted(times) and len(times) > 70  # about ten a second of the 7.7 s clip
    assert multiprocessing.active_children() == []
