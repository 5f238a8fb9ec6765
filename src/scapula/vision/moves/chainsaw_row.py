"""Kettlebell chainsaw row: one arm rows the bell from a hang to the chest, per side.

Counting signal, per arm: the elbow's bend, in degrees. The bell hangs from a
nearly straight arm (10-20 deg) and arrives at the chest with the elbow bent
80-110 deg (50-75 in a short pull), whatever the trunk's angle: hinged or
upright, the bend tells the pull. How far the upper arm travels back past the
trunk line is what ``partial_range`` judges. Each arm is segmented on its own,
so a set on the left followed by a set on the right counts each for its side.

Which arm rows is told by the hands, not the elbows: the working hand carries the bell
away from its hang, the free hand stays put against what it rests on (the front thigh,
the knee, a bench) or hangs, whatever its elbow does; when both sides bend at once, the
smaller bend went along with the larger (``analyzer``). The rules that turn a span down
are named constants below, each with its physical reason; ``benchmarks/accuracy.py``
counts the true reps each one throws away.
"""

from __future__ import annotations

import numpy as np

from scapula.vision.moves.base import Fault, Finding, Move, RepFrames
from scapula.vision.reps import SegmenterConfig
from scapula.vision.signals import BodyFrame, angle_deg, dot, joint_flexion_deg, unit
from scapula.vision.skeleton import SIDE_POINTS, SIDES, P, other_side



def measures(world: np.ndarray, rays: np.ndarray) -> dict[str, np.ndarray]:
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
        # Where the hand is, against the shoulder it hangs from and against the hips (the
        # world points' origin, which a thigh, a knee or a bench under the free hand keeps
        # still with): the working hand travels against both, a braced or hanging free hand
        # stays put against one of them.
        for axis, name in enumerate("xyz"):
            out[f"hand_{side}_{name}"] = world[..., pts["wrist"], axis]
            out[f"hand_sh_{side}_{name}"] = -hang[..., axis]
    # The trunk's direction in the camera's axes (the camera does not move): picking the
    # bell up, setting it down and standing up swing it; a row keeps it still.
    for axis, name in enumerate("xyz"):
        out[f"trunk_{name}"] = body.up[..., axis]
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
    return m[f"elbow_{side}"]


def travel(rep: RepFrames, point: str) -> float:
    """How far a point (three measure columns ``point_x``, ``_y``, ``_z``, metres) sat from
    its place at rest while the rep worked: the distance between its median position over
    the working part of the rep and over the rest (start and return). Medians keep it
    steady against jitter and short glitches of a badly seen limb, which a largest
    distance would pick up."""
    work = rep.working()
    if work.all() or not work.any():
        return 0.0
    xyz = np.stack([rep.m[f"{point}_{a}"] for a in "xyz"], axis=-1)
    return float(np.linalg.norm(np.median(xyz[work], axis=0) - np.median(xyz[~work], axis=0)))


# Every rule that turns a span down, with its physical reason (metres and degrees).
MAX_START_BEND_DEG = 60.0  # the pull starts from a hanging arm: straight, or bent up to ~50 deg between quick reps
MIN_PULL_M = 0.05  # the bell rises 10 cm+ in the shortest pull; its median over the working part half that
FREE_HAND_SHARE = 0.6  # the free hand moves less than this share of the working hand's travel
MAX_TRUNK_TILT_DEG = 20.0  # a row holds the hinge; setting the bell down or standing up does not
MAX_ELBOW_FORWARD_DEG = 10.0  # a row takes the elbow back; lifting the hand in front brings it forward
MIN_ELBOW_BACK_DEG = -15.0  # even a short pull brings the elbow near the trunk line


