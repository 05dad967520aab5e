"""The dashboard: server-rendered pages (Jinja2) with htmx, uPlot and CodeMirror served from this package.

``install(app, service, compare)`` adds its routes to the service's app: ``/`` (the call queue),
``/leads/{id}``, ``/workbench``, ``/reports``, ``/login``, the fragments and actions under
``/ui/`` and the assets under ``/static/``. See docs/dashboard.md.
"""

from __future__ import annotations

from leadscore.service.dashboard.routes import install

__all__ = ["install"]
