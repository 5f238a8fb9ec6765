"""The three exercises, built from anatomy: setup, sets of reps (with their faults), rests and
teardown, each recording its ground truth into the context."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .actions import fidget, look_around, shake_arms, walk_path
from .body import SIDES, Body, Pose, pose_points
from .camera import Camera
from .poses import (
    ANKLE,
    KNEE,
    SIDE_SIGN,
    WRIST,
    all_fours,
    arm_target,
    fit_height,
    hang_arms,
    kneeling,
    other,
    place_arm,
    prone,
    prone_arms_down,
    prone_push,
    stance,
    standing,
)
from .spec import ClipSpec, RepSpec, RepTruth, SetSpec
from .timeline import Timeline


@dataclass
class Ctx:
    spec: ClipSpec
    body: Body
    rng: np.random.Generator
    camera: Camera | None = None
    tl: Timeline | None = None
    heading: float = 0.0
    reps: list[RepTruth] = field(default_factory=list)
    sets: list[dict] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def rep(self, side: str, t0: float, peak: float, t1: float, faults, set_index: int) -> None:
        self.reps.append(RepTruth(side, t0, peak, t1, frozenset(faults), set_index))

    def set_done(self, index: int, st: SetSpec, t0: float, heading: float) -> None:
        rel = _wrap(self.camera_azimuth() - heading)
        self.sets.append(
            {
                "index": index,
                "side": st.side or "both",
                "start_s": round(t0, 4),
                "end_s": round(self.tl.t, 4),
                "faults": sorted(st.faults),
                "reps": len(st.reps),
                "camera_azimuth_deg": round(rel, 2),
                "near_side": "left" if rel > 0 else "right",
                "athlete_heading_deg": round(_wrap(heading), 2),
            }
        )

    def camera_azimuth(self) -> float:
        c = self.camera.position
        return math.degrees(math.atan2(c[1], c[0]))


def _wrap(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


def _near(a: float, ref: float) -> float:
    return ref + _wrap(a - ref)


def run_reps(ctx: Ctx, st: SetSpec, index: int, starts: list[Pose], tops: list[Pose], pause=None) -> None:
    """Reps: start_k -> top_k (concentric), hold, -> start_{k+1} (eccentric); ``starts`` has one
    more pose than there are reps (the pose to end in)."""
    tl = ctx.tl
    for k, rep in enumerate(st.reps):
        if rep.pause_before_s > 0 and pause is not None:
            pause(ctx, rep.pause_before_s, starts[k])
        elif k > 0:
            tl.hold(ctx.u(0.0, 0.35))
        t0 = tl.t
        conc = rep.tempo_s * ctx.u(0.4, 0.5)
        tl.to(tops[k], conc)
        peak = tl.t + rep.hold_s / 2
        tl.hold(rep.hold_s)
        tl.to(starts[k + 1], rep.tempo_s - conc)
        faults = set(rep.faults) | set(st.faults)
        if ctx.spec.activity == "superman":
            sides = ("left", "right") if "both_arms" in rep.faults else (rep.side,)
        else:
            sides = (st.side,)
        for side in sides:
            ctx.rep(side, t0, peak, tl.t, faults, index)


def _hold_or_fidget(ctx: Ctx, dur: float, start: Pose, rest: Pose) -> None:
    """A pause inside a set: hold the start position, or drop into ``rest`` and come back."""
    tl = ctx.tl
    if dur > 3.0 and ctx.rng.random() < 0.5:
        tl.to(rest, 0.8)
        look_around(tl, dur - 1.6)
        tl.to(start, 0.8)
    else:
        tl.to(start, 0.3)
        tl.hold(dur - 0.3)


# ------------------------------------------------------------------------------ reverse fly


class ReverseFly:
    """Band reverse fly: upright, arms forward at shoulder height, sweep out to the sides."""

    def __init__(self, ctx: Ctx) -> None:
        u = ctx.u
        self.width, self.knee, self.toe = u(0.85, 1.1), u(3, 10), u(5, 12)
        self.tp, self.az0, self.el0, self.e0 = u(-1.5, 2), u(0, 15), u(-8, 5), u(10, 25)
        self.asym = u(-3, 3)

    def spot(self, ctx: Ctx) -> Pose:
        return standing(ctx.body, 0.45, 0.0, ctx.heading, width=self.width, knee=self.knee, toe_out=self.toe)

    def _arms(self, pose: Pose, az: float, el: float, elbow: float, hint, pro: float, elev: float) -> Pose:
        for p, s in SIDES:
            pose = pose.arm(
                p,
                haz=az + s * self.asym,
                hel=el - s * self.asym / 2,
                bx=hint[0],
                by=hint[1],
                bz=hint[2],
                elbow=elbow,
                pron=90.0,
                pro=pro,
                elev=elev,
                ik=0.0,
                wrist=0.0,
            )
        return pose

    def start(self, ctx: Ctx, rep: RepSpec | None) -> Pose:
        base = standing(ctx.body, 0.0, 0.0, ctx.heading, width=self.width, knee=self.knee, toe_out=self.toe)
        if rep is not None and "locked_elbows" in rep.faults:
            elbow = ctx.u(0, 4)
        else:
            elbow = float(np.clip(self.e0 + ctx.u(-3, 3), 10, 28))
        return self._arms(base.set(tp=self.tp), self.az0, self.el0, elbow, (0.15, -1.0, 0.0), 0.01, 0.0)

    def top(self, ctx: Ctx, start: Pose, rep: RepSpec) -> Pose:
        f, u = rep.faults, ctx.u
        az = u(40, 60) if "partial_range" in f else (u(75, 95) if "bent_elbows" in f else u(85, 100))
        el = u(-20, -5) if "bent_elbows" in f else u(-20, 0)
        elbow = u(0, 4) if "locked_elbows" in f else (u(60, 100) if "bent_elbows" in f else u(10, 30))
        elev = u(0.03, 0.06) if "shrug" in f else u(0.0, 0.008)
        top = self._arms(start, az, el, elbow, (1.0, 0.0, 0.1), -0.01, elev)
        if "ribs_flare" in f:
            lean = u(12, 25)
            a = math.radians(ctx.heading)
            top = top.set(tp=-lean, x=top["x"] + 0.002 * lean * math.cos(a), y=top["y"] + 0.002 * lean * math.sin(a))
        else:
            top = top.set(tp=self.tp + u(-1, 1.5))
        return top

    def reference(self, ctx: Ctx) -> list[Pose]:
        s = self.start(ctx, None)
        return [s, self._arms(s, 95, -10, 20, (1, 0, 0), -0.02, 0.0), self.spot(ctx).set(x=0.0)]

    def perform(self, ctx: Ctx) -> None:
        tl, u = ctx.tl, ctx.u
        near = self.spot(ctx)
        reach = self._arms(near, 5.0, u(25, 40), 10.0, (0.15, -1.0, 0.0), 0.03, 0.0)
        t0 = tl.t
        tl.to(reach, u(0.8, 1.2))
        tl.hold(u(0.3, 0.7))
        neutral = self.start(ctx, None)
        tl.walk_to(neutral, speed=0.45, arm_swing=0.0)
        tl.hold(u(0.5, 1.5))
        tl.phase("setup", t0)
        plan = ctx.spec.plan()
        for i, st in enumerate(plan):
            if i > 0:
                t0 = tl.t
                tl.to(hang_arms(neutral), 1.0)
                tl.walk_to(hang_arms(near), speed=0.6, arm_swing=6.0)
                if ctx.spec.fidget:
                    fidget(tl, max(ctx.spec.rest_s - 4.0, 1.0))
                else:
                    tl.hold(max(ctx.spec.rest_s - 4.0, 1.0))
                tl.walk_to(hang_arms(neutral), speed=0.45, arm_swing=0.0)
                tl.to(neutral, 1.0)
                tl.phase("rest", t0)
            t0 = tl.t
            starts = [self.start(ctx, r) for r in st.reps] + [neutral]
            if "locked_elbows" in st.reps[0].faults:
                tl.to(starts[0], 0.5)
            else:
                starts[0] = tl.pose
            tops = [self.top(ctx, starts[k], r) for k, r in enumerate(st.reps)]
            run_reps(ctx, st, i, starts, tops, pause=lambda c, d, s: _hold_or_fidget(c, d, s, hang_arms(s)))
            ctx.set_done(i, st, t0, ctx.heading)
            tl.phase(f"set {i + 1}", t0)
        t0 = tl.t
        tl.to(hang_arms(neutral), 1.0)
        tl.walk_to(hang_arms(near), speed=0.6, arm_swing=6.0)
        tl.phase("teardown", t0)


# ------------------------------------------------------------------------------ chainsaw row


class ChainsawRow:
    """Kettlebell chainsaw row from a staggered half lunge, free forearm on the front thigh."""

    def __init__(self, ctx: Ctx) -> None:
        self.first = ctx.spec.plan()[0].side

    @staticmethod
    def _step(tl: Timeline, pose: Pose, side: str, dur: float) -> None:
        """Move to ``pose`` lifting the ``side`` foot on the way."""
        t0 = tl.t
        tl.to(pose, dur)
        tl.layer(t0, tl.t, lambda t: {f"{side}_fz": 0.06 * np.sin(np.pi * np.clip(t / dur, 0, 1))}, 0.0)

    def heading_for(self, ctx: Ctx, side: str) -> float:
        turned = ctx.spec.turn_for_each_side and side != self.first
        return ctx.heading + (180.0 if turned else 0.0)

    def spot(self, ctx: Ctx, side: str | None = None) -> Pose:
        return standing(ctx.body, 0.0, 0.0, self.heading_for(ctx, side or self.first), width=0.95)

    def set_pose(self, ctx: Ctx, st: SetSpec, heading: float, hinge: float | None = None) -> Pose:
        body, u = ctx.body, ctx.u
        work, free = st.side[0], other(st.side)[0]
        stagger = u(0.0, 0.12) if "square_stance" in st.faults else u(0.4, 0.7)
        hinge = hinge if hinge is not None else (u(0, 20) if "upright_torso" in st.faults else u(35, 60))
        fwd = {work: -0.45 * stagger, free: 0.55 * stagger}
        pitch = {work: u(15, 30) if stagger > 0.3 else 0.0, free: 0.0}
        a = math.radians(heading)
        back = 0.10 * math.sin(math.radians(hinge))
        pose = hang_arms(Pose().set(x=-back * math.cos(a), y=-back * math.sin(a), yaw=heading))
        pose = stance(
            pose,
            body,
            (fwd["l"], fwd["r"]),
            width=u(0.9, 1.1),
            knee=u(15, 30),
            toe_out=u(4, 12),
            pitch=(pitch["l"], pitch["r"]),
        )
        pose = pose.set(tp=hinge, nf=u(-15, 5))
        pose = pose.arm(work, haz=5.0, hel=hinge - 90.0 + u(-5, 5), elbow=u(5, 15), bx=1.0, by=0.0, bz=0.0)
        pts = pose_points(body, pose)
        hip = np.array([pose["x"], pose["y"], pose["z"]])
        hip = hip + (SIDE_SIGN[free] * body.hip_w / 2) * np.array([-math.sin(a), math.cos(a), 0.0])
        if st.free_hand == "hanging":  # the free arm hangs plumb, like the working one
            return pose.arm(free, haz=5.0, hel=hinge - 90.0 + u(-5, 5), elbow=u(5, 15), bx=1.0, by=0.0, bz=0.0)
        forward = np.array([math.cos(a), math.sin(a), 0.0])
        knee = pts[KNEE[free]]
        if st.free_hand == "knee":
            target = knee + np.array([0.0, 0.0, 0.05])
        elif st.free_hand == "bench":  # a bench or a chair seat in front of the front foot
            target = knee + u(0.15, 0.3) * forward
            target[2] = u(0.42, 0.5)
        else:  # the forearm on the front thigh
            target = hip + 0.72 * (knee - hip) + np.array([0.0, 0.0, 0.07])
        pose = pose.arm(free, bx=0.3, by=-1.0, bz=-0.3, elbow=60.0, hel=-40.0)
        return arm_target(pose, free, target)

    def top(self, ctx: Ctx, start: Pose, st: SetSpec, rep: RepSpec) -> Pose:
        u, f = ctx.u, rep.faults
        work = st.side[0]
        if "partial_range" in f and st.partial_style == "swing" and start["tp"] >= 20:
            # the near-straight arm swings back from its hang, the upper arm stopping short of
            # 10 deg behind the trunk line (swing < hinge + 10); standing tall, that is no
            # swing at all, and a short pull bends the elbow instead
            hang = start[f"{work}_hel"]
            swing = min(u(25, 40), start["tp"] + 5.0)
            top = start.arm(work, hel=hang - swing, elbow=u(5, 20), pro=-0.02, elev=0.005)
            twist = u(20, 40) if "torso_rotation" in f else u(0, 4)
            return top.set(tt=start["tt"] + SIDE_SIGN[st.side] * twist)
        ext = u(-15, 5) if "partial_range" in f else u(40, 70)
        top = start.arm(
            work,
            hel=-90.0 - ext,
            haz=-8.0 if ext > 0 else 3.0,
            elbow=u(50, 75) if "partial_range" in f else u(80, 110),
            pro=-0.02,
            elev=0.005,
        )
        twist = u(20, 40) if "torso_rotation" in f else u(0, 4)
        return top.set(tt=start["tt"] + SIDE_SIGN[st.side] * twist)

    def reference(self, ctx: Ctx) -> list[Pose]:
        st = ctx.spec.plan()[0]
        s = self.set_pose(ctx, st, ctx.heading)
        return [s, self.top(ctx, s, st, RepSpec()), self.spot(ctx)]

    def perform(self, ctx: Ctx) -> None:
        tl, u = ctx.tl, ctx.u
        for i, st in enumerate(ctx.spec.plan()):
            heading = _near(self.heading_for(ctx, st.side), tl.pose["yaw"])
            stand = standing(ctx.body, 0.0, 0.0, heading, width=0.95)
            t0 = tl.t
            if abs(tl.pose["yaw"] - heading) > 5:
                walk_path(tl, np.array([tl.pose["x"], tl.pose["y"]]), heading, speed=0.8)
            tl.to(stand, 0.6)
            start = self.set_pose(ctx, st, heading)
            work, free = st.side[0], other(st.side)[0]
            # the free foot steps forward, then the working foot back into the half lunge
            step = hang_arms(start.set(tp=5.0, z=start["z"] + 0.03))
            mid = fit_height(
                stand.leg(free, **{k: step[f"{free}_{k}"] for k in ("fx", "fy", "fz", "fyaw", "fpitch")}),
                ctx.body,
                10.0,
            )
            self._step(tl, mid, free, u(0.5, 0.7))
            self._step(tl, step, work, u(0.6, 0.9))
            # hinge and pick the bell up
            pick = start.set(tp=start["tp"] + 12.0, z=start["z"] - 0.06)
            pick = pick.arm(work, hel=pick["tp"] - 90.0, elbow=2.0)
            tl.to(pick, u(1.0, 1.4))
            tl.hold(u(0.3, 0.6))
            tl.to(start, u(0.7, 1.0))
            tl.hold(u(0.3, 1.0))
            tl.phase("setup", t0, side=st.side)
            t0 = tl.t
            # between reps the bell comes back down, the arm straight or, pulling again
            # before it has fully lowered, still bent (rest_elbow)
            lowered = start.arm(work, elbow=st.rest_elbow) if st.rest_elbow else start
            starts = [start] + [lowered] * len(st.reps)
            tops = [self.top(ctx, start, st, r) for r in st.reps]
            run_reps(ctx, st, i, starts, tops, pause=lambda c, d, s: _hold_or_fidget(c, d, s, s.set(tt=0.0)))
            ctx.set_done(i, st, t0, heading)
            tl.phase(f"set {i + 1}", t0, side=st.side)
            t0 = tl.t
            tl.hold(u(0.2, 0.8))
            tl.to(pick, u(0.8, 1.2))
            tl.hold(u(0.2, 0.5))
            tl.to(step, u(0.9, 1.3))
            self._step(tl, mid, work, u(0.6, 0.9))
            self._step(tl, stand, free, u(0.5, 0.7))
            if i < len(ctx.spec.plan()) - 1:
                if ctx.spec.fidget:
                    shake_arms(tl, u(1.5, 3.0))
                    fidget(tl, max(ctx.spec.rest_s - 3.0, 1.0))
                else:
                    tl.hold(ctx.spec.rest_s)
            tl.phase("rest" if i < len(ctx.spec.plan()) - 1 else "teardown", t0)


# ------------------------------------------------------------------------------ superman


class Superman:
    """Prone alternating arm lifts (optional opposite-leg lift or leg curl)."""

    def __init__(self, ctx: Ctx) -> None:
        u = ctx.u
        self.spread = u(25, 40) if ctx.spec.superman_arms == "y" else u(4, 12)
        self.hip_z = u(0.10, 0.13) * ctx.body.height / 1.75
        self.feet = u(0.5, 1.0)
        self.rest = prone(
            ctx.body, 0.0, 0.0, ctx.heading, spread=self.spread, hip_z=self.hip_z, feet_width=self.feet
        ).set(nf=u(-5, 5))

    def spot(self, ctx: Ctx) -> Pose:
        return standing(ctx.body, -0.45, 0.0, ctx.heading, width=0.9)

    def top(self, ctx: Ctx, rep: RepSpec) -> Pose:
        body, u, f, rest = ctx.body, ctx.u, rep.faults, self.rest
        top = rest.copy()
        pts = pose_points(body, rest)
        arms = "lr" if "both_arms" in f else rep.side[0]
        rise = 0.0
        if "back_arch" in f:
            beta = float(np.clip(math.degrees(math.asin(u(0.08, 0.15) / body.trunk)), 10.0, 25.0))
            top = top.set(tp=rest["tp"] - beta)
            rise = body.trunk * math.sin(math.radians(beta))
        top = top.set(nf=-u(20, 40) if "neck_extension" in f else rest["nf"] + u(-4, 4))
        for p, s in SIDES:
            lift = (ctx.spec.superman_lift_m or u(0.08, 0.25)) if p in arms else 0.0
            z = pts[WRIST[p]][2] + (lift + 0.8 * rise if p in arms else 0.0)
            if p in arms or rise > 0:
                top = place_arm(
                    top,
                    body,
                    p,
                    ctx.heading + s * self.spread,
                    z,
                    np.array([0.0, 0.0, -1.0]),
                    u(0, 8) if p in arms else 8.0,
                )
        legs = "lr" if "both_arms" in f else other(rep.side)[0]
        for p, s in SIDES:
            if p not in legs or rep.legs == "none":
                continue
            a0, k0 = pts[ANKLE[p]], pts[KNEE[p]]
            if rep.legs == "leg_lift":
                hip = np.array([rest["x"], rest["y"], rest["z"]])
                hip = hip + body.hip_w / 2 * s * np.array(
                    [-math.sin(math.radians(ctx.heading)), math.cos(math.radians(ctx.heading)), 0.0]
                )
                length = np.linalg.norm(a0 - hip)
                z = a0[2] + u(0.05, 0.20)
                horiz = math.sqrt(max(length**2 - (z - hip[2]) ** 2, 0.0))
                d = (a0[:2] - hip[:2]) / np.linalg.norm(a0[:2] - hip[:2])
                a = np.r_[hip[:2] + horiz * d, z]
                top = top.leg(p, fx=a[0], fy=a[1], fz=a[2])
            else:
                c = u(60, 110)
                back = (a0 - k0) / np.linalg.norm(a0 - k0)
                c = math.radians(c)
                a = k0 + body.shank * (math.cos(c) * back + math.sin(c) * np.array([0.0, 0.0, 1.0]))
                top = top.leg(p, fx=a[0], fy=a[1], fz=a[2], fpitch=rest[f"{p}_fpitch"] + math.degrees(c))
        return top

    def reference(self, ctx: Ctx) -> list[Pose]:
        return [
            self.rest,
            self.top(ctx, RepSpec(faults=frozenset({"both_arms"}), side="left")),
            kneeling(ctx.body, -0.40, 0.0, ctx.heading),
        ]

    def get_down(self, ctx: Ctx) -> None:
        tl, body, u = ctx.tl, ctx.body, ctx.u
        h = ctx.heading
        squat = stance(tl.pose.set(tp=25.0), body, width=0.9, knee=85.0)
        tl.to(squat, u(0.8, 1.1))
        tl.to(kneeling(body, -0.40, 0.0, h), u(0.8, 1.2))
        tl.hold(u(0.2, 0.8))
        tl.to(all_fours(body, -0.40, 0.0, h), u(1.0, 1.4))
        tl.hold(u(0.2, 0.5))
        tl.to(prone_push(self.rest, body), u(1.2, 1.8))
        tl.to(self.rest, u(0.9, 1.4))

    def get_up(self, ctx: Ctx, then_stand: bool = True) -> None:
        tl, body, u = ctx.tl, ctx.body, ctx.u
        tl.to(prone_push(self.rest, body), u(0.8, 1.2))
        tl.to(all_fours(body, -0.40, 0.0, ctx.heading), u(1.0, 1.4))
        tl.to(kneeling(body, -0.40, 0.0, ctx.heading), u(0.9, 1.3))
        if then_stand:
            squat = stance(self.spot(ctx).set(tp=25.0), body, width=0.9, knee=85.0)
            tl.to(squat, u(0.9, 1.3))
            tl.to(self.spot(ctx), u(0.7, 1.0))

    def rest_between(self, ctx: Ctx) -> None:
        tl, u, dur = ctx.tl, ctx.u, ctx.spec.rest_s
        if ctx.rng.random() < 0.5 or not ctx.spec.fidget:
            down = prone_arms_down(self.rest, ctx.body).set(nt=float(ctx.rng.choice([-1, 1])) * u(40, 70))
            tl.to(down, u(1.2, 1.8))
            tl.hold(max(dur - 3.0, 0.5))
            tl.to(self.rest, u(1.2, 1.8))
        else:
            self.get_up(ctx, then_stand=False)
            shake_arms(tl, u(1.5, 3.0))
            look_around(tl, max(dur - 8.0, 1.0))
            tl.to(all_fours(ctx.body, -0.40, 0.0, ctx.heading), u(1.0, 1.4))
            tl.to(prone_push(self.rest, ctx.body), u(1.2, 1.8))
            tl.to(self.rest, u(0.9, 1.4))

    def perform(self, ctx: Ctx) -> None:
        tl, u = ctx.tl, ctx.u
        t0 = tl.t
        self.get_down(ctx)
        tl.hold(u(0.5, 1.5))
        tl.phase("setup", t0)
        plan = ctx.spec.plan()
        for i, st in enumerate(plan):
            if i > 0:
                t0 = tl.t
                self.rest_between(ctx)
                tl.hold(u(0.4, 1.0))  # settled on the mat, arms overhead, before the first lift
                tl.phase("rest", t0)
            t0 = tl.t
            starts = [self.rest] * (len(st.reps) + 1)
            tops = [self.top(ctx, r) for r in st.reps]
            run_reps(ctx, st, i, starts, tops, pause=lambda c, d, s: _hold_or_fidget(c, d, s, s.set(nt=u(-50, 50))))
            ctx.set_done(i, st, t0, ctx.heading)
            tl.phase(f"set {i + 1}", t0)
        t0 = tl.t
        tl.hold(u(0.3, 1.0))
        self.get_up(ctx)
        tl.phase("teardown", t0)


MOVES = {"reverse_fly": ReverseFly, "chainsaw_row": ChainsawRow, "superman": Superman}
