"""Load the catalog: one YAML file per entry, validated against the schema.

A malformed file is refused with the file, the field and the reason; the
catalog never loads half a directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from scapula.catalog.schema import Entry, FieldProblem, Kind
from scapula.errors import CatalogError, UnknownExerciseError

DEFAULT_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Catalog:
    entries: tuple[Entry, ...]  # sorted by (order, id)

    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def get(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise UnknownExerciseError(entry_id, self.ids())

    @property
    def moves(self) -> list[Entry]:
        return [e for e in self.entries if e.kind is Kind.strength]

    @property
    def stretches(self) -> list[Entry]:
        """The stretching routine, in the order it is done."""
        return [e for e in self.entries if e.kind is Kind.stretch]

    def move(self, move_id: str) -> Entry:
        """A strength move; a stretch or unknown id is refused with the valid move ids."""
        entry = next((e for e in self.moves if e.id == move_id), None)
        if entry is None:
            raise UnknownExerciseError(move_id, [e.id for e in self.moves])
        return entry


# LibYAML's parser when PyYAML was built with it (ten times faster), the same safe schema either way
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def load_entry(path: Path) -> Entry:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise CatalogError(path, where, f"not valid YAML: {problem}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise CatalogError(path, "", f"cannot be read: {e}") from e
    if not isinstance(raw, dict):
        raise CatalogError(path, "", "must be a mapping of fields, found " + type(raw).__name__)
    try:
        entry = Entry.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):  # a rule across fields names its own field
            field = ".".join(filter(None, [_field_path(first["loc"]) if first["loc"] else "", cause.field]))
            raise CatalogError(path, field, str(cause)) from e
        raise CatalogError(path, _field_path(first["loc"]), first["msg"]) from e
    if entry.id != path.stem:
        raise CatalogError(path, "id", f"'{entry.id}' does not match the file name '{path.stem}'")
    return entry


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load every ``*.yaml`` file of ``directory`` (the packaged catalog by default)."""
    directory = Path(directory) if directory is not None else DEFAULT_DIR
    if directory == DEFAULT_DIR:
        return _packaged()
    return _load(directory)


@cache
def _packaged() -> Catalog:
    return _load(DEFAULT_DIR)


def _load(directory: Path) -> Catalog:
    if not directory.is_dir():
        raise CatalogError(directory, "", "catalog directory does not exist")
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError(directory, "", "catalog directory holds no .yaml files")
    entries = [load_entry(p) for p in files]
    return Catalog(tuple(sorted(entries, key=lambda e: (e.kind is Kind.stretch, e.order, e.id))))
