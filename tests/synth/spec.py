"""What a synthetic clip shows (ClipSpec and friends), its ground truth, and random_spec."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from scapula.vision.landmarks import Frame, Header

EXERCISES = ("reverse_fly", "chainsaw_row", "superman")
NEGATIVES = (
    "idle_hands_on_hips",
    "idle_crossed_arms",
    "idle_phone",
    "idle_turning",
    "arm_circles",
    "overhead_reach",
    "side_bend",
    "cross_body_stretch",
    "neck_stretch",
    "trunk_twist",
    "arm_swings",
    "marching",
    "walking",
)
ACTIVITIES = EXERCISES + NEGATIVES

REP_FAULTS = {
    "reverse_fly": ("ribs_flare", "shrug", "locked_elbows", "bent_elbows", "partial_range"),
    "chainsaw_row": ("torso_rotation", "partial_range"),
    "superman": ("both_arms", "back_arch", "neck_extension"),
}
SET_FAULTS = {"chainsaw_row": ("upright_torso", "square_stance")}
EXCLUSIVE = (frozenset({"locked_elbows", "bent_elbows"}),)
LEGS = ("none", "leg_lift", "leg_curl")
FREE_HANDS = ("thigh", "knee", "bench", "hanging")
PARTIAL_STYLES = ("bend", "swing")


@dataclass(frozen=True)
class NoiseSpec:
    """The pose estimator's errors; every one can be switched off (0)."""

    jitter_px: float = 1.0  # image jitter (standard deviation, pixels)
    jitter_world_mm: float = 6.0  # world jitter (standard deviation, mm)
    wander_cm: float = 0.0  # slow drift of whole limbs (amplitude, cm)
    glitches_per_min: float = 0.0  # a wrist/elbow/ankle jumps 10-30 cm for 1-4 frames
    swaps_per_min: float = 0.0  # left/right labels swapped for 1-3 frames
    dropouts_per_min: float = 0.0  # 2-10 frames with no person
    drop_frame_prob: float = 0.0  # a frame row missing (a larger gap in t)
    timing_jitter: float = 0.15  # timestamp jitter, fraction of the frame interval
    far_side: float = 2.0  # jitter factor on far-side (occluded) points
    # A wrist hidden from the camera behind the other arm or the head is put by BlazePose on
    # the visible arm (noise.hidden_copies): 1 models that, 0 an estimator that always finds it
    hidden_copy: float = 1.0

    @classmethod
    def none(cls) -> NoiseSpec:
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0)


@dataclass(frozen=True)
class RepSpec:
    faults: frozenset = frozenset()
    tempo_s: float = 2.0  # moving time up and down (holds excluded), 1.2-4 s
    hold_s: float = 0.5  # hold at the top
    pause_before_s: float = 0.0  # a pause inside the set before this rep (holding or fidgeting)
    side: str = ""  # superman: the lifting arm ("" = alternate); chainsaw: from the set
    legs: str = "none"  # superman: "none" | "leg_lift" | "leg_curl" (not faults)


@dataclass(frozen=True)
class SetSpec:
    reps: tuple[RepSpec, ...]
    side: str = ""  # chainsaw_row: the working arm ("" = right, then alternating)
    faults: frozenset = frozenset()  # set-wide faults (chainsaw_row: upright_torso, square_stance)
    rest_elbow: float = 0.0  # chainsaw_row: the working elbow's bend between reps (0 = lowered fully)
    free_hand: str = "thigh"  # chainsaw_row: the free hand on the front "thigh", the "knee", a "bench", or "hanging"
    partial_style: str = "bend"  # chainsaw_row: a partial_range rep "bend"s the elbow short of the trunk line,
    # or "swing"s the near-straight arm back 25-40 deg from its hang


