"""Activity XML never needs a DTD, so any file that has one is refused.

Without a DTD no entity can be declared: that rules out entity expansion ("billion
laughs", quadratic blow-up) and external entities -- defusedxml's ``forbid_dtd`` policy.
It is applied here to the standard library's C parser: defusedxml swaps in the
pure-Python one, which made an hour's TCX four times slower to read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

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


def parse_xml(data: bytes, where: str) -> ET.Element:
    """The root element of ``data``; malformed XML or a DTD is an ``InputFileError``."""
    probe = ET.XMLParser(target=_Prolog())
    try:
        # in small pieces: after a callback raises, expat still scans the rest of what it
        # was fed (the callbacks just return), and the root starts within the first piece
        for start in range(0, len(data), _PIECE):
            probe.feed(data[start:start + _PIECE])
        probe.close()
    except _DtdFound:
        raise InputFileError(where, _REFUSED) from None
    except (_RootReached, ET.ParseError):
        pass  # no DTD; XML broken before its root is reported below, in the same words
    try:
        return ET.XML(data)
    except ET.ParseError as e:
        raise InputFileError(where, f"malformed XML ({e})") from e


def refuse_dtd(data: bytes, where: str) -> None:
    """For the GPX readers (gpxpy, and the fast one that follows its rules): they take
    UTF-8 only, so a byte scan sees every declaration they would."""
    if _DTD.search(data):  # about a millisecond for an hour's track
        raise InputFileError(where, _REFUSED)
