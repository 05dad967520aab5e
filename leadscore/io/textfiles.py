"""CSV and JSON Lines files as their users see them: lines, a header, what is wrong where.

The database reads the files (fast, in parallel); this module answers what it cannot say in
the user's words: on which line of the file a record starts (a quoted CSV value may span
lines, blank lines are skipped), which delimiter the header uses, whether the header names
a column twice, and, when the database refuses a file, the first line at fault and why.
It reads the file in Python, so it runs only on the header or when something is wrong.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters a CSV header may use; the one it uses most is the file's."""
MAX_LINE_BYTES = 2_097_152
"""The longest CSV line DuckDB reads (its ``max_line_size``)."""
_BOM = "\ufeff"


def _lines(path: Path) -> Iterator[str]:
    """The file's lines as text (invalid UTF-8 replaced: only positions matter here)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        yield from handle


def header_line(path: Path) -> str:
    """The first line of the file, without its line break ('' for an empty file)."""
    for line in _lines(path):
        return line.rstrip("\r\n")
    return ""


def is_blank(path: Path) -> bool:
    """The file holds nothing but white space (or is empty)."""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            if chunk.strip(b" \t\r\n" + _BOM.encode()):
                return False
    return True


def delimiter_of(path: Path) -> str:
    """The delimiter the header line uses most, outside quotes (',' when it uses none)."""
    line = header_line(path)
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _reader(lines: Iterable[str], delimiter: str) -> csv.Reader:  # type: ignore[name-defined]
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)


def csv_header(path: Path, delimiter: str) -> list[str]:
    """The column names of the header line, as written."""
    try:
        return next(_reader(_lines(path), delimiter), [])
    except csv.Error:
        return header_line(path).split(delimiter)


def repeated_names(names: list[str]) -> tuple[str, str, int, int] | None:
    """The first name given twice, case-blind as the database compares names: both spellings and
    both 1-based positions; None when every name is different."""
    seen: dict[str, tuple[int, str]] = {}
    for position, name in enumerate(names, 1):
        key = name.lower()
        if key in seen:
            first, spelling = seen[key]
            return spelling, name, first, position
        seen[key] = (position, name)
    return None


def csv_record_lines(path: Path, delimiter: str) -> Iterator[int]:
    """The line on which each data record starts (blank lines skipped, as DuckDB does)."""
    counter = _Counted(_lines(path))
    reader = _reader(counter, delimiter)
    first = True
    start = 1
    try:
        for row in reader:
            if not first and row:
                yield start
            first = False
            start = counter.count + 1
    except csv.Error:
        return


def jsonl_record_lines(path: Path) -> Iterator[int]:
    """The line of each record of a JSON Lines file (blank lines are not records)."""
    for number, line in enumerate(_lines(path), 1):
        if line.strip():
            yield number


def record_lines(lines: Iterator[int], indexes: list[int]) -> dict[int, int]:
    """The line numbers of some 0-based record indexes (read up to the largest only)."""
    wanted = set(indexes)
    found: dict[int, int] = {}
    for index, line in enumerate(lines):
        if index in wanted:
            found[index] = line
            if len(found) == len(wanted):
                break
    return found


class _Counted:
    """An iterator of lines that counts them (csv.reader's line_num counts records' lines too late)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        return line


# -- what is wrong, in the user's words ------------------------------------------------


def line_problem(path: Path, max_bytes: int | None = None) -> str | None:
    """The first line that is not UTF-8 text (or longer than ``max_bytes``), in words; else None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        for line, raw in enumerate(handle, 1):
            if max_bytes is not None and len(raw.rstrip(b"\r\n")) > max_bytes:
                return f"line {line} is longer than {max_bytes:,} bytes, the most a line may have"
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as exc:
                return f"line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"
    return None


def csv_problem(path: Path, delimiter: str) -> str | None:
    """The first thing wrong with a CSV file that a database would refuse, or None."""
    if problem := line_problem(path, MAX_LINE_BYTES):
        return problem
    counter = _Counted(_lines(path))
    reader = _reader(counter, delimiter)
    width = None
    start = 1
    try:
        for row in reader:
            if width is None:
                width = len(row)
            elif row and len(row) != width:
                shown = "value" if len(row) == 1 else "values"
                return (
                    f"line {start} has {len(row)} {shown} but the header line has {width} column{'s' if width != 1 else ''} "
                    f"(delimiter {_named(delimiter)})"
                )
            start = counter.count + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc) or "EOF" in str(exc):
            return f'line {start}: a quoted value starts here and its closing " is missing'
        return f'line {start}: {exc} (quote a value that holds {_named(delimiter)} or ", and write " inside it as "")'
    return None


def jsonl_problem(path: Path) -> str | None:
    """The first line of a JSON Lines file that is not one JSON object, or None."""
    if problem := line_problem(path):
        return problem
    for number, line in enumerate(_lines(path), 1):
        text = line.strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            reason = str(exc).split(":")[0]
            return f"line {number} is not valid JSON ({reason.lower()}): each line must be one JSON object"
        if not isinstance(value, dict):
            kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(type(value), "a number")
            return f'line {number} is {kind}, not a JSON object: each line must be one object, such as {{"lead_id": "a"}}'
    return None


def _named(delimiter: str) -> str:
    return {"\t": "tab", ",": "',' (comma)", ";": "';'", "|": "'|'"}[delimiter]
