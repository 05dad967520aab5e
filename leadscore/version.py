"""The installed version of leadscore (the lowest layer: anything may import it)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leadscore")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
