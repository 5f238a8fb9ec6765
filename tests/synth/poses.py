"""Whole-body poses: standing stances, kneeling, all fours, prone; arm placement helpers."""

from __future__ import annotations

import math

import numpy as np

from scapula.vision.skeleton import P

from .body import (
    SIDES,
    Body,
    Pose,
    ankle_z_for_pitch,
    arm_angles,
    forward_kinematics,
    pose_points,
    world_to_pelvis,
    world_to_trunk,
)

SIDE_SIGN = {"l": 1.0, "r": -1.0, "left": 1.0, "right": -1.0}
SHOULDER = {"l": P.LEFT_SHOULDER, "r": P.RIGHT_SHOULDER}
ELBOW = {"l": P.LEFT_ELBOW, "r": P.RIGHT_ELBOW}
WRIST = {"l": P.LEFT_WRIST, "r": P.RIGHT_WRIST}
KNEE = {"l": P.LEFT_KNEE, "r": P.RIGHT_KNEE}
ANKLE = {"l": P.LEFT_ANKLE, "r": P.RIGHT_ANKLE}


def other(side: str) -> str:
    return {"l": "r", "r": "l", "left": "right", "right": "left"}[side]


def heading_axes(yaw_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Forward and left unit vectors (x, y) of a heading."""
    a = math.radians(yaw_deg)
    return np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])


def hang_arms(pose: Pose, elbow: float = 10.0, sides: str = "lr") -> Pose:
    out = pose
    for p in sides:
        out = out.arm(
            p, elev=0.0, pro=0.0, haz=0.0, hel=-87.0, bx=1.0, by=0.0, bz=0.0, elbow=elbow, pron=90.0, wrist=0.0, ik=0.0
        )
    return out


def stance(
    pose: Pose,
    body: Body,
    fwd: tuple[float, float] = (0.0, 0.0),
    width: float = 0.95,
    knee: float = 4.0,
    toe_out: float = 8.0,
    pitch: tuple[float, float] = (0.0, 0.0),
) -> Pose:
    """Feet placed about the pose's root (fore-aft ``fwd`` per side l, r; ``width`` x hip width
    between the ankles); the hips set at the height where the more stretched leg has ``knee``
    degrees of flexion. The pelvis is upright."""
    out = pose.set(pitch=0.0, roll=0.0)
    f, left = heading_axes(pose["yaw"])
    root = np.array([pose["x"], pose["y"]])
    for (p, s), ahead, pit in zip(SIDES, fwd, pitch):
        ankle = root + ahead * f + s * width * body.hip_w / 2 * left
        out = out.leg(p, fx=ankle[0], fy=ankle[1], fz=ankle_z_for_pitch(body, pit), fyaw=toe_out, fpitch=pit)
    return fit_height(out, body, knee)


def fit_height(pose: Pose, body: Body, knee: float = 5.0) -> Pose:
    """Set the (upright) hips at the height where the more stretched leg, reaching its ankle
    target, has ``knee`` degrees of flexion."""
    _, left = heading_axes(pose["yaw"])
    root = np.array([pose["x"], pose["y"]])
    z = math.inf
    for p, s in SIDES:
        hip = root + s * body.hip_w / 2 * left
        dh = float(np.linalg.norm(np.array([pose[f"{p}_fx"], pose[f"{p}_fy"]]) - hip))
        z = min(z, pose[f"{p}_fz"] + math.sqrt(max(body.leg_reach(knee) ** 2 - dh**2, 0.01)))
    return pose.set(z=z)


def standing(body: Body, x: float = 0.0, y: float = 0.0, yaw: float = 0.0, **kw) -> Pose:
    pose = hang_arms(Pose().set(x=x, y=y, yaw=yaw))
    return stance(pose, body, **kw)


def set_arm_world(pose: Pose, body: Body, side: str, direction: np.ndarray, bend: np.ndarray, elbow: float) -> Pose:
    """Point the upper arm along a floor-frame ``direction`` with the forearm bending toward ``bend``."""
    s = SIDE_SIGN[side]
    haz, hel = arm_angles(world_to_trunk(pose, np.asarray(direction, float)), s)
    b = world_to_trunk(pose, np.asarray(bend, float))
    return pose.arm(side, haz=haz, hel=hel, bx=b[0], by=s * b[1], bz=b[2], elbow=elbow, ik=0.0)


def arm_target(pose: Pose, side: str, point: np.ndarray, weight: float = 1.0) -> Pose:
    """Pull the wrist to a floor-frame point (stored in the pelvis frame)."""
    s = SIDE_SIGN[side]
    t = world_to_pelvis(pose, np.asarray(point, float))
    return pose.arm(side, ik=weight, tx=t[0], ty=s * t[1], tz=t[2])


def kneeling(body: Body, x: float, y: float, yaw: float, width: float = 0.9) -> Pose:
    """Tall kneeling: thighs vertical, shins and feet flat on the floor behind."""
    f, left = heading_axes(yaw)
    pose = hang_arms(Pose().set(x=x, y=y, yaw=yaw, z=0.06 + body.thigh))
    for p, s in SIDES:
        a = np.array([x, y]) + s * width * body.hip_w / 2 * left - body.shank * f
        pose = pose.leg(p, fx=a[0], fy=a[1], fz=0.06, fyaw=4.0, fpitch=150.0)
    return pose


def all_fours(body: Body, x: float, y: float, yaw: float) -> Pose:
    """Hands and knees: knees under the hips, hands under the shoulders."""
    f, left = heading_axes(yaw)
    pose = Pose().set(x=x, y=y, yaw=yaw, pitch=90.0, z=0.06 + body.thigh, tp=-15.0, nf=15.0)
    for p, s in SIDES:
        a = np.array([x, y]) + s * 0.9 * body.hip_w / 2 * left - body.shank * f
        pose = pose.leg(p, fx=a[0], fy=a[1], fz=0.06, fyaw=4.0, fpitch=150.0)
        pose = pose.arm(
            p, elev=0.0, pro=0.0, haz=0.0, hel=0.0, bx=0.0, by=0.0, bz=1.0, elbow=8.0, pron=160.0, wrist=0.0
        )
    pts = pose_points(body, pose)
    for p, s in SIDES:
        sh = pts[SHOULDER[p]]
        pose = arm_target(pose, p, np.array([sh[0], sh[1], 0.04]) + 0.02 * s * np.r_[left, 0])
    return flatten_hands(pose, body, point=f)


def prone(
    body: Body,
    x: float,
    y: float,
    yaw: float,
    arms: str = "y",
    spread: float | None = None,
    hip_z: float | None = None,
    feet_width: float = 0.8,
    rng: np.random.Generator | None = None,
) -> Pose:
    """Lying face down, legs long, arms overhead in a Y (or straight ahead), forehead near the mat."""
    f, left = heading_axes(yaw)
    hip_z = 0.115 * body.height / 1.75 if hip_z is None else hip_z
    pose = Pose().set(x=x, y=y, yaw=yaw, pitch=90.0, z=hip_z, tp=-4.0, nf=0.0)
    for p, s in SIDES:
        hip = np.array([x, y]) + s * body.hip_w / 2 * left
        dz = hip_z - 0.06
        back = math.sqrt((0.995 * body.leg) ** 2 - dz**2)
        a = hip + s * (feet_width - 1.0) * body.hip_w / 2 * left - back * f
        pose = pose.leg(p, fx=a[0], fy=a[1], fz=0.06, fyaw=3.0, fpitch=150.0)
        pose = pose.arm(p, elev=0.0, pro=0.0, pron=90.0, wrist=0.0)
    if spread is None:
        spread = 32.0 if arms == "y" else 8.0
    return prone_arms(pose, body, spread)


def place_arm(
    pose: Pose, body: Body, side: str, heading_deg: float, wrist_z: float, bend: np.ndarray, elbow: float = 8.0
) -> Pose:
    """Upper arm pointing toward floor-frame heading ``heading_deg``, tilted so the wrist is at
    height ``wrist_z``, the forearm bending toward ``bend``."""
    a = math.radians(heading_deg)
    reach = math.sqrt(
        body.upper_arm**2 + body.forearm**2 + 2 * body.upper_arm * body.forearm * math.cos(math.radians(elbow))
    )
    e = 0.0
    for _ in range(4):
        d = np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)])
        pose = set_arm_world(pose, body, side, d, bend, elbow)
        err = wrist_z - pose_points(body, pose)[WRIST[side[0]]][2]
        e = math.asin(float(np.clip(math.sin(e) + err / reach, -1.0, 1.0)))
    return pose


def flatten_hands(
    pose: Pose, body: Body, sides: str = "lr", z: float = 0.025, point: np.ndarray | None = None, palm_down: bool = True
) -> Pose:
    """Turn and bend each hand so that its knuckles rest on the floor at height ``z``, the
    fingers pointing along ``point`` (default: on along the forearm), seen from above."""
    pts0 = pose_points(body, pose)
    for p in sides:
        grid = [(w, r) for w in np.linspace(-90, 90, 19) for r in np.linspace(0, 180, 10)]
        pts = forward_kinematics(body, np.asarray([pose.arm(p, wrist=w, pron=r).v for w, r in grid]))
        index, pinky = {"l": (P.LEFT_INDEX, P.LEFT_PINKY), "r": (P.RIGHT_INDEX, P.RIGHT_PINKY)}[p]
        want = pts0[WRIST[p]][:2] - pts0[ELBOW[p]][:2] if point is None else np.asarray(point)[:2]
        want = want / max(np.linalg.norm(want), 1e-9)
        hand = (pts[:, index, :2] + pts[:, pinky, :2]) / 2 - pts[:, WRIST[p], :2]
        hand = hand / np.maximum(np.linalg.norm(hand, axis=1, keepdims=True), 1e-9)
        across = pts[:, index, :2] - pts[:, pinky, :2]
        turn = SIDE_SIGN[p] * (hand[:, 0] * across[:, 1] - hand[:, 1] * across[:, 0])
        cost = (
            np.abs(pts[:, index, 2] - z)
            + np.abs(pts[:, pinky, 2] - z)
            + 0.05 * (1.0 - hand @ want)
            + (0.05 * (turn > 0) if palm_down else 0.0)
        )
        w, r = grid[int(np.argmin(cost))]
        pose = pose.arm(p, wrist=w, pron=r)
    return pose


def prone_arms(
    pose: Pose, body: Body, spread: float, elbow: float = 8.0, wrist_z: float = 0.05, sides: str = "lr"
) -> Pose:
    for p, s in SIDES:
        if p in sides:
            pose = place_arm(pose, body, p, pose["yaw"] + s * spread, wrist_z, np.array([0.0, 0.0, -1.0]), elbow)
    return flatten_hands(pose, body, sides, z=0.03)


def prone_arms_down(pose: Pose, body: Body) -> Pose:
    """Arms resting alongside the body (a rest between sets)."""
    for p, s in SIDES:
        pose = place_arm(pose, body, p, pose["yaw"] + 180.0 - s * 12.0, 0.05, np.array([0.0, 0.0, 1.0]), 10.0)
    return flatten_hands(pose, body, z=0.03, palm_down=False)


def prone_push(pose: Pose, body: Body) -> Pose:
    """Hands on the floor beside the chest, elbows up (before pushing up or after lying down)."""
    f, left = heading_axes(pose["yaw"])
    pts = pose_points(body, pose)
    for p, s in SIDES:
        sh = pts[SHOULDER[p]]
        target = np.r_[sh[:2] - 0.06 * f + s * 0.16 * left, 0.04]
        pose = pose.arm(p, bx=1.0, by=0.0, bz=0.0, haz=0.0, hel=-10.0, elbow=90.0)
        pose = arm_target(pose, p, target)
    return flatten_hands(pose, body, point=f)
