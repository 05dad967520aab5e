"""Engines: the only code that talks to databases. DuckDB (embedded default) and PostgreSQL."""

from __future__ import annotations

from leadscore.engines.base import Engine
from leadscore.engines.registry import EngineSpec, connect, engine_names, register

__all__ = ["Engine", "EngineSpec", "connect", "engine_names", "register"]
