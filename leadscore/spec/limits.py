"""How big a scorecard may be: beyond these limits it is refused (with its place), never half-scored.

Each limit is below what the engines, the SQL compiler and the YAML reader handle in reasonable
time and memory, measured on DuckDB and PostgreSQL (docs/semantics.md, "Limits").
"""

from __future__ import annotations

from datetime import timedelta

MAX_DOCUMENT_BYTES = 1_048_576
"""A scorecard file is at most 1 MiB (a thousand rules take about 100 KB)."""
MAX_YAML_NODES = 200_000
"""Values in the document, counting each use of a YAML alias as a copy of what it names (an
alias bomb of a few lines would otherwise expand to billions)."""
MAX_YAML_DEPTH = 100
"""Mappings and lists nested in one another."""
MAX_NUMBER_DIGITS = 300
"""Digits of an integer written in the YAML (a double holds about 10^308)."""
MAX_RULES = 1000
"""Fit and engagement rules together. The output has a column per rule; PostgreSQL tables hold
at most 1600 columns, and compiling a thousand rules takes seconds."""
MAX_CONDITION_DEPTH = 32
"""``all``, ``any`` and ``not`` nested in one another."""
MAX_DURATION = timedelta(days=3_652_059)
"""The span of timestamps, from 0001-01-01 to 9999-12-31: a longer window holds every event anyway."""
MAX_POINTS = 1e15
"""Points, caps, thresholds and bounds, in absolute value (a sum of them stays exact to the cent
and fits every engine's numbers)."""
MAX_LEVEL = 1_000_000
"""Level numbers (and their count); a grade is one letter."""
