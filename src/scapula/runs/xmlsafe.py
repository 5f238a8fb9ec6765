"""Activity XML never needs a DTD; one that declares entities is refused before parsing.

This keeps entity expansion ("billion laughs") and external entities out of every XML
reader, gpxpy's included, whichever parser it picks.
"""

from __future__ import annotations

import re

from scapula.errors import InputFileError

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_dtd(data: bytes, where: str) -> None:
    if _DTD.search(data):  # a plain byte scan: about a millisecond for an hour's track
        raise InputFileError(where, "XML with a DTD or entity declarations is refused")
