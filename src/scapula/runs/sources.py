"""What the user named, as a list of things to import.

A path is a file (FIT/GPX/TCX, optionally .gz), a folder (searched recursively), a Strava
bulk export (a folder or .zip holding ``activities.csv``) or an Apple Health export (its
``export.xml``, the folder holding it, or ``export.zip``). An export met anywhere below a
folder is read as an export. Each becomes ``Item``s: a ``Source`` (file, or member of a
zip) to read, a Strava CSV row, or both. Sources are plain picklable values, so worker
processes read the bytes themselves.
"""

from __future__ import annotations

import gc
import gzip
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scapula.errors import InputFileError
from scapula.runs.strava import StravaRow, read_activities_csv

KINDS = ("fit", "gpx", "tcx")
APPLE_EXPORT = "export.xml"  # Apple Health's workouts and records; its routes in workout-routes/
STRAVA_CSV = "activities.csv"


def kind_of(name: str) -> str | None:
    """fit | gpx | tcx from a file name (a .gz suffix is looked through), apple for an
    Apple Health ``export.xml``, else None."""
    lower = name.lower().removesuffix(".gz")
    if lower.rpartition("/")[2] == APPLE_EXPORT and not name.lower().endswith(".gz"):
        return "apple"
    suffix = lower.rpartition(".")[2] if "." in lower else ""
    return suffix if suffix in KINDS else None


@dataclass(frozen=True)
class Source:
    """A file on disk, or a member of a zip archive on disk."""

    path: str
    member: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path}:{self.member}" if self.member else self.path

    @property
    def kind(self) -> str | None:
        return kind_of(self.member or self.path)

    def read(self) -> bytes:
        """The content, decompressed when the name ends in .gz."""
        try:
            if self.member is None:
                raw = Path(self.path).read_bytes()
            else:
                with zipfile.ZipFile(self.path) as archive:
                    raw = archive.read(self.member)
        except (OSError, zipfile.BadZipFile, KeyError) as e:
            raise InputFileError(self.name, f"cannot be read ({e})") from e
        if (self.member or self.path).lower().endswith(".gz"):
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as e:
                raise InputFileError(self.name, f"not a valid gzip file ({e})") from e
        return raw

    def open(self) -> IO[bytes]:
        """The content as a stream (an export's XML reaches gigabytes)."""
        try:
            if self.member is None:
                return open(self.path, "rb")
            archive = zipfile.ZipFile(self.path)
            return archive.open(self.member)  # the member's stream keeps the archive open
        except (OSError, zipfile.BadZipFile, KeyError) as e:
            raise InputFileError(self.name, f"cannot be read ({e})") from e

    def beside(self, relative: str) -> Source:
        """Another file of the same export, by its path from the folder this one is in."""
        relative = relative.lstrip("/")
        if self.member is None:
            return Source(str(Path(self.path).parent / relative))
        return Source(self.path, posixpath.normpath(posixpath.join(posixpath.dirname(self.member), relative)))


@dataclass(frozen=True)
class Item:
    """One unit of import: a file, a Strava row with its file, or a Strava row alone."""

    source: Source | None
    row: StravaRow | None = None

    @property
    def name(self) -> str:
        if self.source is not None:
            return self.source.name
        assert self.row is not None, "an item is a file, a Strava row, or both"
        return self.row.where


def expand(paths: list[Path]) -> tuple[list[Item], list[InputFileError], list[InputFileError]]:
    """The items of every path, in order; one error per path that cannot be used (or bad
    Strava row); and notes (a part of an export skipped while the rest is read, e.g. a
    CSV that cannot be read)."""
    items: list[Item] = []
    errors: list[InputFileError] = []
    notes: list[InputFileError] = []
    for path in paths:
        try:
            items.extend(_items_of(path, errors, notes))
        except InputFileError as e:
            errors.append(e)
    return items, errors, notes


def _items_of(path: Path, errors: list[InputFileError], notes: list[InputFileError]) -> list[Item]:
    """The items of one path; a bad row of a Strava export goes to ``errors`` and the rest go on."""
    if path.is_dir():
        return _folder(path, errors, notes)
    if not path.exists():
        raise InputFileError(path, "no such file or folder")
    if path.suffix.lower() == ".zip":
        return _zip(path, errors, notes)
    if kind_of(path.name) is None:
        raise InputFileError(
            path,
            "not a FIT, GPX or TCX file (.fit, .gpx, .tcx, optionally .gz), "
            "a folder, a Strava export .zip or an Apple Health export",
        )
    return [Item(Source(str(path)))]


