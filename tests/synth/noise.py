"""The pose estimator's imperfections: irregular timestamps, dropped frames, jitter, limb
wander, glitches, left/right swaps and dropouts."""

from __future__ import annotations

import math

import numpy as np

from scapula.vision.skeleton import MIRROR, P

from .camera import Camera
from .spec import NoiseSpec
from .timeline import wobble

_HAND = {
    P.LEFT_WRIST: (P.LEFT_PINKY, P.LEFT_INDEX, P.LEFT_THUMB),
    P.RIGHT_WRIST: (P.RIGHT_PINKY, P.RIGHT_INDEX, P.RIGHT_THUMB),
    P.LEFT_ANKLE: (P.LEFT_HEEL, P.LEFT_FOOT_INDEX),
    P.RIGHT_ANKLE: (P.RIGHT_HEEL, P.RIGHT_FOOT_INDEX),
}
_LIMBS = {
    "left_arm": {P.LEFT_ELBOW: 0.5, P.LEFT_WRIST: 1.0, P.LEFT_PINKY: 1.0, P.LEFT_INDEX: 1.0, P.LEFT_THUMB: 1.0},
    "right_arm": {P.RIGHT_ELBOW: 0.5, P.RIGHT_WRIST: 1.0, P.RIGHT_PINKY: 1.0, P.RIGHT_INDEX: 1.0, P.RIGHT_THUMB: 1.0},
    "left_leg": {P.LEFT_KNEE: 0.5, P.LEFT_ANKLE: 1.0, P.LEFT_HEEL: 1.0, P.LEFT_FOOT_INDEX: 1.0},
    "right_leg": {P.RIGHT_KNEE: 0.5, P.RIGHT_ANKLE: 1.0, P.RIGHT_HEEL: 1.0, P.RIGHT_FOOT_INDEX: 1.0},
    "head": {p: 1.0 for p in P if int(p) <= int(P.MOUTH_RIGHT)},
}
_GLITCHY = (
    P.LEFT_WRIST,
    P.RIGHT_WRIST,
    P.LEFT_WRIST,
    P.RIGHT_WRIST,
    P.LEFT_ELBOW,
    P.RIGHT_ELBOW,
    P.LEFT_ANKLE,
    P.RIGHT_ANKLE,
)


def frame_times(duration: float, fps: float, noise: NoiseSpec, rng: np.random.Generator) -> np.ndarray:
    """Timestamps at nominal ``fps`` with jitter, some rows missing (alone or 2-3 in a row)."""
    n = int(math.floor(duration * fps)) + 1
    t = np.arange(n) / fps + rng.uniform(-1.0, 1.0, n) * noise.timing_jitter / fps
    keep = np.ones(n, bool)
    if noise.drop_frame_prob > 0:
        for i in np.flatnonzero(rng.random(n) < noise.drop_frame_prob):
            keep[i : i + (int(rng.integers(2, 4)) if rng.random() < 0.3 else 1)] = False
        keep[0] = True
    return np.maximum(t[keep], 0.0)


def _events(rng: np.random.Generator, per_min: float, times: np.ndarray, ok: np.ndarray) -> list[int]:
    cand = np.flatnonzero(ok)
    if per_min <= 0 or len(cand) == 0:
        return []
    k = rng.poisson(per_min * (times[-1] - times[0]) / 60.0)
    return sorted(int(i) for i in rng.choice(cand, size=min(k, len(cand)), replace=False))


def structured_errors(
    pc: np.ndarray, times: np.ndarray, present: np.ndarray, noise: NoiseSpec, rng: np.random.Generator
) -> tuple[np.ndarray, list[dict]]:
    """Limb wander and glitches, in camera space (metres), so image and world agree."""
    pc = pc.copy()
    events: list[dict] = []
    if noise.wander_cm > 0:
        for limb, weights in _LIMBS.items():
            if rng.random() < 0.6:
                amp = noise.wander_cm / 100.0 / math.sqrt(3.0)
                drift = np.stack([wobble(rng, amp, 0.03, 0.25)(times) for _ in range(3)], -1)
                for p, w in weights.items():
                    pc[:, p] += w * drift
                events.append({"kind": "wander", "limb": limb, "amplitude_cm": round(noise.wander_cm, 2)})
    for i in _events(rng, noise.glitches_per_min, times, present):
        p = _GLITCHY[int(rng.integers(len(_GLITCHY)))]
        n = int(rng.integers(1, 5))
        d = rng.normal(size=3)
        d *= rng.uniform(0.10, 0.30) / np.linalg.norm(d)
        for q in (p, *_HAND.get(p, ())):
            pc[i : i + n, q] += d
        events.append(
            {
                "kind": "glitch",
                "t": round(float(times[i]), 4),
                "frames": n,
                "point": p.name.lower(),
                "offset_m": round(float(np.linalg.norm(d)), 3),
            }
        )
    return pc, events


def image_rows(
    camera: Camera, pc: np.ndarray, vis: np.ndarray, occl: np.ndarray, noise: NoiseSpec, rng: np.random.Generator
) -> np.ndarray:
    """(N, 33, 4): x, y normalised (y down), z MediaPipe-style depth, visibility."""
    xy = camera.project(pc)
    zc = pc[..., 2]
    z_hip = np.maximum((zc[:, P.LEFT_HIP] + zc[:, P.RIGHT_HIP]) / 2, 0.2)[:, None]
    z = (zc - z_hip) * camera.focal_px / (camera.width * z_hip)
    if noise.jitter_px > 0:
        sigma = noise.jitter_px * (1.0 + (noise.far_side - 1.0) * occl)
        xy = xy + rng.normal(size=xy.shape) * sigma[..., None] / np.array([camera.width, camera.height])
        z = z + rng.normal(size=z.shape) * 2.0 * sigma / camera.width
    return np.concatenate([xy, z[..., None], vis[..., None]], -1)


def world_rows(pc: np.ndarray, occl: np.ndarray, noise: NoiseSpec, rng: np.random.Generator) -> np.ndarray:
    """(N, 33, 3) metres about the hip midpoint, camera axes (x right, y down, z away)."""
    w = pc - ((pc[:, P.LEFT_HIP] + pc[:, P.RIGHT_HIP]) / 2)[:, None, :]
    if noise.jitter_world_mm > 0:
        sigma = noise.jitter_world_mm / 1000.0 * (1.0 + (noise.far_side - 1.0) * occl)
        w = w + rng.normal(size=w.shape) * sigma[..., None]
    return w


def swaps_and_dropouts(
    times: np.ndarray, present: np.ndarray, noise: NoiseSpec, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Masks of frames whose left/right labels are swapped and of frames lost to dropouts."""
    n = len(times)
    swapped, dropped = np.zeros(n, bool), np.zeros(n, bool)
    events = []
    for i in _events(rng, noise.swaps_per_min, times, present):
        k = int(rng.integers(1, 4))
        swapped[i : i + k] = True
        events.append({"kind": "swap", "t": round(float(times[i]), 4), "frames": k})
    for i in _events(rng, noise.dropouts_per_min, times, present):
        k = int(rng.integers(2, 11))
        dropped[i : i + k] = True
        events.append({"kind": "dropout", "t": round(float(times[i]), 4), "frames": k})
    return swapped, dropped, events


def mirror(rows: np.ndarray) -> np.ndarray:
    """Swap every LEFT_* row with its RIGHT_* row."""
    return rows[..., list(MIRROR), :]
