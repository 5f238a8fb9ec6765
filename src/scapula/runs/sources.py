"""What the user named, as a list of things to import.

A path is a file (FIT/GPX/TCX, optionally .gz), a folder (searched recursively), or a
Strava bulk export (a folder or .zip holding ``activities.csv``). Each becomes ``Item``s:
a ``Source`` (file, or member of a zip) to read, a Strava CSV row, or both. Sources are
plain picklable values, so worker processes read the bytes themselves.
"""

from __future__ import annotations

import gc
import gzip
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from scapula.errors import InputFileError
from scapula.runs.strava import StravaRow, read_activities_csv

KINDS = ("fit", "gpx", "tcx")


def kind_of(name: str) -> str | None:
    """fit | gpx | tcx from a file name (a .gz suffix is looked through), else None."""
    lower = name.lower().removesuffix(".gz")
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


@dataclass(frozen=True)
class Item:
    """One unit of import: a file, a Strava row with its file, or a Strava row alone."""

    source: Source | None
    row: StravaRow | None = None

    @property
    def name(self) -> str:
        return self.source.name if self.source else self.row.where


def expand(paths: list[Path]) -> tuple[list[Item], list[InputFileError]]:
    """The items of every path, in order, and one error per path that cannot be used."""
    items: list[Item] = []
    errors: list[InputFileError] = []
    for path in paths:
        try:
            items.extend(_items_of(path, errors))
        except InputFileError as e:
            errors.append(e)
    return items, errors


def _items_of(path: Path, errors: list[InputFileError]) -> list[Item]:
    """The items of one path; a bad row of a Strava export goes to ``errors`` and the rest go on."""
    if path.is_dir():
        if (path / "activities.csv").is_file():
            return _export_folder(path, errors)
        # sorted: the same folder imports in the same order every time
        return [Item(Source(str(p))) for p in sorted(path.rglob("*")) if p.is_file() and kind_of(p.name)]
    if not path.exists():
        raise InputFileError(path, "no such file or folder")
    if path.suffix.lower() == ".zip":
        return _zip(path, errors)
    if kind_of(path.name) is None:
        raise InputFileError(path, "not a FIT, GPX or TCX file (.fit, .gpx, .tcx, optionally .gz), "
                                   "a folder or a Strava export .zip")
    return [Item(Source(str(path)))]


def _export_folder(folder: Path, errors: list[InputFileError]) -> list[Item]:
    csv_path = folder / "activities.csv"
    rows, bad_rows = read_activities_csv(csv_path.read_bytes(), str(csv_path))
    errors += bad_rows
    named = set()
    items = []
    for row in rows:
        source = None
        if row.filename:
            named.add(row.filename)
            file = folder / row.filename
            source = Source(str(file)) if file.is_file() else None
        items.append(Item(source, row))
    # activity files in the export that no row names are imported as plain files
    items += [Item(Source(str(p))) for p in sorted(folder.rglob("*"))
              if p.is_file() and kind_of(p.name) and p.relative_to(folder).as_posix() not in named]
    return items


def _zip(path: Path, errors: list[InputFileError]) -> list[Item]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            csv_members = sorted((m for m in members if m.rpartition("/")[2] == "activities.csv"), key=len)
            csv_bytes = archive.read(csv_members[0]) if csv_members else None
    except (OSError, zipfile.BadZipFile) as e:
        raise InputFileError(path, f"not a readable zip archive ({e})") from e
    items: list[Item] = []
    named = set()
    if csv_bytes is not None:
        base = csv_members[0].rpartition("/")[0]  # the export may sit in a folder inside the zip
        prefix = f"{base}/" if base else ""
        rows, bad_rows = read_activities_csv(csv_bytes, f"{path}:{csv_members[0]}")
        errors += bad_rows
        for row in rows:
            source = None
            if row.filename:
                member = prefix + row.filename
                named.add(member)
                source = Source(str(path), member) if member in members else None
            items.append(Item(source, row))
    items += [Item(Source(str(path), m)) for m in sorted(members) if kind_of(m) and m not in named]
    if not items:
        raise InputFileError(path, "zip archive holds no activities.csv and no FIT, GPX or TCX file")
    return items


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

