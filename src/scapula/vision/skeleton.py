"""BlazePose's 33 landmarks, named once. No bare landmark index appears anywhere else."""

from __future__ import annotations

from enum import IntEnum


class P(IntEnum):
    """BlazePose-33 indices (MediaPipe order). Odd = the athlete's left."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


N_LANDMARKS = len(P)

# Left/right pairs: swapping these columns mirrors the skeleton's labels.
PAIRS: tuple[tuple[P, P], ...] = tuple(
    (P[name], P[name.replace("LEFT", "RIGHT")]) for name in P.__members__ if "LEFT" in name
)
MIRROR: tuple[int, ...] = tuple(
    next((int(b) for a, b in PAIRS if a == p), next((int(a) for a, b in PAIRS if b == p), int(p))) for p in P
)

# The limb segments drawn on annotated frames.
BONES: tuple[tuple[P, P], ...] = (
    (P.LEFT_SHOULDER, P.RIGHT_SHOULDER),
    (P.LEFT_HIP, P.RIGHT_HIP),
    (P.LEFT_SHOULDER, P.LEFT_HIP),
    (P.RIGHT_SHOULDER, P.RIGHT_HIP),
    (P.LEFT_SHOULDER, P.LEFT_ELBOW),
    (P.LEFT_ELBOW, P.LEFT_WRIST),
    (P.RIGHT_SHOULDER, P.RIGHT_ELBOW),
    (P.RIGHT_ELBOW, P.RIGHT_WRIST),
    (P.LEFT_HIP, P.LEFT_KNEE),
    (P.LEFT_KNEE, P.LEFT_ANKLE),
    (P.RIGHT_HIP, P.RIGHT_KNEE),
    (P.RIGHT_KNEE, P.RIGHT_ANKLE),
    (P.LEFT_ANKLE, P.LEFT_FOOT_INDEX),
    (P.RIGHT_ANKLE, P.RIGHT_FOOT_INDEX),
    (P.LEFT_EAR, P.LEFT_SHOULDER),
    (P.RIGHT_EAR, P.RIGHT_SHOULDER),
)

SIDES = ("left", "right")


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


SIDE_POINTS = {
    "left": {
        "shoulder": P.LEFT_SHOULDER,
        "elbow": P.LEFT_ELBOW,
        "wrist": P.LEFT_WRIST,
        "hip": P.LEFT_HIP,
        "knee": P.LEFT_KNEE,
        "ankle": P.LEFT_ANKLE,
        "ear": P.LEFT_EAR,
    },
    "right": {
        "shoulder": P.RIGHT_SHOULDER,
        "elbow": P.RIGHT_ELBOW,
        "wrist": P.RIGHT_WRIST,
        "hip": P.RIGHT_HIP,
        "knee": P.RIGHT_KNEE,
        "ankle": P.RIGHT_ANKLE,
        "ear": P.RIGHT_EAR,
    },
}
