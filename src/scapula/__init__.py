"""Scapula: an upper-back strength and posture coach for runners."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scapula")  # pyproject.toml is the one place the version is written
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
