"""The local web app (``scapula serve``): setup, plan, guided session, progress, the camera and
posture checks, and a JSON API. ``scapula.web.app.create_app`` builds it."""
