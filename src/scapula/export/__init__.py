"""Exports of the plan: an iCalendar file for any calendar."""

from scapula.export.ics import build_calendar, write_ics

__all__ = ["build_calendar", "write_ics"]