@dataclass(frozen=True)
class ClipSpec:
    activity: str
    sets: tuple[SetSpec, ...] = ()  # () = a default plan for the exercise
    duration_s: float = 20.0  # negatives: how long the activity lasts
    height_m: float = 1.75
    shoulder_ratio: float = 0.245
    hip_ratio: float = 0.19
    walk_in: bool = True
    walk_out: bool = False
    lead_in_s: float = 1.0  # off screen (walk_in) or standing idle before starting
    rest_s: float = 12.0  # between sets
    fidget: bool = True  # fidgeting in rests and long pauses
    superman_arms: str = "y"  # "y" | "straight"
    superman_lift_m: float = 0.0  # every arm lift this high (0: each drawn from 8-25 cm)
    turn_for_each_side: bool = True  # chainsaw_row: turn round so the working side faces the camera
    variant: str = ""  # negatives: a sub-variant ("" = drawn from the seed)
    view_side: int = 1  # +1: camera toward the athlete's left (chainsaw: toward the first working side)
    camera_yaw_deg: float = 0.0  # offset from the move's recommended view (+ toward the athlete's left)
    camera_distance_m: float = 2.5
    camera_height_m: float = 1.0
    camera_roll_deg: float = 0.0
    hfov_deg: float = 65.0
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    fit_distance: bool = False  # move the camera back (up to 3 m) until the body fits
    noise: NoiseSpec = field(default_factory=NoiseSpec)

    @property
    def exercise(self) -> str | None:
        return self.activity if self.activity in EXERCISES else None

    def plan(self) -> tuple[SetSpec, ...]:
        """The sets with every side made explicit (validated)."""
        if self.activity not in ACTIVITIES:
            raise ValueError(f"unknown activity {self.activity!r}")
        if self.exercise is None:
            return ()
        sets = self.sets or _default_sets(self.activity)
        out = []
        for i, st in enumerate(sets):
            for rep in st.reps:
                _check_faults(self.activity, rep.faults, REP_FAULTS[self.activity])
            _check_faults(self.activity, st.faults, SET_FAULTS.get(self.activity, ()))
            if self.activity == "chainsaw_row":
                side = st.side or ("right" if i % 2 == 0 else "left")
                out.append(dataclasses.replace(st, side=side))
            elif self.activity == "superman":
                reps, nxt = [], "left"
                for rep in st.reps:
                    side = rep.side or nxt
                    nxt = "right" if side == "left" else "left"
                    reps.append(dataclasses.replace(rep, side=side))
                out.append(dataclasses.replace(st, reps=tuple(reps), side=""))
            else:
                out.append(dataclasses.replace(st, side="both"))
        return tuple(out)

    def expected_counts(self) -> dict:
        counts = {"total": 0, "left": 0, "right": 0}
        for st in self.plan():
            for rep in st.reps:
                if self.activity == "reverse_fly":
                    counts["total"] += 1
                elif self.activity == "chainsaw_row":
                    counts[st.side] += 1
                elif "both_arms" in rep.faults:
                    counts["left"] += 1
                    counts["right"] += 1
                else:
                    counts[rep.side] += 1
        if self.activity == "reverse_fly":
            counts["left"] = counts["right"] = None
        else:
            counts["total"] = counts["left"] + counts["right"]
        return counts

    def to_json(self) -> dict:
        def conv(o):
            if isinstance(o, frozenset):
                return sorted(o)
            if isinstance(o, (list, tuple)):
                return [conv(x) for x in o]
            if isinstance(o, dict):
                return {k: conv(v) for k, v in o.items()}
            return o

        return conv(dataclasses.asdict(self))


def _check_faults(activity: str, faults: frozenset, allowed: tuple[str, ...]) -> None:
    bad = set(faults) - set(allowed)
    if bad:
        raise ValueError(f"{activity}: faults {sorted(bad)} not allowed here (allowed: {list(allowed)})")
    for pair in EXCLUSIVE:
        if pair <= set(faults):
            raise ValueError(f"{activity}: faults {sorted(pair)} cannot happen together")


def _default_sets(activity: str) -> tuple[SetSpec, ...]:
    if activity == "reverse_fly":
        return (SetSpec(tuple(RepSpec() for _ in range(10))),)
    if activity == "chainsaw_row":
        return (
            SetSpec(tuple(RepSpec() for _ in range(8)), "right"),
            SetSpec(tuple(RepSpec() for _ in range(8)), "left"),
        )
    return (SetSpec(tuple(RepSpec(hold_s=1.5) for _ in range(10))),)


