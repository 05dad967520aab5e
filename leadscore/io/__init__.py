"""Read leads, accounts and events; write scores. CSV, Parquet, JSON Lines, DataFrames, tables."""

from __future__ import annotations

from leadscore.io.formats import FORMATS, file_format
from leadscore.io.sources import TableRef, parse_source

__all__ = ["FORMATS", "TableRef", "file_format", "parse_source"]
