"""Build the demo clips of the exercise pages: one clean rep of each move, and one rep of each
fault the camera coach checks, rendered from the project's motion generator on the CC0 body.

    make demo-clips            # or: .venv/bin/python scripts/build-demo-clips.py [--only superman]

Writes `src/scapula/web/static/demo/<move>.webm` (the clean rep) and `<move>--<fault>.webm`
(VP9 in WebM, 640x360, 15 frames a second, a few seconds, looping cleanly: each clip starts and
ends in the move's start position) and `index.json` (what each clip shows). The clips are
Scapula's own (ASSETS.md). Needs the render extra (`make install`) and EGL.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rendering import render_clip  # noqa: E402
from benchmarks.rendering.looks import Look  # noqa: E402
from tests.synth import ClipSpec, NoiseSpec, RepSpec, SetSpec, make_clip  # noqa: E402

OUT = ROOT / "src" / "scapula" / "web" / "static" / "demo"
FPS = 15.0

# the faults each move's checks report (src/scapula/vision/moves/, the catalog's fault ids);
# "upright_torso" and "square_stance" are whole-set faults of the row, shown on its one rep
FAULTS = {
    "reverse_fly": ("shrug", "ribs_flare", "locked_elbows", "bent_elbows", "partial_range"),
    "chainsaw_row": ("torso_rotation", "partial_range", "upright_torso", "square_stance"),
    "superman": ("both_arms", "back_arch", "neck_extension"),
}
SET_FAULTS = {"upright_torso", "square_stance"}

# the filming advice's camera: the reverse fly at 45 deg, the row side-on, the superman side-on
# from chest height turned a little toward the head (so both arms show)
CAMERA = {
    "reverse_fly": {"camera_yaw_deg": 0.0, "camera_height_m": 1.2, "camera_distance_m": 3.4},
    "chainsaw_row": {"camera_yaw_deg": -10.0, "camera_height_m": 1.0, "camera_distance_m": 2.4},
    "superman": {"camera_yaw_deg": 25.0, "camera_height_m": 1.2, "camera_distance_m": 2.3},
}

LOOK = Look(
    skin=(0.78, 0.57, 0.42),
    hair=(0.20, 0.13, 0.08),
    shirt=(0.10, 0.55, 0.60),
    trousers=(0.12, 0.12, 0.16),
    shoes=(0.25, 0.25, 0.3),
    long_sleeves=False,
    shorts=False,
    loose_top=0.0,
    width=1.0,
    light="day",
    light_intensity=1.6,
    ambient=0.3,
    floor="wood",
    floor_colour=(0.45, 0.30, 0.18),
    floor_tile=0.9,
    wall=(0.92, 0.90, 0.85),
    furniture=((0.55, 0.6, 0.65), (0.7, 0.62, 0.5)),
    grain=0.0,
)


def spec_for(move: str, fault: str | None) -> ClipSpec:
    rep_faults = frozenset({fault}) if fault and fault not in SET_FAULTS else frozenset()
    set_faults = frozenset({fault}) if fault in SET_FAULTS else frozenset()
    rep = RepSpec(faults=rep_faults, tempo_s=2.6, hold_s=0.5, side="left" if move == "superman" else "")
    st = SetSpec(reps=(rep, rep), side="left" if move == "chainsaw_row" else "", faults=set_faults)
    return ClipSpec(
        activity=move,
        sets=(st,),
        height_m=1.75,
        walk_in=False,
        walk_out=False,
        lead_in_s=0.5,
        rest_s=5.0,
        fidget=False,
        superman_arms="y",
        superman_lift_m=0.18,
        view_side=1,
        camera_roll_deg=0.0,
        hfov_deg=60.0,
        width=640,
        height=360,
        fps=30.0,
        fit_distance=move != "reverse_fly",
        noise=NoiseSpec.none(),
        **CAMERA[move],
    )


def build(move: str, fault: str | None, seed: int = 16) -> dict:
    spec = spec_for(move, fault)
    truth = make_clip(spec, seed).truth
    rep = truth.reps[1]  # the second rep: the set is under way, the start position settled
    t0, t1 = rep.start_s - 0.25, rep.end_s + 0.25
    times = np.arange(t0, t1, 1.0 / FPS)
    name = move if fault is None else f"{move}--{fault}"
    out = OUT / f"{name}.webm"
    render_clip(spec, seed, out, look=LOOK, shake_deg=0.0, times=times, fps=FPS, codec="libvpx-vp9")
    return {
        "file": out.name,
        "move": move,
        "fault": fault,
        "seconds": round(float(t1 - t0), 2),
        "bytes": out.stat().st_size,
        "truth_faults": sorted(rep.faults | set(truth.sets[0]["faults"])) if truth.sets else sorted(rep.faults),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(FAULTS), help="only these moves")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    index_path = OUT / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    for move in args.only or list(FAULTS):
        for fault in (None, *FAULTS[move]):
            entry = build(move, fault)
            index[entry["file"]] = entry
            print(f"{entry['file']}: {entry['seconds']} s, {entry['bytes'] // 1000} kB, truth {entry['truth_faults']}")
    index_path.write_text(json.dumps(dict(sorted(index.items())), indent=1) + "\n")


if __name__ == "__main__":
    main()
