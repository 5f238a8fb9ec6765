"""Fetches the in-browser pose estimator the live coach can run on a phone.

The npm package ``@mediapipe/pose`` (Apache-2.0) carries BlazePose's WebAssembly build and
its models. This script downloads the pinned tarball from the npm registry, checks its
sha256, and unpacks the files the page loads into ``src/scapula/web/static/mp/`` (git-ignored),
which the app serves under ``/static/mp/``. ``make install`` runs it; the app never fetches
anything at run time, and without these files the live coach sends frames to the server.

    python scripts/fetch_browser_pose.py [--dest DIR] [--tarball FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "0.5.1675469404"
URL = f"https://registry.npmjs.org/@mediapipe/pose/-/pose-{VERSION}.tgz"
SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
# what pose.js loads (the SIMD build, or the plain one where the browser has no SIMD), with
# the full model: the one the server runs too
FILES = (
    "pose.js",
    "pose_solution_packed_assets_loader.js",
    "pose_solution_packed_assets.data",
    "pose_solution_simd_wasm_bin.js",
    "pose_solution_simd_wasm_bin.wasm",
    "pose_solution_wasm_bin.js",
    "pose_solution_wasm_bin.wasm",
    "pose_web.binarypb",
    "pose_landmark_full.tflite",
)
ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "src" / "scapula" / "web" / "static" / "mp"
STAMP = "VERSION"


def fetch(dest: Path, tarball: Path | None = None) -> str:
    stamp = dest / STAMP
    if stamp.is_file() and stamp.read_text().strip() == VERSION and all((dest / n).is_file() for n in FILES):
        return f"browser pose: @mediapipe/pose {VERSION} already in {dest}"
    if tarball is not None:
        data = tarball.read_bytes()
    else:
        with urllib.request.urlopen(URL, timeout=120) as answer:
            data = answer.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"browser pose: {URL} has sha256 {digest}, expected {SHA256}; nothing unpacked")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for name in FILES:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"browser pose: the tarball has no package/{name}")
            (dest / name).write_bytes(member.read())
    (dest / STAMP).write_text(VERSION + "\n")
    return f"browser pose: @mediapipe/pose {VERSION} unpacked into {dest}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=DEST)
    parser.add_argument("--tarball", type=Path, help="a tarball already downloaded (checked all the same)")
    args = parser.parse_args()
    try:
        print(fetch(args.dest, args.tarball))
    except OSError as e:
        print(f"browser pose: cannot fetch {URL}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
