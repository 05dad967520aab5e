"""The service (layer 7, beside the CLI): the HTTP API of ../shared/spec/service.md.

``create_app(store)`` builds the FastAPI app; ``leadscore serve`` runs it on uvicorn.
"""

from leadscore.service.app import Settings, create_app

__all__ = ["Settings", "create_app"]
