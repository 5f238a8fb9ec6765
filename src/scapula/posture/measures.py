"""The posture measures of one frame of landmarks: pure geometry, no I/O.

Angles come from the picture (``image`` landmarks in pixels): a phone upright at shoulder
height sees the body's vertical as the picture's vertical, so an angle against the
picture's vertical is the angle against gravity as long as the camera is level (the capture
checks look for a tilted camera in the standing body).

Distances in cm: the same offsets in the picture, put in metres with the scale of the
metric ``world`` landmarks (metres, hip-centred, the camera's axes: x right, y down,
z away): trunk length (side) or shoulder width (front) in metres over the same length in
pixels. ``world_cm`` also reads the offsets in the world landmarks alone ("up" = the
camera's -y axis); on real photos BlazePose's world landmarks flatten small asymmetries
(the astronaut photo: shoulders 4.9 degrees off level in the picture, 0.2 cm apart in the
world points), so the scaled picture offset is the one reported as the distance.

Sign conventions (shared with ``norms.py``):
- side: ``head_forward`` > 0 when the ear is ahead of the shoulder (in the direction the
  face points), ``shoulder_forward`` > 0 when the shoulder is ahead of the hip;
- front: ``shoulder_height`` > 0 when the athlete's left shoulder is higher,
  ``head_tilt`` > 0 when the left ear is higher (head tilted toward the right shoulder).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scapula.posture.norms import HEAD_FORWARD, HEAD_TILT, SHOULDER_FORWARD, SHOULDER_HEIGHT
from scapula.vision.skeleton import SIDE_POINTS, P

# Shoulder + hip width over trunk length of an average adult (BlazePose world landmarks put
# the hip points at the joint centres): used only when a landmark file has no world points.
_WIDTH_OVER_TRUNK = 1.05
_UP = np.array([0.0, -1.0, 0.0])


@dataclass(frozen=True, eq=False)
class Shot:
    """One frame's landmarks and the size of the picture they were found in."""

    image: np.ndarray  # (33, 4): x, y normalised (y down), z, visibility
    world: np.ndarray | None  # (33, 3) metres, or None
    width: int
    height: int

    @property
    def px(self) -> np.ndarray:
        """(33, 2) pixel coordinates, y down."""
        return self.image[:, :2] * np.array([self.width, self.height], dtype=float)

    def visibility(self, p: P) -> float:
        return float(self.image[p, 3])


@dataclass(frozen=True)
class Measured:
    """The measures of one frame: degrees (and cm when world landmarks exist)."""

    view: str
    angles: dict[str, float]
    cm: dict[str, float | None]
    body_tilt_deg: float | None  # the standing body's long axis against the picture's vertical
    near_side: str | None = None  # side view: the side facing the camera
    facing: int = 0  # side view: +1 the face points to the picture's right, -1 left
    world_cm: dict[str, float | None] | None = None  # the offsets read in the world landmarks alone


def _mid(a: np.ndarray, p: P, q: P) -> np.ndarray:
    return (a[p] + a[q]) / 2.0


def _deg_from_vertical(forward: float, up: float) -> float:
    return math.degrees(math.atan2(forward, up))


def turn_deg(shot: Shot, hips_in_picture: bool = True, near_front: bool = False) -> float:
    """How far the body is turned from square-on to the camera: 0 facing it (or its back to
    it), 90 side-on. The shoulders' and hips' width in the picture against their width in
    the world landmarks, both scaled by the trunk length (which turning does not shorten):
    well-conditioned near side-on, where the width changes fast with the turn. Near
    square-on (``near_front``) the width hardly changes (cos), so a few % of noise would
    read as 20 degrees: there, and when the hips are not in the picture, the direction of
    the shoulder and hip lines in the world landmarks' depth is used instead."""
    if (near_front or not hips_in_picture) and shot.world is not None:
        w = shot.world
        d = w[P.LEFT_SHOULDER] - w[P.RIGHT_SHOULDER]
        if hips_in_picture:
            d = d + w[P.LEFT_HIP] - w[P.RIGHT_HIP]
        return math.degrees(math.atan2(abs(d[2]), abs(d[0])))
    px = shot.px
    wide = abs(px[P.LEFT_SHOULDER, 0] - px[P.RIGHT_SHOULDER, 0]) + abs(px[P.LEFT_HIP, 0] - px[P.RIGHT_HIP, 0])
    trunk_px = float(np.linalg.norm(_mid(px, P.LEFT_SHOULDER, P.RIGHT_SHOULDER) - _mid(px, P.LEFT_HIP, P.RIGHT_HIP)))
    if shot.world is not None:
        w = shot.world
        full = np.linalg.norm(w[P.LEFT_SHOULDER] - w[P.RIGHT_SHOULDER]) + np.linalg.norm(w[P.LEFT_HIP] - w[P.RIGHT_HIP])
        trunk = float(np.linalg.norm(_mid(w, P.LEFT_SHOULDER, P.RIGHT_SHOULDER) - _mid(w, P.LEFT_HIP, P.RIGHT_HIP)))
        expected = trunk_px * float(full / max(trunk, 1e-6))
    else:
        expected = trunk_px * _WIDTH_OVER_TRUNK
    ratio = float(np.clip(wide / max(expected, 1e-6), 0.0, 1.0))
    return math.degrees(math.acos(ratio))


