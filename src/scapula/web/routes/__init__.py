"""The web app's routes, one module per resource: the JSON API under ``/api`` (``api_*``),
the HTML pages (``pages``). Each parses the request, calls the application layer
(``scapula.app``) and renders the answer; none holds a rule."""