def is_rep(rep: RepFrames) -> str | None:
    side, other = rep.side, other_side(rep.side)
    # The bell hangs from the arm between reps: straight, or still bent a little when the
    # next pull starts before the arm has fully lowered. A hand holding a phone up, folded
    # arms or a hand on the hip start from an elbow bent 70-95 deg.
    if rep.span.low > MAX_START_BEND_DEG:
        return "the elbow was already bent at the start"
    # The bell travels with the hand: an elbow angle that changes while the hand stays
    # where it was (a braced free arm as the trunk shifts over it, the estimate of a far
    # elbow wobbling) is no pull.
    own = travel(rep, f"hand_sh_{side}")
    if own < MIN_PULL_M:
        return "the hand did not travel"
    # One arm rows; the free hand rests on the front thigh, the knee or a bench (still
    # against the hips) or hangs (still against its shoulder), whatever its elbow does.
    # Walking, marching, swings, stretches and reaches move both hands.
    still = min(travel(rep, f"hand_{other}"), travel(rep, f"hand_sh_{other}"))
    if still > FREE_HAND_SHARE * own:
        return "the other hand moved as much (both arms at work)"
    # The trunk holds its angle through a row (only the arm moves); bending down to the
    # bell, setting it down or standing up tilt it far more.
    start = np.array([rep.baseline[f"trunk_{a}"] for a in "xyz"])
    during = np.stack([rep.m[f"trunk_{a}"] for a in "xyz"], axis=-1)
    if np.nanmax(angle_deg(during, start)) > MAX_TRUNK_TILT_DEG:
        return "the trunk tilted (setting up or standing up)"
    # A row pulls the elbow back, or at least keeps it by the side (a short pull standing
    # up); raising the hand in front (checking a watch or a phone) brings it forward.
    if rep.at_peak(f"arm_back_{side}") - rep.baseline[f"arm_back_{side}"] < -MAX_ELBOW_FORWARD_DEG:
        return "the elbow came forward"
    # Even a short pull brings the elbow up to about the line of the trunk (a full one
    # takes it 20-40 deg past); an elbow that stays well in front is a reach, not a row.
    if np.nanmax(rep.m[f"arm_back_{side}"]) < MIN_ELBOW_BACK_DEG:
        return "the elbow stayed in front of the trunk"
    return None


def upright_torso(rep: RepFrames) -> Finding:
    # The trunk hinges 35-60 deg from vertical in a chainsaw row; within ~20 deg it is
    # standing up. 27 deg splits the two with room for the bell not hanging quite plumb.
    hanging = ~rep.working(0.2)  # the bell hangs from a nearly straight arm
    value = float(np.nanmedian(rep.m[f"hinge_{rep.side}"][hanging])) if hanging.any() else rep.baseline[f"hinge_{rep.side}"]
    return Finding(value < 27.0, value, 27.0)


def torso_rotation(rep: RepFrames) -> Finding:
    # Retracting the working shoulder blade turns the shoulder line a few degrees (< 8);
    # twisting open to lift the bell turns it 20-40 deg. Threshold: 14 deg.
    twist = rep.m["twist"]
    value = float(np.nanmax(np.abs(twist - rep.baseline["twist"])))
    return Finding(value >= 14.0, value, 14.0, rep.noise("twist"))


def partial_range(rep: RepFrames) -> Finding:
    # At the top of a full rep the elbow is 20-40 deg behind the trunk line; a short pull
    # stops level with it or in front. The rep must get at least 10 deg behind.
    value = float(np.nanmax(rep.m[f"arm_back_{rep.side}"]))
    return Finding(value < 10.0, value, 10.0)


def square_stance(rep: RepFrames) -> Finding:
    # A half lunge puts the feet 0.4-0.7 m apart front to back (1-1.8 shoulder widths);
    # side by side they are under 0.12 m (0.3). Threshold: 0.6 shoulder widths.
    value = float(np.nanmedian(rep.m["stagger"]))
    return Finding(value < 0.6, value, 0.6)


MOVE = Move(
    id="chainsaw_row",
    sides=SIDES,
    # A short pull still bends the elbow 35+ deg. A row is over within 9 s: a slow 4 s pull
    # and lower with a 2 s squeeze at the top takes 6, and the bell is not held up longer
    # (the shared 12 s limit lets a phone held at chest height for 10 s count as a row).
    # A rep is over once the bell is halfway back down (the shared 70% misses reps whose
    # next pull starts before the arm is straight again: a quick set, a tired arm).
    segmenter=SegmenterConfig(min_range=30.0, max_duration_s=9.0, return_fraction=0.5),
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
