"""The local web app (``scapula serve``): setup, plan, guided session, progress, and a JSON API."""

from scapula.web.app import Config, create_app

__all__ = ["Config", "create_app"]
