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


def measures(world: np.ndarray, rays: np.ndarray, seen: np.ndarray) -> dict[str, np.ndarray]:
    body = BodyFrame.of(world)
    out: dict[str, np.ndarray] = {}
    for side in SIDES:
        pts = SIDE_POINTS[side]
        upper = world[..., pts["elbow"], :] - world[..., pts["shoulder"], :]
        forward, _, up = body.components(upper)
        out[f"arm_back_{side}"] = -np.degrees(np.arctan2(forward, -up))
        out[f"elbow_{side}"] = joint_flexion_deg(world, pts["shoulder"], pts["elbow"], pts["wrist"])
        # The hand's path about the shoulder, in the body's own frame: its angle behind the
        # line the trunk runs along (the same from any camera, at any hinge), and how far
        # the arm is folded: the elbow bend that brings the hand this near the shoulder
        # (two equal segments: 2 acos(distance / length)), 0 for a straight arm.
        hand = world[..., pts["wrist"], :] - world[..., pts["shoulder"], :]
        hf, _, hu = body.components(hand)
        out[f"hand_back_{side}"] = -np.degrees(np.arctan2(hf, -hu))
        out[f"hand_up_{side}"] = hu / (body.torso + 1e-9)  # above the shoulder, in trunk lengths
        reach = np.linalg.norm(upper, axis=-1) + np.linalg.norm(
            world[..., pts["wrist"], :] - world[..., pts["elbow"], :], axis=-1
        )
        near = np.clip(np.linalg.norm(hand, axis=-1) / (reach + 1e-9), 0.0, 1.0)
        out[f"fold_{side}"] = 2.0 * np.degrees(np.arccos(near))
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
    # Where the feet are in the picture, in the trunk's pictured lengths (the camera does
    # not move): a row keeps them planted.
    hips_ray = (rays[..., P.LEFT_HIP, :] + rays[..., P.RIGHT_HIP, :]) / 2
    shoulders_ray = (rays[..., P.LEFT_SHOULDER, :] + rays[..., P.RIGHT_SHOULDER, :]) / 2
    trunk_ray = np.linalg.norm(shoulders_ray - hips_ray, axis=-1) + 1e-9
    for side in SIDES:
        for axis, name in enumerate("xy"):
            out[f"foot_{side}_{name}"] = rays[..., SIDE_POINTS[side]["ankle"], axis] / trunk_ray
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
    """The pull, in degrees: how far the hand has swung back about the shoulder (its angle
    behind the line the trunk runs along, in the body's own frame) plus how far the arm has
    folded (the elbow bend that brings the hand that much nearer the shoulder). A hinged row
    takes the hand 40-70 deg back and folds the arm 60-100 deg (a pull of 100-170); a short
    pull with a near-straight arm swings the hand back 25-40 deg; a short pull standing tall
    folds the arm 50-75 deg with the hand staying in front. Either part alone misses one of
    those. Both come from the shoulder and the wrist (the fold also from the arm's length):
    the elbow point, the estimate's most wandering joint of the arm, barely enters."""
    return m[f"hand_back_{side}"] + m[f"fold_{side}"]


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


def spread(rep: RepFrames, point: str) -> float:
    """How far a point (columns ``point_x``, ``point_y``) ranged over the rep: the distance
    between the 5th and the 95th percentiles of its coordinates (a glitch of a few frames
    does not reach them)."""
    xy = np.stack([rep.m[f"{point}_{a}"] for a in "xy"], axis=-1)
    xy = xy[np.isfinite(xy).all(axis=-1)]
    if len(xy) == 0:
        return 0.0
    lo, hi = np.percentile(xy, [5.0, 95.0], axis=0)
    return float(np.linalg.norm(hi - lo))