@dataclass(frozen=True)
class RepTruth:
    side: str
    start_s: float
    peak_s: float
    end_s: float
    faults: frozenset
    set_index: int = 0

    def to_json(self) -> dict:
        return {
            "side": self.side,
            "start_s": round(self.start_s, 4),
            "peak_s": round(self.peak_s, 4),
            "end_s": round(self.end_s, 4),
            "faults": sorted(self.faults),
            "set_index": self.set_index,
        }


@dataclass(frozen=True)
class Truth:
    activity: str
    exercise: str | None
    reps: list[RepTruth]
    counts: dict  # {"total", "left", "right"} (left/right None for reverse_fly)
    view: dict  # camera, its azimuth relative to the athlete per set, the near side
    sets: list[dict]
    phases: list[dict]
    events: list[dict]  # estimator errors injected (glitches, swaps, dropouts)
    duration_s: float
    frames_total: int
    frames_with_person: int
    seed: int
    spec: dict

    def to_json(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["reps"] = [r.to_json() for r in self.reps]
        return d


@dataclass(frozen=True)
class Clip:
    header: Header
    frames: list[Frame]
    truth: Truth


# ------------------------------------------------------------------------------ random_spec


def _noise(rng: np.random.Generator) -> NoiseSpec:
    on = lambda p: rng.random() < p  # noqa: E731
    return NoiseSpec(
        jitter_px=float(rng.uniform(0.5, 2.0)),
        jitter_world_mm=float(rng.uniform(5.0, 10.0)),
        wander_cm=float(rng.uniform(1.0, 4.0)) if on(0.6) else 0.0,
        glitches_per_min=float(rng.uniform(0.5, 4.0)) if on(0.6) else 0.0,
        swaps_per_min=float(rng.uniform(0.3, 2.0)) if on(0.4) else 0.0,
        dropouts_per_min=float(rng.uniform(0.3, 1.5)) if on(0.4) else 0.0,
        drop_frame_prob=float(rng.uniform(0.002, 0.03)) if on(0.6) else 0.0,
        timing_jitter=float(rng.uniform(0.05, 0.15)),
        far_side=float(rng.uniform(1.5, 3.0)),
    )


def _draw_faults(rng: np.random.Generator, eligible: tuple[str, ...], p: float) -> frozenset:
    got = {f for f in eligible if rng.random() < p}
    for pair in EXCLUSIVE:
        if pair <= got:
            got.discard(sorted(pair)[int(rng.integers(2))])
    return frozenset(got)


def _draw_sets(
    activity: str, rng: np.random.Generator, fault_prob: float, n_sets: int | None, reps: int | None, sides: str | None
) -> tuple[SetSpec, ...]:
    n_sets = n_sets or int(rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2]))
    first = str(rng.choice(["left", "right"]))
    legs_mode = str(rng.choice(["none", "leg_lift", "leg_curl", "mixed"], p=[0.5, 0.25, 0.15, 0.1]))
    lo, hi = {"reverse_fly": (6, 15), "chainsaw_row": (5, 12), "superman": (6, 16)}[activity]
    out = []
    for i in range(n_sets):
        side = ""
        if activity == "chainsaw_row":
            second = "left" if first == "right" else "right"
            side = sides if sides in ("left", "right") else (first if i % 2 == 0 else second)
        n = reps or int(rng.integers(lo, hi + 1))
        tempo = rng.uniform(1.2, 4.0) if activity != "superman" else rng.uniform(1.4, 3.5)
        hold = (
            (rng.uniform(1.0, 2.0) if rng.random() < 0.8 else rng.uniform(0.0, 1.0))
            if activity == "superman"
            else (0.0 if rng.random() < 0.35 else rng.uniform(0.2, 2.0))
        )
        set_faults = frozenset(f for f in SET_FAULTS.get(activity, ()) if rng.random() < fault_prob)
        nxt = first
        rs = []
        for k in range(n):
            legs = "none"
            if activity == "superman":
                legs = legs_mode if legs_mode != "mixed" else str(rng.choice(LEGS))
            rs.append(
                RepSpec(
                    faults=_draw_faults(rng, REP_FAULTS[activity], fault_prob),
                    tempo_s=float(np.clip(tempo * rng.uniform(0.85, 1.15), 1.2, 4.0)),
                    hold_s=float(np.clip(hold + rng.uniform(-0.2, 0.2), 0.0, 2.0)) if hold > 0 else 0.0,
                    pause_before_s=float(rng.uniform(2.0, 6.0)) if k > 0 and rng.random() < 0.08 else 0.0,
                    side=nxt if activity == "superman" else "",
                    legs=legs,
                )
            )
            nxt = "left" if nxt == "right" else "right"
        out.append(SetSpec(tuple(rs), side, set_faults))
    return tuple(out)


