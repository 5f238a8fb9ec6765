"""Scapula's one error tree.

Library code raises these; only ``cli.py`` turns them into exit codes and only
``web/`` into HTTP statuses. Every message is one line that names the thing at
fault (a file, an id, a field) and the problem.

    ScapulaError
     ├── CatalogError            a catalog file is malformed (file, field, reason)
     ├── UnknownExerciseError    an exercise id that is not in the catalog
     ├── InvalidInputError       a value the user typed is malformed or out of range
     ├── NotFoundError           a record named by its id (a session, a set, a race...) is not
     │                           in the log
     ├── InputFileError          a file given by the user cannot be used (file, reason)
     │    ├── NotAnActivityError a FIT workout/settings/... file met while importing runs:
     │    │                      skipped with a note, not an error
     │    └── UnsupportedFileError  not a kind of file this use takes (by name and first bytes)
     ├── BusyError               too much work waiting (video checks): try again later
     └── StoreError              the training log cannot be opened or written
"""

from __future__ import annotations

from pathlib import Path


class ScapulaError(Exception):
    """Base of every error Scapula raises on purpose."""


class CatalogError(ScapulaError):
    def __init__(self, path: Path | str, field: str, reason: str) -> None:
        self.path = Path(path)
        self.field = field
        self.reason = reason
        where = f" field '{field}'" if field else ""
        super().__init__(f"{self.path}:{where} {reason}")


class UnknownExerciseError(ScapulaError):
    def __init__(self, exercise_id: str, valid_ids: list[str]) -> None:
        self.exercise_id = exercise_id
        self.valid_ids = list(valid_ids)
        super().__init__(f"unknown exercise id '{exercise_id}'; valid ids: {', '.join(self.valid_ids)}")


class InvalidInputError(ScapulaError):
    """A value the user typed (a weekday, a weight, a time zone) is malformed or out of range:
    exit 2 on the command line, 422 from the web API."""


class NotFoundError(ScapulaError):
    """A record named by its id that is not in this athlete's log: 404 from the web API."""


class InputFileError(ScapulaError):
    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NotAnActivityError(InputFileError):
    """A well-formed file that holds no activity (e.g. a FIT workout): nothing to import."""


class UnsupportedFileError(InputFileError):
    """A file whose name or first bytes are not a kind this use takes: 415 from the web API."""


class BusyError(ScapulaError):
    """Too much work already waiting: 503 from the web API."""


class StoreError(ScapulaError):
    """The training log cannot be opened, migrated or written."""
