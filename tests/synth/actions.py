"""Small everyday movements shared by every clip: sway, breathing, fidgets, stepping, walking
in and out of the picture. Each starts and ends at the timeline's current pose."""

from __future__ import annotations

import math

import numpy as np

from .body import SIDES, Pose
from .poses import SIDE_SIGN, arm_target, heading_axes, stance, standing
from .timeline import Timeline, wobble


def sway(tl: Timeline, t0: float, t1: float, amp: float = 1.0) -> None:
    """Postural sway, small head movements and breathing."""
    r = tl.rng
    fx, fy = wobble(r, 0.007 * amp, 0.05, 0.3), wobble(r, 0.007 * amp, 0.05, 0.3)
    ftp, ftr = wobble(r, 0.5 * amp, 0.05, 0.3), wobble(r, 0.5 * amp, 0.05, 0.3)
    fnt, fnf = wobble(r, 3.0 * amp, 0.03, 0.2), wobble(r, 2.0 * amp, 0.03, 0.2)
    breath_f, breath_p = r.uniform(0.2, 0.33), r.uniform(0, 2 * np.pi)

    def fn(t: np.ndarray) -> dict:
        br = 0.0015 * np.sin(2 * np.pi * breath_f * t + breath_p)
        return {
            "x": fx(t),
            "y": fy(t),
            "tp": ftp(t),
            "tr": ftr(t),
            "nt": fnt(t),
            "nf": fnf(t),
            "l_elev": br,
            "r_elev": br,
        }

    tl.layer(t0, t1, fn, fade=1.0)


def shake_arms(tl: Timeline, dur: float) -> None:
    """Loose arms shaken out at the sides."""
    r = tl.rng
    f = r.uniform(3.5, 6.0)
    ph = r.uniform(0, 6.3, 4)
    amp = r.uniform(8, 20)

    def fn(t: np.ndarray) -> dict:
        out = {}
        for k, (p, _) in enumerate(SIDES):
            out[f"{p}_elbow"] = amp * (1 + np.sin(2 * np.pi * f * t + ph[k])) / 2
            out[f"{p}_hel"] = 0.4 * amp * np.sin(2 * np.pi * f * t + ph[k + 2])
            out[f"{p}_pron"] = 2 * amp * np.sin(2 * np.pi * f * t + ph[k])
        return out

    tl.layer(tl.t, tl.t + dur, fn, fade=0.3)
    tl.hold(dur)


def roll_shoulders(tl: Timeline, dur: float) -> None:
    r = tl.rng
    f = r.uniform(0.6, 1.0)
    sgn = r.choice([-1.0, 1.0])

    def fn(t: np.ndarray) -> dict:
        a = 2 * np.pi * f * t
        e, p = 0.015 * (1 - np.cos(a)), 0.02 * sgn * np.sin(a)
        return {"l_elev": e, "r_elev": e, "l_pro": p, "r_pro": p}

    tl.layer(tl.t, tl.t + dur, fn, fade=0.4)
    tl.hold(dur)


def look_around(tl: Timeline, dur: float) -> None:
    r = tl.rng
    base = tl.pose
    t_end = tl.t + dur
    while tl.t < t_end - 1.6:
        tl.to(base.set(nt=base["nt"] + r.uniform(-60, 60), nf=base["nf"] + r.uniform(-15, 15)), r.uniform(0.5, 0.9))
        tl.hold(r.uniform(0.3, 1.2))
    tl.to(base, max(t_end - tl.t, 0.5))


def weight_shift(tl: Timeline, dur: float) -> None:
    r = tl.rng
    base = tl.pose
    _, left = heading_axes(base["yaw"])
    k = r.choice([-1.0, 1.0]) * r.uniform(0.03, 0.06)
    shifted = base.set(x=base["x"] + k * left[0], y=base["y"] + k * left[1], tr=base["tr"] - 60 * k, z=base["z"] - 0.01)
    tl.to(shifted, dur * 0.35)
    tl.hold(dur * 0.3)
    tl.to(base, dur * 0.35)


def step_around(tl: Timeline, dur: float) -> None:
    """A few steps away and back to the same place (a little wander)."""
    r = tl.rng
    base = tl.pose
    d = r.uniform(0.3, 0.9)
    a = math.radians(base["yaw"] + r.uniform(-180, 180))
    away = standing(tl.body, base["x"] + d * math.cos(a), base["y"] + d * math.sin(a), base["yaw"] + r.uniform(-60, 60))
    tl.walk_to(away, speed=0.7)
    tl.hold(r.uniform(0.3, 1.5))
    tl.walk_to(base, speed=0.7)


