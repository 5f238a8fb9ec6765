"""A motion timeline: pose keyframes eased with minimum-jerk profiles, additive layers
(sway, shaking, circles), and walking, which plants the feet step by step along the path."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .body import IDX, SIDES, Body, Pose

LayerFn = Callable[[np.ndarray], dict[str, np.ndarray]]


def min_jerk(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u**2)


def wobble(
    rng: np.random.Generator, amp: float, fmin: float = 0.05, fmax: float = 0.4, k: int = 3
) -> Callable[[np.ndarray], np.ndarray]:
    """Smooth random signal of roughly ``amp`` standard deviation (a sum of sinusoids)."""
    freqs = rng.uniform(fmin, fmax, k)
    phases = rng.uniform(0, 2 * np.pi, k)
    weights = rng.uniform(0.5, 1.0, k)
    weights *= amp * np.sqrt(2.0) / np.sqrt(np.sum(weights**2))

    def signal(t: np.ndarray) -> np.ndarray:
        arg = 2 * np.pi * freqs[:, None] * np.asarray(t)[None] + phases[:, None]
        return np.sum(weights[:, None] * np.sin(arg), 0)

    return signal


@dataclass
class Walk:
    t0: float
    t1: float
    arm_swing: float
    step: float


@dataclass
class Layer:
    t0: float
    t1: float
    fn: LayerFn
    fade: float


class Timeline:
    """Builds a motion forward in time; ``sample`` evaluates it at any timestamps."""

    def __init__(self, body: Body, pose: Pose, rng: np.random.Generator) -> None:
        self.body, self.rng = body, rng
        self.t = 0.0
        self.pose = pose.copy()
        self._times: list[float] = [0.0]
        self._values: list[np.ndarray] = [pose.v.copy()]
        self.layers: list[Layer] = []
        self.walks: list[Walk] = []
        self.phases: list[dict] = []

    # -- building
    def to(self, pose: Pose, dur: float) -> None:
        """Move to ``pose`` over ``dur`` seconds (eased, starting and ending at rest)."""
        self.t += max(float(dur), 1e-3)
        self.pose = pose.copy()
        self._times.append(self.t)
        self._values.append(pose.v.copy())

    def hold(self, dur: float) -> None:
        if dur > 0:
            self.to(self.pose, dur)

    def layer(self, t0: float, t1: float, fn: LayerFn, fade: float = 0.3) -> None:
        if t1 > t0:
            self.layers.append(Layer(t0, t1, fn, min(fade, (t1 - t0) / 2)))

    def walk_to(
        self, pose: Pose, speed: float = 1.0, arm_swing: float = 14.0, step: float = 0.5, dur: float | None = None
    ) -> None:
        """Walk (or turn on the spot) to ``pose``; the feet step, the arms swing."""
        dist = math.hypot(pose["x"] - self.pose["x"], pose["y"] - self.pose["y"])
        turn = abs(pose["yaw"] - self.pose["yaw"])
        if dur is None:
            dur = max(dist / speed * 1.25 + turn / 150.0, 0.9)
        t0 = self.t
        self.to(pose, dur)
        self.walks.append(Walk(t0, self.t, arm_swing, step))

    def phase(self, label: str, t0: float, t1: float | None = None, **info) -> None:
        self.phases.append(
            {"label": label, "start_s": round(t0, 4), "end_s": round(self.t if t1 is None else t1, 4), **info}
        )

    # -- sampling
    def _keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Keyframes; an arm's IK target is copied into the nearest keys where its IK is off,
        so that blending IK in or out moves the wrist along a sensible path."""
        if getattr(self, "_cache", (None,))[0] == len(self._times):
            return self._cache[1], self._cache[2]
        tk, vk = np.asarray(self._times), np.array(self._values)
        for p, _ in SIDES:
            w = vk[:, IDX[f"{p}_ik"]]
            cols = [IDX[f"{p}_t{c}"] for c in "xyz"]
            on = np.flatnonzero(w > 0)
            if len(on) == 0:
                continue
            for i in np.flatnonzero(w <= 0):
                j = on[np.argmin(np.abs(tk[on] - tk[i]) + 1e-6 * (on < i))]
                vk[i, cols] = vk[j, cols]
        self._cache = (len(self._times), tk, vk)
        return tk, vk

    def _base(self, times: np.ndarray) -> np.ndarray:
        tk, vk = self._keys()
        times = np.asarray(times, dtype=float)
        i = np.clip(np.searchsorted(tk, times, side="right") - 1, 0, len(tk) - 1)
        j = np.minimum(i + 1, len(tk) - 1)
        span = np.maximum(tk[j] - tk[i], 1e-9)
        u = min_jerk((times - tk[i]) / span)
        u = np.where(j == i, 0.0, u)
        return vk[i] + u[:, None] * (vk[j] - vk[i])

    def sample(self, times: np.ndarray) -> np.ndarray:
        times = np.asarray(times, dtype=float)
        v = self._base(times)
        for w in self.walks:
            self._apply_walk(w, times, v)
        for lay in self.layers:
            m = (times > lay.t0) & (times < lay.t1)
            if not m.any():
                continue
            tt = times[m]
            env = min_jerk(np.minimum((tt - lay.t0) / lay.fade, (lay.t1 - tt) / lay.fade)) if lay.fade > 0 else 1.0
            for name, delta in lay.fn(tt - lay.t0).items():
                v[m, IDX[name]] += env * delta
        return v

    def _apply_walk(self, w: Walk, times: np.ndarray, v: np.ndarray) -> None:
        m = (times >= w.t0) & (times <= w.t1)
        if not m.any():
            return
        body = self.body
        grid = np.linspace(w.t0, w.t1, 240)
        base = self._base(grid)
        xs, ys, yaws = base[:, IDX["x"]], base[:, IDX["y"]], np.radians(base[:, IDX["yaw"]])
        dist = float(np.sum(np.hypot(np.diff(xs), np.diff(ys))))
        turn = float(abs(np.degrees(yaws[-1] - yaws[0])))
        n = max(2, math.ceil(dist / w.step) + math.ceil(turn / 45.0))
        dt = (w.t1 - w.t0) / n
        start, end = base[0], base[-1]
        half = body.hip_w / 2 * 0.9

        def ideal(t: float, s: float) -> np.ndarray:
            x, y, a = (np.interp(t, grid, c) for c in (xs, ys, yaws))
            return np.array([x - s * half * math.sin(a), y + s * half * math.cos(a), body.ankle_h])

        feet = {
            p: (s, np.array([start[IDX[f"{p}_f{c}"]] for c in "xyz"]), np.array([end[IDX[f"{p}_f{c}"]] for c in "xyz"]))
            for p, s in SIDES
        }
        first = max(feet, key=lambda p: np.linalg.norm(feet[p][2] - feet[p][1]))
        order = [first if k % 2 == 0 else ("r" if first == "l" else "l") for k in range(n)]
        tt = times[m]
        env = min_jerk(np.minimum(np.minimum((tt - w.t0) / 0.35, (w.t1 - tt) / 0.35), 1.0))
        pos = {}
        for p, (s, p0, p1) in feet.items():
            cur = np.tile(p0, (len(tt), 1))
            prev = p0
            for k in [k for k in range(n) if order[k] == p]:
                ts, te = w.t0 + (k + 0.05) * dt, w.t0 + (k + 1) * dt
                land = p1 if k >= n - 2 else ideal(min(te + 0.5 * dt, w.t1), s)
                u = (tt - ts) / (te - ts)
                sw = (u > 0) & (u < 1)
                lift = min(0.10, 0.25 * float(np.linalg.norm(land[:2] - prev[:2])) + 0.03)
                e = min_jerk(u[sw])[:, None]
                cur[sw] = prev + e * (land - prev)
                cur[sw, 2] += lift * np.sin(np.pi * u[sw])
                cur[u >= 1] = land
                prev = land
            pos[p] = cur
            for c, i in zip("xyz", range(3)):
                v[m, IDX[f"{p}_f{c}"]] = cur[:, i]
        phase = np.pi * (tt - w.t0) / dt
        v[m, IDX["z"]] -= env * (0.018 + 0.012 * np.cos(phase) ** 2)
        v[m, IDX["tp"]] += env * 3.0
        if w.arm_swing > 0:
            a = np.radians(v[m, IDX["yaw"]])
            fwd = np.stack([np.cos(a), np.sin(a)], -1)
            root = np.stack([v[m, IDX["x"]], v[m, IDX["y"]]], -1)
            off = {p: np.einsum("ni,ni->n", pos[p][:, :2] - root, fwd) for p in pos}
            swing = np.clip((off["l"] - off["r"]) / max(w.step, 0.2), -1.2, 1.2) * w.arm_swing * env
            v[m, IDX["l_hel"]] -= swing
            v[m, IDX["r_hel"]] += swing
