"""The one rep segmenter every move shares: hysteresis on a counting signal.

A move turns each frame into a counting signal that rises during the working
phase of a rep (arms opening, elbow travelling back, arm lifting) and falls on
the return. The segmenter follows the signal's low point; once the signal has
risen ``min_range`` above it and come back down by ``return_fraction`` of the
rise, a rep is over and is emitted at once. Jitter smaller than the range never
starts a rep; a pause or hold at either end only stretches it; a gap in the data
longer than ``max_gap_s`` or a rep longer than ``max_duration_s`` is dropped. A move can
also ask for a brisk climb (``min_speed``): a rise that never climbs that fast over
``speed_window_s`` is a landmark drifting, not a limb being lifted, and is dropped too.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RepSpan:
    start_t: float
    peak_t: float
    end_t: float
    low: float  # signal at the start
    high: float  # signal at the peak

    @property
    def range(self) -> float:
        return self.high - self.low

    @property
    def duration(self) -> float:
        return self.end_t - self.start_t


@dataclass(frozen=True)
class SegmenterConfig:
    min_range: float  # rise (signal units) a rep must reach to count
    min_duration_s: float = 0.6  # faster than this is a twitch, not a rep
    max_duration_s: float = 12.0  # slower than this is not one rep (pauses included)
    return_fraction: float = 0.7  # share of the rise to give back before the rep is over
    start_band: float = 0.15  # the rep starts when the signal leaves low + band * min_range
    max_gap_s: float = 0.6  # a dropout longer than this ends any rep in progress
    max_top_s: float = 6.0  # longer at the top (2 s hold + a slow 2 s return + slack) is a new level
    dip_fraction: float = 0.4  # a sag this deep (x min_range) before climbing higher restarts the rep
    settle_s: float = 0.4  # after a gap, the smoothed signal settles this long before it counts
    max_rise_s: float = 4.0  # a rep climbs min_range within this (4 s tempo: ~2 s up); slower is drift
    min_speed: float = 0.0  # the fastest climb over speed_window_s (signal units a second) must reach this
    speed_window_s: float = 0.4
    # After a (re)start (the clip's first frames, a gap, the athlete getting into position)
    # the first rep counts from a level the signal has held, within half of min_range, for
    # this long: a limb still moving into place when the move's position begins (arms
    # sliding overhead as the athlete lies down) is no rep, and its end is no rep's start.
    first_rest_s: float = 0.0
    # the time constant of the exponential average that follows the running median
    # (signals.CausalFilter), for the move's every measure
    smooth_s: float = 0.06
    # Two-sided moves: a rise smaller than this share of the other side's rise at the same
    # time went along with it (analyzer: the free arm shifted by the working arm's pull, a
    # resting hand carried up by the chest); an arm raised on purpose rises comparably.
    along_share: float = 0.5


def climb_speed(samples, window_s: float) -> float:
    """The fastest climb in ``(t, value)`` samples (in time order): the largest rise between
    two samples at least ``window_s`` apart (each with the nearest such earlier sample), per
    second; -inf when the samples span less than the window."""
    points = [(t, v) for t, v in samples if not math.isnan(v)]
    best, i = -math.inf, 0
    for j, (tj, vj) in enumerate(points):
        while i + 1 < j and tj - points[i + 1][0] >= window_s:
            i += 1
        ti, vi = points[i]
        if tj - ti >= window_s:
            best = max(best, (vj - vi) / (tj - ti))
    return best


class Segmenter:
    def __init__(self, config: SegmenterConfig) -> None:
        self.c = config
        self.reset()

    def reset(self) -> None:
        self.since: float | None = None  # start of the current run of valid samples
        self.top_t = 0.0  # last time the signal climbed noticeably higher ...
        self.top_level = -math.inf  # ... to this level
        self.rising = False
        self.rise_t = 0.0  # when the signal last started climbing away from its low
        self.dip: tuple[float, float] | None = None  # lowest (value, t) since the last high
        self.low = math.inf
        self.low_t = 0.0  # last time the signal sat at its low (the rep's start)
        self.high = -math.inf
        self.high_t = 0.0
        self.last_t: float | None = None
        self.resting = self.c.first_rest_s > 0  # no rep starts until the signal has held a level
        self.rest: tuple[float, float] | None = None  # (level, since) of that hold
        self.trace: deque[tuple[float, float]] = deque()  # (t, value) from just before the low on
        self.dropped: list[tuple[RepSpan, str]] = []  # spans that rose enough but were no rep, and why

    def update(self, t: float, value: float) -> RepSpan | None:
        """``value`` is NaN while the athlete is out of the move's position: like a dropout."""
        if math.isnan(value):
            return None
        if self.last_t is not None and t - self.last_t > self.c.max_gap_s:
            self.reset()
        self.last_t = t
        c = self.c
        if self.since is None:
            self.since = t
        if t - self.since < c.settle_s:
            return None
        if self.resting:
            # the start follows the signal until it has held a level for first_rest_s
            level, since = self.rest or (value, t)
            if abs(value - level) > 0.5 * c.min_range:
                level, since = value, t
            self.rest = (level, since)
            self.low, self.low_t = value, t
            if t - since < c.first_rest_s:
                return None
            self.resting = False
        if c.min_speed > 0:
            self.trace.append((t, value))
            while len(self.trace) > 1 and self.trace[1][0] <= self.low_t - c.speed_window_s:
                self.trace.popleft()
        if not self.rising:
            if value <= self.low + c.start_band * c.min_range:
                if value < self.low:
                    self.low = value
                self.low_t = t
            elif value - self.low >= 0.5 * c.min_range:
                self.rising = True
                self.rise_t = t
                self.high, self.high_t, self.dip = value, t, None
                self.top_t, self.top_level = t, value
            elif t - self.low_t > c.max_rise_s:
                # sitting a little above the low for seconds: the resting level crept up
                self.low, self.low_t = value, t
            return None
        if value > self.high:
            if self.dip is not None and self.high - self.dip[0] >= c.dip_fraction * c.min_range:
                # it sank back and now climbs past its high again: the sag was the real
                # start, the first rise a wobble too small to end as a rep
                self.low, self.low_t = self.dip
            if value > self.top_level + c.start_band * c.min_range:
                self.top_t, self.top_level = t, value
            self.high, self.high_t, self.dip = value, t, None
        elif self.dip is None or value < self.dip[0]:
            self.dip = (value, t)
        if self.high - self.low < c.min_range and t - self.rise_t > c.max_rise_s:
            # creeping up (a limb's slow wander, settling into place), not lifting: the
            # start moves along with it, or a real rep that follows would start back here
            self._restart(t, value)
            return None
        if t - self.low_t > c.max_duration_s or t - self.top_t > c.max_top_s:
            # too long for a rep, or parked at the top: the athlete settled into a new
            # position (lay down, stepped back); its level is the new start
            self._restart(t, value)
            return None
        rise = self.high - self.low
        if value <= self.high - c.return_fraction * rise:
            span = RepSpan(self.low_t, self.high_t, t, self.low, self.high)
            fast_enough = (
                c.min_speed <= 0
                or climb_speed(
                    [p for p in self.trace if span.start_t - c.speed_window_s <= p[0] <= span.peak_t], c.speed_window_s
                )
                >= c.min_speed
            )
            self._restart(t, value)
            if rise < c.min_range:
                return None
            if span.duration < c.min_duration_s:
                self.dropped.append((span, "too quick for a rep (a twitch)"))
            elif not fast_enough:
                self.dropped.append((span, "climbed too slowly (a landmark drifting)"))
            else:
                return span
        return None

    def _restart(self, t: float, value: float) -> None:
        self.rising = False
        self.low, self.low_t = value, t
        self.high = -math.inf
