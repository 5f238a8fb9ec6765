"""A generator clip rendered to video: room, props, light, a hand-held camera, H.264 out.

The motion, camera placement and truth are the generator's (`tests.synth`): the same spec and
seed give the same reps and faults as the landmark clip `make_clip(spec, seed)`. Frames are
rendered at the times the coach's video path would sample from the camera's 24/30/60 fps
(every 2nd/3rd/6th frame, about 10 a second), and the video is written at that rate.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

from scapula.vision.pipeline import default_stride
from scapula.vision.skeleton import P
from tests.synth import ClipSpec, make_clip, random_spec
from tests.synth.body import Body, forward_kinematics
from tests.synth.camera import Camera
from tests.synth.clip import session
from tests.synth.moves import Ctx

from .body import Build, Skinner, rest_body
from .looks import Look, draw_look, floor_texture, linear, wall_texture


@dataclass
class RenderResult:
    path: Path
    truth: dict
    look: Look
    fps: float
    times: np.ndarray  # (N,) seconds
    image_xy: np.ndarray  # (N, 33, 2) the generator's points through the shaken camera, pixels
    depth: np.ndarray  # (N, 33) their distance along the camera's axis (m)
    joints_xy: dict  # rendered-body joints (hips, shoulders) through the same camera, pixels
    camera_height_m: float
    seconds: float  # wall-clock time to render and encode


def rendered_spec(activity: str, seed: int, short_side: int = 360, **overrides) -> ClipSpec:
    """The generator's random spec for ``seed``, at a small resolution and a bounded length:
    one or two sets of 5-9 reps (two sets, one a side, for the row), short rests."""
    rng = np.random.default_rng(seed)
    probe = random_spec(activity, np.random.default_rng(seed))
    n_sets = 2 if activity == "chainsaw_row" else 1
    reps = int(np.random.default_rng(seed + 7).integers(5, 10))
    spec = random_spec(activity, rng, n_sets=n_sets, reps=reps, **overrides)
    portrait = probe.height > probe.width
    long_side = round(short_side * 16 / 9 / 2) * 2
    w, h = (short_side, long_side) if portrait else (long_side, short_side)
    return dataclasses.replace(spec, width=w, height=h, rest_s=min(spec.rest_s, 6.0), walk_out=False)


def motion(spec: ClipSpec, seed: int, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, Camera, Body, Ctx]:
    """Pose vectors (N, D) and points (N, 33, 3) of the clip's noise-free motion (as `pose_track`)."""
    ctx = session(spec, seed)
    v = ctx.tl.sample(times)
    return v, forward_kinematics(ctx.body, v), ctx.camera, ctx.body, ctx


