"""The calibration table: observed conversion per score band (an addition to contract v1)."""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_BANDS = 10
MIN_BAND_SHARE = 0.02


def calibration_table(scores: np.ndarray, target: np.ndarray, bands: int = DEFAULT_BANDS) -> list[dict[str, Any]]:
    """``[{min_score, probability, leads}]``, lowest band first.

    Bands start at score quantiles (about ``bands`` of them, fewer when scores tie) and
    each holds at least 2% of the leads. A band covers ``[min_score, next min_score)``;
    ``probability`` is the share of its leads that converted.
    """
    scores = np.asarray(scores, dtype=float)
    target = np.asarray(target, dtype=float)
    if scores.size == 0:
        return []
    ordered = np.sort(scores)
    starts = np.unique(ordered[(np.arange(bands) * scores.size) // bands])
    starts = _merge_thin(scores, list(starts), max(int(np.ceil(MIN_BAND_SHARE * scores.size)), 1))
    band = np.searchsorted(np.asarray(starts), scores, side="right") - 1
    table = []
    for i, start in enumerate(starts):
        members = band == i
        table.append({
            "min_score": _number(start),
            "probability": round(float(target[members].mean()), 4),
            "leads": int(members.sum()),
        })
    return table


def _merge_thin(scores: np.ndarray, starts: list[float], min_leads: int) -> list[float]:
    """Drop band starts until every band holds at least ``min_leads`` leads (the first start stays)."""
    starts = sorted(starts)
    while len(starts) > 1:
        counts = np.bincount(np.searchsorted(np.asarray(starts), scores, side="right") - 1, minlength=len(starts))
        thin = [i for i, n in enumerate(counts) if n < min_leads]
        if not thin:
            break
        i = thin[0]
        starts.pop(i if i > 0 else 1)  # a thin band joins the one below it (the first joins the one above)
    return starts


def probability_at(table: list[Any] | None, score: float) -> float | None:
    """The calibrated probability of a score: its band's (below the first band: the first's).

    ``table`` is ``calibration_table``'s list of dicts or a Scorecard's ``calibration``.
    """
    if not table:
        return None
    chosen = table[0]
    for band in table:
        if score >= _field(band, "min_score"):
            chosen = band
    return float(_field(chosen, "probability"))


def _field(band: Any, name: str) -> Any:
    return band[name] if isinstance(band, dict) else getattr(band, name)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
