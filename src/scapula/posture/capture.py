"""Inputs of the posture check -> ``Capture`` (landmark frames): photos, clips, landmark files.

The I/O edge of the posture package. Photos are turned upright by their EXIF orientation
(``ImageOps.exif_transpose``); HEIC/HEIF photos are read with pillow-heif; clips go through
``open_video`` (rotation metadata applied) and BlazePose in tracking mode, at ~10 frames a
second over the first 10 s. Pictures stay in memory: nothing is written or sent anywhere.

The second-person search: BlazePose finds one person. The body it found is blanked out
(its landmarks' box, padded, filled with the picture's median colour) and the picture is
searched again; a second body with visible shoulders outside the blanked box counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from scapula.errors import InputFileError
from scapula.posture.check import Capture
from scapula.posture.norms import CLIP_MAX_S, CLIP_RATE
from scapula.vision.landmarks import Frame
from scapula.vision.skeleton import P

if TYPE_CHECKING:  # the estimator's module loads video libraries: imported where it is used
    from scapula.vision.pose import PoseEstimator

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".heif"}
HEIF_SUFFIXES = {".heic", ".heif"}
# A photo over this is refused from its header, before it is decoded: a 13000x13000 PNG of a
# few hundred kB would take gigabytes of memory. Phone cameras stay under it (48-50 MP).
MAX_PHOTO_PIXELS = 64_000_000


def is_landmark_file(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz"))


def is_photo(path: Path) -> bool:
    return path.suffix.lower() in PHOTO_SUFFIXES


class Estimators:
    """The pose estimators, made on first use: one for photos (static image mode) shared by
    every photo and second-person search, and a new tracking one per clip. Tests pass their
    own factories (a seam, not a patch)."""

    def __init__(self, photo_factory: Callable | None = None, clip_factory: Callable | None = None) -> None:
        self._photo_factory = photo_factory
        self._clip_factory = clip_factory
        self._photo: PoseEstimator | None = None
        self._t = 0.0

    def photo(self, rgb: np.ndarray) -> Frame:
        if self._photo is None:
            if self._photo_factory is None:
                from scapula.vision.pose import BlazePose

                self._photo = BlazePose(static_image_mode=True)
            else:
                self._photo = self._photo_factory()
        self._t += 1.0  # the estimator wants increasing times, even for unrelated pictures
        return self._photo.estimate(rgb, self._t)

    def clip(self):
        if self._clip_factory is not None:
            return self._clip_factory()
        from scapula.vision.pose import BlazePose

        return BlazePose()

    def close(self) -> None:
        if self._photo is not None:
            self._photo.close()
            self._photo = None


def read_photo(path: Path) -> tuple[np.ndarray, str]:
    """An upright RGB array and what was done to it ("rotated by EXIF" ...)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.suffix.lower() in HEIF_SUFFIXES:
        try:
            from pillow_heif import register_heif_opener
        except ImportError as e:  # pragma: no cover - pillow-heif is a dependency
            raise InputFileError(path, "HEIC photos need the pillow-heif package") from e
        register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below instead
            with Image.open(path) as im:  # reads the header: the size is known before decoding
                if im.width * im.height > MAX_PHOTO_PIXELS:
                    raise InputFileError(
                        path,
                        f"a {im.width}x{im.height} picture is too large: "
                        f"{MAX_PHOTO_PIXELS // 1_000_000} megapixels at most",
                    )
                orientation = im.getexif().get(0x0112, 1)
                upright = ImageOps.exif_transpose(im).convert("RGB")
    except Image.DecompressionBombError as e:  # Pillow's own refusal, past twice its limit
        raise InputFileError(path, f"too large a picture: {MAX_PHOTO_PIXELS // 1_000_000} megapixels at most") from e
    except UnidentifiedImageError as e:
        raise InputFileError(path, "is not a picture Pillow can read") from e
    except OSError as e:
        raise InputFileError(path, f"cannot be read as a picture: {e}") from e
    turned = f", EXIF orientation {orientation} applied" if orientation not in (1, None) else ""
    return np.asarray(upright), turned