def random_spec(activity: str, rng: np.random.Generator, **overrides) -> ClipSpec:
    """A realistic spec for ``activity``; ``overrides`` are ClipSpec fields, plus the drawing
    knobs ``fault_prob`` (per rep and fault; default 0.25, and 30 % of clips fault-free),
    ``n_sets``, ``reps`` (per set) and ``sides`` ("left", "right" or "both", chainsaw_row)."""
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown activity {activity!r}")
    fault_prob = overrides.pop("fault_prob", None)
    n_sets, reps, sides = overrides.pop("n_sets", None), overrides.pop("reps", None), overrides.pop("sides", None)
    if fault_prob is None:
        fault_prob = 0.0 if rng.random() < 0.3 else 0.25
    portrait = rng.random() < (0.15 if activity == "superman" else 0.3)
    w, h = (1080, 1920) if portrait else ((1920, 1080) if rng.random() < 0.5 else (1280, 720))
    spec = ClipSpec(
        activity=activity,
        sets=_draw_sets(activity, rng, fault_prob, n_sets, reps, sides) if activity in EXERCISES else (),
        duration_s=float(rng.uniform(10.0, 40.0)),
        height_m=float(rng.uniform(1.50, 1.95)),
        shoulder_ratio=float(rng.uniform(0.23, 0.26)),
        hip_ratio=float(rng.uniform(0.17, 0.20)),
        walk_in=bool(rng.random() < 0.7),
        walk_out=bool(rng.random() < 0.5),
        lead_in_s=float(rng.uniform(0.0, 2.0)),
        rest_s=float(rng.uniform(6.0, 25.0)),
        fidget=bool(rng.random() < 0.85),
        superman_arms="y" if rng.random() < 0.7 else "straight",
        turn_for_each_side=bool(rng.random() < 0.6),
        view_side=int(rng.choice([-1, 1])),
        camera_yaw_deg=float(rng.uniform(-40.0, 40.0)),
        camera_distance_m=float(rng.uniform(1.5, 3.0)),
        camera_height_m=float(rng.uniform(0.0, 1.2) if activity == "superman" else rng.uniform(0.0, 1.8)),
        camera_roll_deg=float(rng.uniform(-4.0, 4.0)),
        hfov_deg=float(rng.uniform(60.0, 75.0)),
        width=w,
        height=h,
        fps=float(rng.choice([24.0, 30.0, 60.0], p=[0.25, 0.5, 0.25])),
        fit_distance=bool(rng.random() < 0.85),
        noise=_noise(rng),
    )
    if activity == "chainsaw_row":  # drawn last: a seed's other draws stay as they were
        spec = dataclasses.replace(
            spec,
            sets=tuple(
                dataclasses.replace(
                    st,
                    free_hand=str(rng.choice(FREE_HANDS, p=[0.4, 0.2, 0.2, 0.2])),
                    rest_elbow=0.0 if rng.random() < 0.7 else float(rng.uniform(25.0, 50.0)),
                )
                for st in spec.sets
            ),
        )
        spec = dataclasses.replace(
            spec,
            sets=tuple(  # drawn after those, for the same reason
                dataclasses.replace(st, partial_style=str(rng.choice(PARTIAL_STYLES))) for st in spec.sets
            ),
        )
    return dataclasses.replace(spec, **overrides)
