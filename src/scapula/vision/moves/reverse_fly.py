"""Band reverse fly: both arms sweep out to the sides at shoulder height and back.

Counting signal: horizontal abduction of the upper arms (shoulder to elbow)
in the athlete's own frame, averaged over both arms: about 0-15 deg with the arms
reaching forward, 85-100 deg with the hands in line with the shoulders. Using
the upper arm, not the hand, keeps a bent-elbow "row" from reading as short range.
"""

from __future__ import annotations

import numpy as np

from scapula.vision.moves.base import Finding, Fault, Move, RepFrames, ViewNeed
from scapula.vision.reps import SegmenterConfig
from scapula.vision.signals import BodyFrame, dot, joint_flexion_deg, mid, unit
from scapula.vision.skeleton import SIDE_POINTS, P

SIDES = ("left", "right")


def measures(world: np.ndarray, image: np.ndarray) -> dict[str, np.ndarray]:
    body = BodyFrame.of(world)
    out: dict[str, np.ndarray] = {}
    for side in SIDES:
        pts = SIDE_POINTS[side]
        outward = body.left if side == "left" else -body.left
        upper = world[..., pts["elbow"], :] - world[..., pts["shoulder"], :]
        hand = world[..., pts["wrist"], :] - world[..., pts["shoulder"], :]
        out[f"abduction_{side}"] = np.degrees(np.arctan2(dot(upper, outward), dot(upper, body.forward)))
        flat = np.hypot(dot(hand, outward), dot(hand, body.forward))
        out[f"hand_elevation_{side}"] = np.degrees(np.arctan2(dot(hand, body.up), flat))
        out[f"elbow_{side}"] = joint_flexion_deg(world, pts["shoulder"], pts["elbow"], pts["wrist"])
        out[f"knee_{side}"] = joint_flexion_deg(world, pts["hip"], pts["knee"], pts["ankle"])
    # Lean back of the trunk against the legs (standing: the legs are the plumb line).
    legs = unit(mid(world, P.LEFT_HIP, P.RIGHT_HIP) - mid(world, P.LEFT_ANKLE, P.RIGHT_ANKLE))
    legs_forward = unit(np.cross(body.left, legs))
    out["lean_back"] = np.degrees(np.arctan2(-dot(body.up, legs_forward), dot(body.up, legs)))
    # Room between the shoulders and the ears along the trunk, in shoulder widths.
    ears = mid(world, P.LEFT_EAR, P.RIGHT_EAR) - mid(world, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
    out["shoulder_rise"] = -dot(ears, body.up) / (body.shoulder_width + 1e-9)
    return out


def counting(m: dict[str, np.ndarray], side: str) -> np.ndarray:
    return (m["abduction_left"] + m["abduction_right"]) / 2.0


def is_rep(rep: RepFrames) -> str | None:
    for side in SIDES:
        # both arms open together: each arm does at least 40% of the sweep (a cross-body
        # stretch or a one-arm reach moves one arm only)
        if rep.rise(f"abduction_{side}") < max(15.0, 0.4 * rep.span.range):
            return f"the {side} arm did not open"
    work = rep.working()
    elevation = np.concatenate([rep.m[f"hand_elevation_{s}"][work] for s in SIDES])
    # the sweep happens around shoulder height: arm circles and overhead reaches go far
    # above it, arm swings far below
    if np.nanmedian(elevation) > 45.0 or np.nanmedian(elevation) < -45.0:
        return "the hands were not near shoulder height"
    if abs(np.nanmedian(rep.m["lean_back"])) > 40.0:
        return "the athlete was not standing"
    knees = np.concatenate([rep.m[f"knee_{s}"] for s in SIDES])
    if np.nanmedian(knees) > 50.0:
        return "the knees were bent (not standing)"
    return None


def ribs_flare(rep: RepFrames) -> Finding:
    # Normal reps keep the trunk within ~5 deg; a flare leans back 12-25 deg to buy range.
    # 8 deg of extra lean at the peak sits between the two and above MediaPipe's trunk noise.
    value = rep.rise("lean_back")
    return Finding(value >= 8.0, value, 8.0)


def shrug(rep: RepFrames) -> Finding:
    # A shrug lifts the shoulders 3-6 cm toward the ears (0.07-0.15 shoulder widths);
    # scapular retraction alone moves them under 1 cm. Threshold: 0.05 shoulder widths (~2 cm).
    value = rep.rise("shoulder_rise")
    return Finding(value >= 0.05, value, 0.05)


def _elbow_in_pull(rep: RepFrames) -> float:
    work = rep.working()
    return float(np.nanmean([np.nanmean(rep.m[f"elbow_{s}"][work]) for s in SIDES]))


def locked_elbows(rep: RepFrames) -> Finding:
    # "Slightly bent" is 10-30 deg of elbow flexion; a locked arm reads under 5 deg.
    value = _elbow_in_pull(rep)
    return Finding(value < 7.5, value, 7.5)


def bent_elbows(rep: RepFrames) -> Finding:
    # Past ~45 deg of flexion the hands come in toward the chest and the fly becomes a row
    # (a row bends the elbow 60-100 deg).
    value = _elbow_in_pull(rep)
    return Finding(value > 45.0, value, 45.0)


def partial_range(rep: RepFrames) -> Finding:
    # Hands in line with the shoulders is ~90 deg of horizontal abduction; a short rep
    # stops at 40-60 deg. 70 deg leaves room for MediaPipe's depth error at the end range.
    value = rep.span.high
    return Finding(value < 70.0, value, 70.0)


# Lean back happens along the camera's depth axis in a straight front or back view,
# where the estimator's depth is weakest.
SIDE_OR_OBLIQUE = ViewNeed(25.0, 155.0, "needs a side or 45-degree view")

MOVE = Move(
    id="reverse_fly",
    sides=("both",),
    segmenter=SegmenterConfig(min_range=30.0),  # partial reps still open 35+ deg
    measures=measures,
    counting=counting,
    is_rep=is_rep,
    faults=(
        Fault("ribs_flare", ribs_flare, SIDE_OR_OBLIQUE),
        Fault("shrug", shrug),
        Fault("locked_elbows", locked_elbows),
        Fault("bent_elbows", bent_elbows),
        Fault("partial_range", partial_range),
    ),
    recommended_view="front-oblique, about 45 degrees to the athlete's front",
)
