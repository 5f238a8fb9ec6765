"""Rendered bodies end to end: a short clip of the generator's motion worn by the CC0 body,
rendered here (pyrender, EGL on the CPU), analysed by `scapula analyze` with the real pose
model, counted right. The full set is `benchmarks/rendered.py` (outside the test run).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SCAPULA, _base_env, unavailable
from tests.synth import ClipSpec, NoiseSpec, RepSpec, SetSpec


def _renderer():
    try:
        from benchmarks import rendering
        from benchmarks.rendering.body import rest_body

        rest_body()
    except (ImportError, RuntimeError) as e:  # the render extra or the body's data is missing
        unavailable(f"the render extra is not installed (make install): {e}")
    return rendering


def _spec(reps: int) -> ClipSpec:
    rep = RepSpec(tempo_s=2.8, hold_s=0.8)
    return ClipSpec(
        activity="reverse_fly",
        sets=(SetSpec(reps=(rep,) * reps),),
        height_m=1.72,
        walk_in=False,
        lead_in_s=1.0,
        fidget=False,
        camera_height_m=1.1,
        camera_distance_m=2.2,
        width=640,
        height=360,
        fps=30.0,
        fit_distance=False,
        noise=NoiseSpec.none(),
    )


def test_the_body_follows_the_generator_points() -> None:
    """The skinned mesh's shoulders, elbows, wrists, knees and ankles sit on the generator's
    points (the retargeting places them exactly), and the mesh stands on the floor."""
    rendering = _renderer()
    from benchmarks.rendering.body import Skinner
    from benchmarks.rendering.clip import motion

    spec = _spec(2)
    times = np.arange(0.0, 6.0, 0.5)
    v, pts, _, body, _ = motion(spec, 3, times)
    skinner = Skinner(body)
    maps = skinner.bone_maps(v, pts)
    rb = rendering.body.rest_body()
    for bone, point in (("upperarm01.L", 11), ("lowerarm01.R", 14), ("wrist.L", 15), ("lowerleg01.R", 26)):
        j = rb.bones.index(bone)
        head = np.einsum("nij,j->ni", maps[:, j, :, :3], skinner.heads[bone]) + maps[:, j, :, 3]
        assert np.abs(head - pts[:, point]).max() < 1e-6, bone
    verts = skinner.pose(maps[0])
    assert -0.06 < verts[:, 2].min() < 0.03  # soles on the floor (within the foot's shape)
    assert abs(verts[:, 2].max() - body.height) < 0.08


def test_a_rendered_clip_is_counted_right(tmp_path: Path) -> None:
    rendering = _renderer()
    spec = _spec(3)
    clip = tmp_path / "fly.mp4"
    try:
        result = rendering.render_clip(spec, seed=5, out=clip)
    except Exception as e:  # no EGL display: the Debian packages of system-deps.sh are missing
        if "EGL" in repr(e) or "egl" in repr(e):
            unavailable(f"EGL is not available (scripts/system-deps.sh installs it): {e!r}")
        raise
    truth = result.truth
    assert truth["counts"]["total"] == 3
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [str(SCAPULA), "analyze", str(clip), "--exercise", "reverse_fly", "--out", str(out), "--workers", "1"],
        env=_base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["frames"]["with_person"] >= 0.95 * report["frames"]["total"], report["frames"]
    assert report["reps"]["total"] == 3, report["reps"]


@pytest.mark.fast
def test_rendered_spec_is_small_and_drawn_from_the_seed() -> None:
    pytest.importorskip("benchmarks.rendering.clip", reason="the render extra")
    from benchmarks.rendering.clip import rendered_spec

    for move in ("reverse_fly", "chainsaw_row", "superman"):
        spec = rendered_spec(move, 40001)
        assert spec == rendered_spec(move, 40001)
        assert sorted((spec.width, spec.height)) == [360, 640]
        assert spec.fps in (24.0, 30.0, 60.0) and 1.5 <= spec.camera_distance_m <= 3.0
        assert len(spec.plan()) == (2 if move == "chainsaw_row" else 1)
        if move == "chainsaw_row":  # one set a side
            assert {st.side for st in spec.plan()} == {"left", "right"}
