"""What a move module provides, and the fault-check registry every move shares.

A move says three things: which per-frame measures it needs (``measures``,
vectorised over frames), which measure counts a rep on each side
(``counting``), and which faults to check on a finished rep (``faults``, one
function per fault id, all with the same signature). Moves hold no state and
do no I/O; the analyser feeds them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from scapula.vision.reps import RepSpan, SegmenterConfig

LEAD_S = 1.0
# A side's hand is taken as unseen over a stretch of frames when its point was a copy of the
# other hand's (signals.hidden_hands) in at least this share of them
HIDDEN_SHARE = 0.5
# A side out of sight in this share of a set's frames in the move's position: some of its
# reps are missing or borrowed from the other side, so its count is not to be trusted and
# the report says so (a quarter of an arm's lifts is two or three of a set of ten)
UNSEEN_SET_SHARE = 0.25
IN_STEP = 0.7  # correlation of two signals over a rep: one movement, not two


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's correlation over the frames where both exist (0 with fewer than 3)."""
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return 0.0
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-12))


REFERENCE_REPS = 3  # earlier reps of a side before its checks are judged against them
REFERENCE_KEEP = 8  # the latest this many of them


@dataclass(frozen=True)
class RepFrames:
    """A finished rep: its span and the smoothed measures of its frames (arrays over time)."""

    side: str
    span: RepSpan
    t: np.ndarray
    m: dict[str, np.ndarray]  # measure name -> values over the rep's frames
    baseline: dict[str, float]  # measures at the start of the rep
    # the measures over the second before the rep's start (``LEAD_S``; fewer frames after a
    # gap or at the start of the clip): where the limb came from
    lead: dict[str, np.ndarray] = field(default_factory=dict)
    # fault id -> this athlete's usual value of that check on this side: the median over
    # their latest earlier reps (once there are ``REFERENCE_REPS``), their usual rep while
    # faults are the minority
    reference: dict[str, float] = field(default_factory=dict)

    def relative(self, fault: str, value: float) -> float:
        """A check's value against this athlete's usual rep, once there are enough earlier
        ones: a landmark's systematic offset (the shoulder line's estimate turning with the
        working arm, the head point's bias) moves every rep of theirs alike, and a fault is
        a departure from how they do the rep. Before that, the value itself."""
        return value - self.reference[fault] if fault in self.reference else value

    def at_peak(self, name: str) -> float:
        return float(self.m[name][int(np.argmin(np.abs(self.t - self.span.peak_t)))])

    def rise(self, name: str) -> float:
        """How far a measure climbed from the rep's start to its highest point in the rep."""
        return float(np.nanmax(self.m[name]) - self.baseline[name])

    def shift(self, name: str) -> float:
        """How far a measure moved while working: its median over the working part of the
        rep minus its median over the rest (the start and the return). Medians make it
        steady against jitter, where a maximum would pick the noise's highest point."""
        work = self.working()
        rest = ~work
        if not work.any() or not rest.any():
            return 0.0
        return float(np.nanmedian(self.m[name][work]) - np.nanmedian(self.m[name][rest]))

    def noise(self, name: str) -> float:
        """How much a measure wobbles while the athlete is at rest in this rep (the frames
        where the counting signal is within a fifth of the rise of its start): the robust
        spread (1.4826 x the median absolute deviation), in the measure's own units. A
        shift in a measure that is not clearly larger than this is the estimate's noise."""
        x = self.m[name][~self.working(0.2)]
        x = x[np.isfinite(x)]
        if len(x) < 4:
            return 0.0
        return float(1.4826 * np.median(np.abs(x - np.median(x))))

    def hidden(self, side: str, part: str = "either") -> bool:
        """Whether ``side``'s hand was out of the camera's sight in this rep: its point a copy
        of the other hand's. Both tell-tales at once: the two points lay within a few cm in
        the picture (``signals.hidden_hands``) in most of the frames of the working part
        (``part="working"``) or of either part (``"either"``: at rest or working, so anything
        measured between the two is the copy's doing), and its counting signal moved in step
        with this rep's (a copy follows; a hand that merely passes near the other in the
        picture, the free hand on the thigh as the bell comes up to the ribs, does not)."""
        column = self.m.get(f"hidden_{side}")
        if column is None:
            return False
        pair = [self.m.get(f"counting_{s}") for s in ("left", "right")]
        if pair[0] is None or pair[1] is None or correlation(pair[0], pair[1]) < IN_STEP:
            return False
        work = self.working()
        parts = (work,) if part == "working" else (work, ~work)
        return any(bool(mask.any()) and float(np.mean(column[mask] >= 0.5)) >= HIDDEN_SHARE for mask in parts)

    def working(self, fraction: float = 0.5) -> np.ndarray:
        """Mask of the frames in the working part of the rep (counting signal high)."""
        signal = self.m["counting"]
        return signal >= self.span.low + fraction * self.span.range


