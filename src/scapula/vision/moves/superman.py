"""Supermans: face down, arms overhead, one arm lifts off the floor, then the other.

Counting signal, per arm: the arm's elevation behind the trunk's front plane
(dorsal), in degrees. Resting on the mat overhead the arm reads around -10 to 0
(the shoulder sits a little above the floor); a lift of 8-25 cm at the hand is
+8 to +25 deg more. Each arm is segmented on its own; both lifting together is
one rep for each side, flagged ``both_arms``.
"""

from __future__ import annotations

import numpy as np

from scapula.vision.moves.base import Fault, Finding, Move, RepFrames
from scapula.vision.reps import SegmenterConfig
from scapula.vision.signals import BodyFrame, angle_deg, dot, mid, unit
from scapula.vision.skeleton import SIDE_POINTS, P

SIDES = ("left", "right")


def measures(world: np.ndarray, image: np.ndarray) -> dict[str, np.ndarray]:
    body = BodyFrame.of(world)
    back = -body.forward
    out: dict[str, np.ndarray] = {}
    for side in SIDES:
        pts = SIDE_POINTS[side]
        arm = world[..., pts["wrist"], :] - world[..., pts["shoulder"], :]
        out[f"lift_{side}"] = np.degrees(np.arcsin(np.clip(dot(arm, back) / (np.linalg.norm(arm, axis=-1) + 1e-9), -1, 1)))
        out[f"overhead_{side}"] = angle_deg(arm, body.up)  # 0 = reaching straight past the head
        # Chest lifting off the floor: the trunk bends back against each thigh (knee to
        # hip, which stays on the mat in the leg-curl variant). The smaller of the two
        # ignores a leg that lifts (the leg-lift variant).
        thigh = unit(world[..., pts["hip"], :] - world[..., pts["knee"], :])
        thigh_back = np.cross(thigh, body.left)  # the back's side of the thigh line
        out[f"arch_{side}"] = np.degrees(np.arctan2(dot(body.up, thigh_back), dot(body.up, thigh)))
    out["arch"] = np.minimum(out["arch_left"], out["arch_right"])
    # Head pitch against the trunk: ear-to-nose direction, 0 looking straight along the
    # chest's normal (eyes to the floor when prone), positive when the chin leads.
    head = world[..., P.NOSE, :] - mid(world, P.LEFT_EAR, P.RIGHT_EAR)
    out["head_pitch"] = np.degrees(np.arctan2(dot(head, body.up), dot(head, body.forward)))
    # Lying down: in the picture, the trunk runs closer to horizontal than vertical
    # (the camera is held level; a side or oblique view from up to head height).
    trunk_px = mid(image, P.LEFT_SHOULDER, P.RIGHT_SHOULDER)[..., :2] - mid(image, P.LEFT_HIP, P.RIGHT_HIP)[..., :2]
    out["trunk_tilt_px"] = np.degrees(np.arctan2(np.abs(trunk_px[..., 1]), np.abs(trunk_px[..., 0]) + 1e-9))
    return out


def counting(m: dict[str, np.ndarray], side: str) -> np.ndarray:
    return m[f"lift_{side}"]


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def is_rep(rep: RepFrames) -> str | None:
    if np.nanmedian(rep.m["trunk_tilt_px"]) > 50.0:
        return "the athlete was not lying down"
    # The arms reach past the head (a Y or straight ahead): within ~60 deg of the trunk line.
    if rep.baseline[f"overhead_{rep.side}"] > 60.0:
        return "the arm was not overhead"
    return None


def both_arms(rep: RepFrames) -> Finding:
    # Alternating means the other arm stays on the mat; if it rises by at least half as
    # much at the same time, both arms lifted together.
    other = rep.rise(f"lift_{_other(rep.side)}")
    value = other / (rep.span.range + 1e-9)
    return Finding(value >= 0.5 and other >= 5.0, value, 0.5)


def back_arch(rep: RepFrames) -> Finding:
    # Lifting the chest 8-15 cm bends the trunk back 10-25 deg against the thighs; a clean
    # arm lift moves it a few degrees. Threshold: 8 deg.
    value = rep.rise("arch")
    return Finding(value >= 8.0, value, 8.0)


def neck_extension(rep: RepFrames) -> Finding:
    # Eyes to the floor keeps the ear-to-nose line pointing at the floor or a little
    # toward the feet (about -15 to 0 deg); craning up tilts the head 20-40 deg. Flag a
    # head above +10 deg at the top of the lift, or one that tilted up 12 deg in the rep.
    peak = float(np.nanmax(rep.m["head_pitch"][rep.working()]))
    return Finding(peak >= 10.0 or rep.rise("head_pitch") >= 12.0, peak, 10.0)


MOVE = Move(
    id="superman",
    sides=SIDES,
    segmenter=SegmenterConfig(min_range=6.0, min_duration_s=0.5),  # a small 8 cm lift is ~8 deg
    measures=measures,
    counting=counting,
    is_rep=is_rep,
    faults=(
        Fault("both_arms", both_arms),
        Fault("back_arch", back_arch),
        Fault("neck_extension", neck_extension),
    ),
    recommended_view="side view",
)
