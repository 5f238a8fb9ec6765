"""Band reverse fly: both arms sweep out to the sides at shoulder height and back.

Counting signal: horizontal abduction of the upper arms (shoulder to elbow)
in the athlete's own frame, averaged over both arms: about 0-15 deg with the arms
reaching forward, 85-100 deg with the hands in line with the shoulders. Using
the upper arm, not the hand, keeps a bent-elbow "row" from reading as short range.
"""

from __future__ import annotations

import numpy as np

from scapula.vision.moves.base import Fault, Finding, Move, RepFrames, ViewNeed
from scapula.vision.reps import SegmenterConfig
from scapula.vision.signals import BodyFrame, dot, joint_flexion_deg, mid, unit
from scapula.vision.skeleton import SIDE_POINTS, SIDES, P


def measures(world: np.ndarray, rays: np.ndarray, seen: np.ndarray) -> dict[str, np.ndarray]:
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
    # Shoulders rising toward the ears lengthen the hip-to-shoulder line. The ears are no
    # reference: the head stays level while the trunk leans.
    out["torso_m"] = body.torso
    # How far apart the hands are, in shoulder widths: a fly ends with them an arm's
    # length out on each side.
    out["hands_apart"] = np.linalg.norm(world[..., P.LEFT_WRIST, :] - world[..., P.RIGHT_WRIST, :], axis=-1) / (
        body.shoulder_width + 1e-9
    )
    return out


# Horizontal abduction means something only with the arm near the horizontal plane:
# with the hands hanging at the sides (walking in, resting) the angle is noise.
IN_PLANE_DEG = 50.0


def counting(m: dict[str, np.ndarray], side: str) -> np.ndarray:
    level = (np.abs(m["hand_elevation_left"]) < IN_PLANE_DEG) & (np.abs(m["hand_elevation_right"]) < IN_PLANE_DEG)
    return np.where(level, (m["abduction_left"] + m["abduction_right"]) / 2.0, np.nan)


def is_rep(rep: RepFrames) -> str | None:
    # The fly starts with the arms reaching forward toward the anchor (0-15 deg); arm
    # circles and side raises start with the arms already out to the sides.
    if rep.span.low > 40.0:
        return "the arms did not start in front"
    # ... and opens them out to the sides: even a short rep passes 40 deg (a partial rep
    # stops at 40-60). Arm swings and reaches that only move the arms in front of the
    # chest (the upper arms under 30 deg from straight ahead) are no fly, however much
    # the angle wobbles as the arms pass by the hips.
    if rep.span.high < 30.0:
        return "the arms did not open out to the sides"
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
    # The fly starts with the hands about a shoulder width apart and opens them wider;
    # holding a phone in both hands, bringing it to the ear or hugging keeps them within
    # half a shoulder width. Threshold: 0.8 shoulder widths at the rep's peak.
    if rep.at_peak("hands_apart") < 0.8:
        return "the hands did not travel apart"
    if abs(np.nanmedian(rep.m["lean_back"])) > 40.0:
        return "the athlete was not standing"
    knees = np.concatenate([rep.m[f"knee_{s}"] for s in SIDES])
    if np.nanmedian(knees) > 50.0:
        return "the knees were bent (not standing)"
    return None


def ribs_flare(rep: RepFrames) -> Finding:
    # Normal reps keep the trunk within ~5 deg; a flare leans back 12-25 deg to buy range.
    # Measured as the median lean while the arms are open against the median at the start
    # and return, which reads about two thirds of the peak: 6 deg ~ a 9 deg peak lean.
    value = rep.shift("lean_back")
    return Finding(value >= 6.0, value, 6.0, rep.noise("lean_back"))


def shrug(rep: RepFrames) -> Finding:
    # A shrug lifts the shoulders 3-6 cm, 5-13% of a 0.45-0.6 m trunk; pulling the blades
    # back moves them under 1 cm. The hip-to-shoulder length in metres, relative to the
    # rep's start, as a median shift (about two thirds of the peak): 3% ~ a 2 cm peak rise.
    # Not in shoulder widths: squeezing the blades narrows the shoulders by 2-4 cm, which
    # would read as a shrug on every clean rep.
    value = rep.shift("torso_m") / (rep.baseline["torso_m"] + 1e-9)
    return Finding(value >= 0.03, value, 0.03, rep.noise("torso_m") / (rep.baseline["torso_m"] + 1e-9))


def _elbow_in_pull(rep: RepFrames) -> float:
    work = rep.working()
    return float(np.nanmedian([np.nanmedian(rep.m[f"elbow_{s}"][work]) for s in SIDES]))


def locked_elbows(rep: RepFrames) -> Finding:
    # "Slightly bent" is 10-30 deg of elbow flexion; a locked arm is under 5 deg. An angle
    # measured between noisy points never reads 0: the estimator's jitter adds about 7 deg
    # in quadrature, so a 5 deg arm reads ~8.5 and a 10 deg bend ~12. Threshold: 10 deg.
    value = _elbow_in_pull(rep)
    return Finding(value < 10.0, value, 10.0)


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
    needs_in_view=("head", "hands"),
)
