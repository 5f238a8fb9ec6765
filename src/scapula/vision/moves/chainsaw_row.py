"""Kettlebell chainsaw row: one arm rows the bell from a hang to the chest, per side.

Counting signal, per arm: how far the upper arm has travelled back along the
trunk, in degrees (the negative of its flexion in the athlete's sagittal plane).
With the trunk hinged ~45 deg the hanging arm reads about -45 (it points forward
of the trunk line); at the top of a full rep the elbow is 20-40 deg behind it.
Each arm is segmented on its own, so a set on the left followed by a set on the
right counts each for its side.
"""

from __future__ import annotations

import numpy as np

from scapula.vision.moves.base import Fault, Finding, Move, RepFrames
from scapula.vision.reps import SegmenterConfig
from scapula.vision.signals import BodyFrame, angle_deg, dot, joint_flexion_deg, unit
from scapula.vision.skeleton import SIDE_POINTS, P

SIDES = ("left", "right")


def measures(world: np.ndarray, image: np.ndarray) -> dict[str, np.ndarray]:
    body = BodyFrame.of(world)
    out: dict[str, np.ndarray] = {}
    for side in SIDES:
        pts = SIDE_POINTS[side]
        upper = world[..., pts["elbow"], :] - world[..., pts["shoulder"], :]
        forward, _, up = body.components(upper)
        out[f"arm_back_{side}"] = -np.degrees(np.arctan2(forward, -up))
        out[f"elbow_{side}"] = joint_flexion_deg(world, pts["shoulder"], pts["elbow"], pts["wrist"])
        # The hanging arm with the bell is a plumb line: the trunk's angle to it at the
        # bottom of a rep is the hinge, whatever the camera's tilt.
        hang = world[..., pts["shoulder"], :] - world[..., pts["wrist"], :]
        out[f"hinge_{side}"] = angle_deg(body.up, hang)
    # Twist of the shoulder line against the hip line, about the trunk axis.
    shoulders = world[..., P.LEFT_SHOULDER, :] - world[..., P.RIGHT_SHOULDER, :]
    hips = unit(world[..., P.LEFT_HIP, :] - world[..., P.RIGHT_HIP, :])
    hips_forward = np.cross(hips, body.up)
    out["twist"] = np.degrees(np.arctan2(dot(shoulders, hips_forward), dot(shoulders, hips)))
    # Fore-aft distance between the ankles, in shoulder widths (the lateral part removed).
    feet = world[..., P.LEFT_ANKLE, :] - world[..., P.RIGHT_ANKLE, :]
    lateral = dot(feet, hips)
    fore_aft = np.sqrt(np.maximum(dot(feet, feet) - lateral**2, 0.0))
    out["stagger"] = fore_aft / (body.shoulder_width + 1e-9)
    return out


def counting(m: dict[str, np.ndarray], side: str) -> np.ndarray:
    return m[f"arm_back_{side}"]


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def is_rep(rep: RepFrames) -> str | None:
    side = rep.side
    # A row bends the elbow as it pulls (from nearly straight to 80-110 deg); arm swings,
    # marching and walking swing a fairly constant elbow.
    if rep.rise(f"elbow_{side}") < 30.0:
        return "the elbow did not bend through the pull"
    # The free arm rests on the front thigh; walking and marching swing both arms.
    other = rep.m[f"arm_back_{_other(side)}"]
    if np.nanmax(other) - np.nanmin(other) > 0.5 * rep.span.range:
        return "both arms moved"
    # The pull starts with the arm hanging: not from an arm already behind the trunk.
    if rep.span.low > 15.0:
        return "the arm did not start from a hang"
    return None


def upright_torso(rep: RepFrames) -> Finding:
    # The trunk hinges 35-60 deg from vertical in a chainsaw row; within ~20 deg it is
    # standing up. 27 deg splits the two with room for the bell not hanging quite plumb.
    value = rep.baseline[f"hinge_{rep.side}"]
    return Finding(value < 27.0, value, 27.0)


def torso_rotation(rep: RepFrames) -> Finding:
    # Retracting the working shoulder blade turns the shoulder line a few degrees (< 8);
    # twisting open to lift the bell turns it 20-40 deg. Threshold: 14 deg.
    twist = rep.m["twist"]
    value = float(np.nanmax(np.abs(twist - rep.baseline["twist"])))
    return Finding(value >= 14.0, value, 14.0)


def partial_range(rep: RepFrames) -> Finding:
    # At the top of a full rep the elbow is 20-40 deg behind the trunk line; a short pull
    # stops level with it or in front. The rep must get at least 10 deg behind.
    value = rep.span.high
    return Finding(value < 10.0, value, 10.0)


def square_stance(rep: RepFrames) -> Finding:
    # A half lunge puts the feet 0.4-0.7 m apart front to back (1-1.8 shoulder widths);
    # side by side they are under 0.12 m (0.3). Threshold: 0.6 shoulder widths.
    value = float(np.nanmedian(rep.m["stagger"]))
    return Finding(value < 0.6, value, 0.6)


MOVE = Move(
    id="chainsaw_row",
    sides=SIDES,
    segmenter=SegmenterConfig(min_range=25.0),  # a short pull still travels 35+ deg
    measures=measures,
    counting=counting,
    is_rep=is_rep,
    faults=(
        Fault("upright_torso", upright_torso),
        Fault("torso_rotation", torso_rotation),
        Fault("partial_range", partial_range),
        Fault("square_stance", square_stance),
    ),
    recommended_view="side view, from the working arm's side",
)
