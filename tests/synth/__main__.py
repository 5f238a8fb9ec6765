"""python -m tests.synth OUTDIR [--activity A] [--seed N] [--all N] [--clean] [--default]

Writes ACTIVITY_SEED.jsonl and ACTIVITY_SEED.truth.json into OUTDIR: one clip (--activity,
--seed), or --all N random clips of every activity (each with its own seed, from SEED on). The
spec is random_spec(activity, numpy.random.default_rng(SEED)) and the clip make_clip(spec, SEED),
so any file can be made again from its name.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

from . import ACTIVITIES, ClipSpec, NoiseSpec, make_clip, random_spec, write_clip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.synth", description=__doc__.split("\n\n")[1])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--activity", choices=ACTIVITIES, default="superman")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--all", type=int, metavar="N", default=0, help="N random clips of every activity")
    ap.add_argument("--clean", action="store_true", help="no estimator errors")
    ap.add_argument("--default", action="store_true", help="ClipSpec defaults instead of random_spec")
    ap.add_argument("--fault-prob", type=float, default=None)
    args = ap.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    jobs = (
        [(a, args.seed + k * len(ACTIVITIES) + i) for i, a in enumerate(ACTIVITIES) for k in range(args.all)]
        if args.all
        else [(args.activity, args.seed)]
    )
    for activity, seed in jobs:
        if args.default:
            spec = ClipSpec(activity)
        else:
            extra = {} if args.fault_prob is None else {"fault_prob": args.fault_prob}
            spec = random_spec(activity, np.random.default_rng(seed), **extra)
        if args.clean:
            spec = dataclasses.replace(spec, noise=NoiseSpec.none())
        t = time.perf_counter()
        clip = make_clip(spec, seed)
        path = args.outdir / f"{activity}_{seed}.jsonl"
        write_clip(clip, path)
        tr = clip.truth
        print(
            f"{path}: {tr.duration_s:.1f} s, {tr.frames_total} frames ({tr.frames_with_person} with person), "
            f"reps {tr.counts}, faults {sum(len(r.faults) > 0 for r in tr.reps)} reps, "
            f"{time.perf_counter() - t:.2f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
