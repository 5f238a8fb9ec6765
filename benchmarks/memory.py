"""Memory of `scapula analyze` over a long video: does it stay flat?

The clip: the real demo video of the sports2d wheel (a person walking, another jumping),
encoded once at a reduced size (640x360, 30 fps) and then repeated with ffmpeg's
-stream_loop and stream copy up to MINUTES (30 by default), so making it takes seconds.
The reduced size keeps the run shorter (decoding is cheaper; the pose costs the same per
frame at any size, so the run still takes about a sixth of the clip's length on 2 cores)
and does not change what is measured: the pipeline holds the same number of frames and
segments in flight at any size, and the frames it converts are smaller anyway.

`scapula analyze CLIP` runs as the user runs it, in a child process; every INTERVAL
seconds this samples the resident memory of the main process and of each worker (from
/proc: RSS, and PSS, which splits shared pages between the processes that share them, so
the PSS of all of them adds up to what they really take together). Prints a timeline and,
for each, the memory at the start (the first sample with every worker running), a minute
later (the model and the first segments loaded), at the peak and at the end.

    .venv/bin/python benchmarks/memory.py [--minutes 30] [--interval 1]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTLE_S = 60.0  # seconds after the workers start: memory from then on should stay flat


def make_clip(dest: Path, minutes: float) -> Path:
    from tests.realclip import demo_clip

    unit = dest.with_name("unit.mp4")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(demo_clip()),
            "-vf",
            "scale=640:360,fps=30",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-an",
            str(unit),
        ],
        check=True,
    )
    unit_s = 230 / 30
    loops = max(1, round(minutes * 60 / unit_s))
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops - 1), "-i", str(unit), "-c", "copy", str(dest)],
        check=True,
    )
    return dest


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _memory_mb(pid: int) -> tuple[float, float] | None:
    """(RSS, PSS) in MiB, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line and not line[0].isdigit())
        rss = int(fields["Rss"].split()[0]) / 1024
        pss = int(fields["Pss"].split()[0]) / 1024
        return rss, pss
    except (OSError, KeyError, ValueError):
        return None


def sample(cmd: list[str], interval: float) -> tuple[list[tuple[float, dict[int, tuple[float, float]]]], float, int]:
    """Runs ``cmd`` and samples the memory of it and of every process under it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    samples = []
    while proc.poll() is None:
        pids, todo = [], [proc.pid]
        while todo:  # the process tree: main, pool workers, their helpers
            pid = todo.pop()
            pids.append(pid)
            todo.extend(_children(pid))
        row = {pid: m for pid in pids if (m := _memory_mb(pid)) is not None}
        if row:
            samples.append((time.perf_counter() - start, row))
        time.sleep(interval)
    return samples, time.perf_counter() - start, proc.returncode


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"multiprocessing" in f.read()
    except OSError:
        return True  # gone by now; only pool workers come and go during a run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "long.mp4", args.minutes)
        from scapula.vision.pose import open_video

        video = open_video(clip)
        print(
            f"clip: {video.width}x{video.height} {video.fps:g} fps, {video.duration_s / 60:.1f} min, "
            f"{video.frame_count} frames ({clip.stat().st_size / 2**20:.0f} MiB)"
        )
        scapula = str(Path(sys.executable).with_name("scapula"))
        cmd = [scapula, "--db", f"sqlite:///{tmp}/m.db", "analyze", str(clip), "--workers", str(args.workers)]
        samples, elapsed, code = sample(cmd, args.interval)
    print(
        f"scapula analyze: exit {code}, {elapsed:.0f} s ({video.duration_s / elapsed:.1f}x real time), "
        f"{len(samples)} samples"
    )
    if code != 0 or not samples:
        sys.exit(1)

    main_pid = next(iter(samples[0][1]))
    series = []  # (t, main rss, largest worker rss, number of workers, total pss)
    for t, row in samples:
        workers = [m for pid, m in row.items() if pid != main_pid and _is_worker(pid)]
        main_m = row.get(main_pid, (0.0, 0.0))
        series.append(
            (t, main_m[0], max((m[0] for m in workers), default=0.0), len(workers), sum(m[1] for m in row.values()))
        )
    full = [s for s in series if s[3] >= args.workers] or series
    first, last = full[0], full[-1]
    # the workers load the model and the first frames during their first segment
    settled = next((s for s in full if s[0] >= first[0] + SETTLE_S), last)

    print("\n   time  main RSS  worker RSS (largest)  total PSS (MiB)")
    step = max(1, len(full) // 15)
    for t, main_rss, worker_rss, n, pss in full[::step] + ([last] if (len(full) - 1) % step else []):
        print(f"{t:6.0f} s {main_rss:8.0f}  {worker_rss:10.0f} ({n} workers)  {pss:10.0f}")
    print()
    print(f"{'':20s} {'start':>6s} {f'+{SETTLE_S:.0f} s':>7s} {'peak':>6s} {'end':>6s}  (MiB)  end - +{SETTLE_S:.0f} s")
    for name, i in [("main process RSS", 1), ("largest worker RSS", 2), ("all processes PSS", 4)]:
        peak = max(s[i] for s in full)
        print(
            f"{name:20s} {first[i]:6.0f} {settled[i]:7.0f} {peak:6.0f} {last[i]:6.0f}         "
            f"{last[i] - settled[i]:+.0f}"
        )


if __name__ == "__main__":
    main()