# Every rule that turns a span down, with its physical reason (metres and degrees).
MAX_START_BEND_DEG = 60.0  # the pull starts from a hanging arm: straight, or bent up to ~50 deg between quick reps
MAX_START_HAND_BACK_DEG = (
    0.0  # the bell hangs at the start: the hand in front of the trunk line, or on it standing tall
)
MAX_START_PULL_DEG = 50.0  # ... with the elbow bent at most ~50 deg between quick reps (pull signal, deg)
MIN_PULL_M = 0.05  # the bell rises 10 cm+ in the shortest pull; its median over the working part half that
FREE_HAND_SHARE = 0.6  # the free hand moves less than this share of the working hand's travel
MAX_TRUNK_TILT_DEG = 15.0  # a row holds the hinge (within 5-10 deg); picking the bell up tilts it 12+ more and back
MAX_FOOT_SHIFT = 0.5  # trunk lengths in the picture a foot may range over: planted (a step moves it 0.6-1.4)
MAX_HAND_UP = 0.0  # trunk lengths above the shoulder: a row brings the hand to the lower ribs, 0.3-0.6 below
MIN_ELBOW_BACK_DEG = -20.0  # a pull brings the upper arm within ~10 deg of the trunk line ...
MIN_ELBOW_SWING_DEG = 20.0  # ... or, from a deep hinge, at least swings it back 25+ deg from its hang
MIN_HAND_BACK_DEG = 10.0  # standing square and tall, the hand must swing back this far to be a pull
SQUARE_STAGGER = 0.6  # feet closer than this front to back (shoulder widths): standing square


def is_rep(rep: RepFrames) -> str | None:
    side, other = rep.side, other_side(rep.side)
    # The bell hangs from the arm between reps: straight, or still bent a little when the
    # next pull starts before the arm has fully lowered. A hand holding a phone up, folded
    # arms or a hand on the hip start from an elbow bent 70-95 deg.
    if rep.baseline[f"elbow_{side}"] > MAX_START_BEND_DEG:
        return "the elbow was already bent at the start"
    # Hanging, the bell pulls the arm plumb: the hand in front of the trunk line when
    # hinged, on it standing tall, however bent the elbow still is between quick reps. A
    # hand already behind the body (on the hip, fixing clothes, the far arm's estimate
    # wandering behind it) or an arm back and folded starts elsewhere.
    if rep.baseline[f"hand_back_{side}"] > MAX_START_HAND_BACK_DEG or rep.span.low > MAX_START_PULL_DEG:
        return "the arm was already back at the start"
    # The bell travels with the hand: an elbow angle that changes while the hand stays
    # where it was (a braced free arm as the trunk shifts over it, the estimate of a far
    # elbow wobbling) is no pull.
    own = travel(rep, f"hand_sh_{side}")
    if own < MIN_PULL_M:
        return "the hand did not travel"
    # One arm rows; the free hand rests on the front thigh, the knee or a bench (still
    # against the hips) or hangs (still against its shoulder), whatever its elbow does.
    # Walking, marching, swings, stretches and reaches move both hands. (A free hand out of
    # the camera's sight has its point put on the working arm and moves with it: the rep is
    # turned down then too, since arm swings seen from the side look just like that.)
    still = min(travel(rep, f"hand_{other}"), travel(rep, f"hand_sh_{other}"))
    if still > FREE_HAND_SHARE * own:
        return "the other hand moved as much (both arms at work)"
    # The trunk holds its angle through a row (only the arm moves); bending down to the
    # bell, setting it down or standing up tilt it far more.
    start = np.array([rep.baseline[f"trunk_{a}"] for a in "xyz"])
    during = np.stack([rep.m[f"trunk_{a}"] for a in "xyz"], axis=-1)
    if np.nanmax(angle_deg(during, start)) > MAX_TRUNK_TILT_DEG:
        return "the trunk tilted (setting up or standing up)"
    # The bell comes up to the lower ribs, well below the shoulder, and comes from the
    # hang (or the last rep's return); arm circles, reaches and waves take the hand up past
    # the shoulder during the span or in the second before it (where the pull's angle also
    # wraps round).
    tracks: tuple[np.ndarray, ...] = (rep.m[f"hand_up_{side}"], np.asarray(rep.lead.get(f"hand_up_{side}", [])))
    above = [np.nanmax(x) for x in tracks if len(x)]
    if max(above) > MAX_HAND_UP:
        return "the hand rose above the shoulder"
    # The feet stay planted through a set; walking in, stepping into the lunge and out of
    # it move one 0.3-0.7 m, while the arms swing or reach.
    if max(spread(rep, f"foot_{s}") for s in SIDES) > MAX_FOOT_SHIFT:
        return "a foot moved (walking or stepping)"
    # A pull brings the elbow up to about the line of the trunk (a full one takes it 20-40
    # deg past), or at least swings the upper arm back from its hang (a short pull from a
    # deep hinge); an upper arm that stays well in front without swinging back is a reach,
    # or the free hand going onto or off the thigh, the knee or the bench.
    arm = rep.m[f"arm_back_{side}"]
    if np.nanmax(arm) < MIN_ELBOW_BACK_DEG and np.nanmax(arm) - rep.baseline[f"arm_back_{side}"] < MIN_ELBOW_SWING_DEG:
        return "the elbow stayed in front of the trunk"
    # Out of the row's position (standing square and tall: the set's own fault checks), a
    # short pull folds the arm with the hand coming up in front, which is just as well a
    # hand brought to the face, a phone or the clothes before and after the set. There a
    # pull must also take the hand back; in a lunge or hinged, a bend is the row's.
    back = rep.at_peak(f"hand_back_{side}") - rep.baseline[f"hand_back_{side}"]
    if back < MIN_HAND_BACK_DEG and square_stance(rep).fault and upright_torso(rep).fault:
        return "standing square, the hand did not go back"
    return None


