"""The runner's running: FIT, GPX, TCX and Strava-export import.

``import_paths`` is the one entry point (the ``scapula import`` command is a thin layer
over it); the readers behind it return ``Activity`` values the store turns into ``Run``s.
"""

from scapula.runs.activity import Activity
from scapula.runs.importer import Outcome, Summary, import_paths

__all__ = ["Activity", "Outcome", "Summary", "import_paths"]
