"""Supermans: face down, arms overhead, one arm lifts off the floor, then the other.

Counting signal, per arm: the hand's height above the level of the hips, in
torso lengths, up the picture (a phone or laptop is held level). A lift of 8-25 cm
is 0.16-0.5 torso lengths. Each arm is segmented on its own, and a lift must climb
briskly, which a slowly wandering wrist landmark does not. Both arms lifting together is one
rep for each side, flagged ``both_arms``: found on either side, it counts for both
(``shared_fault``), since a far arm the camera barely sees often rises too little in the
picture to count on its own.
"""

from __future__ import annotations

import numpy as np

from scapula.vision.moves.base import IN_STEP, Fault, Finding, Move, RepFrames, correlation
from scapula.vision.reps import SegmenterConfig, climb_speed
from scapula.vision.signals import BodyFrame, angle_deg, dot, mid
from scapula.vision.skeleton import SIDE_POINTS, SIDES, P, other_side

_TRUNK = ((P.LEFT_SHOULDER, P.LEFT_HIP), (P.RIGHT_SHOULDER, P.RIGHT_HIP))


def rays_per_metre(world: np.ndarray, rays: np.ndarray) -> np.ndarray:
    """The picture's scale at the body, one over the hips' distance from the camera: the
    less foreshortened side of the trunk's length in camera rays per metre.

    A bone lying square to the camera's axis shows its full length; turned toward the
    camera it shows less. Lying down, seen from the side, the trunk is square. Not the
    legs: one lifting or curling changes its pictured length.
    """
    ratios = [
        np.linalg.norm(rays[..., a, :] - rays[..., b, :], axis=-1)
        / (np.linalg.norm(world[..., a, :] - world[..., b, :], axis=-1) + 1e-9)
        for a, b in _TRUNK
    ]
    return np.max(np.stack(ratios, axis=-1), axis=-1)


