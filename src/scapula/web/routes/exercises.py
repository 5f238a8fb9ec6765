"""The exercise library: every move and stretch of the catalog as `scapula exercises` shows it,
with the demo clips (a clean rep, and one rep of each fault the camera coach checks).

The clips are built by `scripts/build-demo-clips.py` into `static/demo/` and served from memory
here, with HTTP Range support so that a browser can seek and loop them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from scapula.catalog import Catalog
from scapula.web.deps import CATALOG
from scapula.web.html import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Demo:
    file: str
    move: str
    fault: str | None
    data: bytes

    @property
    def url(self) -> str:
        return f"/demo/{self.file}"


@cache
def demos() -> dict[str, Demo]:
    """file name -> clip, from the package's ``static/demo/index.json`` (empty when not built)."""
    folder = resources.files("scapula.web") / "static" / "demo"
    index = folder / "index.json"
    if not index.is_file():
        return {}
    out = {}
    for name, entry in json.loads(index.read_text(encoding="utf-8")).items():
        clip = folder / name
        if clip.is_file():
            out[name] = Demo(name, entry["move"], entry["fault"], clip.read_bytes())
    return out


def demos_for(move_id: str) -> tuple[Demo | None, dict[str, Demo]]:
    """The clean rep's clip and the fault clips (fault id -> clip) of a move."""
    clean, faults = None, {}
    for d in demos().values():
        if d.move != move_id:
            continue
        if d.fault is None:
            clean = d
        else:
            faults[d.fault] = d
    return clean, faults


@router.get("/exercises", response_class=HTMLResponse)
def exercise_list(request: Request, catalog: Catalog = CATALOG):
    clips = {m.id: demos_for(m.id)[0] for m in catalog.moves}
    return render(request, "exercises.html", {"catalog": catalog, "clips": clips})


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise_page(request: Request, exercise_id: str, catalog: Catalog = CATALOG):
    entry = catalog.get(exercise_id)  # unknown: UnknownExerciseError, the 404 page
    clean, faults = demos_for(entry.id)
    return render(request, "exercise.html", {"entry": entry, "clean": clean, "fault_clips": faults})


_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@router.get("/demo/{name}")
def demo_clip(name: str, request: Request) -> Response:
    found = demos().get(name)  # a dict lookup, never a file lookup
    if found is None:
        raise HTTPException(404, f"no demo clip '{name}'")
    data, size = found.data, len(found.data)
    headers = {"accept-ranges": "bytes", "cache-control": "max-age=3600"}
    wanted = request.headers.get("range")
    if wanted:
        m = _RANGE.match(wanted.strip())
        if m is None or (not m.group(1) and not m.group(2)):
            return Response(status_code=416, headers={"content-range": f"bytes */{size}"})
        if m.group(1):
            start = int(m.group(1))
            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        else:  # the last N bytes
            start, end = max(size - int(m.group(2)), 0), size - 1
        if start >= size or start > end:
            return Response(status_code=416, headers={"content-range": f"bytes */{size}"})
        headers["content-range"] = f"bytes {start}-{end}/{size}"
        return Response(data[start : end + 1], status_code=206, media_type="video/webm", headers=headers)
    return Response(data, media_type="video/webm", headers=headers)