def near_side(shot: Shot) -> str:
    """The side facing the camera: nearer in the world landmarks' depth, else more visible."""
    pts = ("ear", "shoulder", "hip")
    if shot.world is not None:
        depth = {s: sum(shot.world[SIDE_POINTS[s][k], 2] for k in pts) for s in ("left", "right")}
        return "left" if depth["left"] < depth["right"] else "right"
    seen = {s: sum(shot.visibility(SIDE_POINTS[s][k]) for k in pts) for s in ("left", "right")}
    return "left" if seen["left"] >= seen["right"] else "right"


def facing_sign(shot: Shot, side: str) -> int:
    """+1 when the face points to the picture's right, -1 to its left (side view): the nose
    is ahead of the ear; the toes ahead of the heel when the head says nothing."""
    px = shot.px
    ahead = px[P.NOSE, 0] - px[SIDE_POINTS[side]["ear"], 0]
    if abs(ahead) < 1e-6:
        toe, heel = (P.LEFT_FOOT_INDEX, P.LEFT_HEEL) if side == "left" else (P.RIGHT_FOOT_INDEX, P.RIGHT_HEEL)
        ahead = px[toe, 0] - px[heel, 0]
    return 1 if ahead >= 0 else -1


def _world_forward(world: np.ndarray, facing: int) -> np.ndarray:
    """The athlete's forward direction, horizontal (square to the camera's -y axis)."""
    across = (world[P.LEFT_SHOULDER] - world[P.RIGHT_SHOULDER]) + (world[P.LEFT_HIP] - world[P.RIGHT_HIP])
    across = across - np.dot(across, _UP) * _UP
    forward = np.cross(across, _UP)
    norm = np.linalg.norm(forward)
    if norm < 1e-9:
        return np.array([float(facing), 0.0, 0.0])
    forward = forward / norm
    if facing and forward[0] * facing < 0:
        forward = -forward  # depth is the weakest part of the world landmarks: trust the face
    return forward