def _shake(n: int, fps: float, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Hand-held camera: small smooth rotations (N, 3, 3), about ``amount`` degrees."""
    if amount <= 0:
        return np.repeat(np.eye(3)[None], n, 0)
    steps = rng.normal(0.0, 1.0, (n, 3))
    k = max(1, int(fps * 0.4))
    kernel = np.hanning(2 * k + 1)
    smooth = np.stack([np.convolve(steps[:, i], kernel / kernel.sum(), "same") for i in range(3)], -1)
    smooth *= amount / max(float(np.std(smooth)), 1e-9)
    out = []
    for ax, ay, az in np.radians(smooth):
        cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
        rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
        ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
        rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
        out.append(rz @ ry @ rx)
    return np.array(out)


def _project(camera: Camera, rot: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pc = np.einsum("nij,nkj->nki", rot, pts - camera.position)
    z = np.maximum(pc[..., 2], 1e-3)
    f = camera.focal_px
    xy = np.stack([f * pc[..., 0] / z + camera.width / 2, f * pc[..., 1] / z + camera.height / 2], -1)
    return xy, pc[..., 2]


def _cam_pose(rot: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """A generator camera (rows: right, down, forward) as an OpenGL camera pose."""
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = rot[0], -rot[1], -rot[2], pos
    return m


def _segment_matrix(a: np.ndarray, b: np.ndarray, radius_scale: float = 1.0) -> np.ndarray:
    """Maps a unit-length z cylinder centred at the origin onto the segment a-b."""
    d = b - a
    length = float(np.linalg.norm(d))
    z = d / max(length, 1e-9)
    x = np.cross(z, [0.0, 0.0, 1.0] if abs(z[2]) < 0.9 else [1.0, 0.0, 0.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2] = x * radius_scale, y * radius_scale, z * length
    m[:3, 3] = (a + b) / 2
    return m


def _translate(p: np.ndarray, rot: np.ndarray | None = None) -> np.ndarray:
    m = np.eye(4)
    if rot is not None:
        m[:3, :3] = rot
    m[:3, 3] = p
    return m


def _hidden() -> np.ndarray:
    return _translate(np.array([0.0, 0.0, -50.0]))


def _vertex_normals(v: np.ndarray, f: np.ndarray) -> np.ndarray:
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    n = np.zeros_like(v)
    for k in range(3):
        for c in range(3):
            n[:, c] += np.bincount(f[:, k], weights=fn[:, c], minlength=len(v))
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def _textured_quad(pyrender, corners: np.ndarray, repeat: tuple[float, float], image: np.ndarray):
    uv = np.array([[0, 0], [repeat[0], 0], [repeat[0], repeat[1]], [0, repeat[1]]], dtype=np.float32)
    normal = np.cross(corners[1] - corners[0], corners[3] - corners[0])
    normal /= np.linalg.norm(normal)
    tex = pyrender.Texture(source=image, source_channels="RGB", sampler=pyrender.Sampler(wrapS=10497, wrapT=10497))
    mat = pyrender.MetallicRoughnessMaterial(baseColorTexture=tex, metallicFactor=0.0, roughnessFactor=0.9)
    prim = pyrender.Primitive(
        positions=corners.astype(np.float32),
        normals=np.repeat(normal[None], 4, 0).astype(np.float32),
        texcoord_0=uv,
        indices=np.array([[0, 1, 2], [0, 2, 3]], dtype=np.uint32),
        material=mat,
    )
    return pyrender.Mesh([prim])


def _solid(pyrender, trimesh_mesh, rgb, rough: float = 0.7, metal: float = 0.0):
    mat = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=[*linear(rgb), 1.0], metallicFactor=metal, roughnessFactor=rough
    )
    return pyrender.Mesh.from_trimesh(trimesh_mesh, material=mat, smooth=True)


class _Props:
    """Kettlebell, band handles and band, mat and bench for one clip."""

    def __init__(self, pyrender, trimesh, scene, spec: ClipSpec, ctx: Ctx, times, pts, look: Look) -> None:
        self.scene, self.spec = scene, spec
        self.nodes: dict[str, object] = {}
        tc = trimesh.creation
        act = spec.activity
        self.times, self.pts = times, pts
        self.grip = {
            s: (pts[:, P[f"{s}_INDEX"]] + pts[:, P[f"{s}_PINKY"]] + pts[:, P[f"{s}_WRIST"]]) / 3
            for s in ("LEFT", "RIGHT")
        }
        if act == "chainsaw_row":
            bell = trimesh.util.concatenate(
                [tc.icosphere(subdivisions=2, radius=0.085), tc.torus(0.055, 0.011).apply_translation([0, 0, 0.1])]
            )
            self.nodes["bell"] = scene.add(_solid(pyrender, bell, look.bell, rough=0.5, metal=0.3), pose=_hidden())
            self.side_at = self._row_sides(ctx, times)
            self.rest_at = None
            if any(st.free_hand == "bench" for st in spec.plan()):
                self._bench(pyrender, trimesh, ctx, times, pts, look)
        if act == "reverse_fly":
            handle = tc.cylinder(radius=0.018, height=1.0, sections=12)
            band = tc.cylinder(radius=0.5, height=1.0, sections=8)
            for s in ("LEFT", "RIGHT"):
                self.nodes[f"handle.{s}"] = scene.add(_solid(pyrender, handle, (0.1, 0.1, 0.1)), pose=_hidden())
                self.nodes[f"band.{s}"] = scene.add(_solid(pyrender, band, look.band, rough=0.6), pose=_hidden())
            # anchored just above forehead height, about 1.3 m in front of where the set is done
            mid = pts[:, [P.LEFT_HIP, P.RIGHT_HIP]].mean(1)
            face = pts[:, P.NOSE] - pts[:, [P.LEFT_EAR, P.RIGHT_EAR]].mean(1)
            face[:, 2] = 0
            face /= np.maximum(np.linalg.norm(face, axis=1, keepdims=True), 1e-9)
            k = len(times) // 2
            self.anchor = mid[k] + 1.3 * face[k]
            self.anchor[2] = float(pts[k, P.NOSE, 2]) + 0.12
        if act == "superman":
            mid = pts[:, [P.LEFT_HIP, P.RIGHT_HIP]].mean(1)
            prone = np.abs(pts[:, P.NOSE, 2] - mid[:, 2]) < 0.35
            if prone.any():
                head = pts[prone][:, P.NOSE].mean(0)
                feet = pts[prone][:, [P.LEFT_ANKLE, P.RIGHT_ANKLE]].mean((0, 1))
                centre = (head + feet) / 2
                d = head - feet
                yaw = math.atan2(d[1], d[0])
                mat_mesh = tc.box(extents=[1.85, 0.62, 0.008])
                rot = np.array([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0], [0, 0, 1]])
                scene.add(
                    _solid(pyrender, mat_mesh, look.mat, rough=0.95), pose=_translate(np.r_[centre[:2], 0.004], rot)
                )

    def _row_sides(self, ctx: Ctx, times) -> np.ndarray:
        """Which hand holds the bell at each time ('' = it stands on the floor)."""
        out = np.array([""] * len(times), dtype=object)
        for ph in ctx.tl.phases:
            side, name, t0, t1 = ph.get("side"), ph["label"], ph["start_s"], ph["end_s"]
            if side and (name == "setup" or str(name).startswith("set")):
                out[(times >= t0 - 0.3) & (times <= t1 + 1.0)] = side
        return out

    def _bench(self, pyrender, trimesh, ctx, times, pts, look) -> None:
        """A bench (or chair seat) under the free hand of each set done with the hand on one,
        in front of the front foot; it is there from that side's setup to the set's end."""
        self.benches = []
        setup_start = None
        for ph in ctx.tl.phases:
            name, side = ph["label"], ph.get("side")
            if name == "setup":
                setup_start = ph["start_s"]
            if not (side and str(name).startswith("set ")):
                continue
            st = ctx.spec.plan()[int(str(name).split()[-1]) - 1]
            if st.free_hand != "bench":
                continue
            free = "RIGHT" if side == "left" else "LEFT"
            m = (times >= ph["start_s"]) & (times <= ph["end_s"])
            if not m.any():
                continue
            g = self.grip[free][m].mean(0)
            hips = pts[m][:, [P.LEFT_HIP, P.RIGHT_HIP]].mean((0, 1))
            ahead = g[:2] - hips[:2]
            ahead /= max(float(np.linalg.norm(ahead)), 1e-9)
            top = max(float(g[2]) - 0.03, 0.3)
            depth = 0.32
            centre = g[:2] + ahead * (depth / 2 - 0.06)  # the hand near the seat's near edge
            yaw = math.atan2(ahead[1], ahead[0])
            rot = np.array([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0], [0, 0, 1]])
            bench = trimesh.creation.box(extents=[depth, 0.38, top])
            node = self.scene.add(_solid(pyrender, bench, look.bench, rough=0.8), pose=_hidden())
            t0 = setup_start if setup_start is not None else ph["start_s"]
            self.benches.append((node, t0, ph["end_s"] + 0.5, _translate(np.r_[centre, top / 2], rot)))

    def update(self, i: int) -> None:
        scene, pts = self.scene, self.pts
        t = self.times[i]
        for node, t0, t1, pose in getattr(self, "benches", []):
            scene.set_pose(node, pose if t0 <= t <= t1 else _hidden())
        if "bell" in self.nodes:
            side = self.side_at[i]
            node = self.nodes["bell"]
            if side:
                g = self.grip["LEFT" if side == "left" else "RIGHT"][i]
                pose = _translate(g - np.array([0.0, 0.0, 0.1]))
                self.rest_at = g - np.array([0.0, 0.0, 0.1])
            elif self.rest_at is not None:
                p = self.rest_at.copy()
                p[2] = 0.085
                pose = _translate(p)
            else:
                pose = _hidden()
            scene.set_pose(node, pose)
        if "handle.LEFT" in self.nodes:
            for s in ("LEFT", "RIGHT"):
                g = self.grip[s][i]
                across = pts[i, P[f"{s}_INDEX"]] - pts[i, P[f"{s}_PINKY"]]
                across /= max(float(np.linalg.norm(across)), 1e-9)
                m = _segment_matrix(g - 0.06 * across, g + 0.06 * across)
                scene.set_pose(self.nodes[f"handle.{s}"], m)
                scene.set_pose(self.nodes[f"band.{s}"], _segment_matrix(g, self.anchor, radius_scale=0.012))


@dataclass
class _Room:
    scene: object
    body_node: object | None = None


def _build_room(pyrender, trimesh, camera: Camera, pts: np.ndarray, look: Look, rng: np.random.Generator):
    scene = pyrender.Scene(bg_color=[0.8, 0.8, 0.8, 1.0], ambient_light=[look.ambient] * 3)
    centre = pts.reshape(-1, 3).mean(0)
    centre[2] = 0.0
    ahead = centre - camera.position
    ahead[2] = 0.0
    ahead /= max(float(np.linalg.norm(ahead)), 1e-9)
    side = np.array([-ahead[1], ahead[0], 0.0])
    s = 12.0
    floor = np.array(
        [
            centre + s * (-ahead - side),
            centre + s * (-ahead + side),
            centre + s * (ahead + side),
            centre + s * (ahead - side),
        ]
    )
    floor[:, 2] = 0.0
    floor = floor[[1, 0, 3, 2]]  # wound to face up (a face seen from behind is not drawn)
    scene.add(
        _textured_quad(pyrender, floor, (2 * s / look.floor_tile, 2 * s / look.floor_tile), floor_texture(look, rng))
    )
    reach = np.abs((pts.reshape(-1, 3) - centre) @ ahead).max()
    wall_at = centre + (reach + rng.uniform(0.6, 1.6)) * ahead
    w = 10.0
    wall = np.array([wall_at - w * side, wall_at + w * side, wall_at + w * side, wall_at - w * side])
    wall[2:, 2] = 3.0
    wall = wall[[1, 0, 3, 2]]  # facing the camera
    scene.add(_textured_quad(pyrender, wall, (2 * w / 1.5, 1.0), wall_texture(look, rng)))
    # furniture against the wall: a cabinet and a shelf to one side of the athlete
    for k in range(2):
        off = (1 if rng.random() < 0.5 else -1) * rng.uniform(1.4, 2.6)
        size = [rng.uniform(0.35, 0.5), rng.uniform(0.6, 1.2), rng.uniform(0.5, 1.9)]
        box = trimesh.creation.box(extents=size)
        yaw = math.atan2(ahead[1], ahead[0])
        rot = np.array([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0], [0, 0, 1]])
        at = wall_at - (size[0] / 2 + 0.02) * ahead + off * side
        colour = look.furniture[k]
        scene.add(_solid(pyrender, box, colour, rough=0.8), pose=_translate(np.r_[at[:2], size[2] / 2], rot))
    if look.light == "day":
        sun = pyrender.DirectionalLight(color=[1.0, 0.97, 0.92], intensity=look.light_intensity)
        d = -ahead * 0.4 + side * rng.uniform(-0.8, 0.8) - np.array([0, 0, 1.0])
        scene.add(sun, pose=_look_dir(d))
        fill = pyrender.DirectionalLight(color=[0.85, 0.9, 1.0], intensity=look.light_intensity * 0.35)
        scene.add(fill, pose=_look_dir(ahead * 0.8 - side * 0.5 - np.array([0, 0, 0.3])))
    else:  # one warm lamp off to the side
        lamp = pyrender.PointLight(color=[1.0, 0.78, 0.5], intensity=look.light_intensity)
        at = centre + rng.choice([-1.0, 1.0]) * rng.uniform(1.2, 2.0) * side + rng.uniform(-0.5, 0.8) * ahead
        scene.add(lamp, pose=_translate(np.r_[at[:2], rng.uniform(1.4, 2.0)]))
    return scene


def _look_dir(d: np.ndarray) -> np.ndarray:
    """A light pose shining along d (pyrender lights shine down their -z)."""
    z = -d / np.linalg.norm(d)
    x = np.cross([0.0, 0.0, 1.0], z)
    if np.linalg.norm(x) < 1e-6:
        x = np.array([1.0, 0.0, 0.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2] = x, y, z
    return m


def render_clip(
    spec: ClipSpec,
    seed: int,
    out: Path | str,
    look: Look | None = None,
    shake_deg: float = 0.15,
    times: np.ndarray | None = None,
    fps: float | None = None,
    codec: str = "libx264",
) -> RenderResult:
    """Render the generator clip (spec, seed) to ``out``; the truth is ``make_clip``'s."""
    import time

    import av
    import pyrender
    import trimesh

    started = time.perf_counter()
    truth = make_clip(spec, seed).truth.to_json()
    if times is None:
        stride = default_stride(spec.fps)
        fps = spec.fps / stride
        times = np.arange(0.0, truth["duration_s"], 1.0 / fps)
    assert fps is not None
    v, pts, camera, body, ctx = motion(spec, seed, times)
    rng = np.random.default_rng(seed + 1000003)
    look = look or draw_look(rng)
    skinner = Skinner(body, Build(look.width))
    maps = skinner.bone_maps(v, pts)
    rots = np.einsum("nij,jk->nik", _shake(len(times), fps, rng, shake_deg), camera.rotation)
    image_xy, depth = _project(camera, rots, pts)
    joints = skinner.joints(maps)
    joints_xy = {k: _project(camera, rots, p[:, None])[0][:, 0] for k, p in joints.items()}

    scene = _build_room(pyrender, trimesh, camera, pts, look, rng)
    props = _Props(pyrender, trimesh, scene, spec, ctx, times, pts, look)
    cam = pyrender.IntrinsicsCamera(
        camera.focal_px, camera.focal_px, camera.width / 2, camera.height / 2, znear=0.05, zfar=40.0
    )
    cam_node = scene.add(cam, pose=_cam_pose(rots[0], camera.position))
    rb = rest_body()
    faces = np.concatenate(list(rb.faces.values()))
    colours, shirt = look.vertex_colours(rb, skinner)
    colours = colours.astype(np.float32)
    if look.loose_top:
        skinner.v = skinner.v + look.loose_top * shirt[:, None] * _vertex_normals(skinner.v, faces.astype(np.int64))
    body_mat = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.75
    )
    renderer = pyrender.OffscreenRenderer(camera.width, camera.height)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    container = av.open(str(out), "w")
    rate = Fraction(fps).limit_denominator(1000)
    stream = container.add_stream(codec, rate=rate)
    stream.width, stream.height = camera.width, camera.height
    stream.pix_fmt = "yuv420p"
    if codec == "libx264":
        stream.options = {"crf": "20", "preset": "veryfast"}
    elif codec == "libvpx-vp9":  # small files for the web pages
        stream.options = {"crf": "30", "b": "0", "row-mt": "1", "cpu-used": "4"}
    body_node = None
    noise = rng.normal(0.0, 1.0, (camera.height, camera.width, 1)).astype(np.float32)
    try:
        for i in range(len(times)):
            verts = skinner.pose(maps[i]).astype(np.float32)
            prim = pyrender.Primitive(
                positions=verts,
                normals=_vertex_normals(verts, faces.astype(np.int64)).astype(np.float32),
                color_0=colours,
                indices=faces,
                material=body_mat,
            )
            if body_node is not None:
                scene.remove_node(body_node)
            body_node = scene.add(pyrender.Mesh([prim]))
            props.update(i)
            scene.set_pose(cam_node, _cam_pose(rots[i], camera.position))
            rgb, _ = renderer.render(scene)
            # a phone's sensor noise, stronger in the dim light
            grain = look.grain * np.roll(noise, int(rng.integers(0, camera.width)), axis=1)
            img = np.clip(rgb.astype(np.float32) + grain, 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    finally:
        container.close()
        renderer.delete()
    return RenderResult(
        out,
        truth,
        look,
        float(fps),
        times,
        image_xy,
        depth,
        joints_xy,
        float(spec.camera_height_m),
        time.perf_counter() - started,
    )
