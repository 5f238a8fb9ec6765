"""The athlete: anthropometric segment lengths, the pose vector, and forward kinematics.

Floor frame (metres): x and y horizontal, z up, the floor at z = 0. A pose is a flat vector
of named parameters (angles in degrees), so that poses interpolate component by component.
Conventions, all in the athlete's own frames (x forward, y = athlete's left, z up):

- root ``x y z`` is the hip midpoint; ``yaw`` the heading, ``pitch`` tips the whole pelvis
  forward (90 = face down, prone), ``roll`` tips it to the left.
- trunk, about the hips: ``tp`` flexion (+ leans forward, - leans back / arches),
  ``tr`` bend to the left, ``tt`` twist (+ turns the shoulders to the left).
- neck: ``nf`` flexion (+ chin down, - cranes up), ``nt`` turn left, ``nl`` ear toward left shoulder.
- per arm (prefix ``l_``/``r_``, "lateral" = away from the midline for either side):
  ``elev`` shoulder elevation (m, a shrug), ``pro`` protraction (m);
  the upper arm points at azimuth ``haz`` (0 forward, 90 lateral, in the trunk's transverse
  plane) and elevation ``hel`` (-90 hanging, 0 horizontal, 90 overhead; beyond -90 it passes
  behind, so ``haz`` 0 and ``hel`` -140 is 50 deg of extension); ``bx by bz`` a hint of the way
  the forearm bends (trunk frame); ``elbow`` flexion; ``pron`` forearm rotation (90 = thumb
  forward when hanging); ``wrist`` flexion; ``ik`` in 0..1 pulls the wrist to the target
  ``tx ty tz`` (pelvis frame) with the elbow pointing away from the bend hint.
- per leg: the ankle's target ``fx fy fz`` in the floor frame (knee by two-link IK, pointing
  along the pelvis' forward axis turned out by ``fyaw``), the foot's toe-out ``fyaw`` and pitch
  ``fpitch`` (0 flat, + toe below the heel, 165 lying on its back as when prone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scapula.vision.skeleton import N_LANDMARKS, P

SIDES = (("l", 1.0), ("r", -1.0))

_ARM = ("elev", "pro", "haz", "hel", "bx", "by", "bz", "elbow", "pron", "wrist", "ik", "tx", "ty", "tz")
_LEG = ("fx", "fy", "fz", "fyaw", "fpitch")
NAMES: tuple[str, ...] = (
    *("x", "y", "z", "yaw", "pitch", "roll", "tp", "tr", "tt", "nf", "nt", "nl"),
    *(f"{p}_{k}" for p, _ in SIDES for k in _ARM),
    *(f"{p}_{k}" for p, _ in SIDES for k in _LEG),
)
IDX = {name: i for i, name in enumerate(NAMES)}


@dataclass(frozen=True)
class Body:
    """Segment lengths (m) from body height by Drillis-Contini / Winter ratios."""

    height: float = 1.75
    shoulder_ratio: float = 0.245
    hip_ratio: float = 0.19

    def _h(self, r: float) -> float:
        return r * self.height

    upper_arm = property(lambda self: self._h(0.186))
    forearm = property(lambda self: self._h(0.146))
    hand = property(lambda self: self._h(0.108))
    thigh = property(lambda self: self._h(0.245))
    shank = property(lambda self: self._h(0.246))
    foot = property(lambda self: self._h(0.152))
    ankle_h = property(lambda self: self._h(0.039))
    trunk = property(lambda self: self._h(0.29))  # hip midpoint to shoulder midpoint
    neck = property(lambda self: self._h(0.03))  # shoulder midpoint to the head's pivot
    shoulder_w = property(lambda self: self._h(self.shoulder_ratio))
    hip_w = property(lambda self: self._h(self.hip_ratio))
    leg = property(lambda self: self.thigh + self.shank)
    arm = property(lambda self: self.upper_arm + self.forearm)

    def leg_reach(self, knee_deg: float) -> float:
        """Hip-to-ankle distance with the knee flexed by ``knee_deg``."""
        k = np.radians(knee_deg)
        return float(np.sqrt(self.thigh**2 + self.shank**2 + 2 * self.thigh * self.shank * np.cos(k)))


# Face points in the head frame relative to the neck pivot: (forward, left, up) in units of H.
_HEAD = {
    P.NOSE: (0.062, 0.0, 0.072),
    P.LEFT_EYE_INNER: (0.052, 0.010, 0.086),
    P.LEFT_EYE: (0.047, 0.018, 0.087),
    P.LEFT_EYE_OUTER: (0.040, 0.027, 0.086),
    P.LEFT_EAR: (-0.004, 0.044, 0.068),
    P.MOUTH_LEFT: (0.052, 0.014, 0.052),
}
for _p, (_f, _l, _u) in list(_HEAD.items()):
    if "LEFT" in _p.name:
        _HEAD[P[_p.name.replace("LEFT", "RIGHT")]] = (_f, -_l, _u)
HEAD_POINTS = tuple(_HEAD)
_HEAD_OFF = np.array([_HEAD[p] for p in HEAD_POINTS])

_ARM_POINTS = {
    "l": (P.LEFT_SHOULDER, P.LEFT_ELBOW, P.LEFT_WRIST, P.LEFT_PINKY, P.LEFT_INDEX, P.LEFT_THUMB),
    "r": (P.RIGHT_SHOULDER, P.RIGHT_ELBOW, P.RIGHT_WRIST, P.RIGHT_PINKY, P.RIGHT_INDEX, P.RIGHT_THUMB),
}
_LEG_POINTS = {
    "l": (P.LEFT_HIP, P.LEFT_KNEE, P.LEFT_ANKLE, P.LEFT_HEEL, P.LEFT_FOOT_INDEX),
    "r": (P.RIGHT_HIP, P.RIGHT_KNEE, P.RIGHT_ANKLE, P.RIGHT_HEEL, P.RIGHT_FOOT_INDEX),
}


class Pose:
    """A pose vector with named access; ``set``/``arm``/``leg`` return modified copies."""

    __slots__ = ("v",)

    def __init__(self, v: np.ndarray | None = None) -> None:
        self.v = np.zeros(len(NAMES)) if v is None else np.array(v, dtype=float)

    def copy(self) -> Pose:
        return Pose(self.v)

    def __getitem__(self, name: str) -> float:
        return float(self.v[IDX[name]])

    def __setitem__(self, name: str, value: float) -> None:
        self.v[IDX[name]] = value

    def set(self, **kw: float) -> Pose:
        out = self.copy()
        for k, val in kw.items():
            out[k] = val
        return out

    def arm(self, side: str, **kw: float) -> Pose:
        return self.set(**{f"{side[0]}_{k}": val for k, val in kw.items()})

    def leg(self, side: str, **kw: float) -> Pose:
        return self.set(**{f"{side[0]}_{k}": val for k, val in kw.items()})


# ---------------------------------------------------------------- rotations (batched, radians)


def rot_x(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def rot_y(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def rot_z(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def _mv(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum("nij,nj->ni", r, np.broadcast_to(v, (len(r), 3)))


def _unit(v: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    out = v / np.maximum(n, 1e-9)
    if fallback is not None:
        out = np.where(n > 1e-6, out, fallback)
    return out


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ni,ni->n", a, b)[:, None]


def frames_of(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pelvis, trunk and head rotations (N, 3, 3) of pose vectors (N, D)."""
    col = lambda n: np.radians(v[:, IDX[n]])  # noqa: E731
    rp = rot_z(col("yaw")) @ rot_y(col("pitch")) @ rot_x(-col("roll"))
    rt = rp @ rot_y(col("tp")) @ rot_x(-col("tr")) @ rot_z(col("tt"))
    rh = rt @ rot_y(col("nf")) @ rot_x(-col("nl")) @ rot_z(col("nt"))
    return rp, rt, rh


