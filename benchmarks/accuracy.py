"""Accuracy of the camera coach on clips with exact ground truth, from two sources side by side.

Sources:

  gen     the project's own generator (`tests.synth`): clips drawn with `random_spec` from a
          seed range, at the generator's standard estimator noise
  gen2x   the same clips with twice the estimator noise (jitter, limb wander, glitches, swaps)
  dev     an independent development set (`--dev DIR`, the unpacked coach-dev archive of
          `../shared/data/coach-dev/`): clips from a simulator built apart from this project, with
          its own body model, motion programs and estimator-error model; its `standard/` and
          `noisy/` (1.6x noise) folders are scored as `dev` and `dev-noisy`

Every clip runs through the analyser with the move named (and with `auto` for recognition), at
full rate or about `--rate` frames a second as the video path does. Metrics, per move and source:

  reps OBO        rep count within one of the truth
  L/R exact       left and right counts both exact (unilateral moves)
  recognised      `auto` names the right move (moves) / says recognised: false (negatives)
  zero reps       negatives: no reps counted by any move, named or auto
  fault P/R/F1    per fault id, over reps matched to the truth by time
  thrown away     true reps whose span the segmenter found but a rule turned down, per rule

Scoring follows the development set's rules: a reported rep matches a true one when its peak
lies inside the true rep's start-end or the true peak inside its own, one to one, nearest peaks
first; a superman lift flagged both_arms may be counted once or once per arm.

What each generator seed range is for: 0-19999 were used while building and tuning the moves
(their errors were read clip by clip); 20000-29999 check a change before it is kept; 30000 and
up are held out, for the numbers a release states. Never tune against a held-out range or
against single clips of the development set; read the development set's failures to find what
the design gets wrong, and judge the change on held-out seeds.

    .venv/bin/python benchmarks/accuracy.py --seeds 30000-30039 --dev /tmp/coach-dev [--rate 10]
    .venv/bin/python benchmarks/accuracy.py --source dev --dev /tmp/coach-dev --activity chainsaw_row -v
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scapula.vision.analyzer import analyze  # noqa: E402
from scapula.vision.landmarks import Header, read_landmarks  # noqa: E402
from scapula.vision.moves.base import UNSEEN_SET_SHARE  # noqa: E402
from tests.synth import EXERCISES, NEGATIVES, make_clip, random_spec  # noqa: E402

SOURCES = ("gen", "gen2x", "dev", "dev-noisy")


@dataclass(frozen=True)
class TrueRep:
    side: str
    start_s: float
    peak_s: float
    end_s: float
    faults: tuple[str, ...]


@dataclass
class Case:
    source: str
    name: str
    activity: str  # a move id, or "negative"
    header: Header
    frames: list
    reps: list[TrueRep]
    counts: dict  # total, left, right (left/right None for the reverse fly)
    # generator clips: side -> share of its lifts during which the estimator had lost that
    # hand behind the body (its point a copy of the other's); None when the source says not
    hidden: dict | None = None


def twice_the_noise(spec):
    n = spec.noise
    return dataclasses.replace(
        spec,
        noise=dataclasses.replace(
            n,
            jitter_px=2 * n.jitter_px,
            jitter_world_mm=2 * n.jitter_world_mm,
            wander_cm=2 * n.wander_cm,
            glitches_per_min=2 * n.glitches_per_min,
            swaps_per_min=2 * n.swaps_per_min,
        ),
    )


def generated(source: str, activities: list[str], seeds: range) -> Iterator[Case]:
    for activity in activities:
        for seed in seeds:
            spec = random_spec(activity, np.random.default_rng(seed))
            if source == "gen2x":
                spec = twice_the_noise(spec)
            clip = make_clip(spec, seed=seed)
            truth = clip.truth
            reps = [TrueRep(r.side, r.start_s, r.peak_s, r.end_s, tuple(r.faults)) for r in truth.reps]
            yield Case(
                source,
                f"{activity} seed {seed}",
                activity if activity in EXERCISES else "negative",
                clip.header,
                list(clip.frames),
                reps,
                dict(truth.counts),
                truth.view.get("hidden_at_peaks"),
            )


def development(root: Path, source: str, activities: list[str]) -> Iterator[Case]:
    folder = root / ("standard" if source == "dev" else "noisy")
    for path in sorted((folder / "truth").glob("*.json")):
        truth = json.loads(path.read_text())
        activity = truth["exercise"] or "negative"
        if activity not in activities and not (activity == "negative" and set(activities) & set(NEGATIVES)):
            continue
        header, frames = read_landmarks(folder / "clips" / f"{path.stem}.jsonl")
        reps = [
            TrueRep(e["side"], e["start_s"], e["peak_s"], e["end_s"], tuple(e["faults"])) for e in truth["rep_events"]
        ]
        yield Case(source, path.stem, activity, header, list(frames), reps, truth["reps"])


def at_rate(case: Case, rate: float | None) -> tuple[Header, list]:
    """The clip as the video path sees it: about ``rate`` frames a second."""
    h = case.header
    stride = max(1, round(h.fps / rate)) if rate else 1
    if stride == 1:
        return h, case.frames
    return Header(h.fps / stride, h.width, h.height, h.skeleton, h.source), case.frames[::stride]


def overlaps(rep, true: TrueRep) -> bool:
    return true.start_s <= rep.peak_s <= true.end_s or rep.start_s <= true.peak_s <= rep.end_s


def match(truth: list[TrueRep], found: list, side_aware: bool) -> dict[int, int]:
    """Truth index -> found index, one to one, nearest peaks first."""
    pairs = sorted(
        (abs(f.peak_s - t.peak_s), i, j)
        for i, t in enumerate(truth)
        for j, f in enumerate(found)
        if overlaps(f, t) and (not side_aware or f.side == t.side)
    )
    out, used = {}, set()
    for _, i, j in pairs:
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


@dataclass
class Tally:
    clips: Counter = dataclasses.field(default_factory=Counter)
    tp: Counter = dataclasses.field(default_factory=Counter)
    fp: Counter = dataclasses.field(default_factory=Counter)
    fn: Counter = dataclasses.field(default_factory=Counter)
    thrown: Counter = dataclasses.field(default_factory=Counter)  # rule -> true reps it turned down
    spans: Counter = dataclasses.field(default_factory=Counter)  # rule -> spans it turned down


def score(case: Case, rate: float | None, tally: Tally, verbose: bool) -> None:
    header, frames = at_rate(case, rate)
    auto = analyze(header, frames, "auto")
    c = tally.clips
    key = case.activity
    c[key, "clips"] += 1
    if case.activity == "negative":
        worst = max(len(analyze(header, frames, move).reps) for move in EXERCISES)
        c[key, "zero"] += worst == 0 and not auto.recognised
        c[key, "recognised"] += not auto.recognised
        if verbose and (worst or auto.recognised):
            print(f"  {case.source} {case.name}: reps found by a named move: {worst}, auto {auto.candidates}")
        return
    move = case.activity
    named = analyze(header, frames, move)
    sided = move != "reverse_fly"
    # A side the coach says it could not see is held to what it says: the lifts it counted
    # there must be true ones, and the ones it missed are not held against it. Whether saying
    # so was right is checked against the generator's truth.
    unseen = {side for side, share in named.hidden.items() if share >= UNSEEN_SET_SHARE}
    counts = dict(case.counts)
    true_reps = case.reps
    if unseen:
        c[key, "unseen"] += 1
        if case.hidden is not None:
            c[key, "unseen_wrong"] += any(case.hidden.get(side, 0.0) < UNSEEN_SET_SHARE for side in unseen)
    elif case.hidden is not None and any(v >= UNSEEN_SET_SHARE for v in case.hidden.values()):
        c[key, "unseen_missed"] += 1
    pairs = match(true_reps, named.reps, sided)
    found = list(named.reps)
    if move == "superman":  # a both_arms lift counted once per arm is accepted
        matched = set(pairs.values())
        extra = {
            j
            for j, f in enumerate(found)
            if j not in matched
            and "both_arms" in f.faults
            and any("both_arms" in t.faults and t.side != f.side and overlaps(f, t) for t in true_reps)
        }
        found = [f for j, f in enumerate(found) if j not in extra]
        pairs = match(true_reps, found, sided)
    for side in unseen:
        counts[side] = sum(found[j].side == side for j in pairs.values())
    if unseen:
        counts["total"] = (counts["left"] or 0) + (counts["right"] or 0)
    n_true, n_found = counts["total"], len(found)
    obo, exact = abs(n_true - n_found) <= 1, n_true == n_found
    sides = Counter(f.side for f in found)
    lr = not sided or (sides["left"] == (counts["left"] or 0) and sides["right"] == (counts["right"] or 0))
    recognised = auto.recognised and auto.exercise == move
    c[key, "obo"] += obo
    c[key, "exact"] += exact
    c[key, "lr"] += lr
    c[key, "recognised"] += recognised
    for i, t in enumerate(true_reps):
        if i not in pairs and t.side in unseen:
            continue  # a lift the coach said it could not see
        if i not in pairs:
            for fault in t.faults:
                tally.fn[f"{move}.{fault}"] += 1
            turned = [s for s in named.rejected_spans if (not sided or s.side == t.side) and overlaps(s, t)]
            if turned:
                tally.thrown[turned[0].reason] += 1
            continue
        f = found[pairs[i]]
        for fault in set(t.faults) | set(f.faults):
            if fault in f.not_checked:
                continue
            k = f"{move}.{fault}"
            if fault in t.faults and fault in f.faults:
                tally.tp[k] += 1
            elif fault in f.faults:
                tally.fp[k] += 1
            else:
                tally.fn[k] += 1
    for j, f in enumerate(found):
        if j not in set(pairs.values()):
            for fault in f.faults:
                tally.fp[f"{move}.{fault}"] += 1
    for s in named.rejected_spans:
        tally.spans[s.reason] += 1
    if verbose and not (obo and lr and recognised):
        print(
            f"  {case.source} {case.name}: truth {n_true} {counts}, found {n_found} {dict(sides)}, "
            f"auto {auto.exercise}/{auto.recognised}, not counted {named.rejected}"
        )


def pct(n: int, d: int) -> str:
    return f"{n / d:.0%}" if d else "-"


def report(tallies: dict[str, Tally], moves: list[str], negatives: bool) -> None:
    names = list(tallies)
    width = 11
    head = "".join(f"{s:>{width}s}" for s in names)
    print(f"{'':34s}{head}")
    rows = []
    for move in moves:
        rows += [
            (f"{move} clips", move, "clips", None),
            (f"{move} reps OBO", move, "obo", "clips"),
            (f"{move} exact", move, "exact", "clips"),
        ]
        if move != "reverse_fly":
            rows.append((f"{move} L/R exact", move, "lr", "clips"))
        rows.append((f"{move} recognised", move, "recognised", "clips"))
        if move == "superman":
            rows += [
                (f"{move} a side said unseen", move, "unseen", "clips"),
                (f"{move}   ... not hidden in truth", move, "unseen_wrong", "clips"),
                (f"{move} hidden side not said", move, "unseen_missed", "clips"),
            ]
    if negatives:
        rows += [
            ("negatives clips", "negative", "clips", None),
            ("negatives zero reps", "negative", "zero", "clips"),
            ("negatives not recognised", "negative", "recognised", "clips"),
        ]
    for label, key, what, per in rows:
        cells = []
        for s in names:
            c = tallies[s].clips
            cells.append(str(c[key, what]) if per is None else pct(c[key, what], c[key, per]))
        print(f"{label:34s}" + "".join(f"{x:>{width}s}" for x in cells))
    faults = sorted({k for t in tallies.values() for k in (*t.tp, *t.fp, *t.fn)})
    if faults:
        print(f"\n{'fault: precision / recall / F1':34s}" + "".join(f"{s:>16s}" for s in names))
        for k in faults:
            cells = []
            for s in names:
                t = tallies[s]
                tp, fp, fn = t.tp[k], t.fp[k], t.fn[k]
                if tp + fp + fn == 0:
                    cells.append("-")
                    continue
                p = tp / (tp + fp) if tp + fp else float("nan")
                r = tp / (tp + fn) if tp + fn else float("nan")
                f1 = 2 * p * r / (p + r) if tp else 0.0
                cells.append(f"{p:.2f}/{r:.2f}/{f1:.2f}")
            print(f"{k:34s}" + "".join(f"{x:>16s}" for x in cells))
    rules = sorted({k for t in tallies.values() for k in (*t.thrown, *t.spans)})
    if rules:
        print(f"\n{'not counted: true reps / all spans':34s}{head}")
        for rule in rules:
            print(
                f"{rule[:33]:34s}"
                + "".join(f"{tallies[s].thrown[rule]:>5d} /{tallies[s].spans[rule]:>4d}".rjust(width) for s in names)
            )


def parse_seeds(text: str) -> range:
    lo, hi = (int(x) for x in text.split("-"))
    return range(lo, hi + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="30000-30039", help="generator seeds, inclusive (30000+ held out)")
    parser.add_argument("--dev", type=Path, help="the unpacked development set (holds standard/ and noisy/)")
    parser.add_argument("--source", action="append", choices=SOURCES, help="only these sources")
    parser.add_argument("--rate", type=float, help="analyse about this many frames a second, as the video path does")
    parser.add_argument("--activity", action="append", help="only these activities (moves or negatives)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every clip that misses")
    args = parser.parse_args()
    activities = args.activity or list(EXERCISES) + list(NEGATIVES)
    sources = args.source or [s for s in SOURCES if args.dev or not s.startswith("dev")]
    if any(s.startswith("dev") for s in sources) and not args.dev:
        parser.error("--dev DIR is needed for the development set")
    seeds = parse_seeds(args.seeds)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for source in sources:
        cases = (
            generated(source, activities, seeds)
            if source.startswith("gen")
            else development(args.dev, source, activities)
        )
        for case in cases:
            score(case, args.rate, tallies[source], args.verbose)
    print(
        f"seeds {args.seeds}"
        + (f", dev set {args.dev}" if args.dev else "")
        + (f", about {args.rate:g} frames/s" if args.rate else ", every frame")
    )
    report(dict(tallies), [a for a in EXERCISES if a in activities], any(a in NEGATIVES for a in activities))


if __name__ == "__main__":
    main()
