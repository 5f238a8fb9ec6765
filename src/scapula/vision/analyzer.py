"""The streaming analyser: one frame in at a time, each rep out as soon as it is over.

Batch analysis of a file is the same analyser fed every frame (``analyze``), so
the live coach and ``scapula analyze`` give the same reps for the same frames.
Per frame: undo label swaps, watch for the tracked body jumping to someone else,
compute each move's measures, smooth them causally, and run the shared rep
segmenter on each side's counting signal. A finished span that was at its top
for only a moment is a glitch; any other is checked against the move's idea of a
rep (posture, both arms or one) and then for every fault; a
rep with the move's ``shared_fault`` (supermans' both arms) counts for every side.
"""

from __future__ import annotations

import itertools
import statistics
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import cast

import numpy as np

from scapula.vision.landmarks import Frame, Header
from scapula.vision.moves import MOVES, Move, RepFrames
from scapula.vision.moves.base import CLEAR_NOISE, HIDDEN_SHARE, LEAD_S, REFERENCE_KEEP, REFERENCE_REPS
from scapula.vision.reps import RepSpan, Segmenter
from scapula.vision.signals import BodyFrame, CausalFilter, SwapGuard, camera_yaw_deg, hidden_hands, mid
from scapula.vision.skeleton import P

AUTO = "auto"
# The view check looks back this far: long enough that a limb swinging out of the picture
# for a moment is not a bad view, short enough to ask before the set is under way.
VIEW_WINDOW_S = 3.0
VIEW_PARTS = {
    "head": (P.NOSE,),
    "hands": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "feet": (P.LEFT_ANKLE, P.RIGHT_ANKLE),
}
MIN_REPS_TO_RECOGNISE = 3  # with --exercise auto: fewer counted reps are taken as chance
# Every rep spends a while in the top half of its rise: the quickest (1.2 s, no hold) about
# 0.6 s. A landmark glitch that the median filter only blunts is there for a frame or two.
MIN_TOP_S = 0.25


@dataclass(frozen=True)
class RepEvent:
    exercise: str
    index: int  # 1-based within the exercise
    side: str
    start_s: float
    peak_s: float
    end_s: float
    faults: tuple[str, ...]
    metrics: dict[str, float]  # each fault check's measured value
    range: float  # the counting signal's rise, in the move's range_unit
    not_checked: tuple[str, ...] = ()  # faults the camera view could not judge
    unsure: tuple[str, ...] = ()  # faults past their threshold but not clear of the estimate's noise


@dataclass
class BodyJump:
    t: float
    reason: str


@dataclass
class Result:
    exercise: str
    recognised: bool
    duration_s: float
    reps: list[RepEvent]
    frames_total: int
    frames_with_person: int
    body_jumps: list[BodyJump]
    swaps_fixed: int
    camera_yaw_deg: float | None
    not_checked: dict[str, str]  # fault id -> why the view could not judge it
    rejected: dict[str, int]  # why spans were not counted as reps -> how many
    candidates: dict[str, int] = field(default_factory=dict)  # move -> reps, with auto
    rejected_spans: list[RejectedSpan] = field(default_factory=list)  # each one, in time order
    # side -> share of the frames in the move's position in which that hand was out of the
    # camera's sight (its point a copy of the other's), for moves whose sides work together
    hidden: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RejectedSpan:
    """A span the segmenter found that was not counted, and why (for benchmarks and debugging)."""

    side: str
    start_s: float
    peak_s: float
    end_s: float
    range: float
    reason: str


# Phones and laptops film about 60-70 deg across the picture's long side, a focal length of
# 0.71-0.87 long sides. The superman's heights correct for perspective with it; a focal
# taken too long only under-corrects, while one too short over-corrects (generated clips
# lose more from 0.6 than from 1.0 or 2.0), so take the long end.
FOCAL_LONG_SIDES = 0.8


