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


# When BlazePose loses a wrist behind the head and shoulders. In the picture, the wrist's
# clearance from the head (_HEAD_RADIUS) and the other shoulder (_SHOULDER_RADIUS), in torso
# lengths of the picture, for the wrist farther from the camera (by FAR_BY_M); the other arm
# passing in front for a moment (its own lift) does not make the tracker lose it. Below
# COPY_BELOW the wrist is lost to the nearer arm; once lost it is found again only when it
# stands COPY_RELEASE clear (the tracker keeps its last answer). Set so that the ladder
# measured on rendered bodies through the real model holds on generated clips: lying with
# the arms overhead, side-on, far lifts mostly lost from 0.3 m up, often from 0.8 m, never
# from 1.4 m; never lost with the camera turned 25-35 deg toward the head end.
_HEAD_RADIUS = 0.11  # metres, hair included
_SHOULDER_RADIUS = 0.09
COPY_BELOW = 0.08  # torso lengths of clearance in the picture
COPY_RELEASE = 0.25
FAR_BY_M = 0.15  # metres
_SHOULDER = {"left": P.LEFT_SHOULDER, "right": P.RIGHT_SHOULDER}
_WRIST = {"left": P.LEFT_WRIST, "right": P.RIGHT_WRIST}
_ARM_POINTS = {
    "left": (P.LEFT_WRIST, P.LEFT_PINKY, P.LEFT_INDEX, P.LEFT_THUMB),
    "right": (P.RIGHT_WRIST, P.RIGHT_PINKY, P.RIGHT_INDEX, P.RIGHT_THUMB),
}


def hidden_wrists(camera: Camera, pts: np.ndarray) -> dict[str, np.ndarray]:
    """For each side, the frames (bool, N) in which the estimator has lost that wrist behind
    the head or the other shoulder (see COPY_BELOW)."""
    pc = camera.to_camera(pts)
    px = camera.project(pc) * np.array([camera.width, camera.height])
    depth = np.maximum(pc[..., 2], 0.2)
    scale = camera.focal_px / depth  # pixels per metre at each point
    shoulders = (px[:, P.LEFT_SHOULDER] + px[:, P.RIGHT_SHOULDER]) / 2
    hips = (px[:, P.LEFT_HIP] + px[:, P.RIGHT_HIP]) / 2
    torso = np.maximum(np.linalg.norm(shoulders - hips, axis=-1), 1.0)
    head = (px[:, P.LEFT_EAR] + px[:, P.RIGHT_EAR]) / 2
    head_r = _HEAD_RADIUS * (scale[:, P.LEFT_EAR] + scale[:, P.RIGHT_EAR]) / 2
    out = {}
    for side, other in (("left", "right"), ("right", "left")):
        wrist, shoulder = _WRIST[side], _SHOULDER[other]
        far = pc[:, wrist, 2] > pc[:, _WRIST[other], 2] + FAR_BY_M
        gaps = [
            np.linalg.norm(px[:, wrist] - head, axis=-1) - head_r,
            np.linalg.norm(px[:, wrist] - px[:, shoulder], axis=-1) - _SHOULDER_RADIUS * scale[:, shoulder],
        ]
        clearance = np.min(np.stack(gaps), axis=0) / torso
        lost, hidden = False, np.zeros(len(pts), bool)
        for i in range(len(pts)):
            lost = bool(far[i]) and clearance[i] < (COPY_RELEASE if lost else COPY_BELOW)
            hidden[i] = lost
        out[side] = hidden
    return out


def hidden_copies(
    pc: np.ndarray,
    vis: np.ndarray,
    hidden: dict[str, np.ndarray],
    times: np.ndarray,
    noise: NoiseSpec,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """What BlazePose does with a hidden wrist: it puts it on the visible arm.

    Measured on rendered bodies through the real model (../shared/notes/rendering.md,
    "Supermans: the far arm"): from a low camera side-on the hidden far wrist sat on the
    near arm in 52-76% of frames (nearly all of them exactly side-on), so far-arm lifts
    were missed and near-arm lifts read as far-arm lifts; whole-body left/right swaps stayed
    rare. Here the hidden wrist and its hand points follow the visible ones, a few cm off
    along the forearm, blended in and out over about 0.2 s as the estimate loses and finds
    the arm; the estimator's visibility for the copied point stays middling (0.35-0.75),
    so a reader cannot rely on it. Camera-space points (N, 33, 3) and visibility (N, 33) in;
    the changed copies out, with each side's share of frames copied."""
    share = {side: 0.0 for side in hidden}
    if noise.hidden_copy <= 0:
        return pc, vis, share
    pc, vis = pc.copy(), vis.copy()
    dt = float(np.median(np.diff(times))) if len(times) > 1 else 1 / 30
    k = max(1, int(round(0.2 / dt)))
    kernel = np.ones(k) / k
    for side, other in (("left", "right"), ("right", "left")):
        if not hidden[side].any() or rng.random() >= noise.hidden_copy:
            continue
        weight = np.clip(np.convolve(hidden[side].astype(float), kernel, mode="same") * 1.5, 0.0, 1.0)
        offset = rng.normal(size=3)
        offset *= rng.uniform(0.02, 0.06) / np.linalg.norm(offset)
        seen = rng.uniform(0.35, 0.75)
        for mine, theirs in zip(_ARM_POINTS[side], _ARM_POINTS[other]):
            pc[:, mine] = (1 - weight[:, None]) * pc[:, mine] + weight[:, None] * (pc[:, theirs] + offset)
            vis[:, mine] = (1 - weight) * vis[:, mine] + weight * seen
        share[side] = round(float((weight > 0.5).mean()), 4)
    return pc, vis, share
