"""Synthetic posture captures with known angles: a standing body of ``tests.synth`` posed with
a forward head, a trunk lean, protracted or uneven shoulders or a tilted head, seen by a
pinhole camera, written as a landmark file (docs/contracts.md §2).

The truth is computed here from the noise-free 3D points in the floor frame (z up), in
the athlete's own sagittal (side) or frontal (front) plane: it never looks at the picture,
so it checks the measure's projection, near-side choice and sign conventions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scapula.vision.landmarks import Frame, Header, write_landmarks
from scapula.vision.skeleton import P
from tests.synth.body import Body, pose_points
from tests.synth.camera import place_camera
from tests.synth.poses import standing

_LEFT_POINTS = {int(p) for p in P if p.name.startswith("LEFT")}
_RIGHT_POINTS = {int(p) for p in P if p.name.startswith("RIGHT")}


@dataclass(frozen=True)
class Scene:
    view: str = "side"  # which camera the guidance asks for: side (athlete's left) or front
    camera_side: float = 1.0  # side view: +1 camera at the athlete's left, -1 at their right
    neck_flex: float = 0.0  # head pitched forward (deg): the ear moves ahead of the shoulder
    trunk_lean: float = 0.0  # trunk flexed forward at the hips (deg)
    protraction: float = 0.0  # both shoulders drawn forward (m)
    shrug_left: float = 0.0  # left shoulder raised (m)
    head_side: float = 0.0  # ear toward the left shoulder (deg)
    heading: float = 0.0  # where the athlete faces in the floor frame (deg)
    turn: float = 0.0  # camera moved round the athlete from the view's ideal (deg)
    roll: float = 0.0  # camera rolled about its optical axis (deg)
    distance: float = 2.5  # m
    aim_rise: float = 0.0  # aim point above shoulder height (m): > 0.8 cuts the feet off
    hfov: float = 50.0
    width: int = 1080
    height: int = 1920
    frames: int = 1
    fps: float = 10.0
    jitter_px: float = 0.0
    jitter_mm: float = 0.0
    sway_cm: float = 0.0  # the body drifts this far forward and back over the clip
    jump_m: float = 0.0  # a clip whose second half is another body this far to the side
    hide: tuple[str, ...] = ()  # points reported with visibility 0.1 ("ankle", "ear")
    seed: int = 0
    height_m: float = 1.75


def _pose(s: Scene, body: Body, x: float = 0.0, y: float = 0.0):
    pose = standing(body, x=x, y=y, yaw=s.heading)
    pose = pose.set(nf=s.neck_flex, tp=s.trunk_lean, nl=s.head_side)
    pose = pose.arm("l", pro=s.protraction, elev=s.shrug_left).arm("r", pro=s.protraction)
    return pose


def truth(s: Scene) -> dict[str, tuple[float, float]]:
    """{measure: (degrees, cm)} from the floor-frame points of the noise-free pose."""
    body = Body(s.height_m)
    pts = pose_points(body, _pose(s, body))
    a = math.radians(s.heading)
    fwd, left = np.array([math.cos(a), math.sin(a), 0.0]), np.array([-math.sin(a), math.cos(a), 0.0])
    up = np.array([0, 0, 1.0])
    if s.view == "side":
        near = "LEFT" if s.camera_side > 0 else "RIGHT"
        ear, sh, hip = (pts[P[f"{near}_{k}"]] for k in ("EAR", "SHOULDER", "HIP"))
        mid = lambda a_, b_: (pts[a_] + pts[b_]) / 2  # noqa: E731
        ears, shs = mid(P.LEFT_EAR, P.RIGHT_EAR), mid(P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
        hips = mid(P.LEFT_HIP, P.RIGHT_HIP)
        return {
            "head_forward": (
                math.degrees(math.atan2(np.dot(ear - sh, fwd), np.dot(ear - sh, up))),
                100 * float(np.dot(ears - shs, fwd)),
            ),
            "shoulder_forward": (
                math.degrees(math.atan2(np.dot(sh - hip, fwd), np.dot(sh - hip, up))),
                100 * float(np.dot(shs - hips, fwd)),
            ),
        }

    def level(lp: P, rp: P) -> tuple[float, float]:
        d = pts[lp] - pts[rp]
        return math.degrees(math.atan2(d[2], np.dot(d, left))), 100 * float(d[2])

    return {"shoulder_height": level(P.LEFT_SHOULDER, P.RIGHT_SHOULDER), "head_tilt": level(P.LEFT_EAR, P.RIGHT_EAR)}


def frames(s: Scene) -> tuple[Header, list[Frame]]:
    rng = np.random.default_rng(s.seed)
    body = Body(s.height_m)
    base = pose_points(body, _pose(s, body))
    shoulder_z = float((base[P.LEFT_SHOULDER, 2] + base[P.RIGHT_SHOULDER, 2]) / 2)
    centre = (base[P.LEFT_HIP] + base[P.RIGHT_HIP]) / 2
    ideal = (90.0 * s.camera_side) if s.view == "side" else 0.0
    aim = np.array([centre[0], centre[1], shoulder_z + s.aim_rise])
    camera = place_camera(aim, s.heading + ideal + s.turn, s.distance, shoulder_z, s.hfov, s.width, s.height, s.roll)
    athlete_left = [-math.sin(math.radians(s.heading)), math.cos(math.radians(s.heading))]
    camera_left = np.dot(camera.position[:2] - centre[:2], athlete_left) > 0
    out = []
    a = math.radians(s.heading)
    for i in range(s.frames):
        shift = s.sway_cm / 100 * math.sin(2 * math.pi * i / max(s.frames, 2))
        x, y = shift * math.cos(a), shift * math.sin(a)
        if s.jump_m and i >= s.frames // 2:
            x, y = x - s.jump_m * math.sin(a), y + s.jump_m * math.cos(a)
        body_pts = pose_points(body, _pose(s, body, x, y))
        pc = camera.to_camera(body_pts)
        xy = camera.project(pc)
        if s.jitter_px:
            xy = xy + rng.normal(size=xy.shape) * s.jitter_px / np.array([s.width, s.height])
        hip_depth = pc[[P.LEFT_HIP, P.RIGHT_HIP], 2].mean()
        z = (pc[:, 2] - hip_depth) * camera.focal_px / s.width / hip_depth
        vis = np.full(len(P), 0.95)
        if s.view == "side":  # the far side is partly hidden behind the body
            far = _RIGHT_POINTS if camera_left else _LEFT_POINTS
            vis[list(far)] = 0.6
        if s.view == "front" and abs(s.turn) > 150:  # back to the camera: the face is hidden
            vis[: int(P.MOUTH_RIGHT) + 1] = 0.3
        outside = ~np.all((xy >= 0) & (xy <= 1), axis=1)
        vis[outside] = 0.1
        for name in s.hide:
            vis[[P[f"LEFT_{name.upper()}"], P[f"RIGHT_{name.upper()}"]]] = 0.1
        image = np.column_stack([xy, z, vis])
        world = pc - (pc[P.LEFT_HIP] + pc[P.RIGHT_HIP]) / 2
        if s.jitter_mm:
            world = world + rng.normal(size=world.shape) * s.jitter_mm / 1000
        out.append(Frame(round(i / s.fps, 4), image, world))
    header = Header(fps=s.fps, width=s.width, height=s.height, source=f"tests.posture_fixtures {s}")
    return header, out


def write(path: Path, s: Scene) -> dict[str, tuple[float, float]]:
    header, fs = frames(s)
    write_landmarks(path, header, fs)
    return truth(s)
