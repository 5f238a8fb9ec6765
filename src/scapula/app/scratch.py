"""Work folders: where an upload is written while it is read (running files, posture photos,
a clip being checked, watch workouts being zipped), and how they are cleaned up.

Each folder is made in the system's temporary folder as ``scapula-<use>-<random>`` and holds
a lock file that its process keeps locked (``flock``) while it works in it. The folder is
deleted when the work ends; if the process is killed first, the system drops the lock with
the process, and the next server to start deletes every ``scapula-*`` folder whose lock is
free (``sweep_abandoned``). Folders of a process still running are locked and left alone.
Nothing a runner uploads outlives the work on it by more than one server restart.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PREFIX = "scapula-"
LOCK_NAME = ".owner-lock"


def hold(folder: Path) -> IO[str] | None:
    """Lock ``folder`` for this process: the open lock file (the lock lasts while it is open;
    the system drops it when the process ends, however it ends); None when another process
    holds it."""
    handle = (folder / LOCK_NAME).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def new_folder(use: str) -> tuple[Path, IO[str]]:
    """A locked work folder for ``use`` (a short word: ``upload``, ``posture``, ``videos``);
    the caller deletes it and closes the lock when done."""
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{use}-"))
    lock = hold(folder)
    assert lock is not None  # a folder this process just made
    return folder, lock


@contextmanager
def work_folder(use: str) -> Iterator[Path]:
    """A locked work folder for the length of a ``with`` block, deleted at its end."""
    folder, lock = new_folder(use)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.close()


def sweep_abandoned(base: Path | None = None) -> list[Path]:
    """Delete the work folders of processes that ended without cleaning up (killed); returns
    what was deleted. A folder without its lock file is not one of ours, or is being made
    right now: it is left alone."""
    base = Path(base or tempfile.gettempdir())
    gone = []
    for folder in base.glob(f"{PREFIX}*"):
        if not folder.is_dir() or folder.is_symlink() or not (folder / LOCK_NAME).is_file():
            continue
        try:
            held = hold(folder)
        except OSError:  # not ours to open (another user's): leave it
            continue
        if held is None:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        held.close()
        gone.append(folder)
    return gone
