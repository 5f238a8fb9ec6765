"""Clips that show none of the moves: idling, stretching, warm-ups and walking. Several are
chosen to look like parts of the moves (arms out to the sides, trunk leaning, neck craning)."""

from __future__ import annotations

import numpy as np

from .actions import look_around, offscreen_point, sway, walk_path, weight_shift
from .body import SIDES, Pose, pose_points
from .moves import Ctx
from .poses import ELBOW, SIDE_SIGN, WRIST, ankle_z_for_pitch, arm_target, hang_arms, heading_axes, other, standing
from .spec import NEGATIVES
from .timeline import Timeline


def _body_point(pose: Pose, body, fwd: float, left: float, up: float) -> np.ndarray:
    f, lft = heading_axes(pose["yaw"])
    return np.array([pose["x"], pose["y"], pose["z"]]) + np.r_[fwd * f + left * lft, up]


def hands_on_hips(pose: Pose, body) -> Pose:
    for p, s in SIDES:
        pose = pose.arm(p, bx=0.3, by=-1.0, bz=0.0, elbow=90.0, hel=-60.0, haz=60.0)
        pose = arm_target(pose, p, _body_point(pose, body, 0.02, s * (body.hip_w / 2 + 0.05), 0.10))
    return pose


def crossed_arms(pose: Pose, body, top: str) -> Pose:
    for p, s in SIDES:
        up = body.trunk * (0.62 if p == top[0] else 0.57)
        pose = pose.arm(p, bx=-0.3, by=-0.4, bz=1.0, elbow=120.0, hel=-50.0, haz=-20.0)
        pose = arm_target(pose, p, _body_point(pose, body, 0.17 if p == top[0] else 0.14, -s * 0.13, up))
    return pose


def phone_pose(pose: Pose, body, hands: str, height: float = 0.45, reach: float = 0.28) -> Pose:
    for p, s in SIDES:
        if p in hands:
            pose = pose.arm(p, bx=0.0, by=-0.3, bz=1.0, elbow=100.0, hel=-60.0, haz=0.0, pron=150.0)
            lat = s * 0.05 if len(hands) == 2 else 0.0
            pose = arm_target(pose, p, _body_point(pose, body, reach, lat, body.trunk * height))
    return pose


def _loop(tl: Timeline, dur: float, moves) -> None:
    """Run randomly chosen ``moves`` (callables taking a duration) until ``dur`` is used."""
    t_end = tl.t + dur
    while t_end - tl.t > 1.5:
        fn = moves[int(tl.rng.integers(len(moves)))]
        fn(min(t_end - tl.t, tl.rng.uniform(2.0, 6.0)))
    tl.hold(max(t_end - tl.t, 0.0))


def idle(ctx: Ctx, dur: float, hold_pose: Pose, turning: bool = False) -> None:
    tl = ctx.tl
    base = tl.pose
    tl.to(hold_pose, ctx.u(0.6, 1.0))
    sway(tl, tl.t, tl.t + dur, amp=1.8)
    moves = [tl.hold, lambda d: weight_shift(tl, d), lambda d: look_around(tl, d)]
    if turning:

        def turn(d: float) -> None:
            here = tl.pose
            yaw = here["yaw"] + ctx.rng.choice([-1, 1]) * ctx.u(60, 180)
            tl.walk_to(standing(ctx.body, here["x"], here["y"], yaw), speed=0.8, arm_swing=4.0)
            look_around(tl, max(d - 2.0, 1.0))
            tl.walk_to(standing(ctx.body, here["x"], here["y"], here["yaw"]), speed=0.8, arm_swing=4.0)

        moves += [turn, turn]
    _loop(tl, dur - 1.6, moves)
    tl.to(base, ctx.u(0.6, 1.0))