def measures(world: np.ndarray, rays: np.ndarray, seen: np.ndarray) -> dict[str, np.ndarray]:
    """Heights come from the picture: a phone or laptop is held level, so "up" is up the
    image, with no estimate of the floor needed; the world points give the scale and each
    point's depth."""
    body = BodyFrame.of(world)
    back = -body.forward
    hips_depth = 1.0 / (rays_per_metre(world, rays) + 1e-9)  # metres from the camera
    hips_ray, hips_world = mid(rays, P.LEFT_HIP, P.RIGHT_HIP), mid(world, P.LEFT_HIP, P.RIGHT_HIP)

    def height(ray: np.ndarray, point: np.ndarray) -> np.ndarray:
        """How far a point (its camera ray and world position) is above the hips, in torso
        lengths. A point at depth Z sits ray_y * Z metres below the camera's axis; its
        depth is the hips' plus its own offset from them. Without that a hand nearer the
        camera than the hips reads as rising more than it does and a far one less: seen
        from the side at 1.6 m, the near hand of a Y-shaped reach is about 0.5 m nearer, and
        its lift reads 45% too big, the far one's a quarter too small."""
        depth = hips_depth + point[..., 2] - hips_world[..., 2]
        return (hips_ray[..., 1] * hips_depth - ray[..., 1] * depth) / (body.torso + 1e-9)

    out: dict[str, np.ndarray] = {}
    for side in SIDES:
        pts = SIDE_POINTS[side]
        arm = world[..., pts["wrist"], :] - world[..., pts["shoulder"], :]
        out[f"lift_{side}"] = height(rays[..., pts["wrist"], :], world[..., pts["wrist"], :])
        out[f"overhead_{side}"] = angle_deg(arm, body.up)  # 0 = reaching straight past the head
    # Chest off the floor: the shoulders' height above the hips.
    out["chest"] = height(mid(rays, P.LEFT_SHOULDER, P.RIGHT_SHOULDER), mid(world, P.LEFT_SHOULDER, P.RIGHT_SHOULDER))
    # Neck against the trunk: positive when the head tips back (chin leading).
    neck = mid(world, P.LEFT_EAR, P.RIGHT_EAR) - mid(world, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
    out["neck"] = np.degrees(np.arctan2(dot(neck, back), dot(neck, body.up)))
    # Lying down: the trunk runs closer to level than upright, against the camera's own
    # vertical (a phone or laptop held level; tilted down toward a mat it adds its tilt, 30 deg
    # at most). In the world points, not the picture: filmed from the head end on a diagonal
    # (the advised view) the trunk runs away from the camera and its picture is mostly vertical.
    trunk = body.up
    out["trunk_tilt"] = np.degrees(np.arcsin(np.clip(np.abs(trunk[..., 1]), 0.0, 1.0)))
    return out


LYING_DEG = 50.0  # the trunk's tilt from level below which the athlete is lying down
OVERHEAD_DEG = 60.0  # the arm within this angle of the trunk line reaches past the head


def counting(m: dict[str, np.ndarray], side: str) -> np.ndarray:
    # Only lying face down with the arm reaching overhead is the superman's position:
    # kneeling, getting down and resting with the arms by the sides count nothing.
    ready = (m["trunk_tilt"] < LYING_DEG) & (m[f"overhead_{side}"] < OVERHEAD_DEG)
    return np.where(ready, m[f"lift_{side}"], np.nan)


BOTH_SHARE = 0.3  # the other hand's rise as a share of this one's
# A lift climbs briskly: 8 cm at the slowest tempo (4 s a rep, about 2 s up) peaks near
# 6.5 cm/s, 0.13 torso lengths a second, and bigger lifts and faster tempos climb faster.
# A wrist landmark that wanders a few cm over several seconds (a known pose-estimator
# error, which can look as high as a small lift) climbs slower.
LIFT_SPEED = 0.13  # torso lengths a second, the fastest 0.4 s of the climb
SPEED_WINDOW_S = 0.4
# Lying down, the arms slide overhead into place (the hands' height in the picture can
# climb a third of a torso length as they do) and settle on the mat before the first lift:
# the set's first rep counts from a level held this long, not from where the hands were
# when the arms passed 60 deg overhead.
FIRST_REST_S = 0.25


def both_arms(rep: RepFrames) -> Finding:
    # Alternating means the other hand stays on the mat; if it rises a third as high or
    # more at the same time (and 4 cm or more), in step with this one, both arms lifted
    # together: a hand that comes off the mat 4 cm while the other rises 12 is lifted too,
    # if less. In step: the two arms of one movement rise, hold and fall together
    # (correlation 0.9+ even with a noisy far wrist), where a resting hand that drifts a
    # few cm while the other arm works follows its own slow course. The rep then counts
    # for both sides (MOVE.shared_fault), so the flag must not fire on drift: the other
    # hand must also climb as briskly as a lift does (a drifting landmark can happen to
    # rise in step with a slow rep).
    # A hand out of the camera's sight (its point a copy of this one's) cannot show whether
    # it lifted.
    if rep.hidden(other_side(rep.side)):
        return Finding(False, 0.0, BOTH_SHARE, judged=False)
    mine, theirs = rep.m[f"lift_{rep.side}"], rep.m[f"lift_{other_side(rep.side)}"]
    other = rep.shift(f"lift_{other_side(rep.side)}")
    own = rep.shift(f"lift_{rep.side}") + 1e-9
    value = other / own
    in_step = correlation(mine, theirs) >= IN_STEP
    brisk = climb_speed(zip(rep.t.tolist(), theirs.tolist()), SPEED_WINDOW_S) >= LIFT_SPEED
    noise = rep.noise(f"lift_{other_side(rep.side)}") / own
    return Finding(value >= BOTH_SHARE and other >= 0.08 and in_step and brisk, value, BOTH_SHARE, noise)


def back_arch(rep: RepFrames) -> Finding:
    # Lifting the chest raises the shoulders 8-15 cm (0.16-0.3 torso lengths); a clean arm
    # lift moves them 1-2 cm. Threshold: 0.08 torso lengths (~4 cm).
    value = rep.shift("chest")
    return Finding(value >= 0.08, value, 0.08, rep.noise("chest"))


def neck_extension(rep: RepFrames) -> Finding:
    # Eyes to the floor keeps the neck in line with the trunk; craning up tips it back
    # 20-40 deg. The head tips back along with the lift, so the median over the working
    # part of the rep catches 60-70% of it (a 20 deg crane shows as 12-15 deg), while a
    # head held neutral wobbles a few degrees (95% of clean reps under 6 deg on generated
    # clips with limb wander). Threshold: 8 deg more than at rest, during the lift, and
    # in step with it: a crane rises and falls with the arm, where a head landmark that
    # drifts (or a head turned to look about) follows its own course.
    # The head point's tilt is biased by the view and the person (an ear seen from below,
    # hair): against this athlete's usual lift once there are some.
    value = rep.shift("neck")
    in_step = correlation(rep.m["neck"], rep.m["counting"]) >= IN_STEP
    return Finding(rep.relative("neck_extension", value) >= 8.0 and in_step, value, 8.0, rep.noise("neck"))


MOVE = Move(
    id="superman",
    sides=SIDES,
    # A small 8 cm lift is 0.16 torso lengths; jitter stays under 0.1; drift climbs slower.
    # The hand comes all the way back to the mat, but a wrist landmark drifting during the
    # rep can move the mat's level in the picture by a third of a small lift: 60% of the
    # way back down ends the rep (the shared 70% missed such reps).
    # A hand's height is noisier against a small lift than the fly's and the row's angles
    # are against theirs, most of all at the video path's 10 frames a second: smoothing
    # over 0.15 s (0.06 s for the others) lags a 1.4 s+ rep by a tenth of it, and on 200
    # fresh clips took left/right exact from 88.5% to 92.5% (10 fps: 87.0% to 88.5%).
    segmenter=SegmenterConfig(
        min_range=0.12,
        min_speed=LIFT_SPEED,
        speed_window_s=SPEED_WINDOW_S,
        return_fraction=0.6,
        smooth_s=0.15,
        first_rest_s=FIRST_REST_S,
    ),
    measures=measures,
    counting=counting,
    faults=(
        Fault("both_arms", both_arms),
        Fault("back_arch", back_arch),
        Fault("neck_extension", neck_extension),
    ),
    recommended_view="side view",
    range_unit="torso lengths",
    shared_fault="both_arms",
    sides_together=True,
    needs_in_view=("head", "hands", "feet"),
)
