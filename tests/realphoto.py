"""A real photo of a person for the tests: scikit-image's astronaut (Eileen Collins, NASA,
public domain), the ``skimage/data/astronaut.png`` inside the pinned scikit-image wheel.

``astronaut_png()`` fetches the wheel with pip (pinned version and platform, checked by
sha256), pulls the PNG out with zipfile, checks that too, and caches it outside the repo
(``$SCAPULA_TEST_CACHE`` or ``~/.cache/scapula-tests``), the way ``realclip.py`` does for
the Sports2D demo clip. scikit-image is not installed: only the picture is used.
"""

from __future__ import annotations

from pathlib import Path

from tests.realclip import wheel_member

VERSION = "0.26.0"
WHEEL_NAME = f"scikit_image-{VERSION}-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af"
MEMBER = "skimage/data/astronaut.png"
PHOTO_SHA256 = "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
# platform pinned too: the same wheel (and sha256) whatever machine runs the tests
PIP_ARGS = [
    f"scikit-image=={VERSION}",
    "--platform",
    "manylinux_2_28_x86_64",
    "--python-version",
    "3.11",
    "--implementation",
    "cp",
    "--abi",
    "cp311",
]


class PhotoUnavailable(RuntimeError):
    """The photo could not be fetched or failed its checksum."""


def astronaut_png() -> Path:
    return wheel_member(
        f"scikit-image-{VERSION}-astronaut.png",
        MEMBER,
        PHOTO_SHA256,
        WHEEL_NAME,
        WHEEL_SHA256,
        PIP_ARGS,
        PhotoUnavailable,
    )