@dataclass(frozen=True)
class Finding:
    """A fault check's verdict on one rep, with the number it was based on.

    ``noise`` is how far ``value`` would stray from zero on a clean rep through the
    estimate's noise alone (in the value's units; 0 when the check cannot tell). A fault
    is said only when the value clears both its threshold and ``CLEAR_NOISE`` times that
    noise; past the threshold but within the noise, the report calls the check unsure.
    """

    fault: bool
    value: float
    threshold: float
    noise: float = 0.0
    # False when the rep cannot show this fault (what the check needs was out of sight):
    # the report lists it as not checked on this rep
    judged: bool = True


# How many times the estimate's noise a fault's measure must exceed to be said: a fault
# called on a clean rep teaches the runner to ignore the coach, so the coach speaks when
# the rep shows it clearly (two spreads leave about one clean rep in forty over the line).
CLEAR_NOISE = 2.0


FaultCheck = Callable[[RepFrames], Finding]


@dataclass(frozen=True)
class ViewNeed:
    """The camera views (yaw around the athlete: 0 front, 90 side, 180 behind) a check trusts."""

    min_abs_yaw: float = 0.0
    max_abs_yaw: float = 180.0
    why: str = ""

    def allows(self, abs_yaw: float) -> bool:
        return self.min_abs_yaw <= abs_yaw <= self.max_abs_yaw


@dataclass(frozen=True)
class Fault:
    id: str
    check: FaultCheck
    view: ViewNeed = field(default_factory=ViewNeed)


@dataclass(frozen=True)
class Move:
    id: str
    sides: tuple[str, ...]  # ("both",) or ("left", "right")
    segmenter: SegmenterConfig
    # (world points in metres, image points as camera rays: analyzer.camera_rays, each
    # point's visibility 0..1 as the estimator gives it) -> named arrays
    measures: Callable[[np.ndarray, np.ndarray, np.ndarray], dict[str, np.ndarray]]
    counting: Callable[[dict[str, np.ndarray], str], np.ndarray]  # measures, side -> counting signal
    faults: tuple[Fault, ...]
    # None, or why a finished span is not a rep of this move; by default every span whose
    # counting signal exists (the move's position) is one
    is_rep: Callable[[RepFrames], str | None] = lambda rep: None
    recommended_view: str = ""
    range_unit: str = "deg"  # the counting signal's unit, which a rep's range is given in
    # A fault that says every side did this rep at once (supermans: ``both_arms``): a rep
    # found on one side with it counts for each side, whether or not the other side's own
    # signal cleared the rep's threshold (a far arm the camera barely sees often does not).
    shared_fault: str | None = None
    # Both sides work within one set (supermans alternate the arms): a side out of the
    # camera's sight for most of it is a filming problem the report names. Otherwise (a row
    # works one side a set) the idle side may well be hidden behind the body.
    sides_together: bool = False
    # The parts of the body the move's counting and checks need in the picture ("head",
    # "hands", "feet"): the live coach asks for a better view when one is out of it
    needs_in_view: tuple[str, ...] = ("hands",)