def upright_torso(rep: RepFrames) -> Finding:
    # The trunk hinges 35-60 deg from vertical in a chainsaw row; within ~20 deg it is
    # standing up. 27 deg splits the two with room for the bell not hanging quite plumb.
    hanging = ~rep.working(0.2)  # the bell hangs from a nearly straight arm
    value = (
        float(np.nanmedian(rep.m[f"hinge_{rep.side}"][hanging])) if hanging.any() else rep.baseline[f"hinge_{rep.side}"]
    )
    return Finding(value < 27.0, value, 27.0)


def torso_rotation(rep: RepFrames) -> Finding:
    # Retracting the working shoulder blade turns the shoulder line a few degrees (< 8);
    # twisting open to lift the bell turns it 20-40 deg. Threshold: 14 deg.
    # The shoulder line's estimate turns a little with every pull (the working shoulder
    # point moves with the arm): against this athlete's usual rep once there are some.
    twist = rep.m["twist"]
    value = float(np.nanmax(np.abs(twist - rep.baseline["twist"])))
    return Finding(rep.relative("torso_rotation", value) >= 14.0, value, 14.0, rep.noise("twist"))


def partial_range(rep: RepFrames) -> Finding:
    # At the top of a full rep the elbow is 20-40 deg behind the trunk line; a short pull
    # stops level with it or in front. The rep must get at least 10 deg behind.
    value = float(np.nanmax(rep.m[f"arm_back_{rep.side}"]))
    return Finding(value < 10.0, value, 10.0)


def square_stance(rep: RepFrames) -> Finding:
    # A half lunge puts the feet 0.4-0.7 m apart front to back (1-1.8 shoulder widths);
    # side by side they are under 0.12 m (0.3). Threshold: 0.6 shoulder widths.
    value = float(np.nanmedian(rep.m["stagger"]))
    return Finding(value < SQUARE_STAGGER, value, SQUARE_STAGGER)


MOVE = Move(
    id="chainsaw_row",
    sides=SIDES,
    # A short pull still pulls 30+ deg (a 25-40 deg swing back of a near-straight arm plus a
    # little fold, or 50+ deg of fold standing tall). A row is over within 9 s: a slow 4 s pull
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
    needs_in_view=("hands", "feet"),
)
