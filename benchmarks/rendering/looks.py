"""What a rendered person and room look like: skin tone, hair, clothes, build, light, textures.

The base mesh has no skin texture, so the body is coloured per part from the bone each vertex
mostly follows: shirt (short or long sleeves, tight or loose), trousers or shorts, shoes, hair.
Colours are given in sRGB and passed to the renderer as linear values (sRGB ** 2.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SKIN = [
    (0.96, 0.80, 0.69),
    (0.90, 0.72, 0.58),
    (0.78, 0.57, 0.42),
    (0.62, 0.43, 0.30),
    (0.45, 0.30, 0.21),
    (0.30, 0.20, 0.14),
]
HAIR = [(0.08, 0.06, 0.05), (0.25, 0.16, 0.09), (0.55, 0.38, 0.20), (0.80, 0.66, 0.42), (0.55, 0.55, 0.55)]
CLOTH = [
    (0.10, 0.10, 0.12),
    (0.85, 0.85, 0.85),
    (0.75, 0.15, 0.15),
    (0.15, 0.30, 0.65),
    (0.20, 0.50, 0.30),
    (0.95, 0.65, 0.10),
    (0.45, 0.45, 0.50),
    (0.55, 0.25, 0.55),
    (0.10, 0.55, 0.60),
]
FLOORS = {
    "wood": [(0.62, 0.45, 0.28), (0.45, 0.30, 0.18), (0.78, 0.64, 0.45)],
    "tiles": [(0.75, 0.75, 0.72), (0.50, 0.50, 0.52), (0.82, 0.78, 0.70)],
    "carpet": [(0.40, 0.42, 0.48), (0.62, 0.55, 0.45), (0.35, 0.30, 0.30)],
}
WALLS = [(0.92, 0.90, 0.85), (0.85, 0.88, 0.90), (0.80, 0.85, 0.78), (0.93, 0.85, 0.75), (0.70, 0.72, 0.75)]


def linear(rgb) -> list[float]:
    return [float(c) ** 2.2 for c in rgb]


@dataclass(frozen=True)
class Look:
    skin: tuple
    hair: tuple
    shirt: tuple
    trousers: tuple
    shoes: tuple
    long_sleeves: bool
    shorts: bool
    loose_top: float  # m the shirt stands off the skin
    width: float  # girth factor
    light: str  # "day" or "lamp"
    light_intensity: float
    ambient: float
    floor: str
    floor_colour: tuple
    floor_tile: float  # m per texture repeat
    wall: tuple
    furniture: tuple
    bell: tuple = (0.12, 0.12, 0.13)
    band: tuple = (0.85, 0.25, 0.20)
    mat: tuple = (0.25, 0.45, 0.55)
    bench: tuple = (0.45, 0.32, 0.22)
    grain: float = 2.0  # sensor noise, grey levels (SD)

    def describe(self) -> str:
        top = f"{'loose' if self.loose_top else 'tight'} {'long' if self.long_sleeves else 'short'}-sleeved top"
        legs = "shorts" if self.shorts else "trousers"
        return f"{top}, {legs}, {self.light}, {self.floor} floor, girth {self.width:.2f}"

    def vertex_colours(self, rb, skinner) -> tuple[np.ndarray, np.ndarray]:
        """(V, 4) linear RGBA per vertex of the rest body, by part, and the shirt's vertices."""
        seg = [skinner.seg_names[skinner.bone_seg[b]] for b in range(len(rb.bones))]
        part = np.array([seg[b].split(".")[0] for b in rb.dominant])
        bone = np.array([rb.bones[b] for b in rb.dominant])
        colours = np.tile(np.r_[linear(self.skin), 1.0], (len(rb.vertices), 1))
        shirt = np.isin(part, ["chest", "lumbar", "girdle"]) | (part == "upperarm")
        if self.long_sleeves:
            shirt |= part == "forearm"
        else:  # short sleeves end half-way down the upper arm
            shirt &= ~np.char.startswith(bone.astype(str), "upperarm02")
        shirt &= ~np.char.startswith(bone.astype(str), "neck")
        legs = np.isin(part, ["pelvis", "thigh"])
        if not self.shorts:
            legs |= part == "shin"
        else:
            legs &= ~np.char.startswith(bone.astype(str), "upperleg02")
        colours[shirt, :3] = linear(self.shirt)
        colours[legs, :3] = linear(self.trousers)
        colours[part == "foot", :3] = linear(self.shoes)
        faces = rb.faces
        # short hair: the scalp from the hairline up and round the back of the head
        fwd, up = rb.vertices[:, 0], rb.vertices[:, 2]
        hair = (part == "head") & ((up > 0.80 - 0.4 * np.clip(0.06 - fwd, 0, 0.2)) | ((up > 0.70) & (fwd < -0.02)))
        colours[hair, :3] = linear(self.hair)
        eyes = np.unique(np.concatenate([faces["helper-l-eye"], faces["helper-r-eye"]]))
        colours[eyes, :3] = linear((0.9, 0.9, 0.88))
        return colours, shirt


