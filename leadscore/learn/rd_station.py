"""The simple method of the seeds (RD Station): points for one field from its conversion rates.

"The value that converts best gets 10 points; mark the others according to their
conversion rate": a value converting at half the best rate gets 5 points. Values are
compared by their text form (case and surrounding spaces ignored), as the scorecard
compares them, and a missing value is a value of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from leadscore.errors import InputError
from leadscore.learn.binning import WHITESPACE, text_forms
from leadscore.learn.rules import slug

TOP_POINTS = 10
MAX_VALUES = 50
MISSING = "(missing)"


def rd_station_points(
    frame: pd.DataFrame,
    column: str,
    outcome: str | Any,
    *,
    top_points: float = TOP_POINTS,
    min_leads: int = 1,
) -> pd.DataFrame:
    """Points per value of ``column``: ``top_points`` × the value's conversion rate / the best rate.

    Args:
        frame: the leads.
        column: the field to give points to.
        outcome: the name of a 0/1 column of ``frame``, or one 0/1 outcome per lead.
        top_points: points of the best-converting value (10 in the method).
        min_leads: values with fewer leads get no points (their rate says little); the
            method itself has no such limit, hence the default 1.

    Returns:
        One row per value, best first: ``value`` (as written; None for missing),
        ``leads``, ``converted``, ``rate``, ``points`` (an integer, or NA for values with
        fewer than ``min_leads`` leads).

    >>> leads = pd.DataFrame({"role": ["director", "director", "analyst", "analyst", "analyst", "intern"],
    ...                       "won": [1, 0, 1, 0, 0, 0]})
    >>> rd_station_points(leads, "role", "won")[["value", "rate", "points"]].to_dict("records")
    [{'value': 'director', 'rate': 0.5, 'points': 10}, {'value': 'analyst', 'rate': 0.3333, 'points': 7}, {'value': 'intern', 'rate': 0.0, 'points': 0}]
    """
    if column not in frame.columns:
        raise InputError(f"no field {column!r} in the leads (columns: {', '.join(map(repr, map(str, frame.columns)))})")
    target = _outcome(frame, outcome)
    forms = text_forms(frame[column])
    if forms.nunique(dropna=True) > MAX_VALUES:
        raise InputError(
            f"{column!r} has {forms.nunique()} distinct values: the simple method scores each value of a field "
            f"(at most {MAX_VALUES}); for numbers use bins, as leadscore learn does"
        )
    keys = forms.fillna(MISSING)
    table = pd.DataFrame({"key": keys.to_numpy(), "y": target}).groupby("key", sort=False)["y"].agg(["size", "sum"])
    table.columns = ["leads", "converted"]
    table["rate"] = table["converted"] / table["leads"]
    eligible = table["leads"] >= min_leads
    best = float(table.loc[eligible, "rate"].max()) if eligible.any() else 0.0
    points = np.round(top_points * table["rate"] / best) if best > 0 else pd.Series(0.0, index=table.index)
    table["points"] = pd.array(points.astype(int), dtype="Int64")
    table.loc[~eligible, "points"] = pd.NA
    spelled = [None if k == MISSING else _spelling(frame[column], forms, k) for k in table.index]
    table["value"] = pd.Series(spelled, index=table.index, dtype=object)
    table["rate"] = table["rate"].round(4)
    table = table.sort_values(["rate", "leads"], ascending=[False, False], kind="stable").reset_index(drop=True)
    return table[["value", "leads", "converted", "rate", "points"]]


def rd_station_rules(points: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    """Fit rules for a points table: values with equal points share one ``in`` rule; 0 points need none."""
    rules = []
    scored = points[points["points"].notna() & (points["points"] != 0)]
    for value_points, group in scored.groupby("points", sort=False):
        values = [str(v) for v in group["value"] if not pd.isna(v)]
        parts: list[dict[str, Any]] = []
        if values:
            parts.append({"field": column, "in": values})
        if len(values) < len(group):
            parts.append({"field": column, "exists": False})
        condition = parts[0] if len(parts) == 1 else {"any": parts}
        missing = len(values) < len(group)
        label = "-or-".join([*([slug(values[0], 30)] if values else []), *(["missing"] if missing else [])])
        shown = [*values, *(["(missing)"] if missing else [])]
        low, high = float(group["rate"].min()), float(group["rate"].max())
        rate = f"{low:.1%}" if low == high else f"{low:.1%}-{high:.1%}"
        rules.append({
            "name": f"{slug(column)}-{label}",
            "if": condition,
            "points": int(value_points),
            "description": f"{column} is {' or '.join(shown)}: conversion {rate} (RD Station method)",
        })
    return rules


def rd_station_scorecard(tables: dict[str, pd.DataFrame], name: str = "rd-station-points") -> dict[str, Any]:
    """A complete scorecard (plain data) with the fit rules of one or more fields' points tables."""
    rules: list[dict[str, Any]] = []
    for column, table in tables.items():
        rules += rd_station_rules(table, column)
    return {
        "name": name,
        "description": "Points per field value from conversion rates: the best value of each field gets 10 (RD Station method).",
        "fit": {"rules": rules},
        "stages": [{"name": "lead"}],
    }


def _outcome(frame: pd.DataFrame, outcome: str | Any) -> np.ndarray:
    if isinstance(outcome, str):
        if outcome not in frame.columns:
            raise InputError(f"no outcome column {outcome!r} in the leads")
        values = frame[outcome]
    else:
        values = pd.Series(np.asarray(outcome))
        if len(values) != len(frame):
            raise InputError(f"{len(values)} outcomes for {len(frame)} leads: give one outcome per lead")
    numeric = pd.to_numeric(values.map(lambda v: {"true": 1, "false": 0}.get(str(v).strip().lower(), v)), errors="coerce")
    if numeric.isna().any() or not numeric.isin([0, 1]).all():
        raise InputError("the outcome must be 0/1 or true/false for every lead")
    return numeric.to_numpy(dtype=int)


def _spelling(values: pd.Series, forms: pd.Series, form: str) -> str:
    """The most common way the value is written (trimmed)."""
    written = values[forms == form].map(lambda v: str(v).strip(WHITESPACE))
    spelled = str(written.value_counts().index[0])
    return form if spelled.lower() in ("true", "false") else spelled