def idle_phone(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    hands = str(ctx.rng.choice(["lr", "r", "l"]))
    base = tl.pose
    reading = phone_pose(base, ctx.body, hands).set(nf=u(25, 45))
    tl.to(reading, 1.0)
    sway(tl, tl.t, tl.t + dur, amp=1.2)
    p = hands[-1]

    def scroll(d: float) -> None:
        f = u(1.0, 2.5)
        tl.layer(tl.t, tl.t + d, lambda t: {f"{p}_tz": 0.012 * np.sin(2 * np.pi * f * t)}, 0.3)
        tl.hold(d)

    def call(d: float) -> None:
        up = phone_pose(base, ctx.body, hands, height=1.05, reach=0.12).set(nf=5.0)
        tl.to(up, 0.8)
        tl.hold(max(d - 1.6, 0.5))
        tl.to(reading, 0.8)

    _loop(tl, dur - 2.0, [scroll, scroll, tl.hold, call, lambda d: weight_shift(tl, d)])
    tl.to(base, 1.0)


def arm_circles(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    base = tl.pose
    t_end = tl.t + dur
    while t_end - tl.t > 4.0:
        arms = str(ctx.rng.choice(["lr", "lr", "l", "r"]))
        out = base
        for p in arms:
            out = out.arm(p, haz=u(80, 95), hel=u(-5, 5), elbow=u(3, 12), bx=1.0, by=0.0, bz=0.0, pron=180.0)
        tl.to(out, u(0.6, 1.0))
        d = min(t_end - tl.t - 1.0, u(4.0, 10.0))
        amp, f, direction = u(10, 35), 1.0 / u(0.6, 1.5), float(ctx.rng.choice([-1, 1]))

        def fn(t: np.ndarray, arms=arms, amp=amp, f=f, direction=direction) -> dict:
            a = 2 * np.pi * f * t
            return {
                k: v
                for p in arms
                for k, v in ((f"{p}_haz", amp * np.cos(a)), (f"{p}_hel", direction * amp * np.sin(a)))
            }

        tl.layer(tl.t, tl.t + d, fn, 0.5)
        tl.hold(d)
        tl.to(base, u(0.6, 1.0))
        tl.hold(u(0.0, 1.5))
    tl.hold(max(t_end - tl.t, 0.0))


def overhead_reach(ctx: Ctx, dur: float) -> None:
    tl, u, body = ctx.tl, ctx.u, ctx.body
    base = tl.pose
    t_end = tl.t + dur
    while t_end - tl.t > 3.0:
        up = base
        for p in "lr":
            up = up.arm(p, haz=u(0, 30), hel=u(72, 88), elbow=u(2, 15), bx=0.0, by=-1.0, bz=0.0, elev=u(0.01, 0.03))
        if ctx.rng.random() < 0.4:
            pitch = u(20, 35)
            lift = ankle_z_for_pitch(body, pitch) - ankle_z_for_pitch(body, 0.0)
            up = up.set(
                z=up["z"] + lift * 0.9,
                l_fz=base["l_fz"] + lift,
                r_fz=base["r_fz"] + lift,
                l_fpitch=pitch,
                r_fpitch=pitch,
            )
        tl.to(up, u(1.0, 2.0))
        tl.hold(u(0.0, 2.0))
        tl.to(base, u(1.0, 2.0))
        tl.hold(u(0.2, 1.5))
    tl.hold(max(t_end - tl.t, 0.0))


def side_bend(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    base = tl.pose
    t_end = tl.t + dur
    side = str(ctx.rng.choice(["l", "r"]))
    while t_end - tl.t > 4.0:
        s = SIDE_SIGN[side]
        bend = base.arm(side, haz=u(40, 80), hel=u(65, 85), elbow=u(5, 25), bx=0.0, by=-1.0, bz=0.0)
        bend = bend.set(tr=-s * u(15, 35), x=base["x"], y=base["y"])
        if ctx.rng.random() < 0.5:
            o = other(side)[0]
            bend = arm_target(
                bend.arm(o, bx=0.3, by=-1.0, bz=0.0),
                o,
                _body_point(bend, ctx.body, 0.02, -s * (ctx.body.hip_w / 2 + 0.05), 0.10),
            )
        tl.to(bend, u(1.2, 2.0))
        tl.hold(u(2.0, 6.0))
        tl.to(base, u(1.0, 1.6))
        side = other(side)[0]
    tl.hold(max(t_end - tl.t, 0.0))


def cross_body_stretch(ctx: Ctx, dur: float) -> None:
    tl, u, body = ctx.tl, ctx.u, ctx.body
    base = tl.pose
    t_end = tl.t + dur
    side = str(ctx.rng.choice(["l", "r"]))
    while t_end - tl.t > 5.0:
        o = other(side)[0]
        st = base.arm(side, haz=-u(50, 75), hel=u(-10, 5), elbow=u(0, 10), bx=1.0, by=0.0, bz=0.0)
        pts = pose_points(body, st)
        grip = pts[ELBOW[side]] + 0.25 * (pts[WRIST[side]] - pts[ELBOW[side]]) + np.array([0.0, 0.0, -0.03])
        st = arm_target(st.arm(o, bx=0.0, by=-0.5, bz=1.0, elbow=100.0), o, grip)
        tl.to(st, u(1.0, 1.6))
        d = min(t_end - tl.t - 1.5, u(8.0, 20.0))
        f = u(0.2, 0.5)
        tl.layer(tl.t, tl.t + d, lambda t, s=side, f=f: {f"{s}_haz": -4.0 * np.sin(2 * np.pi * f * t) ** 2}, 0.5)
        tl.hold(d)
        tl.to(base, u(0.8, 1.4))
        side = o
    tl.hold(max(t_end - tl.t, 0.0))


def neck_stretch(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    base = tl.pose
    t_end = tl.t + dur
    while t_end - tl.t > 4.0:
        kind = str(ctx.rng.choice(["tilt", "turn", "flex", "extend"]))
        s = float(ctx.rng.choice([-1, 1]))
        pose = {
            "tilt": base.set(nl=s * u(25, 40)),
            "turn": base.set(nt=s * u(50, 75)),
            "flex": base.set(nf=u(30, 45)),
            "extend": base.set(nf=-u(20, 35)),
        }[kind]
        if kind == "tilt" and ctx.rng.random() < 0.5:
            side = "l" if s > 0 else "r"
            head = _body_point(base, ctx.body, 0.0, -s * 0.10, ctx.body.trunk + ctx.body.neck + 0.11 * ctx.body.height)
            pose = arm_target(pose.arm(side, bx=0.0, by=-0.3, bz=1.0, elbow=120.0, hel=40.0, haz=60.0), side, head)
        tl.to(pose, u(1.0, 2.0))
        tl.hold(min(t_end - tl.t - 1.5, u(4.0, 12.0)))
        tl.to(base, u(1.0, 1.5))
    tl.hold(max(t_end - tl.t, 0.0))


def trunk_twist(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    base = tl.pose
    held = base
    if ctx.rng.random() < 0.6:
        for p in "lr":
            held = held.arm(p, haz=u(10, 30), hel=u(-10, 10), elbow=u(80, 110), bx=0.0, by=-1.0, bz=0.0)
    tl.to(held, 1.0)
    amp, f = u(30, 50), 1.0 / u(1.2, 2.5)
    d = max(dur - 2.0, 1.0)
    tl.layer(
        tl.t,
        tl.t + d,
        lambda t: {"tt": amp * np.sin(2 * np.pi * f * t), "nt": -0.4 * amp * np.sin(2 * np.pi * f * t)},
        0.8,
    )
    tl.hold(d)
    tl.to(base, 1.0)


def arm_swings(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    fwd, back, f = u(50, 150), u(20, 45), 1.0 / u(0.8, 1.6)
    mid, amp = (fwd - back) / 2, (fwd + back) / 2
    alt = ctx.rng.random() < 0.5
    d = dur
    tl.layer(
        tl.t,
        tl.t + d,
        lambda t: {
            "l_hel": mid + amp * np.sin(2 * np.pi * f * t),
            "r_hel": mid + amp * np.sin(2 * np.pi * f * t + (np.pi if alt else 0.0)),
            "z": -0.015 * (1 - np.cos(4 * np.pi * f * t)) / 2,
        },
        1.0 / f,
    )
    tl.hold(d)


def marching(ctx: Ctx, dur: float) -> None:
    tl, u = ctx.tl, ctx.u
    base = tl.pose
    bent = base.set(l_elbow=u(30, 90), r_elbow=u(30, 90))
    tl.to(bent, 0.6)
    lift, cad, swing = u(0.15, 0.35), u(1.4, 2.0), u(20, 40)
    ahead = lift * u(0.8, 1.2)
    fwd, _ = heading_axes(base["yaw"])
    d = max(dur - 1.2, 1.0)

    def fn(t: np.ndarray) -> dict:
        ph = np.pi * cad * t
        up = {"l": np.clip(np.sin(ph), 0, 1) ** 1.3, "r": np.clip(-np.sin(ph), 0, 1) ** 1.3}
        out = {"z": -0.01 * np.abs(np.sin(ph))}
        for p in "lr":
            out.update(
                {
                    f"{p}_fz": lift * up[p],
                    f"{p}_fx": ahead * fwd[0] * up[p],
                    f"{p}_fy": ahead * fwd[1] * up[p],
                    f"{p}_hel": swing * (up[other(p)[0]] - up[p]),
                    f"{p}_fpitch": 15 * up[p],
                }
            )
        return out

    tl.layer(tl.t, tl.t + d, fn, 0.4)
    tl.hold(d)
    tl.to(base, 0.6)


def walking(ctx: Ctx, dur: float) -> None:
    tl, u, cam = ctx.tl, ctx.u, ctx.camera
    t_end = tl.t + dur
    variant = ctx.spec.variant or str(ctx.rng.choice(["across", "toward", "wander"]))
    spot = np.array([tl.pose["x"], tl.pose["y"]])
    to_cam = cam.position[:2] - spot
    to_cam /= np.linalg.norm(to_cam)
    while t_end - tl.t > 2.0:
        if variant == "across":
            target = offscreen_point(cam, np.r_[spot, 0.0], float(ctx.rng.choice([-1, 1])), extra=u(-0.8, 0.3))
        elif variant == "toward":
            target = spot + to_cam * u(-1.5, 0.8)
        else:
            target = spot + np.array([u(-1.0, 1.0), u(-1.0, 1.0)])
        walk_path(tl, target, speed=u(0.7, 1.2), arm_swing=u(8, 20))
        tl.hold(u(0.2, 1.5))
    ctx.info["variant"] = variant


NEGATIVE_FUNCS = {
    "idle_hands_on_hips": lambda c, d: idle(c, d, hands_on_hips(c.tl.pose, c.body)),
    "idle_crossed_arms": lambda c, d: idle(c, d, crossed_arms(c.tl.pose, c.body, str(c.rng.choice(["left", "right"])))),
    "idle_phone": idle_phone,
    "idle_turning": lambda c, d: idle(c, d, c.tl.pose, turning=True),
    "arm_circles": arm_circles,
    "overhead_reach": overhead_reach,
    "side_bend": side_bend,
    "cross_body_stretch": cross_body_stretch,
    "neck_stretch": neck_stretch,
    "trunk_twist": trunk_twist,
    "arm_swings": arm_swings,
    "marching": marching,
    "walking": walking,
}
assert sorted(NEGATIVE_FUNCS) == sorted(NEGATIVES)  # one generator per look-alike the spec draws


class Negative:
    """Standing at the spot (walked in or already there), doing the activity for ``duration_s``."""

    def __init__(self, ctx: Ctx) -> None:
        self.activity = ctx.spec.activity

    def spot(self, ctx: Ctx) -> Pose:
        return standing(ctx.body, 0.0, 0.0, ctx.heading, width=ctx.u(0.8, 1.1))

    def reference(self, ctx: Ctx) -> list[Pose]:
        base = self.spot(ctx)
        wide = base
        for p in "lr":
            wide = wide.arm(p, haz=90.0, hel=0.0, elbow=0.0)
        up = hang_arms(base).set(l_hel=85.0, r_hel=85.0)
        return [base, wide, up]

    def perform(self, ctx: Ctx) -> None:
        tl = ctx.tl
        t0 = tl.t
        sway(tl, t0, t0 + ctx.spec.duration_s)
        NEGATIVE_FUNCS[self.activity](ctx, ctx.spec.duration_s)
        tl.phase(self.activity, t0, variant=ctx.info.get("variant", ctx.spec.variant))
