"""make_clip: a spec and a seed in, landmark frames and their exact ground truth out."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from scapula.vision.landmarks import Frame, Header, write_landmarks
from scapula.vision.skeleton import P

from .actions import offscreen_point, sway, walk_path
from .body import Body, forward_kinematics
from .camera import RECOMMENDED, Camera, fits, place_camera, visibility
from .moves import MOVES, Ctx
from .negatives import Negative
from .noise import (
    frame_times,
    hidden_copies,
    hidden_wrists,
    image_rows,
    mirror,
    structured_errors,
    swaps_and_dropouts,
    world_rows,
)
from .poses import SIDE_SIGN, standing
from .spec import Clip, ClipSpec, Truth
from .timeline import Timeline

_TORSO = [P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.LEFT_HIP, P.RIGHT_HIP]


def _camera(ctx: Ctx, move) -> tuple[Camera, dict]:
    spec = ctx.spec
    if spec.activity == "chainsaw_row":
        rec = RECOMMENDED["chainsaw_row"] * SIDE_SIGN[spec.plan()[0].side]
    elif spec.exercise is not None:
        rec = RECOMMENDED[spec.activity] * spec.view_side
    else:
        rec = float(ctx.rng.choice([0.0, 45.0, 90.0])) * spec.view_side
    azimuth = rec + spec.camera_yaw_deg
    ref = forward_kinematics(ctx.body, np.stack([p.v for p in move.reference(ctx)]))
    pts, torso = ref.reshape(-1, 3), ref[:, _TORSO].reshape(-1, 3)
    aim = (pts.min(axis=0) + pts.max(axis=0)) / 2
    dist = spec.camera_distance_m

    def cam(d: float) -> Camera:
        return place_camera(
            aim,
            ctx.heading + azimuth,
            d,
            spec.camera_height_m,
            spec.hfov_deg,
            spec.width,
            spec.height,
            spec.camera_roll_deg,
        )

    camera = cam(dist)
    if spec.fit_distance:
        while dist < 3.0 - 1e-9 and not fits(camera, pts):
            dist = min(dist + 0.1, 3.0)
            camera = cam(dist)
    # Hands or feet may leave the picture, but whoever films themselves checks that they
    # are in it: the trunk of every position of the move stays in frame.
    while dist < 4.0 and not fits(camera, torso, 0.0):
        dist += 0.1
        camera = cam(dist)
    view = {
        "recommended_azimuth_deg": rec,
        "camera_yaw_deg": spec.camera_yaw_deg,
        "azimuth_deg": round(azimuth, 3),
        "distance_m": round(dist, 3),
        "height_m": spec.camera_height_m,
        "aim": np.round(aim, 4).tolist(),
        "orientation": "portrait" if spec.height > spec.width else "landscape",
        "body_fits": fits(camera, pts, 0.0),
        "camera": camera.to_json(),
        "near_side": "left" if math.sin(math.radians(azimuth)) > 0 else "right",
    }
    return camera, view


def run_session(ctx: Ctx, move) -> None:
    """Walk in (or stand there), do the activity, walk out (or stand there)."""
    spec, body, rng, u = ctx.spec, ctx.body, ctx.rng, ctx.u
    spot = move.spot(ctx)
    spot_xy = np.array([spot["x"], spot["y"]])
    if spec.walk_in:
        start_xy = offscreen_point(ctx.camera, np.r_[spot_xy, 0.0], float(rng.choice([-1, 1])))
        d = spot_xy - start_xy
        ctx.tl = tl = Timeline(body, standing(body, *start_xy, math.degrees(math.atan2(d[1], d[0]))), rng)
        tl.hold(spec.lead_in_s)
        t0 = tl.t
        walk_path(tl, spot_xy, final_yaw=spot["yaw"], speed=u(0.8, 1.2))
        tl.to(spot, 0.5)
        tl.phase("walk_in", t0)
    else:
        ctx.tl = tl = Timeline(body, spot, rng)
        tl.hold(spec.lead_in_s)
        tl.phase("idle", 0.0)
    move.perform(ctx)
    t0 = tl.t
    if spec.walk_out:
        here = np.r_[tl.pose["x"], tl.pose["y"], 0.0]
        walk_path(tl, offscreen_point(ctx.camera, here, float(rng.choice([-1, 1])), extra=1.2), speed=u(0.8, 1.2))
        tl.hold(u(0.5, 2.0))
        tl.phase("walk_out", t0)
    else:
        tl.hold(u(1.0, 2.5))
        tl.phase("idle", t0)
    sway(tl, 0.0, tl.t, amp=0.8)


def make_clip(spec: ClipSpec, seed: int) -> Clip:
    seeds = np.random.SeedSequence(int(seed)).spawn(5)  # the first four as they always were
    r_motion, r_time, r_noise, r_vis, r_hide = (np.random.default_rng(s) for s in seeds)
    body = Body(spec.height_m, spec.shoulder_ratio, spec.hip_ratio)
    ctx = Ctx(spec, body, r_motion)
    move = MOVES[spec.activity](ctx) if spec.exercise else Negative(ctx)
    ctx.camera, view = _camera(ctx, move)
    run_session(ctx, move)
    tl, camera = ctx.tl, ctx.camera

    times = frame_times(tl.t, spec.fps, spec.noise, r_time)
    v = tl.sample(times)
    pts = forward_kinematics(body, v)
    pc_true = camera.to_camera(pts)
    xy = camera.project(pc_true[:, _TORSO])
    inside = (pc_true[:, _TORSO, 2] > 0.2) & np.all((xy >= 0) & (xy <= 1), axis=-1)
    present = inside.sum(axis=1) >= 3
    vis, occl = visibility(camera, pts, pc_true, v, r_vis)
    pc, events = structured_errors(pc_true, times, present, spec.noise, r_noise)
    hidden = hidden_wrists(camera, pts)
    pc, vis, copied = hidden_copies(pc, vis, hidden, times, spec.noise, r_hide)
    view["hidden_wrist_share"] = copied
    view["hidden_at_peaks"] = {
        side: round(float(np.mean([hidden[side][np.argmin(np.abs(times - r.peak_s))] for r in reps])), 3)
        for side in ("left", "right")
        if (reps := [r for r in ctx.reps if r.side == side])
    }
    image = image_rows(camera, pc, vis, occl, spec.noise, r_noise)
    world = world_rows(pc, occl, spec.noise, r_noise)
    swapped, dropped, more = swaps_and_dropouts(times, present, spec.noise, r_noise)
    image[swapped], world[swapped] = mirror(image[swapped]), mirror(world[swapped])
    present &= ~dropped
    frames = [
        Frame(float(t), image[i], world[i]) if present[i] else Frame(float(t), None, None) for i, t in enumerate(times)
    ]
    truth = Truth(
        activity=spec.activity,
        exercise=spec.exercise,
        reps=list(ctx.reps),
        counts=spec.expected_counts(),
        view=view,
        sets=list(ctx.sets),
        phases=list(tl.phases),
        events=events + more,
        duration_s=round(float(tl.t), 4),
        frames_total=len(frames),
        frames_with_person=int(present.sum()),
        seed=int(seed),
        spec=spec.to_json(),
    )
    header = Header(
        fps=float(spec.fps), width=spec.width, height=spec.height, source=f"tests.synth {spec.activity} seed={seed}"
    )
    return Clip(header, frames, truth)


def truth_path(path: Path | str) -> Path:
    return Path(path).with_suffix(".truth.json")


def write_clip(clip: Clip, path: Path | str) -> None:
    """The §2 landmark file at ``path`` and the truth beside it (``.truth.json``)."""
    path = Path(path)
    write_landmarks(path, clip.header, clip.frames)
    truth_path(path).write_text(json.dumps(clip.truth.to_json(), indent=1) + "\n", encoding="utf-8")


def session(spec: ClipSpec, seed: int) -> Ctx:
    """The clip's noise-free session as ``make_clip`` draws it (the same seed, the same
    motion): its body, camera, timeline (``ctx.tl``) and true reps."""
    seeds = np.random.SeedSequence(int(seed)).spawn(4)
    body = Body(spec.height_m, spec.shoulder_ratio, spec.hip_ratio)
    ctx = Ctx(spec, body, np.random.default_rng(seeds[0]))
    move = MOVES[spec.activity](ctx) if spec.exercise else Negative(ctx)
    ctx.camera, _ = _camera(ctx, move)
    run_session(ctx, move)
    return ctx


def pose_track(spec: ClipSpec, seed: int, times: np.ndarray | None = None) -> dict:
    """The noise-free motion of a clip for tests: times, floor-frame points (N, 33, 3), camera."""
    ctx = session(spec, seed)
    if times is None:
        times = np.arange(0.0, ctx.tl.t, 1.0 / spec.fps)
    return {
        "times": times,
        "points": forward_kinematics(ctx.body, ctx.tl.sample(times)),
        "camera": ctx.camera,
        "body": ctx.body,
        "reps": ctx.reps,
    }
