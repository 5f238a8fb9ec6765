"""Activity XML never needs a DTD, so any file that has one is refused.

Without a DTD no entity can be declared: that rules out entity expansion ("billion
laughs", quadratic blow-up) and external entities -- defusedxml's ``forbid_dtd`` policy.
It is applied here to the standard library's C parser: defusedxml swaps in the
pure-Python one, which made an hour's TCX four times slower to read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import cast

from scapula.errors import InputFileError

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_REFUSED = "XML with a DTD or entity declarations is refused"
_PIECE = 4096


class _Prolog:
    """A parser target that reads no further than the root element's start tag.

    A DTD can only come before the root element, so reaching the root without meeting one
    proves there is none. The document itself is then built by the plain C TreeBuilder:
    any target of another class is called back from C through Python for every element,
    which made an hour's TCX a third slower to parse.
    """

    def doctype(self, name, pubid, system):  # called as the declaration starts, before its entities
        raise _DtdFound

    def start(self, tag, attrib):
        raise _RootReached

    def close(self):
        return None


class _DtdFound(Exception):
    pass


class _RootReached(Exception):
    pass


def parse_xml(data: bytes, where: str, *, unfinished: str | None = None) -> tuple[ET.Element, str | None]:
    """The root element of ``data``, and None; a DTD is an ``InputFileError``, and so is
    malformed XML, unless ``unfinished`` names the element a recording repeats (a track
    point): then the elements before the damage are the root's, with the damage
    ("truncated" or "damaged") in place of None. See ``salvage_xml``."""
    probe = ET.XMLParser(target=_Prolog())
    try:
        # in small pieces: after a callback raises, expat still scans the rest of what it
        # was fed (the callbacks just return), and the root starts within the first piece
        for start in range(0, len(data), _PIECE):
            probe.feed(data[start : start + _PIECE])
        probe.close()
    except _DtdFound:
        raise InputFileError(where, _REFUSED) from None
    except (_RootReached, ET.ParseError):
        pass  # no DTD; XML broken before its root is reported below, in the same words
    try:
        return ET.XML(data), None
    except ET.ParseError as e:
        found = salvage_xml(data, unfinished) if unfinished else None
        if found is None:
            raise InputFileError(where, f"malformed XML ({e})") from e
        return found


# expat's errors at the end of what it was given: the file was cut short
_CUT_SHORT = {3, 5, 6}  # no element found, unclosed token, partial character


def salvage_xml(data: bytes, unfinished: str) -> tuple[ET.Element, str] | None:
    """The elements of malformed XML up to where it breaks, or None when there are none.

    A watch whose battery dies leaves its file cut short mid-element. The last
    ``unfinished`` element (matched by local name) may be cut in half, so it is left out;
    everything before it is whole. The damage is "truncated" when the XML stops short,
    "damaged" when it breaks mid-way. Only for XML already checked to have no DTD.
    """
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start",))
    damage = "truncated"
    try:
        for start in range(0, len(data), 1 << 16):
            parser.feed(data[start : start + (1 << 16)])
        parser.close()
    except ET.ParseError as e:
        damage = "truncated" if e.code in _CUT_SHORT else "damaged"
    # "start" events carry elements only
    root = next((cast("tuple[str, ET.Element]", event)[1] for event in parser.read_events()), None)
    if root is None:
        return None
    chain = [root]
    while len(chain[-1]):
        chain.append(chain[-1][-1])
    for parent, child in zip(reversed(chain[:-1]), reversed(chain[1:])):
        if child.tag.rpartition("}")[2] == unfinished:
            parent.remove(child)
            break
    return root, damage


def refuse_dtd(data: bytes, where: str) -> None:
    """For the GPX readers (gpxpy, and the fast one that follows its rules): they take
    UTF-8 only, so a byte scan sees every declaration they would."""
    if _DTD.search(data):  # about a millisecond for an hour's track
        raise InputFileError(where, _REFUSED)
