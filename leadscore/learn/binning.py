"""Bins of numeric attributes and value groups of categorical ones, as the scorecard reads them.

Everything here follows the scorecard's semantics (docs/semantics.md): a value's text
form is trimmed and lower-cased, booleans are ``true``/``false``, and an empty value is
missing. Bin edges are "nice" numbers (the shortest decimal between two observed values)
so that a person can read them and the YAML reproduces them exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

WHITESPACE = " \t\r\n"


def text_form(value: object) -> str | None:
    """The contract's text form of a value: trimmed, lower-cased; None when missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    text = str(value).strip(WHITESPACE).lower()
    return text or None


def text_forms(values: pd.Series) -> pd.Series:
    """``text_form`` of every value (object dtype, None for missing); computed once per distinct value."""
    raw = values.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    except TypeError:  # unhashable values (a dict in a cell): one by one
        return pd.Series([text_form(v) for v in raw], index=values.index, dtype=object)
    forms = np.array([text_form(v) for v in uniques] + [None], dtype=object)
    return pd.Series(forms[codes], index=values.index, dtype=object)


def is_numeric(values: pd.Series) -> bool:
    """Numbers (not booleans): these get numeric bins; everything else gets value groups."""
    return bool(pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype))


def numbers(values: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing."""
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def nice_cut(low: float, high: float) -> float:
    """The shortest decimal ``c`` with ``low < c <= high``: where to cut between two observed values."""
    if not low < high:
        raise ValueError(f"nice_cut needs low < high, got {low!r} and {high!r}")
    top = math.floor(math.log10(max(abs(low), abs(high), 1e-12))) + 1
    for exponent in range(top, -13, -1):
        step = 10.0**exponent
        candidate = (math.floor(low / step) + 1) * step
        candidate = round(candidate, max(0, -exponent))
        if low < candidate <= high:
            return float(candidate)
    return float(high)


def numeric_cuts(values: np.ndarray, max_bins: int, min_count: int) -> list[float]:
    """Cut points for up to ``max_bins`` quantile bins, each holding at least ``min_count`` values.

    Bins are ``x < c1``, ``c1 <= x < c2``, ..., ``x >= ck``; missing values are not counted.
    """
    present = np.sort(values[~np.isnan(values)])
    if present.size == 0 or max_bins < 2:
        return []
    distinct = np.unique(present)
    if distinct.size < 2:
        return []
    quantiles = np.quantile(present, np.linspace(0, 1, max_bins + 1)[1:-1], method="lower")
    cuts: list[float] = []
    for q in np.unique(quantiles):
        after = distinct[distinct > q]
        if after.size:
            cuts.append(nice_cut(float(q), float(after[0])))
    return _merge_small(present, sorted(set(cuts)), min_count)


def _merge_small(present: np.ndarray, cuts: list[float], min_count: int) -> list[float]:
    """Drop cuts until every bin holds at least ``min_count`` values (the smallest bin goes first)."""
    cuts = list(cuts)
    while cuts:
        counts = np.diff(np.searchsorted(present, [-np.inf, *cuts, np.inf], side="left"))
        smallest = int(np.argmin(counts))
        if counts[smallest] >= min_count:
            break
        # remove the cut on the side of the smaller neighbour (or the only side there is)
        if smallest == 0:
            cuts.pop(0)
        elif smallest == len(counts) - 1:
            cuts.pop()
        else:
            left, right = counts[smallest - 1], counts[smallest + 1]
            cuts.pop(smallest - 1 if left <= right else smallest)
    return cuts


def is_integer_valued(values: np.ndarray) -> bool:
    present = values[~np.isnan(values)]
    return bool(present.size) and bool(np.all(np.equal(np.floor(present), present)))


@dataclass(frozen=True)
class CategoryLevels:
    """The values of a categorical attribute that get their own level, and how they are shown."""

    frequent: tuple[str, ...]
    """Text forms of the values frequent enough to be their own level."""
    shown: dict[str, str]
    """Text form → the spelling shown in the scorecard (the most common original one)."""
    has_other: bool
    """Some present values were too rare: they (and unseen values) form the level 'other'."""


def category_levels(values: pd.Series, min_count: int, max_levels: int) -> CategoryLevels:
    """Values seen at least ``min_count`` times (at most ``max_levels``, most frequent first)."""
    forms = text_forms(values)
    counts = forms.value_counts(dropna=True)
    keep = [str(v) for v, n in counts.items() if n >= min_count][:max_levels]
    spellings = pd.DataFrame({"form": forms, "spelling": _spellings(values)})
    spellings = spellings[spellings["form"].isin(keep)]
    common = spellings.groupby(["form", "spelling"]).size().sort_values(ascending=False, kind="stable")
    shown = {}
    for form, spelling in common.index:
        shown.setdefault(str(form), str(spelling))
    has_other = bool(counts.drop(index=keep, errors="ignore").sum() > 0)
    return CategoryLevels(tuple(keep), shown, has_other)


def _spellings(values: pd.Series) -> pd.Series:
    """Each value as written (trimmed); booleans as true/false."""
    def spell(v: object) -> str | None:
        form = text_form(v)
        return form if form is None or isinstance(v, bool | np.bool_) else str(v).strip(WHITESPACE)

    raw = values.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    except TypeError:
        return pd.Series([spell(v) for v in raw], index=values.index, dtype=object)
    spelled = np.array([spell(v) for v in uniques] + [None], dtype=object)
    return pd.Series(spelled[codes], index=values.index, dtype=object)


def format_number(value: float) -> int | float:
    """A number as the YAML shows it: an int when it is whole."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)
