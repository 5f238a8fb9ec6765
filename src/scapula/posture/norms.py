"""What each posture measure is, which published measure it stands in for, its bands, and
how far a single check can be trusted. Data only: every number of the posture check lives here.

The four measures are *landmark proxies*, not the clinical measures themselves: BlazePose
finds the ear, the shoulder joint, the hip joint and the ankle, not the tragus, the C7
spinous process or the acromion that a clinician palpates and marks. So the bands below are
Scapula's coaching bands, anchored on the ideal plumb-line alignment and set so that a
clinically forward head or rounded shoulder lands outside "within normal"; they are not
validated cut-offs and a band is never a diagnosis.

Sources (the published measures and what is known about them):

- Craniovertebral angle (CVA): at C7, between the horizontal and the line to the tragus of
  the ear, from a side photo (Yip, Chiu & Poon, Manual Therapy 2008;13:148-154). Smaller =
  head further forward; about 50 degrees is the usual cut-off for a forward head (e.g. Oakley
  et al., J Clin Med 2024;13:2149, where CVA 50 degrees matched a 20 mm C2-C7 sagittal offset
  on X-ray, with only a weak correlation between the two).
- Forward shoulder angle (FSA): at C7, between the horizontal and the line to the acromion,
  from a side photo (used e.g. by Thigpen et al., J Electromyogr Kinesiol 2010;20:701-709);
  definitions and cut-offs vary between studies (around 52 degrees in some).
- Plumb-line alignment (Kendall et al., Muscles: Testing and Function with Posture and Pain,
  5th ed. 2005): standing, side view, the ideal line runs through the ear lobe, the acromion,
  the greater trochanter and just in front of the lateral malleolus. Our side proxies measure
  the ear's and the shoulder's distance from that line, as an angle and in cm.
- Frontal photogrammetry (e.g. the SAPO / PAS protocol, Ferreira et al., Clinics
  2010;65:675-681): "horizontal alignment of the acromions" and "horizontal alignment of the
  head" (the tragi), both in degrees against the horizontal; asymmetries of a degree or two
  are common in people without complaints.
- Minimal detectable change: MDC95 = 1.96 x sqrt(2) x SEM (Weir, J Strength Cond Res
  2005;19:231-240). We use each measure's repeat-measure SD (below) as the SEM.
"""

from __future__ import annotations

from dataclasses import dataclass

WITHIN_NORMAL, MILD, MARKED = "within normal", "mild", "marked"
CLASSES = (WITHIN_NORMAL, MILD, MARKED)

# 95% minimal detectable change of the difference of two checks, in units of the SD of one.
MDC95_FACTOR = 1.96 * 2**0.5

HEAD_FORWARD, SHOULDER_FORWARD = "head_forward", "shoulder_forward"
SHOULDER_HEIGHT, HEAD_TILT = "shoulder_height", "head_tilt"
SIDE_MEASURES = (HEAD_FORWARD, SHOULDER_FORWARD)
FRONT_MEASURES = (SHOULDER_HEIGHT, HEAD_TILT)
VIEW_MEASURES = {"side": SIDE_MEASURES, "front": FRONT_MEASURES}


@dataclass(frozen=True)
class Norm:
    id: str
    name: str
    view: str
    what: str  # the proxy, in words
    proxies: str  # the published measure it stands in for
    published: str  # the published normal range / cut-off, in words
    mild_deg: float  # |angle| at which "mild" starts (Scapula's band)
    marked_deg: float  # |angle| at which "marked" starts
    one_sided: bool  # True: only the positive direction is a deviation (forward)
    sd_deg: float  # repeat-measure SD of one check, degrees (see REPEAT_SPREAD)
    sd_cm: float  # repeat-measure SD of one check, cm
    explain: str  # plain language, shown with a mild or marked result
    moves: tuple[str, ...]  # catalog ids that address it

    @property
    def mdc_deg(self) -> float:
        return MDC95_FACTOR * self.sd_deg

    @property
    def mdc_cm(self) -> float:
        return MDC95_FACTOR * self.sd_cm


# How the repeat-measure SDs were measured (benchmarks/posture_repeat.py prints them; the
# numbers below are the larger of the two, rounded up):
# - synthetic side / front captures of one standing body, retaken 200 times with the
#   camera placed again within the guidance (2.5-3.5 m, aim +-10 cm, side-on or square-on
#   +-8 degrees, roll +-1 degree) and landmark noise of 2 px (image) and 15 mm (world):
#   SD head forward 4.55 deg / 1.44 cm, shoulder forward 1.12 / 1.06, shoulder height
#   1.16 / 0.87, head tilt 2.65 / 0.71;
# - the real model on real photos reframed (crop, scale, JPEG quality): the astronaut
#   (front, 14 of 24 reframings accepted) and the side-on walker of the Sports2D demo clip
#   (side, 24): SD shoulder height 1.55 deg / 0.86 cm, head tilt 2.12 / 0.54, head forward
#   0.75 / 0.32, shoulder forward 0.25 / 0.22.
# The head-forward SD is dominated by the 2 px jitter on the short ear-to-shoulder segment
# (~65 px at 3 m on a 1080x1920 portrait): a clip's median is steadier than that, but the
# check does not yet credit it. Neither includes the runner's own day-to-day variation in
# stance: take the same relaxed stance every time.
REPEAT_SPREAD = "benchmarks/posture_repeat.py: synthetic recaptures + real photos reframed"

