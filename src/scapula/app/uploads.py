"""Files handed over by a browser: what each use takes, told by the name's ending *and* the
first bytes (a renamed file is refused before any decoder sees it), and the names shown.

The browser's file name is only ever shown (``display_name``); files are written under names
the application makes, in folders it makes.
"""

from __future__ import annotations

from dataclasses import dataclass

from scapula.errors import InputFileError, UnsupportedFileError

# ---------------------------------------------------------------- running files

# What a running file may be, by name ending (longest first), and how its first bytes must look.
UPLOAD_SUFFIXES = (".fit.gz", ".gpx.gz", ".tcx.gz", ".fit", ".gpx", ".tcx", ".zip")
RUNNING_ACCEPT = ",".join(UPLOAD_SUFFIXES)


def _content_matches(suffix: str, head: bytes) -> bool:
    if suffix.endswith(".gz"):
        return head[:2] == b"\x1f\x8b"
    if suffix == ".zip":
        return head[:4] == b"PK\x03\x04"
    if suffix == ".fit":
        return len(head) >= 12 and head[8:12] == b".FIT"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")  # XML, maybe after a byte-order mark
    return text[:1] == b"<"


@dataclass
class Upload:
    """One uploaded file as the browser named it, and its bytes."""

    filename: str
    data: bytes


def display_name(filename: str) -> str:
    """The browser's file name, for messages only: last path part, printable, 120 chars."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "upload"
    return name[:120]


def running_file_suffix(upload: Upload) -> str:
    """The upload's suffix when its name and first bytes agree on a type we read; else
    ``InputFileError`` with what is accepted."""
    name = display_name(upload.filename)
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise InputFileError(
            name,
            "not a running file: upload .fit, .gpx or .tcx (optionally .gz) or a Strava or Apple Health export .zip",
        )
    if not upload.data:
        raise InputFileError(name, "empty file")
    if not _content_matches(suffix, upload.data[:64]):
        raise InputFileError(name, f"the content is not a {suffix.lstrip('.').upper()} file")
    return suffix


# ---------------------------------------------------------------- clips

# what a video upload may be, by name ending, and how its first bytes must look
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi")
LANDMARK_SUFFIXES = (".jsonl.gz", ".jsonl")  # docs/contracts.md, the landmark file, as `scapula analyze` reads them
VIDEO_ACCEPT = ",".join(VIDEO_SUFFIXES + LANDMARK_SUFFIXES) + ",video/*"


def video_suffix(filename: str, head: bytes) -> str:
    """The upload's suffix when its name and its first bytes agree on a video container;
    ``InputFileError`` naming the file otherwise."""
    name = display_name(filename)
    suffix = next((s for s in VIDEO_SUFFIXES + LANDMARK_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise UnsupportedFileError(
            name, "not a video: upload an .mp4, .mov, .m4v, .webm, .mkv or .avi clip (or a landmark file, .jsonl)"
        )
    if not head:
        raise InputFileError(name, "empty file")
    if suffix == ".jsonl.gz":
        ok = head[:2] == b"\x1f\x8b"
    elif suffix == ".jsonl":
        ok = head.lstrip()[:1] == b"{"
    elif suffix in (".mp4", ".m4v", ".mov"):
        ok = head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
    elif suffix in (".webm", ".mkv"):
        ok = head[:4] == b"\x1a\x45\xdf\xa3"
    else:
        ok = head[:4] == b"RIFF" and head[8:12] == b"AVI "
    if not ok:
        raise UnsupportedFileError(name, f"the content is not a {suffix.lstrip('.').upper()} video")
    return suffix


# ---------------------------------------------------------------- photos (the posture check)

PHOTO_MAGIC = {  # suffix -> test on the first bytes
    ".jpg": lambda h: h[:3] == b"\xff\xd8\xff",
    ".jpeg": lambda h: h[:3] == b"\xff\xd8\xff",
    ".png": lambda h: h[:8] == b"\x89PNG\r\n\x1a\n",
    ".webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    ".bmp": lambda h: h[:2] == b"BM",
    ".tif": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    ".tiff": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    ".heic": lambda h: h[4:8] == b"ftyp",
    ".heif": lambda h: h[4:8] == b"ftyp",
}
PHOTO_ACCEPT = ",".join(PHOTO_MAGIC) + ",.mp4,.mov,.m4v,.webm,.jsonl,image/*,video/*"


def photo_or_clip_suffix(upload: Upload) -> str:
    """A photo's, a clip's or a landmark file's suffix when the name and the first bytes
    agree; ``UnsupportedFileError`` naming the file otherwise."""
    name = display_name(upload.filename)
    suffix = next((s for s in PHOTO_MAGIC if name.lower().endswith(s)), None)
    if suffix is not None:
        if not upload.data:
            raise InputFileError(name, "empty file")
        if not PHOTO_MAGIC[suffix](upload.data[:16]):
            raise UnsupportedFileError(name, f"the content is not a {suffix.lstrip('.').upper()} picture")
        return suffix
    try:
        return video_suffix(upload.filename, upload.data[:64])
    except UnsupportedFileError as e:
        if "not a video:" in e.reason:
            raise UnsupportedFileError(
                name,
                "not a photo or a clip: upload .jpg, .png, .heic or .webp photos, "
                "a short .mp4/.mov clip, or landmark files (.jsonl)",
            ) from None
        raise
