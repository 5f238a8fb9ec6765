"""Scapula: an upper-back strength and posture coach for runners."""

__version__ = "0.1.0"
