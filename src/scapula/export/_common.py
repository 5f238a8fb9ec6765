"""What the calendar and the watch exports share: which sessions are off, how a load and a
variant read, and writing a file whole or not at all."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from scapula.catalog import Entry
from scapula.errors import InputFileError
from scapula.plan.model import Prescription

# A session the athlete will not do on that day: cancelled in the calendar, no watch workout.
CANCELLED_STATUSES = frozenset({"dropped", "moved"})


def load_text(item: Prescription) -> str | None:
    """The load as the athlete reads it: the plan's label, else the kilograms; None for bodyweight."""
    if item.load_label:
        return item.load_label
    return f"{item.load_kg:g} kg" if item.load_kg else None


def option_name(entry: Entry, option_id: str) -> str:
    """The name of a variant, regression or progression of ``entry`` (the id if it has none)."""
    for option in (*entry.variants, *entry.regressions, *entry.progressions):
        if option.id == option_id:
            return option.name
    return option_id


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed over it at the end.

    A reader (or a calendar app polling the file) sees the old file or the new one, never half
    of one; on any failure the temporary file is removed and the old file is left as it was.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    created = False
    try:
        # os.open with 0o666 lets the umask decide the mode, as for any file the user creates.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        created = True
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if created:
            tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise InputFileError(path, f"cannot be written: {e.strerror or e}") from e
        raise
