"""The analysis report (CONTRACTS.md §3) and its readable summary."""

from __future__ import annotations

from collections import Counter

import numpy as np

from scapula.catalog import Catalog
from scapula.vision.analyzer import Result
from scapula.vision.moves import MOVES
from scapula.vision.moves.base import UNSEEN_SET_SHARE

FORMAT = "scapula-report"
VERSION = 1


def build_report(result: Result, catalog: Catalog) -> dict:
    entry = catalog.get(result.exercise)
    unilateral = result.exercise != "reverse_fly"
    reps = result.reps
    per_side = Counter(r.side for r in reps)
    faults = Counter(f for r in reps for f in r.faults)
    durations = [r.end_s - r.start_s for r in reps]
    report = {
        "format": FORMAT,
        "version": VERSION,
        "exercise": result.exercise,
        "recognised": result.recognised,
        "duration_s": result.duration_s,
        "reps": {
            "total": len(reps),
            "left": per_side["left"] if unilateral else None,
            "right": per_side["right"] if unilateral else None,
        },
        "rep_events": [
            {
                "index": i,
                "side": r.side,
                "start_s": r.start_s,
                "peak_s": r.peak_s,
                "end_s": r.end_s,
                "faults": list(r.faults),
                "duration_s": round(r.end_s - r.start_s, 3),
                "range": r.range,
                "range_unit": MOVES[r.exercise].range_unit,
                "metrics": r.metrics,
                "not_checked": list(r.not_checked),
                "unsure": list(r.unsure),
            }
            for i, r in enumerate(reps, 1)
        ],
        "faults": dict(sorted(faults.items())),
        "frames": {"total": result.frames_total, "with_person": result.frames_with_person},
        "tempo": {
            "mean_rep_s": round(float(np.mean(durations)), 2) if durations else None,
            "min_rep_s": round(float(np.min(durations)), 2) if durations else None,
            "max_rep_s": round(float(np.max(durations)), 2) if durations else None,
        },
        "coaching": [
            {"fault": f, "reps": n, "cue": entry.fault(f).fix, "name": entry.fault(f).name}
            for f, n in faults.most_common()
        ],
        "view": {
            "camera_yaw_deg": None if result.camera_yaw_deg is None else round(result.camera_yaw_deg, 1),
            "not_checked": result.not_checked,
            "not_observed": not_observed(result),
        },
        "body_jumps": [{"t": j.t, "reason": j.reason} for j in result.body_jumps],
        "label_swaps_fixed": result.swaps_fixed,
        "not_counted": result.rejected,
    }
    if result.candidates:
        report["candidates"] = result.candidates
    return report


def not_observed(result: Result) -> dict[str, str]:
    """Sides the camera could not see for a good part of the set (moves whose sides work
    together): side -> why, and what to change. Reps it could not see are not counted, never
    guessed: that side's count holds only the lifts seen."""
    out = {}
    for side, share in result.hidden.items():
        if share >= UNSEEN_SET_SHARE:
            out[side] = (
                f"the {side} arm was hidden behind the body in {share:.0%} of the set (its point followed the "
                f"other arm's), so only the lifts seen were counted: move the phone toward your head or higher"
            )
    return out


def summary_lines(report: dict, catalog: Catalog) -> list[str]:
    """What ``scapula analyze`` prints: reps per side, then each rep's faults with the fix."""
    entry = catalog.get(report["exercise"])
    frames = report["frames"]
    lines = []
    if not report["recognised"]:
        what = "None of the moves" if "candidates" in report else f"No rep of {entry.name}"
        lines.append(f"{what} recognised ({frames['with_person']}/{frames['total']} frames with a person).")
        for jump in report["body_jumps"]:
            lines.append(f"At {jump['t']:.1f} s {jump['reason']}.")
        return lines
    reps = report["reps"]
    sides = "" if reps["left"] is None else f" (left {reps['left']}, right {reps['right']})"
    lines.append(f"{entry.name}: {reps['total']} reps{sides} in {report['duration_s']:.0f} s.")
    tempo = report["tempo"]
    if tempo["mean_rep_s"]:
        lines.append(f"Tempo: {tempo['mean_rep_s']:.1f} s a rep ({tempo['min_rep_s']:.1f}-{tempo['max_rep_s']:.1f}).")
    for rep in report["rep_events"]:
        side = "" if rep["side"] == "both" else f" {rep['side']}"
        unsure = ""
        if rep.get("unsure"):
            unsure = (
                " (maybe " + ", ".join(entry.fault(f).name for f in rep["unsure"]) + ": not clear from the picture)"
            )
        if rep["faults"]:
            fixes = "; ".join(f"{entry.fault(f).name}: {entry.fault(f).fix}" for f in rep["faults"])
            lines.append(f"  rep {rep['index']}{side} at {rep['start_s']:.1f} s — {fixes}{unsure}")
        else:
            lines.append(f"  rep {rep['index']}{side} at {rep['start_s']:.1f} s — clean{unsure}")
    for why in report["view"].get("not_observed", {}).values():
        lines.append(f"Not seen: {why}.")
    for fault_id, why in report["view"]["not_checked"].items():
        lines.append(f"Not checked: {entry.fault(fault_id).name} ({why}).")
    for jump in report["body_jumps"]:
        lines.append(f"At {jump['t']:.1f} s {jump['reason']}: nothing was counted across it.")
    return lines
