"""The picture with the measured lines drawn on it (PNG), for ``--annotate``."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

from scapula.errors import InputFileError
from scapula.posture.check import CaptureResult
from scapula.vision.skeleton import SIDE_POINTS, P


def annotate(result: CaptureResult, report: dict, out: Path | BinaryIO) -> None:
    """Draws the picture with the measured lines as a PNG into ``out``: a file, or a binary
    stream such as the web page's in-memory buffer. A problem is an ``InputFileError``
    naming the file (or "annotated picture" for a stream)."""
    from PIL import Image, ImageDraw, ImageFont

    where = out if isinstance(out, (str, Path)) else "annotated picture"
    rgb = result.capture.picture
    if rgb is None or result.shot is None:
        raise InputFileError(where, "nothing to draw: --annotate needs a photo or a clip in which a person was found")
    im = Image.fromarray(np.ascontiguousarray(rgb))
    draw = ImageDraw.Draw(im)
    frame = result.capture.frames[result.capture.picture_frame or 0]
    shot_px = (frame.image[:, :2] if frame.image is not None else result.shot.image[:, :2]) * np.array(im.size)
    width = max(2, round(max(im.size) / 400))

    def pt(p: P) -> tuple[float, float]:
        return float(shot_px[p, 0]), float(shot_px[p, 1])

    def line(a, b, colour) -> None:
        draw.line([a, b], fill=colour, width=width)

    for p in P:
        x, y = pt(p)
        r = width * 1.5
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=1)
    measures = report.get("measures", {})
    if result.view == "side" and result.measured is not None:
        assert result.measured.near_side is not None, "a side view's measures name the near side"
        pts = SIDE_POINTS[result.measured.near_side]
        ear, sh, hip, ankle = (pt(pts[k]) for k in ("ear", "shoulder", "hip", "ankle"))
        line((ankle[0], ankle[1]), (ankle[0], ear[1] - 0.05 * im.size[1]), (80, 160, 255))  # plumb line
        line(ear, sh, (255, 80, 80))
        line(sh, hip, (255, 200, 0))
        line(hip, ankle, (200, 200, 200))
        labels = [(ear, "head_forward"), (sh, "shoulder_forward")]
    elif result.view == "front":
        line(pt(P.LEFT_SHOULDER), pt(P.RIGHT_SHOULDER), (255, 200, 0))
        line(pt(P.LEFT_EAR), pt(P.RIGHT_EAR), (255, 80, 80))
        labels = [(pt(P.LEFT_SHOULDER), "shoulder_height"), (pt(P.LEFT_EAR), "head_tilt")]
    else:
        labels = []
    # labels readable on a phone: the picture is shown at the screen's width (~400 px), so the
    # text is a fixed share of the picture's width (about 1/24: 16 px on a 390 px screen),
    # kept inside the picture
    size = max(14, round(im.size[0] / 24))
    font = ImageFont.load_default(size=size)
    stroke = max(2, size // 10)
    for (x, y), m in labels:
        if m in measures:
            text = f"{measures[m]['name']} {measures[m]['angle_deg']:+.1f}° ({measures[m]['class']})"
            left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
            tx = min(max(0.0, x + 3 * width), im.size[0] - (right - left))
            ty = min(max(0.0, y - (bottom - top) / 2), im.size[1] - (bottom - top))
            draw.text((tx, ty), text, font=font, fill=(255, 255, 255), stroke_width=stroke, stroke_fill=(0, 0, 0))
    try:
        im.save(out, format="PNG")
    except OSError as e:
        raise InputFileError(where, f"cannot be written: {e}") from e