def two_link(
    root: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Middle joint and reached end of a two-segment chain aimed at ``target``.

    The middle joint sits on the side of ``pole``; an unreachable target is approached in a
    straight line as far as the chain goes.
    """
    v = target - root
    dist = np.linalg.norm(v, axis=-1, keepdims=True)
    u = _unit(v, np.array([0.0, 0.0, -1.0]))
    d = np.clip(dist, abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6)
    a = (l1**2 - l2**2 + d**2) / (2 * d)
    h = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    side = pole - _dot(pole, u) * u
    alt = np.cross(u, np.array([0.0, 1.0, 0.0]))
    side = _unit(side, _unit(alt, np.array([1.0, 0.0, 0.0])))
    return root + a * u + h * side, root + d * u


def forward_kinematics(body: Body, v: np.ndarray) -> np.ndarray:
    """All 33 BlazePose points (N, 33, 3) in the floor frame for pose vectors (N, D)."""
    v = np.atleast_2d(np.asarray(v, dtype=float))
    n = len(v)
    col = lambda name: v[:, IDX[name]]  # noqa: E731
    out = np.zeros((n, N_LANDMARKS, 3))
    root = v[:, [IDX["x"], IDX["y"], IDX["z"]]]
    rp, rt, rh = frames_of(v)
    smid = root + _mv(rt, np.array([0.0, 0.0, body.trunk]))
    pivot = smid + _mv(rt, np.array([0.0, 0.0, body.neck]))
    out[:, list(HEAD_POINTS)] = pivot[:, None, :] + np.einsum("nij,kj->nki", rh, _HEAD_OFF * body.height)
    zero = np.zeros(n)
    for p, s in SIDES:
        a = lambda k, p=p: col(f"{p}_{k}")  # noqa: E731
        sh, el, wr, pinky, index, thumb = _ARM_POINTS[p]
        shoulder = smid + _mv(rt, np.stack([a("pro"), zero + s * body.shoulder_w / 2, a("elev")], -1))
        az, elv = np.radians(a("haz")), np.radians(a("hel"))
        d = _mv(rt, np.stack([np.cos(elv) * np.cos(az), s * np.cos(elv) * np.sin(az), np.sin(elv)], -1))
        b = _mv(rt, np.stack([a("bx"), s * a("by"), a("bz")], -1))
        b = b - _dot(b, d) * d
        b = _unit(b, _unit(np.cross(d, rt[:, :, 1]), rt[:, :, 0]))
        eps = np.radians(a("elbow"))[:, None]
        elbow = shoulder + body.upper_arm * d
        f = np.cos(eps) * d + np.sin(eps) * b
        wrist = elbow + body.forearm * f
        w = a("ik")
        if np.any(w > 0):
            target = root + _mv(rp, np.stack([a("tx"), s * a("ty"), a("tz")], -1))
            goal = wrist + w[:, None] * (target - wrist)
            e2, w2 = two_link(shoulder, goal, body.upper_arm, body.forearm, -b)
            m = (w > 0)[:, None]
            elbow, wrist = np.where(m, e2, elbow), np.where(m, w2, wrist)
            d2 = _unit(elbow - shoulder)
            f = _unit(wrist - elbow)
            b_old = _unit(b - _dot(b, d2) * d2, b)
            b = np.where(m, _unit(f - _dot(f, d2) * d2, b_old), b)
            d = np.where(m, d2, d)
        axis = _unit(np.cross(d, b), rt[:, :, 1])
        g = np.cross(axis, f)
        lat = -s * axis
        pr = np.radians(a("pron"))[:, None]
        thumb_dir = np.cos(pr) * lat + np.sin(pr) * g
        palm = -np.sin(pr) * lat + np.cos(pr) * g
        wf = np.radians(a("wrist"))[:, None]
        hand = np.cos(wf) * f + np.sin(wf) * palm
        lh = body.hand
        out[:, sh], out[:, el], out[:, wr] = shoulder, elbow, wrist
        out[:, index] = wrist + lh * (0.45 * hand + 0.20 * thumb_dir)
        out[:, pinky] = wrist + lh * (0.40 * hand - 0.22 * thumb_dir)
        out[:, thumb] = wrist + lh * (0.25 * hand + 0.32 * thumb_dir + 0.08 * palm)

        hp, kn, an, he, toe = _LEG_POINTS[p]
        g_ = lambda k, p=p: col(f"{p}_{k}")  # noqa: E731
        hip = root + _mv(rp, np.array([0.0, s * body.hip_w / 2, 0.0]))
        fyaw = np.radians(g_("fyaw"))
        pole = _mv(rp, np.stack([np.cos(fyaw), s * np.sin(fyaw), zero], -1))
        knee, ankle = two_link(hip, np.stack([g_("fx"), g_("fy"), g_("fz")], -1), body.thigh, body.shank, pole)
        heading = np.radians(col("yaw")) + s * fyaw
        fp = np.radians(g_("fpitch"))[:, None]
        hdir = np.stack([np.cos(heading), np.sin(heading), zero], -1)
        up = np.array([0.0, 0.0, 1.0])
        fdir = np.cos(fp) * hdir - np.sin(fp) * up
        fup = np.sin(fp) * hdir + np.cos(fp) * up
        out[:, hp], out[:, kn], out[:, an] = hip, knee, ankle
        out[:, he] = ankle - 0.20 * body.foot * fdir - 0.60 * body.ankle_h * fup
        out[:, toe] = ankle + 0.78 * body.foot * fdir - 0.85 * body.ankle_h * fup
    return out


def pose_points(body: Body, pose: Pose) -> np.ndarray:
    """The 33 points (33, 3) of one pose."""
    return forward_kinematics(body, pose.v[None])[0]


def world_to_trunk(pose: Pose, vec: np.ndarray) -> np.ndarray:
    """A floor-frame direction in the pose's trunk frame."""
    _, rt, _ = frames_of(pose.v[None])
    return rt[0].T @ vec


def world_to_pelvis(pose: Pose, point: np.ndarray) -> np.ndarray:
    """A floor-frame point in the pose's pelvis frame (origin at the hip midpoint)."""
    rp, _, _ = frames_of(pose.v[None])
    return rp[0].T @ (point - np.array([pose["x"], pose["y"], pose["z"]]))


def arm_angles(direction_trunk: np.ndarray, s: float) -> tuple[float, float]:
    """(haz, hel) in degrees for an upper-arm direction in the trunk frame."""
    x, y, z = direction_trunk / np.linalg.norm(direction_trunk)
    return float(np.degrees(np.arctan2(s * y, x))), float(np.degrees(np.arcsin(np.clip(z, -1, 1))))


def ankle_z_for_pitch(body: Body, pitch_deg: float) -> float:
    """Ankle height that keeps the toes on the floor with the heel raised by ``pitch_deg``."""
    p = np.radians(max(pitch_deg, 0.0))
    return float(0.15 * body.ankle_h + 0.78 * body.foot * np.sin(p) + 0.85 * body.ankle_h * np.cos(p))