def _folder(folder: Path, errors: list[InputFileError], notes: list[InputFileError]) -> list[Item]:
    """A folder's items, its subfolders' in name order; an export found is read as one."""
    if (folder / STRAVA_CSV).is_file():
        return _export_folder(folder, errors, notes)
    if (folder / APPLE_EXPORT).is_file():
        return [Item(Source(str(folder / APPLE_EXPORT)))]  # its routes are read with its workouts
    items: list[Item] = []
    for child in sorted(folder.iterdir()):  # sorted: the same folder imports in the same order
        if child.is_dir():
            items += _folder(child, errors, notes)
        elif child.is_file() and kind_of(child.name):
            items.append(Item(Source(str(child))))
    return items


def _csv_rows(data: bytes, where: str, errors: list[InputFileError], notes: list[InputFileError]) -> list[StravaRow]:
    """The rows of a Strava CSV; one that cannot be read is a note, and the files come in alone."""
    try:
        rows, bad_rows = read_activities_csv(data, where)
    except InputFileError as e:
        notes.append(InputFileError(where, f"{e.reason}; the activity files are imported without it"))
        return []
    errors += bad_rows
    return rows


def _export_folder(folder: Path, errors: list[InputFileError], notes: list[InputFileError]) -> list[Item]:
    csv_path = folder / STRAVA_CSV
    rows = _csv_rows(csv_path.read_bytes(), str(csv_path), errors, notes)
    named = set()
    items = []
    for row in rows:
        source = None
        if row.filename:
            # from the export's root: this folder or, for a CSV kept in activities/, its parent
            file = next(
                (f for f in (folder / row.filename, folder.parent / row.filename) if f.is_file()), folder / row.filename
            )
            named.add(file)
            source = Source(str(file)) if file.is_file() else None
        items.append(Item(source, row))
    # activity files in the export that no row names are imported as plain files
    items += [
        Item(Source(str(p)))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and kind_of(p.name) in KINDS and p not in named
    ]
    return items


def _zip(path: Path, errors: list[InputFileError], notes: list[InputFileError]) -> list[Item]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            apple = sorted((m for m in members if kind_of(m) == "apple"), key=len)
            csv_members = sorted((m for m in members if m.rpartition("/")[2] == STRAVA_CSV), key=len)
            csv_bytes = archive.read(csv_members[0]) if csv_members and not apple else None
    except (OSError, zipfile.BadZipFile) as e:
        raise InputFileError(path, f"not a readable zip archive ({e})") from e
    if apple:  # Apple Health: the workouts of export.xml, with their routes
        return [Item(Source(str(path), apple[0]))]
    items: list[Item] = []
    named = set()
    if csv_bytes is not None:
        base = csv_members[0].rpartition("/")[0]  # the export may sit in a folder inside the zip
        prefix = f"{base}/" if base else ""
        for row in _csv_rows(csv_bytes, f"{path}:{csv_members[0]}", errors, notes):
            source = None
            if row.filename:
                member = prefix + row.filename
                named.add(member)
                source = Source(str(path), member) if member in members else None
            items.append(Item(source, row))
    items += [Item(Source(str(path), m)) for m in sorted(members) if kind_of(m) in KINDS and m not in named]
    if not items:
        raise InputFileError(
            path, "zip archive holds no activities.csv, no Apple Health export and no FIT, GPX or TCX file"
        )
    return items


def read_activities_of(source: Source, data: bytes | None = None):
    """The activities of one source (its content ``data`` when already read): the readers'
    single entry point."""
    kind = source.kind
    if kind == "apple":
        from scapula.runs.apple import read_apple_health

        return read_apple_health(source)
    assert kind is not None, "a source is listed by a kind it has"
    return read_activities_bytes(kind, data if data is not None else source.read(), source.name)


def read_activities_bytes(kind: str, data: bytes, where: str):
    """The activities of one file's content (the parsers' single entry point)."""
    from scapula.runs.fit import read_fit
    from scapula.runs.gpx import read_gpx
    from scapula.runs.tcx import read_tcx

    if not data or data.isspace():
        raise InputFileError(where, "empty file")
    # No cyclic garbage collection while a file is read: an hour's GPX or TCX is a tree of
    # ~25,000 elements, and the collections its allocations set off walk the half-built
    # tree again and again -- a third of the reading time. Nothing a reader builds needs
    # the collector; whatever cycles there are wait for the next collection after this.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return {"fit": read_fit, "gpx": read_gpx, "tcx": read_tcx}[kind](data, where)
    finally:
        if was_enabled:
            gc.enable()