NORMS: dict[str, Norm] = {
    HEAD_FORWARD: Norm(
        id=HEAD_FORWARD,
        name="head forward",
        view="side",
        what="the ear relative to the shoulder joint, against the vertical (positive: ear ahead "
        "of the shoulder); in cm, the ear's horizontal distance ahead of the shoulder",
        proxies="craniovertebral angle (CVA, tragus to C7 against the horizontal): roughly, "
        "a larger head-forward angle is a smaller CVA",
        published="CVA about 50 degrees or more is usually taken as normal, below 50 as a "
        "forward head; ideal plumb line: ear lobe over the acromion (0 degrees here)",
        mild_deg=12.0,
        marked_deg=22.0,
        one_sided=True,
        sd_deg=4.6,
        sd_cm=1.5,
        explain="Your head sits ahead of your shoulders. Each centimetre forward adds load on "
        "the neck and upper-back muscles that hold the head up. Strengthening the upper "
        "back and opening the chest helps you stack the head over the shoulders.",
        moves=("superman", "reverse_fly", "doorway_chest_stretch"),
    ),
    SHOULDER_FORWARD: Norm(
        id=SHOULDER_FORWARD,
        name="shoulder forward",
        view="side",
        what="the shoulder joint relative to the hip joint, against the vertical (positive: "
        "shoulder ahead of the hip's plumb line); in cm, the horizontal distance",
        proxies="forward shoulder angle (FSA, acromion to C7) and the plumb-line position of "
        "the acromion over the greater trochanter",
        published="ideal plumb line: acromion over the greater trochanter (0 degrees here); "
        "FSA cut-offs vary between studies (around 52 degrees in some)",
        mild_deg=6.0,
        marked_deg=12.0,
        one_sided=True,
        sd_deg=1.2,
        sd_cm=1.1,
        explain="Your shoulders sit ahead of your hips: the rounded-shoulder posture that a "
        "chest-driven arm swing builds. Rows and reverse flies strengthen the muscles "
        "that draw the shoulder blades back; the chest stretches let them stay there.",
        moves=("reverse_fly", "chainsaw_row", "doorway_chest_stretch", "foam_roller_chest_opener"),
    ),
    SHOULDER_HEIGHT: Norm(
        id=SHOULDER_HEIGHT,
        name="shoulder height difference",
        view="front",
        what="the line between the shoulder joints against the horizontal (positive: the "
        "left shoulder higher); in cm, the height difference",
        proxies="horizontal alignment of the acromions (frontal photogrammetry, e.g. SAPO)",
        published="a degree or two either way is common in people without complaints",
        mild_deg=2.0,
        marked_deg=4.0,
        one_sided=False,
        sd_deg=1.6,
        sd_cm=0.9,
        explain="One shoulder sits higher than the other. Small differences are common (the "
        "dominant side often sits lower); working each side on its own keeps the "
        "stronger side from doing the work of both.",
        moves=("chainsaw_row", "open_book"),
    ),
    HEAD_TILT: Norm(
        id=HEAD_TILT,
        name="head tilt",
        view="front",
        what="the line between the ears against the horizontal (positive: the left ear higher, "
        "head tilted toward the right shoulder); in cm, the ears' height difference",
        proxies="horizontal alignment of the head (the tragi; frontal photogrammetry, e.g. SAPO)",
        published="a degree or two either way is common in people without complaints",
        mild_deg=3.0,
        marked_deg=6.0,
        one_sided=False,
        sd_deg=2.7,
        sd_cm=0.8,
        explain="Your head tilts to one side. This often goes with a higher shoulder on one "
        "side or simply with how you stood for the photo: check it again before "
        "reading much into it. If it comes with neck pain, see a physiotherapist.",
        moves=("open_book",),
    ),
}


def classify(norm: Norm, value_deg: float) -> str:
    size = value_deg if norm.one_sided else abs(value_deg)
    if size >= norm.marked_deg:
        return MARKED
    if size >= norm.mild_deg:
        return MILD
    return WITHIN_NORMAL


def borderline(norm: Norm, value_deg: float, sd_deg: float) -> bool:
    """True when the value is within one SD of a band boundary: the band may flip on a retake."""
    size = value_deg if norm.one_sided else abs(value_deg)
    return any(abs(size - edge) < sd_deg for edge in (norm.mild_deg, norm.marked_deg))


# ---------------------------------------------------------------- capture limits

MAX_TURN_DEG = 20.0  # body turned this far from side-on (or square-on): refused
WARN_TURN_DEG = 12.0  # ... past this, a note: angles shrink by about 1 - cos(turn)
MAX_BODY_TILT_DEG = 8.0  # ankle-hip (side) / ankle-shoulder (front) line off the vertical: refused
WARN_BODY_TILT_DEG = 4.0  # ... past this, a note that the angles are less reliable
MIN_VISIBILITY = 0.5  # a required point below this is "hidden"
MAX_SWAY_CM = 15.0  # a clip whose body moves more than this is not standing still
STEADY_SWAY_CM = 4.0  # up to this: "steady"; up to MAX_SWAY_CM: "some sway"
CLIP_MAX_S = 10.0  # the first 10 s of a clip are read
CLIP_RATE = 10.0  # frames a second taken from a clip
MIN_CLIP_FRAMES = 5  # fewer frames with the person than this: too short to be a clip

GUIDANCE = (
    "How to take a repeatable posture photo:",
    "  1. Phone upright at shoulder height, about 3 m away, on a shelf or tripod (not held up).",
    "  2. Side view: stand side-on to the camera; front view: face it square on.",
    "  3. Whole body in the picture, head to feet, and nobody else in it.",
    "  4. Relaxed stance: arms hanging, look straight ahead, do not pull yourself up.",
    "  5. Same clothes (close-fitting), same place and same time of day each time.",
    "  A clip: stand still for 3-5 seconds; the check takes the median of its frames.",
)