def camera_rays(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Image landmarks as directions from the camera: the offset from the picture's centre
    in focal lengths (x right, y down), i.e. the tangent of the angle off the camera's axis.
    A point at depth Z metres that moves dY metres up or down moves dY / Z in these units."""
    size = np.array([width, height], dtype=float)
    return (image[..., :2] - 0.5) * size / (FOCAL_LONG_SIDES * size.max())


def _fallback_world(image: np.ndarray, header: Header) -> np.ndarray:
    """Pseudo-metric points from image landmarks, for files that carry no world points."""
    size = np.array([header.width, header.height, header.width], dtype=float)
    pts = image[..., :3] * size
    hips = (pts[..., P.LEFT_HIP, :] + pts[..., P.RIGHT_HIP, :]) / 2
    return (pts - hips[..., None, :]) / max(header.width, header.height)


class _MoveTracker:
    """One move's measures, smoothing, per-side segmenters and recent history."""

    def __init__(self, move: Move, fps: float) -> None:
        self.move = move
        self.names: list[str] | None = None
        self.filter = CausalFilter.for_rate(fps, move.segmenter.smooth_s)
        self.segmenters = {side: Segmenter(move.segmenter) for side in move.sides}
        self.keep_s = move.segmenter.max_duration_s + 2.0
        self.history: deque[tuple[np.ndarray, np.ndarray, np.ndarray]] = deque()  # times, rows, yaws
        self.reps: list[RepEvent] = []
        self.rejected: dict[str, int] = {}
        self.rejected_spans: list[RejectedSpan] = []
        self.spans: deque[tuple[str, RepSpan]] = deque(maxlen=8)  # the latest spans judged, each side
        # per side: frames in the move's position, and those with the hand out of sight
        self.in_position = dict.fromkeys(move.sides, 0)
        self.out_of_sight = dict.fromkeys(move.sides, 0)
        # the last VIEW_WINDOW_S: per frame, each side in the move's position and out of sight
        self.recent: deque[tuple[float, dict[str, bool], dict[str, bool]]] = deque()

    def sides_out_of_sight(self) -> list[str]:
        """The sides whose hand was out of the camera's sight over most of the last few
        seconds in the move's position (moves whose sides work together)."""
        if not self.move.sides_together or not self.recent:
            return []
        out = []
        for side in self.move.sides:
            placed = sum(p[side] for _, p, _ in self.recent)
            hidden = sum(h[side] for _, _, h in self.recent)
            if placed >= len(self.recent) / 2 and hidden >= HIDDEN_SHARE * placed:
                out.append(side)
        return out

    def hidden_shares(self) -> dict[str, float]:
        """Per side, the share of the frames in the move's position with that hand out of sight."""
        return {s: round(self.out_of_sight[s] / n, 3) for s, n in self.in_position.items() if n}

    def reset(self) -> None:
        self.filter.reset()
        for seg in self.segmenters.values():
            seg.reset()
        self.history.clear()

    def push(
        self, t: np.ndarray, world: np.ndarray, rays: np.ndarray, seen: np.ndarray, yaw: np.ndarray
    ) -> list[RepEvent]:
        measured = self.move.measures(world, rays, seen)
        if len(self.move.sides) == 2:
            measured.update({f"hidden_{side}": v for side, v in hidden_hands(world, rays).items()})
        if self.names is None:
            self.names = list(measured)
        smooth = self.filter(np.stack([measured[n] for n in self.names], axis=-1))
        # keep what a rep ending anywhere in this batch may reach back to
        while self.history and t[0] - self.history[0][0][-1] > self.keep_s:
            self.history.popleft()
        self.history.append((t, smooth, yaw))
        columns = dict(zip(self.names, smooth.T))
        events = []
        signals = {side: np.asarray(self.move.counting(columns, side)).tolist() for side in self.segmenters}
        placed = {side: np.isfinite(np.asarray(signals[side], dtype=float)) for side in self.segmenters}
        unseen = {
            side: placed[side] & (columns[f"hidden_{side}"] >= 0.5)
            if f"hidden_{side}" in columns
            else np.zeros(len(t), bool)
            for side in self.segmenters
        }
        for side in self.segmenters:
            self.in_position[side] += int(placed[side].sum())
            self.out_of_sight[side] += int(unseen[side].sum())
        # only the batch's last VIEW_WINDOW_S can stay in the window: a file analysed in
        # batches does not build and drop a row for every frame
        for i in np.flatnonzero(t >= t[-1] - VIEW_WINDOW_S).tolist():
            flags = {s: bool(placed[s][i]) for s in placed}, {s: bool(unseen[s][i]) for s in unseen}
            self.recent.append((float(t[i]), *flags))
        while self.recent and self.recent[-1][0] - self.recent[0][0] > VIEW_WINDOW_S:
            self.recent.popleft()
        for i, now in enumerate(t.tolist()):  # frame by frame, so reps are numbered in time order
            for side, seg in self.segmenters.items():
                span = seg.update(now, signals[side][i])
                if seg.dropped:
                    for dropped, why in seg.dropped:
                        self._reject(side, dropped, why)
                    seg.dropped.clear()
                if span is not None and (event := self._judge(side, span)) is not None:
                    events.append(event)
                    events += self._shared(event)
        return events

    def _shared(self, event: RepEvent) -> list[RepEvent]:
        """The same rep for the other sides, when its faults say they all did it."""
        if self.move.shared_fault is None or self.move.shared_fault not in event.faults:
            return []
        out = []
        for side in self.segmenters:
            if side == event.side:
                continue
            if any(r.side == side and r.end_s >= event.start_s and r.peak_s >= event.start_s for r in self.reps[-4:]):
                continue  # that side's own segmenter counted this lift already
            shared = replace(event, index=len(self.reps) + 1, side=side)
            self.reps.append(shared)
            out.append(shared)
        return out

    def _reject(self, side: str, span: RepSpan, why: str) -> None:
        self.rejected[why] = self.rejected.get(why, 0) + 1
        self.rejected_spans.append(
            RejectedSpan(
                side, round(span.start_t, 3), round(span.peak_t, 3), round(span.end_t, 3), round(span.range, 3), why
            )
        )

    def _overshadowed(self, rep: RepFrames) -> str | None:
        """Why a span is not its side's own rep: the other side rose much further at the same time.

        The two-sided moves work one side at a time. When both sides rise together and one
        rises far less (under ``SegmenterConfig.along_share`` of the other), it went along
        with the larger: the free arm as the working arm's pull shifts the trunk, a resting
        hand as the chest comes up with the other arm's lift, the estimate of a hidden limb
        copying the visible one. The larger rise is the rep, judged on its own side (where a
        shared fault such as both_arms counts it for both). A side whose hand was out of
        sight over this span rose only as a copy of this one, and overshadows nothing."""
        if len(self.move.sides) < 2:
            return None
        side, span = rep.side, rep.span
        for other, seg in self.segmenters.items():
            if other == side or rep.hidden(other):
                continue
            # at the same time: each peak inside the other's span
            rises = [
                o.range
                for s, o in self.spans
                if s == other and span.start_t <= o.peak_t <= span.end_t and o.start_t <= span.peak_t <= o.end_t
            ]
            if seg.rising and span.start_t <= seg.high_t <= span.end_t and seg.low_t <= span.peak_t:
                rises.append(seg.high - seg.low)
            if rises and span.range < self.move.segmenter.along_share * max(rises):
                return f"the {other} side rose much further at the same time"
        return None

    def _judge(self, side: str, span) -> RepEvent | None:
        assert self.names is not None  # a span is judged only after measures were pushed
        times = np.concatenate([h[0] for h in self.history])
        rows = np.concatenate([h[1] for h in self.history])
        yaws = np.concatenate([h[2] for h in self.history])
        inside = (times >= span.start_t - 1e-9) & (times <= span.end_t + 1e-9)
        m = {n: rows[inside, i] for i, n in enumerate(self.names)}
        m["counting"] = np.asarray(self.move.counting(m, side), dtype=float)
        for s in self.move.sides:
            m[f"counting_{s}"] = np.asarray(self.move.counting(m, s), dtype=float)
        start = int(np.argmin(np.abs(times - span.start_t)))
        baseline = {n: float(rows[start, i]) for i, n in enumerate(self.names)}
        before = (times >= span.start_t - LEAD_S) & (times < span.start_t - 1e-9)
        lead = {n: rows[before, i] for i, n in enumerate(self.names)}
        reference = {}
        for fault in self.move.faults:
            # the median is the athlete's usual rep as long as faults are the minority
            earlier = [r.metrics[fault.id] for r in self.reps if r.side == side and fault.id in r.metrics]
            earlier = earlier[-REFERENCE_KEEP:]
            if len(earlier) >= REFERENCE_REPS:
                reference[fault.id] = float(statistics.median(earlier))
        rep = RepFrames(side, span, times[inside], m, baseline, lead, reference)
        top = rep.t[rep.working()]
        if len(top) == 0 or top[-1] - top[0] < MIN_TOP_S:
            why_not: str | None = "a spike, not a rep (a landmark glitch)"
        elif any(r.side == side and r.start_s <= span.peak_t <= r.end_s for r in self.reps[-4:]):
            # the other side's rep already counted this lift for this side (a shared fault)
            why_not = "counted already with the other side (both at once)"
        elif rep.hidden(side, "working"):
            # the point rose because the other hand did: what this hand did is unknown
            why_not = f"the {side} hand was out of the camera's sight (its point followed the other hand)"
        else:
            why_not = self._overshadowed(rep) or self.move.is_rep(rep)
        self.spans.append((side, span))
        if why_not is not None:
            self._reject(side, span, why_not)
            return None
        yaw = abs(circular_mean_deg(yaws[inside]))
        faults: list[str] = []
        metrics: dict[str, float] = {}
        skipped: list[str] = []
        unsure: list[str] = []
        for fault in self.move.faults:
            if not fault.view.allows(yaw):
                skipped.append(fault.id)
                continue
            finding = fault.check(rep)
            if not finding.judged:
                skipped.append(fault.id)
                continue
            metrics[fault.id] = round(finding.value, 3)
            if finding.fault:
                clear = abs(finding.value) >= CLEAR_NOISE * finding.noise
                (faults if clear else unsure).append(fault.id)
        event = RepEvent(
            self.move.id,
            len(self.reps) + 1,
            side,
            round(span.start_t, 3),
            round(span.peak_t, 3),
            round(span.end_t, 3),
            tuple(faults),
            metrics,
            round(span.range, 2),
            tuple(skipped),
            tuple(unsure),
        )
        self.reps.append(event)
        return event


def _outside(image: np.ndarray) -> dict[str, bool]:
    """Per part of the body (VIEW_PARTS), whether all its points lie outside the picture."""
    xy = image[:, :2]
    off = (xy < 0.0).any(axis=-1) | (xy > 1.0).any(axis=-1)
    return {part: bool(off[list(points)].all()) for part, points in VIEW_PARTS.items()}


def circular_mean_deg(angles: np.ndarray) -> float:
    rad = np.radians(angles)
    return float(np.degrees(np.arctan2(np.sin(rad).sum(), np.cos(rad).sum())))


class Analyzer:
    """Feed frames with ``push`` (one) or ``push_many`` (a batch); ``finish()`` gives the result.

    A batch goes through exactly the same steps as the same frames one by one:
    every stateful stage carries its state from one call to the next.
    """

    # A real body moves its hips less than half a torso between frames and does not
    # change size by half within a fraction of a second; anything else is another person
    # or the tracker jumping. Dropouts shorter than ``SAME_PERSON_GAP_S`` are checked the
    # same way (allowing a walking pace); after a longer absence it is just a new start.
    JUMP_MOVE = 0.5  # torso lengths
    JUMP_SCALE = 1.5  # ratio of torso lengths in the picture
    WALK = 1.0  # torso lengths a second someone can cover during a dropout
    SAME_PERSON_GAP_S = 2.0

    def __init__(self, header: Header, exercise: str = AUTO) -> None:
        if exercise != AUTO and exercise not in MOVES:
            raise KeyError(exercise)
        self.header = header
        self.exercise = exercise
        ids = list(MOVES) if exercise == AUTO else [exercise]
        self.trackers = {i: _MoveTracker(MOVES[i], header.fps) for i in ids}
        self.swap_guard = SwapGuard()
        self.frames_total = 0
        self.frames_with_person = 0
        self.first_t: float | None = None
        self.last_t = 0.0
        self.last_body: tuple[float, np.ndarray, float] | None = None  # t, hip centre px, torso px
        self.body_jumps: list[BodyJump] = []
        self.swaps_fixed = 0
        self.yaw_sum = np.zeros(2)  # sum of the unit vectors of every frame's camera yaw
        # the last VIEW_WINDOW_S of frames: time, and per part of the body whether it was
        # outside the picture (None: no person in that frame)
        self.recent: deque[tuple[float, dict[str, bool] | None]] = deque()

    def push(self, frame: Frame) -> list[RepEvent]:
        """One frame in; the reps that ended on this frame out."""
        return self.push_many([frame])

    def push_many(self, frames: list[Frame]) -> list[RepEvent]:
        """A batch of consecutive frames in; the reps that ended within it out, in order."""
        if not frames:
            return []
        self.frames_total += len(frames)
        if self.first_t is None:
            self.first_t = frames[0].t
        self.last_t = frames[-1].t
        for f in frames:  # as the trackers: only what can stay in the window
            if f.t >= frames[-1].t - VIEW_WINDOW_S:
                self.recent.append((f.t, None if f.image is None else _outside(f.image)))
        while self.recent and self.recent[-1][0] - self.recent[0][0] > VIEW_WINDOW_S:
            self.recent.popleft()
        seen = [f for f in frames if f.image is not None]
        if not seen:
            return []
        self.frames_with_person += len(seen)
        t = np.array([f.t for f in seen])
        image = np.stack([cast(np.ndarray, f.image) for f in seen])  # seen: frames with a person
        world = np.stack(
            [f.world if f.world is not None else _fallback_world(cast(np.ndarray, f.image), self.header) for f in seen]
        )
        events: list[RepEvent] = []
        for k, (lo, hi) in enumerate(self._same_body_runs(t, image)):
            if k > 0:
                self._reset()  # count nothing across a jump
            events += self._push_run(t[lo:hi], image[lo:hi], world[lo:hi])
        return sorted(events, key=lambda e: e.end_s)

    def _same_body_runs(self, t: np.ndarray, image: np.ndarray) -> list[tuple[int, int]]:
        """Cut a batch where the tracked body jumps, and note each jump."""
        px = image[:, :, :2] * np.array([self.header.width, self.header.height], dtype=float)
        centre = mid(px, P.LEFT_HIP, P.RIGHT_HIP)
        torso = np.linalg.norm(mid(px, P.LEFT_SHOULDER, P.RIGHT_SHOULDER) - centre, axis=-1) + 1e-6
        t0, c0, s0 = self.last_body or (t[0], centre[0], torso[0])
        prev_t = np.r_[t0, t[:-1]]
        prev_c = np.vstack([c0[None], centre[:-1]])
        prev_s = np.r_[s0, torso[:-1]]
        self.last_body = (float(t[-1]), centre[-1], float(torso[-1]))
        gap = t - prev_t
        moved = np.linalg.norm(centre - prev_c, axis=-1) / prev_s
        ratio = np.maximum(torso, prev_s) / np.minimum(torso, prev_s)
        allowed = self.JUMP_MOVE + np.maximum(0.0, gap - 0.1) * self.WALK
        jump = (gap <= self.SAME_PERSON_GAP_S) & ((moved > allowed) | (ratio > self.JUMP_SCALE))
        cuts = [0]
        for i in np.flatnonzero(jump).tolist():
            reason = (
                f"the tracked body moved {moved[i]:.1f} torso lengths"
                if moved[i] > allowed[i]
                else f"the tracked body changed size x{ratio[i]:.1f}"
            )
            self.body_jumps.append(BodyJump(round(float(t[i]), 3), reason + " at once (another person?)"))
            if i > 0:
                cuts.append(i)
        cuts.append(len(t))
        if jump[0]:
            self._reset()
        return list(itertools.pairwise(cuts))

    def _push_run(self, t: np.ndarray, image: np.ndarray, world: np.ndarray) -> list[RepEvent]:
        image, guarded, fixed = self.swap_guard(image, world)
        world = cast(np.ndarray, guarded)  # world in, world out
        self.swaps_fixed += fixed
        yaw = camera_yaw_deg(BodyFrame.of(world))
        rad = np.radians(yaw)
        self.yaw_sum += [np.cos(rad).sum(), np.sin(rad).sum()]
        events: list[RepEvent] = []
        rays = camera_rays(image, self.header.width, self.header.height)
        for tracker in self.trackers.values():
            events += tracker.push(t, world, rays, image[..., 3], yaw)
        return events

    def view_advice(self, exercise: str) -> list[str]:
        """What is wrong with the camera's view now, in the runner's words (empty when
        nothing): parts of the body ``exercise`` needs that stayed out of the picture, and
        for a move whose sides work together, a side the camera cannot see. ``exercise`` may
        be ``AUTO`` before any move is recognised: then only what every move needs."""
        seen = [flags for _, flags in self.recent if flags is not None]
        if len(seen) < len(self.recent) / 2 or not seen:
            return []  # nobody there most of the time: the page says so already
        if exercise in self.trackers:
            # judged in the move's position (lying down, for supermans: standing up first, the
            # head may well be out of a floor camera's picture)
            placed = {t for t, sides, _ in self.trackers[exercise].recent if any(sides.values())}
            seen = [flags for t, flags in self.recent if flags is not None and t in placed]
            if len(seen) < len(self.recent) / 2:
                return []
        moves = [MOVES[exercise]] if exercise in self.trackers else [t.move for t in self.trackers.values()]
        parts = [p for p in VIEW_PARTS if all(p in m.needs_in_view for m in moves)]
        advice = [
            f"Your {part} {'is' if part == 'head' else 'are'} out of the picture: move the phone back or tilt it"
            for part in parts
            if sum(flags[part] for flags in seen) >= len(seen) / 2
        ]
        if exercise in self.trackers:
            for side in self.trackers[exercise].sides_out_of_sight():
                advice.append(f"Your {side} arm is hidden behind your body: move the phone toward your head, or higher")
        return advice

    def _reset(self) -> None:
        for tracker in self.trackers.values():
            tracker.reset()
        self.swap_guard.reset()

    def finish(self) -> Result:
        counts = {i: len(t.reps) for i, t in self.trackers.items()}
        if self.exercise == AUTO:
            best = max(counts, key=lambda i: counts[i])
            recognised = counts[best] >= MIN_REPS_TO_RECOGNISE
        else:
            best = self.exercise
            recognised = counts[best] > 0
        tracker = self.trackers[best]
        reps = tracker.reps if recognised else []
        yaw = float(np.degrees(np.arctan2(self.yaw_sum[1], self.yaw_sum[0]))) if self.frames_with_person else None
        not_checked = {}
        for fault in tracker.move.faults:
            if yaw is not None and not fault.view.allows(abs(yaw)) and fault.view.why:
                not_checked[fault.id] = f"{fault.view.why}; the camera was {abs(yaw):.0f} deg from the athlete's front"
        duration = (self.last_t - self.first_t) if self.first_t is not None else 0.0
        return Result(
            best,
            recognised,
            round(duration, 3),
            reps,
            self.frames_total,
            self.frames_with_person,
            self.body_jumps,
            self.swaps_fixed,
            yaw,
            not_checked,
            dict(tracker.rejected),
            counts if self.exercise == AUTO else {},
            list(tracker.rejected_spans),
            tracker.hidden_shares() if tracker.move.sides_together else {},
        )


def _batched(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def analyze(header: Header, frames: Iterable[Frame], exercise: str = AUTO, on_rep=None, batch: int = 512) -> Result:
    """Batch analysis: the streaming analyser fed every frame, a batch at a time."""
    analyzer = Analyzer(header, exercise)
    for chunk in _batched(frames, batch):
        for event in analyzer.push_many(chunk):
            if on_rep is not None:
                on_rep(event)
    return analyzer.finish()
