"""The synthetic landmark generator (tests/synth) is itself right: counts, timing, anatomy,
projection, file round trip and left/right."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from scapula.vision.landmarks import read_landmarks
from scapula.vision.skeleton import P
from tests.synth import (
    ACTIVITIES,
    EXERCISES,
    ClipSpec,
    NoiseSpec,
    RepSpec,
    SetSpec,
    make_clip,
    random_spec,
    truth_path,
    write_clip,
)
from tests.synth.camera import place_camera

CLEAN = NoiseSpec.none()


def _clean(spec: ClipSpec, **kw) -> ClipSpec:
    return dataclasses.replace(spec, noise=CLEAN, **kw)


def _person(clip):
    return [f for f in clip.frames if f.image is not None]


def _floor(clip, rows: np.ndarray) -> np.ndarray:
    """World rows (camera axes) turned back into the floor frame (z up)."""
    rot = np.asarray(clip.truth.view["camera"]["rotation"])
    return rows @ rot


def _during_sets(clip, frames):
    spans = [(s["start_s"], s["end_s"]) for s in clip.truth.sets]
    return [f for f in frames if any(a <= f.t <= b for a, b in spans)]


@pytest.mark.parametrize("activity,seed", [("reverse_fly", 1), ("chainsaw_row", 2), ("superman", 3), ("superman", 4)])
def test_rep_truth_matches_the_spec(activity, seed):
    spec = random_spec(activity, np.random.default_rng(seed), fault_prob=0.4, rest_s=4.0)
    clip = make_clip(spec, seed)
    plan = spec.plan()
    expected = []  # (side, faults) per truth rep, in order, worked out from the spec alone
    for st in plan:
        for rep in st.reps:
            faults = set(rep.faults) | set(st.faults)
            if activity == "reverse_fly":
                expected.append(("both", faults))
            elif activity == "chainsaw_row":
                expected.append((st.side, faults))
            elif "both_arms" in rep.faults:
                expected += [("left", faults), ("right", faults)]
            else:
                expected.append((rep.side, faults))
    assert [(r.side, set(r.faults)) for r in clip.truth.reps] == expected
    counts = clip.truth.counts
    if activity == "reverse_fly":
        assert counts == {"total": len(expected), "left": None, "right": None}
    else:
        assert counts["left"] == sum(s == "left" for s, _ in expected)
        assert counts["right"] == sum(s == "right" for s, _ in expected)
        assert counts["total"] == len(expected)
    for r in clip.truth.reps:
        assert r.start_s < r.peak_s < r.end_s <= clip.truth.duration_s


def test_superman_alternates_and_both_arms_counts_both_sides():
    reps = (RepSpec(), RepSpec(), RepSpec(faults=frozenset({"both_arms"})), RepSpec())
    clip = make_clip(ClipSpec("superman", sets=(SetSpec(reps),), noise=CLEAN, walk_in=False), 0)
    # the both-arms lift takes the left's turn; the alternation goes on from it
    assert [r.side for r in clip.truth.reps] == ["left", "right", "left", "right", "right"]
    assert clip.truth.reps[2].start_s == clip.truth.reps[3].start_s
    assert clip.truth.reps[2].faults == clip.truth.reps[3].faults == frozenset({"both_arms"})
    assert clip.truth.counts == {"total": 5, "left": 2, "right": 3}


def test_bad_specs_are_refused():
    with pytest.raises(ValueError):
        ClipSpec("burpee").plan()
    with pytest.raises(ValueError):
        ClipSpec("superman", sets=(SetSpec((RepSpec(faults=frozenset({"shrug"})),)),)).plan()
    with pytest.raises(ValueError):
        ClipSpec("reverse_fly", sets=(SetSpec((RepSpec(faults=frozenset({"locked_elbows", "bent_elbows"})),)),)).plan()


def test_frames_are_in_time_order_with_irregular_timing():
    spec = dataclasses.replace(
        random_spec("reverse_fly", np.random.default_rng(5)),
        fps=30.0,
        noise=dataclasses.replace(CLEAN, timing_jitter=0.15, drop_frame_prob=0.02),
    )
    clip = make_clip(spec, 5)
    t = np.array([f.t for f in clip.frames])
    dt = np.diff(t) * spec.fps
    assert clip.header.fps == 30.0
    assert np.all(dt > 0.65)  # strictly increasing
    assert np.std(dt[dt < 1.35]) > 0.03  # jittered, not a regular grid
    assert np.any(dt > 1.6)  # a dropped row leaves a larger gap
    assert abs(np.median(dt) - 1.0) < 0.05
    assert len(t) < t[-1] * spec.fps  # fewer rows than the nominal grid


def test_no_person_before_walking_in_and_after_walking_out():
    spec = _clean(
        random_spec("chainsaw_row", np.random.default_rng(6), n_sets=1, reps=4),
        walk_in=True,
        walk_out=True,
        lead_in_s=1.5,
        fit_distance=True,
    )
    clip = make_clip(spec, 6)
    assert clip.frames[0].image is None and clip.frames[0].world is None
    assert clip.frames[-1].image is None
    present = np.array([f.image is not None for f in clip.frames])
    assert present.mean() > 0.6
    first_rep = clip.truth.reps[0].start_s
    assert all(f.image is not None for f in clip.frames if first_rep <= f.t <= clip.truth.reps[-1].end_s)


BONES = [
    (P.LEFT_SHOULDER, P.LEFT_ELBOW),
    (P.LEFT_ELBOW, P.LEFT_WRIST),
    (P.RIGHT_SHOULDER, P.RIGHT_ELBOW),
    (P.RIGHT_ELBOW, P.RIGHT_WRIST),
    (P.LEFT_HIP, P.LEFT_KNEE),
    (P.LEFT_KNEE, P.LEFT_ANKLE),
    (P.RIGHT_HIP, P.RIGHT_KNEE),
    (P.RIGHT_KNEE, P.RIGHT_ANKLE),
    (P.LEFT_HIP, P.RIGHT_HIP),
    (P.LEFT_EAR, P.RIGHT_EAR),
    (P.LEFT_ANKLE, P.LEFT_FOOT_INDEX),
    (P.LEFT_WRIST, P.LEFT_INDEX),
]


@pytest.mark.parametrize(
    "activity", ["reverse_fly", "chainsaw_row", "superman", "cross_body_stretch", "marching", "walking"]
)
def test_bone_lengths_are_constant_without_noise(activity):
    spec = _clean(random_spec(activity, np.random.default_rng(7), n_sets=1, reps=4, duration_s=12.0))
    clip = make_clip(spec, 7)
    world = np.array([f.world for f in _person(clip)])
    h = spec.height_m
    for a, b in BONES:
        length = np.linalg.norm(world[:, a] - world[:, b], axis=1)
        assert np.ptp(length) < 1e-6, (a.name, b.name)
    upper_arm = np.linalg.norm(world[0, P.LEFT_SHOULDER] - world[0, P.LEFT_ELBOW])
    thigh = np.linalg.norm(world[0, P.LEFT_HIP] - world[0, P.LEFT_KNEE])
    assert upper_arm == pytest.approx(0.186 * h, rel=1e-6)
    assert thigh == pytest.approx(0.245 * h, rel=1e-6)


def test_projection_centre_and_directions():
    cam = place_camera(
        np.array([0.3, -0.2, 0.9]), azimuth_deg=57.0, distance=2.4, height=1.3, hfov_deg=70.0, width=1280, height_px=720
    )
    fwd, right, down = cam.rotation[2], cam.rotation[0], cam.rotation[1]
    ahead = cam.position + 3.0 * fwd
    x, y = cam.project(cam.to_camera(ahead[None]))[0]
    assert (x, y) == (pytest.approx(0.5, abs=1e-9), pytest.approx(0.5, abs=1e-9))
    aim = cam.project(cam.to_camera(np.array([[0.3, -0.2, 0.9]])))[0]
    assert np.allclose(aim, 0.5)
    x, _ = cam.project(cam.to_camera((ahead + 0.5 * right)[None]))[0]
    _, y = cam.project(cam.to_camera((ahead + 0.5 * down)[None]))[0]
    assert x > 0.5 and y > 0.5
    # the edge of the horizontal field of view lands on the image edge
    edge = cam.position + fwd + np.tan(np.radians(35.0)) * right
    assert cam.project(cam.to_camera(edge[None]))[0][0] == pytest.approx(1.0)
    assert cam.rotation[0][2] == pytest.approx(0.0, abs=1e-12)  # no roll: the image x axis is level


def test_write_clip_reads_back(tmp_path):
    spec = random_spec("superman", np.random.default_rng(8), n_sets=1, reps=4)
    clip = make_clip(spec, 8)
    path = tmp_path / "superman_8.jsonl"
    write_clip(clip, path)
    header, frames = read_landmarks(path)
    frames = list(frames)
    assert (header.fps, header.width, header.height) == (clip.header.fps, clip.header.width, clip.header.height)
    assert len(frames) == len(clip.frames)
    for a, b in zip(frames, clip.frames):
        assert a.t == pytest.approx(b.t, abs=1e-4)
        assert (a.image is None) == (b.image is None)
        if a.image is not None:
            assert np.allclose(a.image, b.image, atol=1e-5)
            assert np.allclose(a.world, b.world, atol=1e-4)
    truth = json.loads(truth_path(path).read_text())
    assert truth_path(path).name == "superman_8.truth.json"
    assert truth["counts"] == clip.truth.counts
    assert len(truth["reps"]) == len(clip.truth.reps)
    assert truth["reps"][0]["faults"] == sorted(clip.truth.reps[0].faults)


def _trunk_elevation(clip, frames) -> np.ndarray:
    """Angle of the hip-to-shoulder line above the horizontal, in the floor frame (degrees)."""
    w = _floor(clip, np.array([f.world for f in frames]))
    trunk = (w[:, P.LEFT_SHOULDER] + w[:, P.RIGHT_SHOULDER]) / 2 - (w[:, P.LEFT_HIP] + w[:, P.RIGHT_HIP]) / 2
    return np.degrees(np.arctan2(trunk[:, 2], np.linalg.norm(trunk[:, :2], axis=1)))


def test_superman_lies_horizontal_and_reverse_fly_stands_upright():
    sm = make_clip(_clean(random_spec("superman", np.random.default_rng(9), fault_prob=0.0, n_sets=1)), 9)
    up = _trunk_elevation(sm, _during_sets(sm, _person(sm)))
    assert np.all(np.abs(up) < 12)
    w = _floor(sm, np.array([f.world for f in _during_sets(sm, _person(sm))]))
    assert np.all(np.abs(w[:, P.NOSE, 2] - w[:, P.LEFT_HIP, 2]) < 0.2)  # head and hips at one height
    rf = make_clip(_clean(random_spec("reverse_fly", np.random.default_rng(9), fault_prob=0.0, n_sets=1)), 9)
    up = _trunk_elevation(rf, _during_sets(rf, _person(rf)))
    assert np.all(up > 82)
    w = _floor(rf, np.array([f.world for f in _during_sets(rf, _person(rf))]))
    assert np.all(w[:, P.NOSE, 2] - w[:, P.LEFT_ANKLE, 2] > 1.2)  # head far above the feet


@pytest.mark.parametrize("view_side,near", [(1, "left"), (-1, "right")])
def test_left_is_odd_and_nearer_when_filmed_from_the_left(view_side, near):
    assert P.LEFT_WRIST % 2 == 1 and P.RIGHT_WRIST % 2 == 0
    spec = _clean(
        random_spec("superman", np.random.default_rng(10), n_sets=1, reps=4, fault_prob=0.0),
        view_side=view_side,
        camera_yaw_deg=0.0,
    )
    clip = make_clip(spec, 10)
    assert clip.truth.sets[0]["near_side"] == near
    frames = _during_sets(clip, _person(clip))
    img = np.array([f.image for f in frames])
    world = np.array([f.world for f in frames])
    sign = 1 if near == "left" else -1
    for a, b in ((P.LEFT_WRIST, P.RIGHT_WRIST), (P.LEFT_SHOULDER, P.RIGHT_SHOULDER), (P.LEFT_HIP, P.RIGHT_HIP)):
        assert np.all(sign * (img[:, b, 2] - img[:, a, 2]) > 0), a.name
        assert np.all(sign * (world[:, b, 2] - world[:, a, 2]) > 0), a.name
        assert np.mean(img[:, a if near == "left" else b, 3]) > np.mean(img[:, b if near == "left" else a, 3]) + 0.2


def test_peak_is_where_the_arms_are_furthest_out():
    spec = _clean(random_spec("reverse_fly", np.random.default_rng(11), fault_prob=0.0, n_sets=1, reps=6))
    clip = make_clip(spec, 11)
    frames = _person(clip)
    t = np.array([f.t for f in frames])
    w = np.array([f.world for f in frames])
    for r, rep in zip(clip.truth.reps, spec.plan()[0].reps):
        m = (t >= r.start_s) & (t <= r.end_s)
        start = w[np.argmin(np.abs(t - r.start_s))]
        hands = [P.LEFT_WRIST, P.RIGHT_WRIST]
        travel = np.linalg.norm(w[m][:, hands] - start[hands], axis=2).sum(1)
        assert abs(t[m][np.argmax(travel)] - r.peak_s) <= rep.hold_s / 2 + 1.5 / spec.fps
        assert travel.max() > 0.8  # both hands travel 40+ cm
        assert travel[-1] < 0.1 * travel.max()  # and come back


def test_faults_show_in_the_motion():
    def peak_values(clip, fn):
        frames = _person(clip)
        t = np.array([f.t for f in frames])
        w = _floor(clip, np.array([f.world for f in frames]))
        return [
            (r, fn(w[np.argmin(np.abs(t - r.peak_s))]) - fn(w[np.argmin(np.abs(t - r.start_s))]))
            for r in clip.truth.reps
        ]

    sm = make_clip(_clean(random_spec("superman", np.random.default_rng(12), fault_prob=0.5, n_sets=2, reps=8)), 12)
    rise = peak_values(sm, lambda w: (w[P.LEFT_SHOULDER, 2] + w[P.RIGHT_SHOULDER, 2]) / 2)
    assert any("back_arch" in r.faults for r, _ in rise) and any("back_arch" not in r.faults for r, _ in rise)
    for r, d in rise:
        assert (0.07 < d < 0.16) if "back_arch" in r.faults else abs(d) < 0.03
    rf = make_clip(_clean(random_spec("reverse_fly", np.random.default_rng(13), fault_prob=0.5, n_sets=2, reps=8)), 13)

    def shoulder_height(w):  # the shoulder's height under the ear, along the trunk
        trunk = (w[P.LEFT_SHOULDER] + w[P.RIGHT_SHOULDER] - w[P.LEFT_HIP] - w[P.RIGHT_HIP]) / 2
        return np.dot(w[P.LEFT_SHOULDER] - w[P.LEFT_EAR], trunk / np.linalg.norm(trunk))

    shrug = peak_values(rf, shoulder_height)
    assert any("shrug" in r.faults for r, _ in shrug)
    for r, d in shrug:  # the shoulders rise 3-6 cm toward the ears in a shrug, under 1 cm otherwise
        assert (0.025 < d < 0.065) if "shrug" in r.faults else abs(d) < 0.01


def test_same_seed_same_clip_and_noise_is_added():
    spec = random_spec("arm_circles", np.random.default_rng(14), duration_s=10.0)
    a, b = make_clip(spec, 14), make_clip(spec, 14)
    assert [f.t for f in a.frames] == [f.t for f in b.frames]
    assert all(
        (x.image is None and y.image is None) or np.array_equal(x.image, y.image) for x, y in zip(a.frames, b.frames)
    )
    c = make_clip(_clean(spec), 14)
    ia = np.array([f.image[:, :2] for f in a.frames if f.image is not None][:50])
    ic = np.array([f.image[:, :2] for f in c.frames if f.image is not None][:50])
    assert len(ia) == len(ic) and not np.allclose(ia, ic, atol=1e-5)


def test_swaps_and_dropouts_are_injected_and_recorded():
    noise = dataclasses.replace(CLEAN, swaps_per_min=6.0, dropouts_per_min=6.0, glitches_per_min=6.0)
    spec = dataclasses.replace(
        random_spec("superman", np.random.default_rng(15), n_sets=1), noise=noise, walk_in=False, walk_out=False
    )
    clip, clean = make_clip(spec, 15), make_clip(_clean(spec), 15)
    kinds = {e["kind"] for e in clip.truth.events}
    assert {"swap", "dropout", "glitch"} <= kinds
    assert clip.truth.frames_with_person < clean.truth.frames_with_person
    swap = next(e for e in clip.truth.events if e["kind"] == "swap")
    i = next(k for k, f in enumerate(clip.frames) if abs(f.t - swap["t"]) < 1e-3)
    if clip.frames[i].image is not None:
        assert np.allclose(clip.frames[i].world[P.LEFT_WRIST], clean.frames[i].world[P.RIGHT_WRIST], atol=0.05)


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_every_activity_makes_a_clip(activity):
    spec = random_spec(activity, np.random.default_rng(16), n_sets=1, reps=3, duration_s=10.0, rest_s=3.0)
    clip = make_clip(spec, 16)
    assert clip.truth.exercise == (activity if activity in EXERCISES else None)
    assert (len(clip.truth.reps) > 0) == (activity in EXERCISES)
    frames = _person(clip)
    assert len(frames) > 0.5 * len(clip.frames)
    img = np.array([f.image for f in frames])
    assert np.all((img[..., 3] >= 0) & (img[..., 3] <= 1))
    assert np.all(np.isfinite(img))
    assert spec.noise.drop_frame_prob > 0 or len(clip.frames) >= int(clip.truth.duration_s * spec.fps)


@pytest.mark.parametrize(
    ("height", "yaw", "lost"),
    [(0.3, 30.0, True), (0.8, 30.0, True), (1.4, 30.0, False), (0.3, 0.0, False), (0.8, 0.0, False)],
)
def test_the_far_wrist_is_lost_from_low_and_side_on_only(height, yaw, lost):
    # Rendered bodies through BlazePose: lying with the arms overhead and filmed exactly
    # side-on from low, the far wrist is put on the near arm; from 1.4 m up, or turned
    # toward the head end (the advised view, yaw 0 here), it is found.
    spec = ClipSpec(
        "superman",
        sets=(SetSpec(tuple(RepSpec() for _ in range(6))),),
        camera_height_m=height,
        camera_yaw_deg=yaw,
        camera_distance_m=2.0,
        fit_distance=True,
    )
    clip = make_clip(spec, seed=5)
    near = clip.truth.view["near_side"]
    far = "right" if near == "left" else "left"
    peaks = clip.truth.view["hidden_at_peaks"]
    assert peaks[near] == 0.0
    assert (peaks[far] >= 0.5) == lost, peaks
    if lost:  # the copied wrist sits on the near one in the picture
        at = [i for i, f in enumerate(clip.frames) if f.image is not None]
        gap = [np.linalg.norm(clip.frames[i].image[15, :2] - clip.frames[i].image[16, :2]) for i in at]
        assert np.percentile(gap, 25) < 0.03
    quiet = make_clip(dataclasses.replace(spec, noise=dataclasses.replace(spec.noise, hidden_copy=0.0)), seed=5)
    assert quiet.truth.view["hidden_wrist_share"][far] == 0.0
