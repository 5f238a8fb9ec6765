"""A real photo of a person for the tests: scikit-image's astronaut (Eileen Collins, NASA,
public domain), the ``skimage/data/astronaut.png`` inside the pinned scikit-image wheel.

``astronaut_png()`` fetches the wheel with pip (pinned version and platform, checked by
sha256), pulls the PNG out with zipfile, checks that too, and caches it outside the repo
(``$SCAPULA_TEST_CACHE`` or ``~/.cache/scapula-tests``), the way ``realclip.py`` does for
the Sports2D demo clip. scikit-image is not installed: only the picture is used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tests.realclip import _sha256, cache_dir

VERSION = "0.26.0"
PLATFORM = "manylinux_2_28_x86_64"
WHEEL_NAME = f"scikit_image-{VERSION}-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af"
MEMBER = "skimage/data/astronaut.png"
PHOTO_SHA256 = "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"


class PhotoUnavailable(RuntimeError):
    """The photo could not be fetched or failed its checksum."""


def _fetch_wheel(cache: Path) -> Path:
    wheel = cache / WHEEL_NAME
    if wheel.exists() and _sha256(wheel) == WHEEL_SHA256:
        return wheel
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", f"scikit-image=={VERSION}", "--no-deps",
               "--only-binary=:all:", "--platform", PLATFORM, "--python-version", "3.11",
               "--implementation", "cp", "--abi", "cp311", "--dest", tmp, "--quiet",
               "--disable-pip-version-check", "--no-input", "--timeout", "30"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise PhotoUnavailable(f"cannot run pip to fetch {WHEEL_NAME}: {e}") from e
        got = Path(tmp) / WHEEL_NAME
        if proc.returncode != 0 or not got.exists():
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise PhotoUnavailable(f"pip could not download {WHEEL_NAME} from PyPI: {tail}")
        digest = _sha256(got)
        if digest != WHEEL_SHA256:
            raise PhotoUnavailable(f"{WHEEL_NAME} has sha256 {digest}, expected {WHEEL_SHA256}")
        os.replace(got, wheel)
    return wheel


def astronaut_png() -> Path:
    cache = cache_dir()
    photo = cache / f"scikit-image-{VERSION}-astronaut.png"
    if photo.exists() and _sha256(photo) == PHOTO_SHA256:
        return photo
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _fetch_wheel(cache)
    partial = cache / f".{photo.name}.{os.getpid()}.part"
    try:
        with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as src, partial.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    except (KeyError, zipfile.BadZipFile, OSError) as e:
        partial.unlink(missing_ok=True)
        raise PhotoUnavailable(f"cannot extract {MEMBER} from {wheel}: {e}") from e
    digest = _sha256(partial)
    if digest != PHOTO_SHA256:
        partial.unlink(missing_ok=True)
        raise PhotoUnavailable(f"{MEMBER} has sha256 {digest}, expected {PHOTO_SHA256}")
    os.replace(partial, photo)
    return photo