def find_second_person(rgb: np.ndarray, first: Frame, estimate: Callable[[np.ndarray], Frame]) -> bool:
    """True when another body shows once the one found is blanked out (``first`` has a person)."""
    assert first.image is not None, "the search starts from a frame with a person"
    h, w = rgb.shape[:2]
    xy = first.image[:, :2] * np.array([w, h])
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = 0.15 * (hi - lo)
    x0, y0 = np.maximum(lo - pad, 0).astype(int)
    x1, y1 = np.minimum(hi + pad, [w, h]).astype(int)
    blanked = rgb.copy()
    blanked[y0:y1, x0:x1] = np.median(rgb.reshape(-1, 3), axis=0).astype(np.uint8)
    other = estimate(blanked)
    if other.image is None:  # no person
        return False
    shoulders = other.image[[P.LEFT_SHOULDER, P.RIGHT_SHOULDER]]
    if shoulders[:, 3].min() < 0.7:
        return False
    cx, cy = shoulders[:, :2].mean(axis=0) * np.array([w, h])
    return not (x0 <= cx <= x1 and y0 <= cy <= y1)


def photo_capture(path: Path, estimators: Estimators) -> Capture:
    rgb, turned = read_photo(path)
    frame = estimators.photo(rgb)
    h, w = rgb.shape[:2]
    second = find_second_person(rgb, frame, estimators.photo) if frame.has_person else None
    return Capture(
        str(path),
        "photo",
        f"photo {path.name} ({w}x{h}{turned})",
        [frame],
        w,
        h,
        second,
        "searched again with the person found blanked out",
        rgb,
        0,
    )


def clip_capture(path: Path, estimators: Estimators) -> Capture:
    from scapula.vision.pose import open_video

    video = open_video(path)
    stride = max(1, round(video.fps / CLIP_RATE))
    estimator = estimators.clip()
    frames = []
    try:
        for t, rgb in video.frames(0.0, CLIP_MAX_S, stride, max_side=1920):
            frames.append(estimator.estimate(rgb, t))
    finally:
        estimator.close()
    if not frames:
        raise InputFileError(path, "holds no frames")
    with_person = [i for i, f in enumerate(frames) if f.has_person]
    middle = with_person[len(with_person) // 2] if with_person else len(frames) // 2
    # decode the middle frame again rather than keep every picture in memory
    # a generator (closed below to release the decoder); typed as an iterator by the decoder
    stream = cast(
        Generator[tuple[float, np.ndarray], None, None], video.frames(frames[middle].t, None, 1, max_side=1920)
    )
    try:
        _, picture = next(stream)
    finally:
        stream.close()
    second = None
    if with_person:
        second = find_second_person(picture, frames[middle], estimators.photo)
    turned = f", rotated {video.rotation} degrees" if video.rotation else ""
    span = frames[-1].t - frames[0].t
    return Capture(
        str(path),
        "clip",
        f"clip {path.name} ({video.width}x{video.height}{turned}, {len(frames)} frames over {span:.1f} s)",
        frames,
        video.width,
        video.height,
        second,
        "the middle frame searched again with the person found blanked out; jumps of the tracked body",
        picture,
        middle,
    )


def landmark_capture(path: Path) -> Capture:
    from scapula.vision.landmarks import read_landmarks

    header, stream = read_landmarks(path)
    frames = list(stream)
    if not frames:
        raise InputFileError(path, "holds no frames")
    kind = f"{len(frames)} frames" if len(frames) > 1 else "1 frame"
    return Capture(
        str(path),
        "landmarks",
        f"landmark file {path.name} ({kind}, {header.width}x{header.height}, {header.source or 'unknown source'})",
        frames,
        header.width,
        header.height,
        None,
        "not possible from a landmark file (one body per frame); jumps of the tracked body only",
    )


def load(path: Path, estimators: Estimators) -> Capture:
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a directory, not a photo, clip or landmark file")
    if is_landmark_file(path):
        return landmark_capture(path)
    if is_photo(path):
        return photo_capture(path, estimators)
    return clip_capture(path, estimators)
