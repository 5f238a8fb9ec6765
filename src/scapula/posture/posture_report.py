"""The posture report: JSON ("scapula-posture" v1) and the lines the command prints."""

from __future__ import annotations

from datetime import datetime

from scapula.posture.check import CaptureResult, PostureResult
from scapula.posture.norms import GUIDANCE, MDC95_FACTOR, NORMS, REPEAT_SPREAD, VIEW_MEASURES, WITHIN_NORMAL

FORMAT, VERSION = "scapula-posture", 1

DISCLAIMER = (
    "A coaching measure from body landmarks found in a picture, not a diagnosis. "
    "The bands are Scapula's, set around published measures that these landmark "
    "proxies only approximate. Pain, numbness or a posture change you cannot undo "
    "is a matter for a physiotherapist or doctor."
)


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(float(x), digits)


def _capture_json(r: CaptureResult) -> dict:
    c = r.capture
    return {
        "input": c.name,
        "kind": c.kind,
        "description": c.description,
        "status": "refused" if r.refused else "measured",
        "view": r.view,
        "problems": [p.to_json() for p in r.problems],
        "notes": list(r.notes),
        "frames": {"total": len(c.frames), "with_person": r.frames_with_person},
        "angles_deg": {m: _r(v, 2) for m, v in r.angles.items()} if not r.refused else {},
        "distance_cm": {m: _r(v, 2) for m, v in r.cm.items()} if not r.refused else {},
        "world_offset_cm": {m: _r(v, 2) for m, v in r.world_cm.items()} if not r.refused else {},
        "steadiness": r.steadiness,
        "camera": {
            "body_tilt_deg": _r(r.body_tilt_deg),
            "turn_deg": r.turn_deg,
            "near_side": r.measured.near_side if r.measured else None,
        },
        "second_person_check": c.second_person_how,
    }


def build_report(
    result: PostureResult, names: dict[str, str] | None = None, checked_at: datetime | None = None
) -> dict:
    names = names or {}
    measures = {}
    for m, value in result.measures.items():
        norm = NORMS[m]
        measures[m] = {
            "name": norm.name,
            "angle_deg": _r(value.angle_deg),
            "distance_cm": _r(value.cm),
            "class": value.band,
            "borderline": value.borderline,
            "uncertainty_deg": _r(value.sd_deg, 2),
            "uncertainty_cm": _r(value.sd_cm, 2),
            "mdc95_deg": _r(MDC95_FACTOR * value.sd_deg, 1),
            "observed_spread_deg": _r(value.observed_spread_deg, 2),
            "what": norm.what,
            "proxy_for": norm.proxies,
            "published_normal": norm.published,
            "bands_deg": {"mild_from": norm.mild_deg, "marked_from": norm.marked_deg, "one_sided": norm.one_sided},
            "explanation": norm.explain
            if value.band != WITHIN_NORMAL
            else f"Within Scapula's normal band for the {norm.name}.",
            "moves": [{"id": i, "name": names.get(i, i)} for i in norm.moves],
        }
    return {
        "format": FORMAT,
        "version": VERSION,
        "status": "refused" if result.refused else "measured",
        "view": result.view,
        "checked_at": checked_at.isoformat() if checked_at else None,
        "measures": measures,
        "inputs": [_capture_json(r) for r in result.captures],
        "notes": sorted({n for r in result.captures if not r.refused for n in r.notes}) + result.notes,
        "uncertainty_method": REPEAT_SPREAD + "; the larger of that and the spread seen in "
        "this check's own frames or inputs. A change between two checks "
        "is real (95%) when larger than mdc95 = 1.96 x sqrt(2) x SD.",
        "guidance": list(GUIDANCE),
        "disclaimer": DISCLAIMER,
    }


def _direction(m: str, value: float) -> str:
    if m == "head_forward":
        return "ear ahead of the shoulder" if value >= 0 else "ear behind the shoulder"
    if m == "shoulder_forward":
        return "shoulder ahead of the hip" if value >= 0 else "shoulder behind the hip"
    if m == "shoulder_height":
        return "left shoulder higher" if value > 0 else "right shoulder higher" if value < 0 else "level"
    return "left ear higher" if value > 0 else "right ear higher" if value < 0 else "level"


def summary_lines(report: dict) -> list[str]:
    lines = []
    for i in report["inputs"]:
        state = "refused" if i["status"] == "refused" else f"{i['view']} view"
        lines.append(f"{i['description']}: {state}")
        for p in i["problems"]:
            lines.append(f"  ! {p['message']}")
        steady = i.get("steadiness")
        if steady and i["status"] == "measured":
            sway = f", sway {steady['sway_cm']} cm" if steady.get("sway_cm") is not None else ""
            lines.append(
                f"  stance: {steady['label']} ({steady['frames']} frames over "
                f"{steady['duration_s']} s{sway}, frame spread up to "
                f"{steady['worst_spread_deg']} degrees)"
            )
    if report["status"] == "refused":
        return lines
    lines.append("")
    lines.append(f"Posture, {report['view']} view:")
    for m in VIEW_MEASURES[report["view"]]:
        x = report["measures"][m]
        cm = f" ({x['distance_cm']:+.1f} cm)" if x["distance_cm"] is not None else ""
        edge = ", near a band edge" if x["borderline"] else ""
        lines.append(
            f"  {x['name']}: {x['angle_deg']:+.1f} deg{cm}, {_direction(m, x['angle_deg'])} "
            f"-> {x['class']}{edge} (+/- {x['uncertainty_deg']:.1f} deg)"
        )
        lines.append(f"      proxy for: {x['proxy_for']}; published: {x['published_normal']}")
        if x["class"] != WITHIN_NORMAL:
            lines.append(f"      {x['explanation']}")
            lines.append(f"      moves: {', '.join(mv['name'] for mv in x['moves'])}")
    for note in report["notes"]:
        lines.append(f"  note: {note}")
    lines.append(f"  {report['disclaimer']}")
    return lines
