"""What the moves are: the exercise and stretch catalog, loaded from YAML."""

from scapula.catalog.loader import Catalog, load_catalog
from scapula.catalog.schema import Counting, Cue, Dose, Entry, Fault, Kind, Load

__all__ = ["Catalog", "Counting", "Cue", "Dose", "Entry", "Fault", "Kind", "Load", "load_catalog"]
