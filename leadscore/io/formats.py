"""File formats, chosen by extension."""

from __future__ import annotations

from pathlib import Path

from leadscore.errors import InputError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def file_format(path: str | Path) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: unknown file type {suffix or '(none)'!r}: use .csv, .parquet or .jsonl")
    return FORMATS[suffix]
