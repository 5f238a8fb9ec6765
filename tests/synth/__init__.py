"""Synthetic BlazePose-33 landmark clips with exact ground truth, for testing Scapula's camera
coach without pixels. The motion comes from an anthropometric skeleton driven by joint
angles, seen through a pinhole camera, with a pose estimator's typical errors added.

    from tests.synth import random_spec, make_clip, write_clip
    clip = make_clip(random_spec("superman", np.random.default_rng(3)), seed=3)
    write_clip(clip, "out/superman_3.jsonl")     # + out/superman_3.truth.json
"""

from .clip import make_clip, pose_track, truth_path, write_clip
from .spec import (
    ACTIVITIES,
    EXERCISES,
    NEGATIVES,
    REP_FAULTS,
    SET_FAULTS,
    Clip,
    ClipSpec,
    NoiseSpec,
    RepSpec,
    RepTruth,
    SetSpec,
    Truth,
    random_spec,
)

__all__ = [
    "ACTIVITIES",
    "EXERCISES",
    "NEGATIVES",
    "REP_FAULTS",
    "SET_FAULTS",
    "Clip",
    "ClipSpec",
    "NoiseSpec",
    "RepSpec",
    "RepTruth",
    "SetSpec",
    "Truth",
    "make_clip",
    "pose_track",
    "random_spec",
    "truth_path",
    "write_clip",
]
