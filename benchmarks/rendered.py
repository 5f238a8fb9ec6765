"""The camera coach on rendered bodies: generator motion worn by a CC0 human mesh, filmed, and
analysed end to end by `scapula analyze` with the real pose model (BlazePose full, MediaPipe).

What it does, per move and generator seed:

  1. renders the generator clip `rendered_spec(move, seed)` (the generator's own random spec:
     body, reps, faults, camera side or 45 deg and up to 40 deg off, 1.5-3 m, floor to head
     height, landscape or portrait; drawn at 640x360 or 360x640, a one- or two-set clip) with a
     drawn look (skin tone, hair, tight or loose top, sleeves, shorts or trousers, girth,
     daylight or a dim lamp, floor and wall, furniture), a slight hand-held shake and sensor
     grain, to `DIR/<move>_<seed>.mp4`; frames are those the video path samples from the
     camera's 24/30/60 fps (about 10 a second). Clips already in DIR are reused.
  2. runs `scapula analyze CLIP --exercise MOVE --landmarks-out ... --out ...` and keeps the
     landmark file BlazePose gave (`DIR/<move>_<seed>.landmarks.jsonl`);
  3. scores the landmarks against the generator's truth with `benchmarks/accuracy.py`'s own
     scoring (reps within one, exact, L/R exact, recognition with `auto`, fault
     precision/recall/F1 over time-matched reps);
  4. prints frames with a person per move and per camera height (low < 0.5 m, mid 0.5-1.2 m,
     high > 1.2 m) and the phases in which the person was lost;
  5. measures BlazePose against the exact truth on the same motion (the gap between the
     generator's estimator model and the real estimator), on shoulders, elbows, wrists, hips,
     knees and ankles, per move, in pixels of the 640-px frame and in % of the torso's length
     in the picture (shoulder-to-hip midpoints):
        median error     |landmark - truth|; hips against the mesh's hip joints, every other
                         point against the generator's own point (the mesh's joints sit on them)
        jitter           SD of the error minus its 5-frame moving average (about 0.5 s)
        wander           median |5-frame moving average of the error| (slow limb drift)
        glitches/min     a wrist, elbow or ankle more than 0.5 torso off for 1-4 frames
        swaps/min        frames whose left/right labels fit the truth better swapped (by 2x,
                         and more than 0.3 torso off as labelled), counted as episodes
        misses           frames with no person: the presence table above, by phase
     Compare these with `tests/synth/noise.py`'s NoiseSpec (jitter_px, wander_cm,
     glitches_per_min, swaps_per_min, dropouts_per_min) at the same frame size.

Targets (issue 16): a person in >= 95% of frames of every move's clips per camera height;
reps within one >= 95% per move; L/R exact >= 90%; fault precision and F1 >= 0.85. Where
the numbers fall short, the coach or the filming advice is at fault, not the instrument: the
numbers are reported as measured (see the README's "Rendered bodies" section for the last run).

Where it stands (seeds 40000-40005: 6 fly, 6 row, 5 superman clips, 9,709 frames; every
camera below 1.2 m as the seeds fell, so the "high" column is empty), against the targets:

  frames with a person    fly 95.2% (mid); row 96.8% (low), 97.0% (mid); superman 97.1% (low),
                          94.5% (mid, SHORT); lost mostly while walking in and after the set
  reps within one         fly 67%, row 0%, superman 60% (all SHORT of 95%)
  L/R exact               row 0%, superman 0% (SHORT of 90%)
  fault precision / F1    superman back_arch 1.00/1.00, both_arms 1.00/0.89 meet it; every other
                          fault is short (fly shrug 0.00/0.00, row torso_rotation 0.14/0.12)
  BlazePose vs truth      median 8.5 / 10.3 / 9.6% of torso (fly / row / superman), jitter 4.3 /
                          5.4 / 4.3% of torso, 5.6 / 18.6 / 20.2 glitches and 0.5 / 0.2 / 1.3
                          swaps a minute

The row's true reps are turned down by "a foot moved" (12) and "the trunk tilted" (13), the
rules meant for stepping and setting up. In 4 of the 12 row sets BlazePose's ankles jump
about while the true feet stand still: the standard deviation of each ankle's picture position
over the set is 23-67% of the torso's length (truth 1.0-1.8%), the 99th percentile of its
frame-to-frame step 59-91% (the frames look right: both feet planted, side-on). The feet
trade places, a swap of the legs alone, which the swap count above (all twelve points)
does not catch and the generator does not draw. The generator's noise model draws 0.2-1 px of jitter in a
640-px frame, 0.5-4 glitches and 0.3-2 swaps a minute. Rendering one clip twice gives frames that differ in a few
edge pixels (draw order), and a borderline clip can then be counted differently: the smoke
test uses a clip that is counted the same on repeated renders. Render time measured here: 56 s
for a 36 s clip on an idle 2-core machine; 3,378 s for these 18 clips (1,009 s of motion) on
the same machine shared with two other jobs.

Seeds 40000 and up are kept for this benchmark (never tune the coach on them).

Set-up from a clean checkout (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri, ffmpeg):

    make install                             # .venv with the render extra and the CC0 body
    .venv/bin/python benchmarks/rendered.py --seeds 40000-40009 --out build/rendered
    .venv/bin/python benchmarks/rendered.py --seeds 40000-40001 --move superman -v   # a few
    .venv/bin/python benchmarks/rendered.py --seeds 40000-40009 --cached   # score what is cached

About 1-1.5 minutes a clip to render and 15-30 s to analyse on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import Case, Tally, TrueRep, report, score  # noqa: E402

from scapula.vision.landmarks import read_landmarks  # noqa: E402
from scapula.vision.skeleton import P  # noqa: E402
from tests.synth import EXERCISES  # noqa: E402

JOINTS = ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")
GLITCHY = ("ELBOW", "WRIST", "ANKLE")


def height_band(h: float) -> str:
    return "low" if h < 0.5 else ("mid" if h <= 1.2 else "high")


def render_or_reuse(move: str, seed: int, out: Path, short_side: int) -> dict:
    """The clip and its truth and render record in ``out`` (rendered if missing)."""
    from benchmarks.rendering import render_clip, rendered_spec

    clip = out / f"{move}_{seed}.mp4"
    record = out / f"{move}_{seed}.render.json"
    if clip.exists() and record.exists():
        return json.loads(record.read_text())
    spec = rendered_spec(move, seed, short_side=short_side)
    r = render_clip(spec, seed, clip)
    data = {
        "move": move,
        "seed": seed,
        "truth": r.truth,
        "look": r.look.describe(),
        "fps": r.fps,
        "times": r.times.tolist(),
        "image_xy": np.round(r.image_xy, 2).tolist(),
        "depth": np.round(r.depth, 3).tolist(),
        "hips_xy": {k: np.round(v, 2).tolist() for k, v in r.joints_xy.items() if k.startswith("hip")},
        "camera_height_m": r.camera_height_m,
        "render_s": round(r.seconds, 1),
        "size": [spec.width, spec.height],
    }
    record.write_text(json.dumps(data))
    return data


def analyse(move: str, seed: int, out: Path) -> tuple[Path, dict, float]:
    clip = out / f"{move}_{seed}.mp4"
    lm = out / f"{move}_{seed}.landmarks.jsonl"
    rep = out / f"{move}_{seed}.report.json"
    t0 = time.perf_counter()
    if not (lm.exists() and rep.exists()):
        cmd = [str(ROOT / ".venv" / "bin" / "scapula"), "analyze", str(clip), "--exercise", move]
        cmd += ["--landmarks-out", str(lm), "--out", str(rep), "--workers", "1"]
        subprocess.run(cmd, check=True, capture_output=True)
    return lm, json.loads(rep.read_text()), time.perf_counter() - t0


def case_of(data: dict, lm: Path) -> Case:
    header, frames = read_landmarks(lm)
    truth = data["truth"]
    reps = [TrueRep(r["side"], r["start_s"], r["peak_s"], r["end_s"], tuple(r["faults"])) for r in truth["reps"]]
    return Case(
        "rendered", f"{data['move']} seed {data['seed']}", data["move"], header, list(frames), reps, truth["counts"]
    )


def gap(data: dict, lm: Path) -> dict:
    """BlazePose against the exact truth on one clip (see the docstring)."""
    _, frames = read_landmarks(lm)
    frames = list(frames)
    truth = np.array(data["image_xy"])  # (N, 33, 2) px
    depth = np.array(data["depth"])
    for k, v in data["hips_xy"].items():
        truth[:, P.LEFT_HIP if k.endswith("L") else P.RIGHT_HIP] = np.array(v)
    w, h = data["size"]
    n = min(len(frames), len(truth))
    ids = {f"{s}_{j}": int(P[f"{s}_{j}"]) for s in ("LEFT", "RIGHT") for j in JOINTS}
    cols = list(ids.values())
    est = np.full((n, 33, 2), np.nan)
    for i in range(n):
        if frames[i].image is not None:
            est[i] = frames[i].image[:, :2] * [w, h]
    t = truth[:n]
    inside = (depth[:n] > 0.2) & np.all((t >= 0) & (t <= [w, h]), -1)
    torso = np.linalg.norm(
        (t[:, [P.LEFT_SHOULDER, P.RIGHT_SHOULDER]].mean(1) - t[:, [P.LEFT_HIP, P.RIGHT_HIP]].mean(1)), axis=-1
    )
    err = np.linalg.norm(est - t, axis=-1)  # (n, 33)
    present = ~np.isnan(est[:, 0, 0])
    # swaps: the mirrored labelling fits much better
    mirror = {}
    for name, i in ids.items():
        other = name.replace("LEFT", "RIGHT") if name.startswith("LEFT") else name.replace("RIGHT", "LEFT")
        mirror[i] = ids[other]
    e_as = np.nanmean(err[:, cols], 1)
    e_sw = np.nanmean(np.linalg.norm(est[:, [mirror[c] for c in cols]] - t[:, cols], axis=-1), 1)
    swapped = present & (e_sw * 2 < e_as) & (e_as > 0.3 * torso)
    episodes = int(np.sum(swapped[1:] & ~swapped[:-1]) + (swapped[0] if n else 0))
    ok = present & ~swapped
    rel = err / np.maximum(torso[:, None], 1e-6)
    e = est - t
    smooth = np.full_like(e, np.nan)
    for i in range(n):
        lo, hi = max(0, i - 2), min(n, i + 3)
        win = e[lo:hi]
        if np.all(~np.isnan(win[:, 0, 0])):
            smooth[i] = win.mean(0)
    jit = np.linalg.norm(e - smooth, axis=-1)
    glitch = np.zeros(n, bool)
    for j in GLITCHY:
        for s in ("LEFT", "RIGHT"):
            glitch |= rel[:, ids[f"{s}_{j}"]] > 0.5
    glitch &= ok
    g_eps = int(np.sum(glitch[1:] & ~glitch[:-1]) + (glitch[0] if n else 0))
    minutes = n / data["fps"] / 60
    sel = ok[:, None] & inside[:, cols]
    ecols, rcols = err[:, cols][sel], rel[:, cols][sel]
    jc = jit[:, cols][sel & ~np.isnan(jit[:, cols])]
    wc = np.linalg.norm(smooth[:, cols], axis=-1)[sel & ~np.isnan(smooth[:, cols, 0])]
    tsel = np.broadcast_to(torso[:, None], (n, len(cols)))[sel]
    scale = 640 / max(w, h)  # in pixels of a 640-px frame
    per_joint = {}
    for name, c in ids.items():
        m = ok & inside[:, c]
        per_joint[name] = rel[m, c]
    return {
        "per_joint": per_joint,
        "frames": n,
        "present": int(present.sum()),
        "err_px": ecols * scale,
        "err_rel": rcols,
        "jitter_px": jc * scale,
        "jitter_rel": jc / np.maximum(tsel[: len(jc)], 1e-6) if len(jc) == len(tsel) else jc / np.median(tsel),
        "wander_rel": wc / np.median(tsel) if len(tsel) else wc,
        "glitches": g_eps,
        "swaps": episodes,
        "minutes": minutes,
        "torso_px": float(np.median(torso[present])) * scale if present.any() else float("nan"),
    }


def lost_phases(data: dict, lm: Path) -> Counter:
    _, frames = read_landmarks(lm)
    lost: Counter = Counter()
    phases = data["truth"]["phases"]
    for f in frames:
        if f.image is None:
            label = next((p["label"] for p in phases if p["start_s"] <= f.t <= p["end_s"]), "after")
            lost[label.split()[0]] += 1
    return lost


def med(a) -> str:
    a = np.asarray(a)
    return f"{np.median(a):.1f}" if len(a) else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="40000-40009", help="generator seeds per move, inclusive (40000+)")
    parser.add_argument("--move", action="append", choices=EXERCISES, help="only these moves")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "rendered", help="clip cache and results")
    parser.add_argument("--short-side", type=int, default=360, help="picture height (landscape) or width (portrait)")
    parser.add_argument("--render-only", action="store_true", help="render the clips, analyse nothing")
    parser.add_argument("--cached", action="store_true", help="score only the clips already rendered and analysed")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every clip")
    args = parser.parse_args()
    lo, hi = (int(x) for x in args.seeds.split("-"))
    moves = args.move or list(EXERCISES)
    args.out.mkdir(parents=True, exist_ok=True)
    by_move: dict[str, Tally] = defaultdict(Tally)
    presence: Counter = Counter()
    lost: dict[str, Counter] = defaultdict(Counter)
    gaps: dict[str, list] = defaultdict(list)
    render_s, analyse_s, frames_total = [], [], 0
    # seed by seed, so that a part-run set covers every move
    for seed, move in ((seed, move) for seed in range(lo, hi + 1) for move in moves):
        if args.cached and not (args.out / f"{move}_{seed}.report.json").exists():
            continue
        t0 = time.perf_counter()
        data = render_or_reuse(move, seed, args.out, args.short_side)
        render_s.append(data["render_s"] if time.perf_counter() - t0 > 5 else 0.0)
        if args.render_only:
            continue
        lm, rep, secs = analyse(move, seed, args.out)
        analyse_s.append(secs)
        case = case_of(data, lm)
        tally = Tally()
        score(case, None, tally, args.verbose)
        for name, c in tally.clips.items():
            by_move["rendered"].clips[name] += c
        for attr in ("tp", "fp", "fn", "thrown", "spans"):
            getattr(by_move["rendered"], attr).update(getattr(tally, attr))
        band = height_band(data["camera_height_m"])
        frames = case.frames
        frames_total += len(frames)
        with_person = sum(f.image is not None for f in frames)
        presence[move, band, "frames"] += len(frames)
        presence[move, band, "person"] += with_person
        presence[move, band, "clips"] += 1
        presence[move, band, "reps"] += tally.clips[move, "obo"]
        lost[move] += lost_phases(data, lm)
        gaps[move].append(gap(data, lm))
        if args.verbose:
            found = rep.get("reps", {})
            print(
                f"{move} {seed}: {data['look']}; camera {data['camera_height_m']:.2f} m; "
                f"person {with_person}/{len(frames)}; truth {data['truth']['counts']}; report {found}"
            )
    if args.render_only:
        print(f"rendered {len(render_s)} clips into {args.out}")
        return
    print(f"rendered bodies, seeds {args.seeds} per move, clips in {args.out}\n")
    report(dict(by_move), moves, False)
    print("\nframes with a person, by camera height (clips; reps within one)")
    print(f"{'move':14s}" + "".join(f"{b:>22s}" for b in ("low <0.5 m", "mid 0.5-1.2 m", "high >1.2 m", "all")))
    for move in moves:
        cells = []
        for band in ("low", "mid", "high", None):
            keys = [band] if band else ["low", "mid", "high"]
            fr = sum(presence[move, b, "frames"] for b in keys)
            pe = sum(presence[move, b, "person"] for b in keys)
            cl = sum(presence[move, b, "clips"] for b in keys)
            ob = sum(presence[move, b, "reps"] for b in keys)
            cells.append(f"{pe / fr:.1%} ({cl}; {ob}/{cl})" if fr else "-")
        print(f"{move:14s}" + "".join(f"{c:>22s}" for c in cells))
    print("\nframes without a person, by phase")
    for move in moves:
        print(f"  {move}: " + (", ".join(f"{k} {v}" for k, v in lost[move].most_common()) or "none"))
    print("\nBlazePose against the exact truth (shoulders, elbows, wrists, hips, knees, ankles; px of a 640-px frame)")
    head = ("median err px", "err % torso", "p90 % torso", "jitter px", "jitter % torso", "wander % torso")
    head2 = ("glitches/min", "swaps/min", "torso px")
    print(f"{'move':14s}" + "".join(f"{h:>16s}" for h in head + head2))
    for move in moves:
        g = gaps[move]
        cat = lambda k, g=g: np.concatenate([x[k] for x in g]) if g else np.array([])  # noqa: E731
        mins = sum(x["minutes"] for x in g)
        row = [
            med(cat("err_px")),
            med(100 * cat("err_rel")),
            f"{np.percentile(100 * cat('err_rel'), 90):.1f}" if g else "-",
            f"{np.sqrt(np.mean(cat('jitter_px') ** 2)):.2f}" if g else "-",
            f"{100 * np.sqrt(np.mean(cat('jitter_rel') ** 2)):.2f}" if g else "-",
            med(100 * cat("wander_rel")),
            f"{sum(x['glitches'] for x in g) / mins:.1f}" if mins else "-",
            f"{sum(x['swaps'] for x in g) / mins:.1f}" if mins else "-",
            med([x["torso_px"] for x in g]),
        ]
        print(f"{move:14s}" + "".join(f"{c:>16s}" for c in row))
    print("\nmedian error per joint, % torso (left / right; hips against the mesh's hip joints)")
    print(f"{'move':14s}" + "".join(f"{j.lower():>16s}" for j in JOINTS))
    for move in moves:
        g = gaps[move]
        cells = []
        for j in JOINTS:
            both = []
            for s in ("LEFT", "RIGHT"):
                a = np.concatenate([x["per_joint"][f"{s}_{j}"] for x in g]) if g else np.array([])
                both.append(f"{100 * np.median(a):.1f}" if len(a) else "-")
            cells.append(" / ".join(both))
        print(f"{move:14s}" + "".join(f"{c:>16s}" for c in cells))
    rs = [s for s in render_s if s]
    if rs:
        print(f"\nrender: {np.mean(rs):.0f} s a clip on average ({len(rs)} rendered this run)")
    if analyse_s:
        print(f"analyse: {sum(analyse_s):.0f} s for {frames_total} frames")


if __name__ == "__main__":
    main()
