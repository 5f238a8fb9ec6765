"""The trend of saved posture checks: change since the first check against the noise.

Pure: takes plain check records (dicts with ``checked_at``, ``view``, ``<measure>_deg``,
``uncertainty``), oldest first. A change between two checks is called real when it is
larger than its 95% minimal detectable change, 1.96 x sqrt(sd_first^2 + sd_last^2)
(= 1.96 x sqrt(2) x SD when both checks carry the same SD; Weir 2005).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from scapula.posture.norms import NORMS, VIEW_MEASURES


def trend(checks: list[dict]) -> dict:
    """{view: {measure: {...first, latest, change, mdc95, verdict, slope per 30 days}}}."""
    out: dict[str, dict] = {}
    for view, measures in VIEW_MEASURES.items():
        rows = [c for c in checks if c["view"] == view]
        if not rows:
            continue
        out[view] = {}
        for m in measures:
            points = [
                (c["checked_at"], c[f"{m}_deg"], c["uncertainty"].get(m, {}).get("deg", NORMS[m].sd_deg))
                for c in rows
                if c.get(f"{m}_deg") is not None
            ]
            if not points:
                continue
            (t0, first, sd0), (t1, last, sd1) = points[0], points[-1]
            change = last - first
            mdc = 1.96 * math.sqrt(sd0**2 + sd1**2)
            if len(points) < 2:
                verdict = "only one check so far"
            elif abs(change) > mdc:
                better = change < 0 if NORMS[m].one_sided else abs(last) < abs(first)
                verdict = "real change, " + ("toward normal" if better else "away from normal")
            else:
                verdict = "within the noise"
            slope = None
            if len(points) >= 3:
                days = np.array([(p[0] - t0).total_seconds() / 86400.0 for p in points])
                if np.ptp(days) > 0:
                    slope = float(np.polyfit(days, [p[1] for p in points], 1)[0] * 30.0)
            out[view][m] = {
                "name": NORMS[m].name,
                "checks": len(points),
                "first": {"at": _iso(t0), "deg": round(first, 1)},
                "latest": {"at": _iso(t1), "deg": round(last, 1)},
                "change_deg": round(change, 1),
                "mdc95_deg": round(mdc, 1),
                "verdict": verdict,
                "trend_deg_per_30_days": None if slope is None else round(slope, 2),
            }
    return out


def _iso(moment: datetime) -> str:
    return moment.isoformat()
