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


class _NoDtd(ET.TreeBuilder):
    def doctype(self, name, pubid, system):  # called as the declaration starts, before its entities
        raise _DtdFound


class _DtdFound(Exception):
    pass


def parse_xml(data: bytes, where: str) -> ET.Element:
    """The root element of ``data``; malformed XML or a DTD is an ``InputFileError``."""
    parser = ET.XMLParser(target=_NoDtd())
    try:
        parser.feed(data)
        return parser.close()
    except _DtdFound:
        raise InputFileError(where, _REFUSED) from None
    except ET.ParseError as e:
        raise InputFileError(where, f"malformed XML ({e})") from e


def refuse_dtd(data: bytes, where: str) -> None:
    """For readers that parse by themselves (gpxpy): they take UTF-8 only, so a byte scan
    sees every declaration they would."""
    if _DTD.search(data):  # about a millisecond for an hour's track
        raise InputFileError(where, _REFUSED)