def draw_look(rng: np.random.Generator) -> Look:
    shirt, trousers = rng.choice(len(CLOTH), 2, replace=False)
    lamp = rng.random() < 0.35
    floor = str(rng.choice(list(FLOORS)))
    return Look(
        skin=SKIN[int(rng.integers(len(SKIN)))],
        hair=HAIR[int(rng.integers(len(HAIR)))],
        shirt=CLOTH[int(shirt)],
        trousers=CLOTH[int(trousers)],
        shoes=CLOTH[int(rng.integers(len(CLOTH)))],
        long_sleeves=bool(rng.random() < 0.4),
        shorts=bool(rng.random() < 0.4),
        loose_top=float(rng.uniform(0.01, 0.025)) if rng.random() < 0.4 else 0.0,
        width=float(rng.uniform(0.9, 1.2)),
        light="lamp" if lamp else "day",
        light_intensity=float(rng.uniform(6.0, 12.0)) if lamp else float(rng.uniform(2.5, 4.0)),
        ambient=float(rng.uniform(0.05, 0.12)) if lamp else float(rng.uniform(0.2, 0.35)),
        floor=floor,
        floor_colour=FLOORS[floor][int(rng.integers(3))],
        floor_tile=float(rng.uniform(0.6, 1.2)),
        wall=WALLS[int(rng.integers(len(WALLS)))],
        furniture=(
            tuple(float(c) for c in rng.uniform(0.15, 0.8, 3)),
            tuple(float(c) for c in rng.uniform(0.15, 0.8, 3)),
        ),
        grain=float(rng.uniform(3.0, 5.0)) if lamp else float(rng.uniform(1.0, 2.5)),
    )


def floor_texture(look: Look, rng: np.random.Generator, size: int = 256) -> np.ndarray:
    """A repeating floor picture: wooden boards, square tiles or carpet, uint8 RGB."""
    base = np.array(look.floor_colour)
    y, x = np.mgrid[0:size, 0:size] / size
    if look.floor == "wood":
        boards = np.floor(y * 6)
        shade = 0.85 + 0.15 * np.sin(boards * 2.3) + 0.05 * np.sin(x * 40 + boards * 7 + 3 * np.sin(y * 30))
        shade *= np.where((y * 6) % 1 < 0.03, 0.6, 1.0)
    elif look.floor == "tiles":
        grout = ((x * 4) % 1 < 0.03) | ((y * 4) % 1 < 0.03)
        shade = np.where(grout, 0.55, 1.0) * (0.95 + 0.05 * rng.random((size, size)))
    else:
        shade = 0.85 + 0.15 * rng.random((size, size))
    img = base[None, None, :] * shade[..., None]
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def wall_texture(look: Look, rng: np.random.Generator, size: int = 128) -> np.ndarray:
    """Painted plaster: the wall colour with a faint mottle and a skirting board."""
    base = np.array(look.wall)
    y = np.mgrid[0:size, 0:size][0] / size
    shade = 0.93 + 0.07 * rng.random((size, size))
    img = base[None, None, :] * shade[..., None]
    img[y > 0.95] = [0.9, 0.9, 0.88]  # the bottom of the picture is the floor end (v = 0 at the top)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)
