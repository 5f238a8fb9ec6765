"""Exports of the plan: an iCalendar file for any calendar, Garmin FIT workouts for a watch."""

from scapula.export.fit import build_workout, write_fit_workouts
from scapula.export.ics import build_calendar, write_ics

__all__ = ["build_calendar", "build_workout", "write_fit_workouts", "write_ics"]