def touch_face(tl: Timeline, dur: float) -> None:
    """One hand up to the face (wiping the brow, scratching the nose) and down."""
    r = tl.rng
    body, base = tl.body, tl.pose
    side = str(r.choice(["l", "r"]))
    s = SIDE_SIGN[side]
    f, left = heading_axes(base["yaw"])
    head = np.array([base["x"], base["y"], base["z"] + body.trunk + body.neck + 0.07 * body.height])
    target = head + 0.11 * np.r_[f, 0] + s * 0.03 * np.r_[left, 0]
    up = arm_target(base.arm(side, bx=0.0, by=-0.3, bz=1.0, elbow=100.0, hel=-30.0), side, target)
    tl.to(up, 0.7)
    wipe = r.uniform(1.5, 3.0)

    def fn(t: np.ndarray) -> dict:
        return {f"{side}_ty": 0.03 * np.sin(2 * np.pi * wipe * t)}

    tl.layer(tl.t, tl.t + max(dur - 1.4, 0.4), fn, fade=0.2)
    tl.hold(max(dur - 1.4, 0.4))
    tl.to(base, 0.7)


def stretch_overhead(tl: Timeline, dur: float) -> None:
    base = tl.pose
    up = base
    for p, _ in SIDES:
        up = up.arm(p, haz=20.0, hel=float(tl.rng.uniform(70, 85)), elbow=10.0, bx=0.0, by=-1.0, bz=0.0)
    tl.to(up, dur * 0.35)
    tl.hold(dur * 0.3)
    tl.to(base, dur * 0.35)


FIDGETS = {
    "hold": None,
    "shake": shake_arms,
    "roll": roll_shoulders,
    "look": look_around,
    "shift": weight_shift,
    "step": step_around,
    "face": touch_face,
    "stretch": stretch_overhead,
}


def fidget(tl: Timeline, dur: float, kinds: tuple[str, ...] = tuple(FIDGETS), arms_free: bool = True) -> None:
    """Fill ``dur`` seconds with random small movements, ending where it started."""
    r = tl.rng
    t_end = tl.t + dur
    if not arms_free:
        kinds = tuple(k for k in kinds if k in ("hold", "look", "shift", "roll"))
    while t_end - tl.t > 1.0:
        left = t_end - tl.t
        kind = str(r.choice(kinds))
        d = min(left, r.uniform(1.5, 4.5))
        fn = FIDGETS[kind]
        if fn is None or (kind == "step" and left < 4.0) or (kind in ("face", "stretch") and d < 2.0):
            tl.hold(d)
        else:
            fn(tl, d)
    tl.hold(max(t_end - tl.t, 0.0))


def offscreen_point(camera, spot: np.ndarray, side: float, extra: float = 0.9) -> np.ndarray:
    """A floor point just outside the camera's view, level with ``spot``."""
    right = camera.rotation[0].copy()
    right[2] = 0.0
    right /= np.linalg.norm(right)
    depth = float(np.linalg.norm(spot[:2] - camera.position[:2]))
    half = depth * math.tan(math.radians(camera.hfov_deg) / 2)
    return spot[:2] + side * right[:2] * (half + extra)


def walk_path(
    tl: Timeline, to_xy: np.ndarray, final_yaw: float | None = None, speed: float = 1.0, arm_swing: float = 14.0
) -> None:
    """Turn toward ``to_xy``, walk there, then turn to ``final_yaw``."""
    here = np.array([tl.pose["x"], tl.pose["y"]])
    d = to_xy - here
    if np.linalg.norm(d) > 0.05:
        yaw = _near_angle(math.degrees(math.atan2(d[1], d[0])), tl.pose["yaw"])
        if abs(yaw - tl.pose["yaw"]) > 20:
            tl.walk_to(_stand_like(tl, here, yaw), speed=speed, arm_swing=0.0)
        tl.walk_to(_stand_like(tl, to_xy, yaw), speed=speed, arm_swing=arm_swing)
    if final_yaw is not None and abs(final_yaw - tl.pose["yaw"]) > 5:
        tl.walk_to(_stand_like(tl, to_xy, _near_angle(final_yaw, tl.pose["yaw"])), speed=speed, arm_swing=0.0)


def _near_angle(a: float, ref: float) -> float:
    return ref + (a - ref + 180.0) % 360.0 - 180.0


def _stand_like(tl: Timeline, xy: np.ndarray, yaw: float) -> Pose:
    """Standing at ``xy``/``yaw`` with the arms as they are now."""
    p = tl.pose.set(x=float(xy[0]), y=float(xy[1]), yaw=yaw, tp=0.0, tr=0.0, tt=0.0, nt=0.0)
    return stance(p, tl.body, width=0.9)
