"""Capture checks: is this picture (or clip) one the posture measures can be read from?

Each check returns ``Problem``s: a stable ``code`` and a one-line message that says what is
wrong and how to retake the picture. A problem refuses the capture (no number is given for
it); a ``note`` only qualifies the numbers.

Codes: ``no_person``, ``cut_off``, ``hidden``, ``body_turned``, ``view_unclear``,
``facing_away``, ``camera_tilted``, ``two_people``, ``person_jumped``, ``not_still``,
``too_short``.

What can and cannot be detected:
- two people: MediaPipe Pose finds one person per picture. In a photo (and in one frame of
  a clip) the person found is blanked out and the picture searched again; a second body
  found there refuses it. In a clip the tracked body jumping from one place to another
  refuses it too. A landmark file carries one body only: neither check can see a second
  person there beyond the jumps.
- camera tilt: only what shows in the standing body (its long axis off the picture's
  vertical). A camera tilted by the same amount the runner leans the other way cannot be
  told from a level one; the picture's own horizon is not used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scapula.posture.measures import Shot, faces_camera, near_side, turn_deg
from scapula.posture.norms import MAX_BODY_TILT_DEG, MAX_TURN_DEG, MIN_VISIBILITY, WARN_BODY_TILT_DEG, WARN_TURN_DEG
from scapula.vision.skeleton import SIDE_POINTS, P


@dataclass(frozen=True)
class Problem:
    code: str
    message: str

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message}


_PART = {"ear": "head", "nose": "head", "shoulder": "shoulders", "hip": "hips", "ankle": "feet"}
_RETAKE = "step back (2-3 m) so that your whole body, head to feet, is in the picture"


def _required(view: str, shot: Shot) -> list[tuple[str, P]]:
    if view == "side":
        pts = SIDE_POINTS[near_side(shot)]
        return [("nose", P.NOSE)] + [(k, pts[k]) for k in ("ear", "shoulder", "hip", "ankle")]
    return [("ear", P.LEFT_EAR), ("ear", P.RIGHT_EAR), ("shoulder", P.LEFT_SHOULDER), ("shoulder", P.RIGHT_SHOULDER)]


def inside(shot: Shot, p: P) -> bool:
    x, y = shot.image[p, 0], shot.image[p, 1]
    return bool(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0)


def seen(shot: Shot, *points: P) -> bool:
    return all(inside(shot, p) and shot.visibility(p) >= MIN_VISIBILITY for p in points)


def framing_problems(shot: Shot, view: str) -> list[Problem]:
    """Cut off (outside the picture) or hidden (low visibility) points the view needs."""
    out_parts, hidden_parts = [], []
    for kind, p in _required(view, shot):
        part = _PART[kind]
        if not inside(shot, p):
            if part not in out_parts:
                out_parts.append(part)
        elif shot.visibility(p) < MIN_VISIBILITY and part not in hidden_parts:
            hidden_parts.append(part)
    problems = []
    if out_parts:
        verb = "is" if out_parts == ["head"] else "are"
        problems.append(
            Problem("cut_off", f"person cut off: your {' and '.join(out_parts)} {verb} outside the picture; {_RETAKE}")
        )
    hidden_parts = [p for p in hidden_parts if p not in out_parts]
    if hidden_parts:
        problems.append(
            Problem(
                "hidden",
                f"your {' and '.join(hidden_parts)} cannot be made out "
                "(covered, in shadow or blurred): wear close-fitting clothes, "
                "tie long hair back, light the room evenly",
            )
        )
    return problems


def hips_in_picture(shot: Shot) -> bool:
    return seen(shot, P.LEFT_HIP, P.RIGHT_HIP)


def view_of(shot: Shot) -> str | None:
    """auto: "side" when the body is near side-on, "front" when near square-on, else None."""
    turn = turn_deg(shot, hips_in_picture(shot))
    if turn >= 90.0 - MAX_TURN_DEG - 15.0:
        return "side"
    if turn <= MAX_TURN_DEG + 15.0:
        return "front"
    return None


def orientation_problems(shot: Shot, view: str) -> tuple[list[Problem], list[str]]:
    """Body turned away from side-on / square-on; facing away in a front view."""
    problems, notes = [], []
    turn = turn_deg(shot, hips_in_picture(shot), near_front=view == "front")
    off = (90.0 - turn) if view == "side" else turn
    wanted = "side-on to the camera" if view == "side" else "square on to the camera"
    if off > MAX_TURN_DEG:
        how = (
            "stand with your feet parallel to the picture's edge"
            if view == "side"
            else "face the camera, feet hip-width apart"
        )
        problems.append(
            Problem(
                "body_turned",
                f"body turned: about {off:.0f} degrees away from {wanted} (at most {MAX_TURN_DEG:.0f}); {how}",
            )
        )
    elif off > WARN_TURN_DEG:
        notes.append(
            f"body turned about {off:.0f} degrees from {wanted}: the angles read up to "
            f"{100 * (1 - np.cos(np.radians(off))):.0f}% small"
        )
    if view == "front" and not faces_camera(shot):
        problems.append(
            Problem(
                "facing_away",
                "facing away from the camera (or a mirrored "
                "selfie): face the camera and use the rear camera or a timer; "
                "a mirrored picture swaps left and right",
            )
        )
    return problems, notes


def tilt_problems(body_tilt_deg: float | None, view: str) -> tuple[list[Problem], list[str]]:
    if body_tilt_deg is None:
        return [], [
            "the camera's tilt could not be checked (the body below the shoulders is "
            "not in the picture): angles are against the picture's edges"
        ]
    line = "ankle-to-hip line" if view == "side" else "line from the feet to the shoulders"
    size = abs(body_tilt_deg)
    if size > MAX_BODY_TILT_DEG:
        return [
            Problem(
                "camera_tilted",
                f"camera tilted (or you are leaning): your {line} is "
                f"{size:.0f} degrees off the picture's vertical (at most "
                f"{MAX_BODY_TILT_DEG:.0f}); hold the phone upright and level, or prop "
                "it against something vertical, and stand relaxed",
            )
        ], []
    if size > WARN_BODY_TILT_DEG:
        return [], [
            f"your {line} is {size:.1f} degrees off the picture's vertical: the camera "
            "may be tilted, so the angles are less reliable than usual"
        ]
    return [], []


def track_problems(
    centres: np.ndarray, trunk_px: np.ndarray, m_per_px: float | None, max_sway_cm: float
) -> tuple[list[Problem], float | None]:
    """A clip's tracked body: jumps (another person taken for the same one) and sway.

    ``centres`` (N, 2) torso centres in pixels, ``trunk_px`` (N,) trunk lengths, in frame
    order. Returns the problems and the sway in cm (None without a scale)."""
    problems = []
    if len(centres) >= 2:
        step = np.linalg.norm(np.diff(centres, axis=0), axis=1)
        scale = np.abs(np.diff(np.log(np.maximum(trunk_px, 1.0))))
        jumps = int(np.sum((step > 0.5 * trunk_px[1:]) | (scale > np.log(1.3))))
        if jumps:
            problems.append(
                Problem(
                    "person_jumped",
                    f"the tracked body jumped from one place to "
                    f"another {jumps} time(s): probably two people in the clip; "
                    "film yourself alone",
                )
            )
    lo, hi = np.percentile(centres, 5, axis=0), np.percentile(centres, 95, axis=0)
    travel_px = float(np.max(hi - lo))
    sway_cm = None if m_per_px is None else 100.0 * travel_px * m_per_px
    travel_trunks = travel_px / max(float(np.median(trunk_px)), 1.0)
    # without a metric scale, a trunk is about 50 cm
    moved_cm = sway_cm if sway_cm is not None else 50.0 * travel_trunks
    if moved_cm > max_sway_cm and not problems:
        problems.append(
            Problem(
                "not_still",
                f"not standing still: the body moved about "
                f"{moved_cm:.0f} cm during the clip (at most {max_sway_cm:.0f}); "
                "stand still, relaxed, for 3-5 seconds",
            )
        )
    return problems, sway_cm
