"""Geometry and filtering shared by every move: the body's own frame, angles, smoothing.

Geometry functions take landmark arrays of shape (..., 33, 3) and broadcast, so
one frame and a whole batch go through the same code. The filters are causal
(they only look back), so a live stream and a file give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from scapula.vision.skeleton import MIRROR, P

EPS = 1e-9


def mid(points: np.ndarray, a: P, b: P) -> np.ndarray:
    return (points[..., a, :] + points[..., b, :]) / 2.0


def unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v, axis=-1, keepdims=True) + EPS)


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The unsigned angle between two vectors, in degrees (the one angle helper)."""
    return np.degrees(np.arccos(np.clip(dot(unit(a), unit(b)), -1.0, 1.0)))


def joint_flexion_deg(points: np.ndarray, a: P, joint: P, b: P) -> np.ndarray:
    """0 when the limb is straight at ``joint``, growing as it bends."""
    return 180.0 - angle_deg(points[..., a, :] - points[..., joint, :], points[..., b, :] - points[..., joint, :])


@dataclass(frozen=True)
class BodyFrame:
    """The athlete's anatomical axes from the world landmarks, independent of the camera.

    ``up`` runs from the hip midpoint to the shoulder midpoint (the trunk axis),
    ``left`` toward the athlete's left (shoulder and hip lines, made square to
    ``up``), ``forward`` out of the chest. MediaPipe's world axes are right-handed
    (x right, y down, z away), so forward = left x up.
    """

    origin: np.ndarray
    up: np.ndarray
    left: np.ndarray
    forward: np.ndarray
    torso: np.ndarray  # hip-to-shoulder length, m
    shoulder_width: np.ndarray  # m

    @classmethod
    def of(cls, world: np.ndarray) -> BodyFrame:
        hips = mid(world, P.LEFT_HIP, P.RIGHT_HIP)
        shoulders = mid(world, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
        trunk = shoulders - hips
        up = unit(trunk)
        across = (
            world[..., P.LEFT_SHOULDER, :]
            - world[..., P.RIGHT_SHOULDER, :]
            + world[..., P.LEFT_HIP, :]
            - world[..., P.RIGHT_HIP, :]
        )
        left = unit(across - dot(across, up)[..., None] * up)
        forward = np.cross(left, up)
        width = np.linalg.norm(world[..., P.LEFT_SHOULDER, :] - world[..., P.RIGHT_SHOULDER, :], axis=-1)
        return cls(hips, up, left, forward, np.linalg.norm(trunk, axis=-1), width)

    def components(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(forward, left, up) parts of a vector given in world axes."""
        return dot(v, self.forward), dot(v, self.left), dot(v, self.up)


def camera_yaw_deg(frame: BodyFrame) -> np.ndarray:
    """Where the camera stands around the athlete: 0 in front, +90 at their left, 180 behind.

    The camera looks along +z, so the direction from the athlete to the camera is -z.
    """
    to_camera = np.zeros_like(frame.forward)
    to_camera[..., 2] = -1.0
    return np.degrees(np.arctan2(dot(to_camera, frame.left), dot(to_camera, frame.forward)))


# ------------------------------------------------------------------ label swaps

_LIMBS = np.array(
    [
        P.LEFT_SHOULDER,
        P.LEFT_ELBOW,
        P.LEFT_WRIST,
        P.LEFT_HIP,
        P.LEFT_KNEE,
        P.LEFT_ANKLE,
        P.RIGHT_SHOULDER,
        P.RIGHT_ELBOW,
        P.RIGHT_WRIST,
        P.RIGHT_HIP,
        P.RIGHT_KNEE,
        P.RIGHT_ANKLE,
    ]
)
_MIRROR = np.array(MIRROR)


class SwapGuard:
    """Undoes a left/right label swap of the estimator that lasts a frame or a few.

    A frame whose mirrored labelling sits much closer to the previous frame than
    its own labelling toggles the "swapped" state; frames in that state are
    mirrored back. After ``max_frames`` swapped frames in a row the new labelling
    is accepted (the athlete really turned round). Works on a batch of frames
    with its state carried over, so one frame at a time gives the same answer.
    """

    def __init__(self, max_frames: int = 8, ratio: float = 0.5, min_move: float = 0.05) -> None:
        self.max_frames = max_frames
        self.ratio = ratio
        self.min_move = min_move  # mean limb-point jump, in torso lengths, to call a swap
        self.reset()

    def reset(self) -> None:
        self.previous: np.ndarray | None = None  # the last raw frame's limb points
        self.swapped = False
        self.run = 0

    def __call__(self, image: np.ndarray, world: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None, int]:
        """image (N, 33, 4), world (N, 33, 3) or None -> the same, corrected; and how many were fixed."""
        xy = image[:, _LIMBS, :2]
        before = np.concatenate([xy[:1] if self.previous is None else self.previous[None], xy[:-1]])
        direct = np.linalg.norm(xy - before, axis=-1).sum(axis=-1)
        mirrored = np.linalg.norm(image[:, _MIRROR[_LIMBS], :2] - before, axis=-1).sum(axis=-1)
        torso = np.linalg.norm(
            mid(image, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)[:, :2] - mid(image, P.LEFT_HIP, P.RIGHT_HIP)[:, :2], axis=-1
        )
        toggles = (mirrored < self.ratio * direct) & (direct > self.min_move * len(_LIMBS) * torso)
        if self.previous is None:
            toggles[0] = False
        self.previous = xy[-1].copy()
        state = np.empty(len(xy), dtype=bool)
        swapped, run = self.swapped, self.run
        for i, toggle in enumerate(toggles.tolist()):
            if toggle:
                swapped = not swapped
            run = run + 1 if swapped else 0
            if run > self.max_frames:
                swapped, run = False, 0
            state[i] = swapped
        self.swapped, self.run = swapped, run
        if state.any():
            image = image.copy()
            image[state] = image[state][:, _MIRROR]
            if world is not None:
                world = world.copy()
                world[state] = world[state][:, _MIRROR]
        return image, world, int(state.sum())


# ------------------------------------------------------------------ causal smoothing


def exponential_average(x: np.ndarray, alpha: float, state: np.ndarray) -> np.ndarray:
    """``y[k] = alpha * x[k] + (1 - alpha) * y[k-1]`` down the rows of ``x``, ``y[-1] = state``.

    Row by row, in this order of operations whatever the batch: a clip pushed one frame at
    a time and the same clip pushed in chunks give bit-identical results (the live coach
    and ``scapula analyze`` agree exactly). Each step works on a whole row of columns."""
    out = np.empty(x.shape, dtype=float)
    r = 1.0 - alpha
    y = np.asarray(state, dtype=float)
    for k in range(len(x)):
        y = alpha * x[k] + r * y
        out[k] = y
    return out


class CausalFilter:
    """Causal smoothing of signal columns: a running median, then an exponential average.

    The median over the last ``window`` samples removes a limb glitch of up to half
    the window; the exponential average (weight ``alpha`` per sample) removes the
    remaining jitter. Works on a batch of rows with its state carried over, so one
    row at a time gives the same result as a whole file. Lag: about window/2 samples
    plus 1/alpha - 1.
    """

    def __init__(self, window: int, alpha: float) -> None:
        self.window = max(1, window)
        self.alpha = alpha
        self.reset()

    @classmethod
    def for_rate(cls, fps: float, tau_s: float, window_s: float = 0.25, min_samples: int = 5) -> CausalFilter:
        window = max(min_samples, int(round(window_s * fps)))
        return cls(window | 1, float(1.0 - np.exp(-1.0 / (fps * tau_s))))

    def reset(self) -> None:
        self.tail: np.ndarray | None = None
        self.state: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        if self.tail is None:  # a new start: pad the past with the first row
            self.tail = np.repeat(x[:1], self.window - 1, axis=0)
        buf = np.concatenate([self.tail, x])
        median = np.median(sliding_window_view(buf, self.window, axis=0), axis=-1)
        self.tail = buf[len(buf) - (self.window - 1) :] if self.window > 1 else buf[:0]
        if self.state is None:
            self.state = median[0]
        out = exponential_average(median, self.alpha, self.state)
        self.state = out[-1]
        assert len(out) == n
        return out


# A hand the camera cannot see: BlazePose puts a wrist hidden behind the other arm or the
# head on the visible arm (measured on rendered bodies: from a low camera side-on, the far
# wrist of someone lying with the arms overhead sat on the near arm in most frames, and the
# same standing side-on). Its point then follows the other hand's, a few cm off (on
# generated clips with that failure, median 0.04-0.08 torso lengths apart in the picture). The
# two hands of these moves stand apart: the far one a shoulder width (0.35-0.45 m, 0.7-0.9
# torso lengths) further off, which shows as 0.2 torso lengths or more in 95% of frames
# where the camera sees both (from low on a diagonal, from 0.8 m up side-on), and more
# from higher. Between the two:
COPY_GAP = 0.15  # torso lengths in the picture between the two wrist points: one is a copy
FAR_SHOULDER_M = 0.1  # this side's shoulder is farther from the camera than the other's by this


def hidden_hands(world: np.ndarray, rays: np.ndarray) -> dict[str, np.ndarray]:
    """Per side, 1.0 in the frames where that hand's point is likely a copy of the other's:
    the two wrist points within ``COPY_GAP`` of each other in the picture, this one on the
    far side of the body (its shoulder the farther from the camera, in the world points'
    camera-facing depth), else 0.0. World points (..., 33, 3), camera rays (..., 33, 2)."""
    shoulders = (rays[..., P.LEFT_SHOULDER, :] + rays[..., P.RIGHT_SHOULDER, :]) / 2
    hips = (rays[..., P.LEFT_HIP, :] + rays[..., P.RIGHT_HIP, :]) / 2
    torso = np.linalg.norm(shoulders - hips, axis=-1) + EPS
    gap = np.linalg.norm(rays[..., P.LEFT_WRIST, :] - rays[..., P.RIGHT_WRIST, :], axis=-1) / torso
    depth = world[..., P.LEFT_SHOULDER, 2] - world[..., P.RIGHT_SHOULDER, 2]  # left farther: positive
    close = gap < COPY_GAP
    return {
        "left": (close & (depth > FAR_SHOULDER_M)).astype(float),
        "right": (close & (depth < -FAR_SHOULDER_M)).astype(float),
    }
