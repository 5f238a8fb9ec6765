"""Speed of `scapula analyze` on a video against a naive MediaPipe loop, measured in one run.

The clip: the real demo video shipped in the sports2d wheel (a person walking, another
jumping), scaled to 1920x1080 at 30 fps and looped to LOOPS x 7.7 s with ffmpeg: by default
as x264 encodes it (B-frames, a keyframe every 8.3 s); with --phone as phone cameras record
(no B-frames, a keyframe every second), which leaves no frame the decoder may skip. Three
runs on it, one after the other on this machine, each a program of its own timed from
start to exit (interpreter start-up and imports included):

  naive      OpenCV decode, BGR->RGB, mediapipe Pose.process on every frame, one process
  full-rate  `scapula analyze --full-rate`: every frame estimated, two worker processes
  scapula    `scapula analyze` as a runner types it (pose at ~10 fps, two workers)

and the landmark-file path: a 10-minute landmark file (30 frames a second) read and analysed.

Prints frames/s, real-time factor (clip seconds per wall second) and the ratios, and
whether the fast run found the same reps and faults as the full-rate run.

    .venv/bin/python benchmarks/analyze.py [--loops 4] [--phone]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCAPULA = Path(sys.executable).with_name("scapula")  # the venv's console script


def make_clip(dest: Path, loops: int, phone: bool = False) -> Path:
    from tests.realclip import demo_clip

    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-stream_loop",
            str(loops - 1),
            "-i",
            str(demo_clip()),
            "-vf",
            "scale=1920:1080,fps=30",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            *(["-g", "30", "-bf", "0"] if phone else []),
            "-an",
            str(dest),
        ],
        check=True,
    )
    return dest


NAIVE = """
import sys, cv2
from mediapipe.python.solutions import pose as mp_pose
cap = cv2.VideoCapture(sys.argv[1])
frames = 0
with mp_pose.Pose(model_complexity=1) as pose:
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        frames += 1
print(frames)
"""


def naive(path: Path) -> tuple[int, float]:
    """The loop anyone would write first, run as its own program (start-up and imports
    included, as they are for `scapula analyze`)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", NAIVE, str(path)], capture_output=True, text=True, check=True)
    return int(proc.stdout.split()[-1]), time.perf_counter() - start


def ours(path: Path, full_rate: bool) -> tuple[dict, float]:
    """`scapula analyze` as a runner types it: the whole command, start-up included."""
    out = path.with_name(f"report-{'full' if full_rate else 'fast'}.json")
    start = time.perf_counter()
    subprocess.run(
        [
            str(SCAPULA),
            "analyze",
            str(path),
            "--exercise",
            "auto",
            "--out",
            str(out),
            *(["--full-rate"] if full_rate else []),
        ],
        capture_output=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    return json.loads(out.read_text()), elapsed


def landmark_file(tmp: Path, minutes: float) -> tuple[int, float, float]:
    """Write a long landmark clip (generated motion) and time reading + analysing it."""
    import dataclasses

    import numpy as np

    from scapula.vision.analyzer import analyze
    from scapula.vision.landmarks import Frame, read_landmarks, write_landmarks
    from tests.synth import make_clip as synth_clip
    from tests.synth import random_spec

    # at 30 frames a second, a phone's usual rate (a 60 fps file has twice the lines to read)
    spec = dataclasses.replace(random_spec("chainsaw_row", np.random.default_rng(7)), fps=30.0)
    clip = synth_clip(spec, seed=7)
    span = clip.frames[-1].t + 1 / clip.header.fps
    copies = int(np.ceil(minutes * 60 / span))
    path = tmp / "long.jsonl"
    write_landmarks(
        path, clip.header, (Frame(f.t + k * span, f.image, f.world) for k in range(copies) for f in clip.frames)
    )
    start = time.perf_counter()
    header, frames = read_landmarks(path)
    result = analyze(header, frames, "auto")
    elapsed = time.perf_counter() - start
    return result.frames_total, copies * span, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--phone", action="store_true", help="encode the clip as a phone camera does")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip = make_clip(tmp / "clip.mp4", args.loops, args.phone)
        from scapula.vision.pose import open_video

        video = open_video(clip)
        print(
            f"clip: {video.width}x{video.height} {video.fps:g} fps, {video.duration_s:.1f} s, "
            f"{video.frame_count} frames, {'phone' if args.phone else 'x264 default'} encoding"
        )
        n, t_naive = naive(clip)
        full, t_full = ours(clip, full_rate=True)
        fast, t_fast = ours(clip, full_rate=False)
        d = video.duration_s
        rows = [("naive loop", t_naive), ("scapula full-rate", t_full), ("scapula", t_fast)]
        for name, t in rows:
            print(f"{name:18s} {t:7.2f} s  {n / t:6.1f} frames/s  {d / t:5.2f}x real time")
        print(f"ratio scapula / naive: {t_naive / t_fast:.2f}x faster; full-rate / naive: {t_naive / t_full:.2f}x")
        same = (full["reps"], full["faults"], full["recognised"]) == (fast["reps"], fast["faults"], fast["recognised"])
        print(
            f"same reps and faults as full rate: {same} "
            f"(full {json.dumps(full['reps'])}, fast {json.dumps(fast['reps'])})"
        )
        frames, seconds, t_lm = landmark_file(tmp, args.minutes)
        print(
            f"landmark file: {frames} frames ({seconds / 60:.1f} min of clip) read and analysed "
            f"in {t_lm:.2f} s ({seconds / t_lm:.0f}x real time)"
        )


if __name__ == "__main__":
    main()
