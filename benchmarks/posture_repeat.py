"""The posture check's repeat-measure spread: how far one check moves when it is taken again.

Prints the SD (degrees and cm) of each measure over:
1. synthetic recaptures: one standing body (tests/posture_fixtures.py), the camera placed
   again within the guidance each time (distance 2.5-3.5 m, height +-10 cm, side-on or
   square-on +-8 degrees, roll +-1 degree) and BlazePose-like noise (2 px, 15 mm);
2. the real model on real photos reframed: the astronaut (front) and the side-on walker
   of the Sports2D demo clip (side), each cropped, shifted, scaled and re-compressed 24
   times (what a retake changes in the pixels when the runner has not moved).

norms.py takes the larger of the two per measure, rounded up. Run:
    .venv/bin/python -m benchmarks.posture_repeat
(fetches the pinned photo and clip like the tests do; ~1 minute on 2 cores).
"""

from __future__ import annotations

import io

import numpy as np

from scapula.posture.check import Capture, assess
from tests.posture_fixtures import Scene, frames


def _sd(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = rows[0].keys()
    return {k: float(np.std([r[k] for r in rows], ddof=1)) for k in keys}


def synthetic(n: int = 200) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(1)
    out = {}
    views = (("side", Scene(neck_flex=25, trunk_lean=2)), ("front", Scene(view="front", shrug_left=0.01, head_side=3)))
    for view, base in views:
        deg, cm = [], []
        for i in range(n):
            s = Scene(
                **{
                    **base.__dict__,
                    "distance": rng.uniform(2.5, 3.5),
                    "aim_rise": rng.uniform(-0.1, 0.1),
                    "turn": rng.uniform(-8, 8),
                    "roll": rng.uniform(-1, 1),
                    "jitter_px": 2.0,
                    "jitter_mm": 15.0,
                    "seed": i,
                }
            )
            header, fs = frames(s)
            r = assess(Capture("synthetic", "landmarks", "", fs, header.width, header.height), view)
            assert not r.refused, r.problems
            deg.append(dict(r.angles))
            cm.append(dict(r.cm))
        out[view] = {"deg": _sd(deg), "cm": _sd(cm)}
    return out


def _reframings(rgb: np.ndarray, n: int, rng: np.random.Generator):
    from PIL import Image

    im = Image.fromarray(rgb)
    w, h = im.size
    for _ in range(n):
        scale = rng.uniform(0.85, 1.0)
        cw, ch = int(w * scale), int(h * scale)
        x0, y0 = int(rng.uniform(0, w - cw)), int(rng.uniform(0, h - ch))
        crop = im.crop((x0, y0, x0 + cw, y0 + ch)).resize((int(w * rng.uniform(0.8, 1.2)),) * 2 if w == h else (w, h))
        buf = io.BytesIO()
        crop.save(buf, format="JPEG", quality=int(rng.uniform(75, 95)))
        yield np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def real(n: int = 24) -> dict[str, dict[str, float]]:
    from PIL import Image

    from scapula.vision.pose import BlazePose, open_video
    from tests.realclip import demo_clip
    from tests.realphoto import astronaut_png

    rng = np.random.default_rng(2)
    front = np.asarray(Image.open(astronaut_png()).convert("RGB"))
    _, frame = next(open_video(demo_clip()).frames(3.0, 3.04))
    side = frame[394:994, 820:1420]
    out = {}
    with BlazePose(static_image_mode=True) as pose:
        for view, rgb in (("front", front), ("side", side)):
            deg, cm = [], []
            for i, pic in enumerate(_reframings(rgb, n, rng)):
                f = pose.estimate(pic, float(i + 1))
                r = assess(Capture("real", "photo", "", [f], pic.shape[1], pic.shape[0]), view)
                keep = [p for p in r.problems if p.code not in ("body_turned",)]
                if keep or not r.angles:
                    continue
                deg.append(dict(r.angles))
                cm.append(dict(r.cm))
            out[view] = {"deg": _sd(deg), "cm": _sd(cm), "n": len(deg)}
    return out


def main() -> None:
    for name, result in (("synthetic recaptures", synthetic()), ("real photos reframed", real())):
        print(name)
        for view, sds in result.items():
            for m in sds["deg"]:
                print(
                    f"  {view:5} {m:17} SD {sds['deg'][m]:.2f} deg  {sds['cm'][m]:.2f} cm"
                    + (f"  (n={sds['n']})" if "n" in sds else "")
                )


if __name__ == "__main__":
    main()
