"""A pinhole camera (phone or laptop) looking at the athlete, and what it sees."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scapula.vision.skeleton import P

from .body import frames_of

# Where the advice puts the camera (azimuth about the athlete, 0 in front of the chest, 90 at
# the side); supermans: at the side, turned 30 deg toward the head end of the mat, so the
# far arm is not hidden behind the near one and the head (the catalog's filming advice)
RECOMMENDED = {"reverse_fly": 45.0, "chainsaw_row": 90.0, "superman": 60.0}

_LEFT = np.array([int(p) for p in P if p.name.startswith("LEFT")])
_RIGHT = np.array([int(p) for p in P if p.name.startswith("RIGHT")])
_UPPER = {
    P.LEFT_SHOULDER,
    P.LEFT_ELBOW,
    P.LEFT_WRIST,
    P.LEFT_PINKY,
    P.LEFT_INDEX,
    P.LEFT_THUMB,
    P.RIGHT_SHOULDER,
    P.RIGHT_ELBOW,
    P.RIGHT_WRIST,
    P.RIGHT_PINKY,
    P.RIGHT_INDEX,
    P.RIGHT_THUMB,
}
_FACE = np.array([int(p) for p in P if int(p) <= int(P.MOUTH_RIGHT)])


@dataclass(frozen=True, eq=False)
class Camera:
    position: np.ndarray  # floor frame, metres
    rotation: np.ndarray  # rows: the camera's x (right), y (down), z (forward) in the floor frame
    width: int
    height: int
    hfov_deg: float

    @property
    def focal_px(self) -> float:
        return self.width / 2 / math.tan(math.radians(self.hfov_deg) / 2)

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        return (np.asarray(pts) - self.position) @ self.rotation.T

    def project(self, pc: np.ndarray) -> np.ndarray:
        """Camera-frame points (..., 3) to normalised image x, y (..., 2), y down."""
        z = np.maximum(pc[..., 2], 1e-3)
        f = self.focal_px
        return np.stack(
            [(f * pc[..., 0] / z + self.width / 2) / self.width, (f * pc[..., 1] / z + self.height / 2) / self.height],
            -1,
        )

    def to_json(self) -> dict:
        return {
            "position": np.round(self.position, 4).tolist(),
            "rotation": np.round(self.rotation, 6).tolist(),
            "width": self.width,
            "height": self.height,
            "hfov_deg": round(self.hfov_deg, 3),
            "focal_px": round(self.focal_px, 3),
        }


def look_at(position: np.ndarray, target: np.ndarray, roll_deg: float = 0.0) -> np.ndarray:
    fwd = np.asarray(target, float) - np.asarray(position, float)
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    if np.linalg.norm(right) < 1e-6:
        right = np.array([1.0, 0.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    r = math.radians(roll_deg)
    right, down = math.cos(r) * right + math.sin(r) * down, -math.sin(r) * right + math.cos(r) * down
    return np.stack([right, down, fwd])


def place_camera(
    aim: np.ndarray,
    azimuth_deg: float,
    distance: float,
    height: float,
    hfov_deg: float,
    width: int,
    height_px: int,
    roll_deg: float = 0.0,
) -> Camera:
    """The camera ``distance`` metres (horizontally) from ``aim`` at floor-frame azimuth
    ``azimuth_deg``, ``height`` metres above the floor, aimed at ``aim``."""
    a = math.radians(azimuth_deg)
    pos = np.array([aim[0] + distance * math.cos(a), aim[1] + distance * math.sin(a), height])
    return Camera(pos, look_at(pos, aim, roll_deg), width, height_px, hfov_deg)


def fits(camera: Camera, pts: np.ndarray, margin: float = 0.03) -> bool:
    pc = camera.to_camera(pts.reshape(-1, 3))
    xy = camera.project(pc)
    return bool(np.all(pc[:, 2] > 0.2) and np.all((xy > margin) & (xy < 1 - margin)))


def visibility(
    camera: Camera, pts: np.ndarray, pc: np.ndarray, v: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Visibility (N, 33) in 0..1 and occlusion (N, 33) in 0..1 (how far-side a point is).

    Near-side limbs score 0.8-1.0, far-side limbs 0.2-0.7 depending on how side-on the view
    is, the face less when it is turned away; points outside the image score low.
    """
    n = len(pts)
    rp, rt, rh = frames_of(v)
    centre = pts.mean(axis=1)
    to_cam = camera.position - centre
    to_cam /= np.linalg.norm(to_cam, axis=1, keepdims=True)
    occl = np.zeros((n, pts.shape[1]))
    left_up = np.einsum("ni,ni->n", rt[:, :, 1], to_cam)
    left_low = np.einsum("ni,ni->n", rp[:, :, 1], to_cam)
    for idx, sign in ((_LEFT, 1.0), (_RIGHT, -1.0)):
        for i in idx:
            side = left_up if i in _UPPER or i <= int(P.MOUTH_RIGHT) else left_low
            occl[:, i] = np.clip(-sign * side, 0.0, 1.0)
    facing = np.einsum("ni,ni->n", rh[:, :, 0], to_cam)
    occl[:, _FACE] = np.maximum(occl[:, _FACE], np.clip(-facing, 0.0, 1.0)[:, None])
    base = rng.uniform(0.88, 0.995, pts.shape[1])
    k = pts.shape[1]
    slow = 0.03 * np.sin(np.arange(n)[:, None] * rng.uniform(0.02, 0.1, k) + rng.uniform(0, 6.3, k))
    vis = (base + slow) * (1.0 - 0.72 * occl) + rng.normal(0.0, 0.015, occl.shape)
    xy = camera.project(pc)
    inside = (pc[..., 2] > 0.1) & np.all((xy > -0.02) & (xy < 1.02), axis=-1)
    vis = np.where(inside, vis, vis * 0.12)
    return np.clip(vis, 0.0, 1.0), occl
