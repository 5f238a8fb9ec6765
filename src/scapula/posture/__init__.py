"""The posture check from a side or front photo (or a short clip, or a landmark file).

``run_check(paths, view)`` reads the inputs (``capture``), checks and measures each
(``check``); ``posture_report.build_report`` makes the JSON. Numbers and bands: ``norms``.
"""

from __future__ import annotations

from pathlib import Path

from scapula.posture.capture import Estimators, load
from scapula.posture.check import VIEWS, Capture, CaptureResult, PostureResult, assess, combine


def run_check(paths: list[Path], view: str = "auto", estimators: Estimators | None = None) -> PostureResult:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    estimators = estimators or Estimators()
    try:
        results = [assess(load(Path(p), estimators), view) for p in paths]
    finally:
        estimators.close()
    return combine(results)


__all__ = ["VIEWS", "Capture", "CaptureResult", "Estimators", "PostureResult", "assess", "combine", "run_check"]
