"""The posture check: captures (photos, clips, landmark files, already turned into landmark
frames) in, measures with their bands and uncertainty out. Pure: no file access here.

One capture -> its frames with a person -> the median frame for the capture checks and the
median of each measure over the frames (a clip is more robust than one photo; its spread
says how steady the stance was). Several captures of the same view -> the median of their
values, and their spread joins the uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scapula.posture.measures import (
    Measured,
    Shot,
    facing_sign,
    front_measures,
    metres_per_px,
    near_side,
    side_measures,
    torso_centre_px,
    turn_deg,
)
from scapula.posture.norms import (
    MAX_SWAY_CM,
    MIN_CLIP_FRAMES,
    NORMS,
    STEADY_SWAY_CM,
    VIEW_MEASURES,
    borderline,
    classify,
)
from scapula.posture.quality import (
    Problem,
    framing_problems,
    hips_in_picture,
    orientation_problems,
    seen,
    tilt_problems,
    track_problems,
    view_of,
)
from scapula.vision.landmarks import Frame
from scapula.vision.skeleton import P

VIEWS = ("auto", "side", "front")


@dataclass
class Capture:
    """One input as landmark frames. ``second_person``: True / False when a second-person
    search ran, None when it could not (``second_person_how`` says which)."""

    name: str
    kind: str  # "photo" | "clip" | "landmarks"
    description: str
    frames: list[Frame]
    width: int
    height: int
    second_person: bool | None = None
    second_person_how: str = "not checked"
    picture: np.ndarray | None = field(default=None, repr=False)  # RGB, for --annotate
    picture_frame: int | None = None  # the index in ``frames`` the picture shows


@dataclass
class CaptureResult:
    capture: Capture
    view: str | None
    problems: list[Problem]
    notes: list[str]
    angles: dict[str, float] = field(default_factory=dict)
    cm: dict[str, float | None] = field(default_factory=dict)
    world_cm: dict[str, float | None] = field(default_factory=dict)
    spread_deg: dict[str, float] = field(default_factory=dict)  # robust SD over a clip's frames
    steadiness: dict | None = None
    body_tilt_deg: float | None = None
    turn_deg: float | None = None
    frames_with_person: int = 0
    shot: Shot | None = None  # the median frame
    measured: Measured | None = None  # the measures of the median frame (sides, facing)

    @property
    def refused(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class MeasureResult:
    id: str
    angle_deg: float
    cm: float | None
    band: str
    borderline: bool
    sd_deg: float  # uncertainty (1 SD) of this check
    sd_cm: float
    observed_spread_deg: float | None  # spread seen in this check's own frames / captures


@dataclass
class PostureResult:
    view: str | None
    captures: list[CaptureResult]
    measures: dict[str, MeasureResult]
    notes: list[str]

    @property
    def refused(self) -> bool:
        return not self.measures


def _robust_sd(values: np.ndarray) -> float:
    if len(values) < 3:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _median_shot(shots: list[Shot]) -> Shot:
    image = np.median(np.stack([s.image for s in shots]), axis=0)
    worlds = [s.world for s in shots if s.world is not None]
    world = np.median(np.stack(worlds), axis=0) if len(worlds) == len(shots) else None
    return Shot(image, world, shots[0].width, shots[0].height)


def _measure(
    shot: Shot, view: str, side: str | None = None, facing: int | None = None, feet: bool = True, hips: bool = True
) -> Measured:
    if view == "side":
        return side_measures(shot, side, facing)
    return front_measures(shot, feet, hips)


def assess(capture: Capture, view: str = "auto") -> CaptureResult:
    """The capture checks and, when it passes them, the measures of one capture."""
    frames = [f for f in capture.frames if f.has_person]
    result = CaptureResult(capture, None, [], [], frames_with_person=len(frames))
    if not frames:
        result.problems.append(
            Problem(
                "no_person", "no person found: stand in good light, whole body in the picture, 2-3 m from the camera"
            )
        )
        return result
    if capture.kind != "photo" and len(capture.frames) > 1 and len(frames) < MIN_CLIP_FRAMES:
        result.problems.append(
            Problem(
                "too_short",
                f"clip too short: a person in only {len(frames)} frame(s); film 3-5 seconds of standing still",
            )
        )
        return result
    shots = [Shot(f.image, f.world, capture.width, capture.height) for f in frames if f.image is not None]
    median = result.shot = _median_shot(shots)
    if capture.second_person:
        result.problems.append(
            Problem(
                "two_people",
                "two people in the picture: the pose model "
                "measures one person at a time and may mix them up; take "
                "the picture with only you in it",
            )
        )
    if len(shots) >= 2:
        trunk = np.array(
            [
                np.linalg.norm(
                    (s.px[P.LEFT_SHOULDER] + s.px[P.RIGHT_SHOULDER] - s.px[P.LEFT_HIP] - s.px[P.RIGHT_HIP]) / 2
                )
                for s in shots
            ]
        )
        centres = np.stack([torso_centre_px(s) for s in shots])
        problems, sway = track_problems(centres, trunk, metres_per_px(median), MAX_SWAY_CM)
        result.problems += problems
        result.steadiness = {
            "frames": len(shots),
            "duration_s": round(frames[-1].t - frames[0].t, 2),
            "sway_cm": None if sway is None else round(sway, 1),
        }
    chosen = view_of(median) if view == "auto" else view
    if chosen is None:
        result.problems.append(
            Problem(
                "view_unclear",
                f"body at an angle (about "
                f"{turn_deg(median, hips_in_picture(median)):.0f} degrees from square-on): "
                "stand side-on for a side view or face the camera for "
                "a front view (or say which with --view)",
            )
        )
        return result
    result.view = chosen
    result.turn_deg = round(turn_deg(median, hips_in_picture(median), chosen == "front"), 1)
    result.problems += framing_problems(median, chosen)
    if result.problems and any(p.code == "cut_off" for p in result.problems):
        return result  # a cut-off body gives no trustworthy orientation or tilt
    problems, notes = orientation_problems(median, chosen)
    result.problems += problems
    result.notes += notes
    side = near_side(median) if chosen == "side" else None
    facing = facing_sign(median, side) if side else None
    feet = seen(median, P.LEFT_ANKLE, P.RIGHT_ANKLE)
    hips = seen(median, P.LEFT_HIP, P.RIGHT_HIP)
    result.measured = _measure(median, chosen, side, facing, feet, hips)
    result.body_tilt_deg = result.measured.body_tilt_deg
    problems, notes = tilt_problems(result.body_tilt_deg, chosen)
    result.problems += problems
    result.notes += notes
    if chosen == "front":
        result.notes.append(
            "a front photo must not be mirrored (most selfie cameras mirror): left and right would swap"
        )
    if result.problems:
        return result
    per_frame = [_measure(s, chosen, side, facing, feet, hips) for s in shots]
    for m in VIEW_MEASURES[chosen]:
        values = np.array([x.angles[m] for x in per_frame])
        result.angles[m] = float(np.median(values))
        cms = [v for x in per_frame if (v := x.cm[m]) is not None]
        result.cm[m] = float(np.median(cms)) if cms else None
        worlds = [v for x in per_frame if x.world_cm and (v := x.world_cm[m]) is not None]
        result.world_cm[m] = float(np.median(worlds)) if worlds else None
        if len(per_frame) >= 3:
            result.spread_deg[m] = _robust_sd(values)
    if result.steadiness is not None:
        sway = result.steadiness["sway_cm"]
        worst = max(result.spread_deg.values(), default=0.0)
        steady = sway is None or sway <= STEADY_SWAY_CM
        result.steadiness.update(
            label="steady" if steady else "some sway",
            spread_deg={m: round(v, 2) for m, v in result.spread_deg.items()},
            worst_spread_deg=round(worst, 2),
        )
        if not steady:
            result.notes.append(
                f"the stance was not quite still (the body moved {sway:.0f} cm): the median of the frames is used"
            )
        if any(result.spread_deg.get(m, 0.0) > 2 * NORMS[m].sd_deg for m in VIEW_MEASURES[chosen]):
            result.notes.append(
                f"the measures vary from frame to frame by up to {worst:.1f} degrees "
                "(blur, loose clothes or moving): the median is used and the "
                "uncertainty widened"
            )
    return result


def combine(results: list[CaptureResult]) -> PostureResult:
    """Several captures of one view -> one result; a capture of another view is refused."""
    measured = [r for r in results if not r.refused]
    view = measured[0].view if measured else None
    for r in measured[1:]:
        if r.view != view:
            r.problems.append(
                Problem(
                    "view_mismatch",
                    f"this is a {r.view} view but the first input is a {view} view: check one view at a time",
                )
            )
    measured = [r for r in measured if not r.refused]
    notes: list[str] = []
    out: dict[str, MeasureResult] = {}
    if view is None:
        return PostureResult(None, results, out, notes)
    for m in VIEW_MEASURES[view]:
        norm = NORMS[m]
        values = np.array([r.angles[m] for r in measured])
        value = float(np.median(values))
        cms = [v for r in measured if (v := r.cm.get(m)) is not None]
        spreads = [r.spread_deg[m] for r in measured if m in r.spread_deg]
        if len(values) >= 2:
            spreads.append(float(np.std(values, ddof=1)))
        observed = max(spreads) if spreads else None
        sd = max(norm.sd_deg, observed or 0.0)
        sd_cm = norm.sd_cm * sd / norm.sd_deg
        out[m] = MeasureResult(
            m,
            value,
            float(np.median(cms)) if cms else None,
            classify(norm, value),
            borderline(norm, value, sd),
            sd,
            sd_cm,
            observed,
        )
    return PostureResult(view, results, out, notes)
