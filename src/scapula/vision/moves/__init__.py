"""One module per move; the registry is keyed by the catalog's exercise ids."""

from scapula.vision.moves import chainsaw_row, reverse_fly, superman
from scapula.vision.moves.base import Fault, Finding, Move, RepFrames, ViewNeed

MOVES: dict[str, Move] = {m.MOVE.id: m.MOVE for m in (reverse_fly, chainsaw_row, superman)}

__all__ = ["MOVES", "Fault", "Finding", "Move", "RepFrames", "ViewNeed"]