def side_measures(shot: Shot, side: str | None = None, facing: int | None = None) -> Measured:
    """``side`` / ``facing`` fix the near side and the facing direction (a clip's frames use
    the ones of their median frame); found from this frame when None."""
    side = side or near_side(shot)
    s = facing or facing_sign(shot, side)
    px = shot.px
    pts = SIDE_POINTS[side]
    ear, shoulder, hip, ankle = (px[pts[k]] for k in ("ear", "shoulder", "hip", "ankle"))
    # y grows downward in the picture, so "up" is the negative y difference
    angles = {
        HEAD_FORWARD: _deg_from_vertical(s * (ear[0] - shoulder[0]), shoulder[1] - ear[1]),
        SHOULDER_FORWARD: _deg_from_vertical(s * (shoulder[0] - hip[0]), hip[1] - shoulder[1]),
    }
    tilt = _deg_from_vertical(s * (hip[0] - ankle[0]), ankle[1] - hip[1])
    cm: dict[str, float | None] = {HEAD_FORWARD: None, SHOULDER_FORWARD: None}
    world_cm: dict[str, float | None] | None = None
    scale = metres_per_px(shot)
    if scale is not None and shot.world is not None:  # a scale comes from the world points
        cm = {
            HEAD_FORWARD: 100.0 * scale * s * float(ear[0] - shoulder[0]),
            SHOULDER_FORWARD: 100.0 * scale * s * float(shoulder[0] - hip[0]),
        }
        w = shot.world
        fwd = _world_forward(w, s)
        ears = _mid(w, P.LEFT_EAR, P.RIGHT_EAR)
        shoulders = _mid(w, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
        hips = _mid(w, P.LEFT_HIP, P.RIGHT_HIP)
        world_cm = {
            HEAD_FORWARD: 100.0 * float(np.dot(ears - shoulders, fwd)),
            SHOULDER_FORWARD: 100.0 * float(np.dot(shoulders - hips, fwd)),
        }
    return Measured("side", angles, cm, tilt, side, s, world_cm)


def faces_camera(shot: Shot) -> bool:
    """Front view: the athlete's left shoulder is on the picture's right (facing the camera)."""
    px = shot.px
    return bool(px[P.LEFT_SHOULDER, 0] > px[P.RIGHT_SHOULDER, 0])


def _level_deg(px: np.ndarray, left: P, right: P) -> float:
    """The left-right line against the horizontal, positive when the left point is higher."""
    return math.degrees(math.atan2(px[right, 1] - px[left, 1], px[left, 0] - px[right, 0]))


def front_measures(shot: Shot, feet_seen: bool = True, hips_seen: bool = True) -> Measured:
    px = shot.px
    angles = {
        SHOULDER_HEIGHT: _level_deg(px, P.LEFT_SHOULDER, P.RIGHT_SHOULDER),
        HEAD_TILT: _level_deg(px, P.LEFT_EAR, P.RIGHT_EAR),
    }
    shoulders = _mid(px, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
    base = (
        _mid(px, P.LEFT_ANKLE, P.RIGHT_ANKLE) if feet_seen else _mid(px, P.LEFT_HIP, P.RIGHT_HIP) if hips_seen else None
    )
    tilt = None if base is None else _deg_from_vertical(shoulders[0] - base[0], base[1] - shoulders[1])
    cm: dict[str, float | None] = {SHOULDER_HEIGHT: None, HEAD_TILT: None}
    world_cm: dict[str, float | None] | None = None
    if shot.world is not None:
        w = shot.world  # y down: the left point is higher when its y is smaller
        # the picture's scale at the shoulders: their width in metres over their width in pixels
        width_px = float(np.linalg.norm(px[P.LEFT_SHOULDER] - px[P.RIGHT_SHOULDER]))
        width_m = float(np.linalg.norm(w[P.LEFT_SHOULDER, :2] - w[P.RIGHT_SHOULDER, :2]))
        scale = width_m / max(width_px, 1e-6)
        cm = {
            SHOULDER_HEIGHT: 100.0 * scale * float(px[P.RIGHT_SHOULDER, 1] - px[P.LEFT_SHOULDER, 1]),
            HEAD_TILT: 100.0 * scale * float(px[P.RIGHT_EAR, 1] - px[P.LEFT_EAR, 1]),
        }
        world_cm = {
            SHOULDER_HEIGHT: 100.0 * float(w[P.RIGHT_SHOULDER, 1] - w[P.LEFT_SHOULDER, 1]),
            HEAD_TILT: 100.0 * float(w[P.RIGHT_EAR, 1] - w[P.LEFT_EAR, 1]),
        }
    return Measured("front", angles, cm, tilt, world_cm=world_cm)


def torso_centre_px(shot: Shot) -> np.ndarray:
    px = shot.px
    return (px[P.LEFT_SHOULDER] + px[P.RIGHT_SHOULDER] + px[P.LEFT_HIP] + px[P.RIGHT_HIP]) / 4.0


def metres_per_px(shot: Shot) -> float | None:
    """The picture's scale at the body, from the trunk's length in pixels and in metres."""
    if shot.world is None:
        return None
    px = shot.px
    trunk_px = np.linalg.norm(_mid(px, P.LEFT_SHOULDER, P.RIGHT_SHOULDER) - _mid(px, P.LEFT_HIP, P.RIGHT_HIP))
    w = shot.world
    trunk = np.linalg.norm(_mid(w, P.LEFT_SHOULDER, P.RIGHT_SHOULDER) - _mid(w, P.LEFT_HIP, P.RIGHT_HIP))
    return float(trunk / trunk_px) if trunk_px > 1 else None
