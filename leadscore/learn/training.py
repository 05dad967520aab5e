"""From files, tables or DataFrames to a training set: lead features, event features and outcomes.

Everything a user can get wrong is checked here, with an error (``InputError``) or a
warning (``LearnWarning``) that names the problem and what fixes it: a missing or
constant outcome, too few converted leads, outcomes of unknown leads, excluded columns
that do not exist, columns that predict the outcome suspiciously well (leakage).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadscore.errors import InputError, parameter
from leadscore.learn.binning import is_numeric, text_forms
from leadscore.learn.features import event_features, utc_timestamps
from leadscore.learn.fitter import MIN_POSITIVES, LearnWarning
from leadscore.learn.inputs import load_frame, opened
from leadscore.moments import parse_moment

if TYPE_CHECKING:
    from leadscore.engines import Engine

NOT_FEATURES = ("created_at", "account_id")
"""Lead columns that are never features: when the lead arrived, and the account's id."""
TRUE_WORDS = {"1", "1.0", "true", "yes", "y", "t", "converted", "won"}
FALSE_WORDS = {"0", "0.0", "false", "no", "n", "f", "lost"}
LEAK_AUC = 0.9


@dataclass
class TrainingSet:
    """Leads with their features and outcomes, ready for ``ScorecardFitter.fit``."""

    features: pd.DataFrame
    """One row per lead (index: lead id as text): the candidate columns and event features."""
    target: np.ndarray
    """1 for a lead that converted, 0 otherwise."""
    as_of: datetime | None
    """Events up to this moment made the event features; outcomes after it are the target."""
    excluded: list[str] = field(default_factory=list)
    """Columns left out: ``exclude``, the id and outcome, ``created_at``, ``account_id``, dates, empty columns."""

    @property
    def positives(self) -> int:
        return int(self.target.sum())


def training_set(
    leads: Any,
    *,
    outcomes: Any = None,
    outcome_column: str | None = None,
    events: Any = None,
    as_of: datetime | str | None = None,
    exclude: Sequence[str] = (),
    id_column: str = "lead_id",
    positive: Sequence[str] | None = None,
    min_positives: int = MIN_POSITIVES,
    database: str | Path | Engine | None = None,
) -> TrainingSet:
    """Assemble the training set; raise ``InputError`` on anything that would make a nonsense model.

    Every input is a .csv, .parquet or .jsonl file, ``table:NAME`` (a table of ``database``)
    or a pandas/polars/Arrow table, read through the engine with the same checks as scoring
    (``leadscore.learn.inputs``: a CSV's columns of numbers are numbers).

    Args:
        leads: the leads with ``id_column`` and attribute columns.
        outcomes: outcome rows ``lead_id, outcome?, timestamp?, amount?``: a lead with any
            (``positive``) outcome row converted. Give this or ``outcome_column``.
        outcome_column: a column of the leads that says whether each lead converted
            (1/0, true/false, yes/no; or the values in ``positive``).
        events: events (``lead_id, event, timestamp``) for engagement features.
        as_of: events up to this moment count; with timestamped outcomes, only outcomes
            after it are the target and leads that converted before it are left out.
            Default: the newest event's timestamp.
        exclude: columns that must not be used (leaking ones, such as fields sales fills in).
        id_column: the leads' id column.
        positive: outcome values that count as converted (default: any outcome row; for
            an outcome column, the usual true values).
        min_positives: fewest converted (and non-converted) leads to learn from.
        database: the engine that reads the inputs: None (DuckDB in memory), a DuckDB
            file, a ``postgresql://`` URL, or an open Engine (left open).
    """
    if (outcomes is None) == (outcome_column is None):
        raise InputError(
            f"give the outcomes either as outcome rows ({parameter('outcomes')}) or as a column of the leads "
            f"({parameter('outcome_column')}), not both or neither"
        )
    moment = parse_moment(as_of, "as_of") if as_of is not None else None
    with opened(database) as engine:
        table = load_frame(engine, "leads", leads, id_column=id_column)
        table.index = pd.Index(_lead_ids(table, id_column), name="lead_id")
        _check_exclusions(table, exclude, id_column)
        known = set(table.index)  # every lead, also those created after as_of
        table = _created_by(table, moment)
        if outcome_column is not None:
            target = _outcome_from_column(table, outcome_column, positive)
        else:
            rows = load_frame(engine, "outcomes", outcomes, id_column=id_column)
            target = _outcome_from_rows(table, _outcome_rows(rows, id_column), positive, moment, known)
        event_table = load_frame(engine, "events", events) if events is not None else None
    table = table.loc[target.index]
    drop = {id_column, *NOT_FEATURES, *exclude, *([outcome_column] if outcome_column else [])}
    drop |= {c for c in table.columns if _is_datetime(table[c]) or table[c].isna().all()}
    features = table.drop(columns=[c for c in table.columns if c in drop])
    if event_table is not None:
        if moment is None:
            moment = _newest(event_table)
        features = pd.concat([features, event_features(event_table, list(features.index), moment)], axis=1)
    target_values = target.to_numpy(dtype=int)
    _check_outcome(target_values, min_positives, outcome_column)
    excluded = [c for c in table.columns if c in drop]
    return TrainingSet(features, target_values, moment, excluded)


def _lead_ids(table: pd.DataFrame, id_column: str) -> list[str]:
    """The ids, trimmed (the engine checked that each lead has one, and that none repeats as written)."""
    text = table[id_column].astype(str).str.strip()
    dupes = text[text.duplicated()]
    if len(dupes):
        raise InputError(f"leads: {id_column} {dupes.iloc[0]!r} appears more than once ({len(dupes)} repeated ids): each lead needs its own id")
    return text.tolist()


def _check_exclusions(table: pd.DataFrame, exclude: Sequence[str], id_column: str) -> None:
    unknown = [c for c in exclude if c not in table.columns]
    if unknown:
        raise InputError(
            f"{parameter('exclude')} names {_names(unknown)}, which the leads do not have (columns: {_names(table.columns)}): "
            "check the spelling, or the column you meant to keep out may be used"
        )


def _created_by(table: pd.DataFrame, moment: datetime | None) -> pd.DataFrame:
    """Leave out leads created after as_of: at that moment they did not exist."""
    if moment is None or "created_at" not in table.columns:
        return table
    created = utc_timestamps(table["created_at"], "leads: created_at")
    late = (created > pd.Timestamp(moment)).to_numpy()
    if late.any():
        warnings.warn(f"{int(late.sum())} leads were created after as_of {moment.isoformat()}: left out", LearnWarning, stacklevel=3)
    return table[~late]


def _outcome_from_column(table: pd.DataFrame, column: str, positive: Sequence[str] | None) -> pd.Series:
    if column not in table.columns:
        raise InputError(
            f"leads: no outcome column {column!r} (columns: {_names(table.columns)}): "
            f"name the column that says whether each lead converted with {parameter('outcome_column')}, or give {parameter('outcomes')}"
        )
    values = text_forms(table[column])
    missing = values.isna()
    if missing.all():
        raise InputError(f"leads: the outcome column {column!r} is empty: fill it in (1/0, true/false, yes/no) or give {parameter('outcomes')}")
    if missing.any():
        warnings.warn(f"{int(missing.sum())} leads have no value in the outcome column {column!r}: left out", LearnWarning, stacklevel=3)
    values = values[~missing]
    if positive:
        wanted = {str(p).strip().lower() for p in positive}
        return values.isin(wanted).astype(int)
    unknown = sorted(set(values) - TRUE_WORDS - FALSE_WORDS)
    if unknown:
        raise InputError(
            f"leads: the outcome column {column!r} holds values that are neither true nor false ({_names(unknown[:5])}): "
            f"use 1/0, true/false or yes/no, or say which values mean converted with {parameter('positive')}"
        )
    return values.isin(TRUE_WORDS).astype(int)


def _outcome_from_rows(
    table: pd.DataFrame, rows: pd.DataFrame, positive: Sequence[str] | None, moment: datetime | None, known: set[str]
) -> pd.Series:
    if "lead_id" not in rows.columns:
        raise InputError(f"outcomes: no lead_id column (columns: {_names(rows.columns)}): outcome rows need lead_id, outcome, timestamp")
    rows = rows.assign(lead_id=rows["lead_id"].astype(str).str.strip())
    if positive:
        if "outcome" not in rows.columns:
            raise InputError(f"outcomes: {parameter('positive')} filters the 'outcome' column, which the outcomes do not have")
        wanted = {str(p).strip().lower() for p in positive}
        rows = rows[text_forms(rows["outcome"]).isin(wanted)]
    unknown = ~rows["lead_id"].isin(known)
    if unknown.any():
        warnings.warn(
            f"{int(unknown.sum())} outcome rows ({rows.loc[unknown, 'lead_id'].nunique()} lead ids) are for leads not in the leads: "
            "ignored; check that both files use the same lead ids",
            LearnWarning,
            stacklevel=3,
        )
    rows = rows[rows["lead_id"].isin(set(table.index))]  # leads left out above say so already
    converted = pd.Series(0, index=table.index)
    if moment is not None and "timestamp" in rows.columns:
        stamps = utc_timestamps(rows["timestamp"], "outcomes: timestamp")
        before = set(rows.loc[(stamps <= pd.Timestamp(moment)).to_numpy(), "lead_id"])
        if before:
            warnings.warn(
                f"{len(before)} leads converted at or before as_of {moment.isoformat()}: left out (their scores "
                "at as_of would already include what they did as customers)",
                LearnWarning,
                stacklevel=3,
            )
        converted.loc[list(set(rows["lead_id"]) - before)] = 1
        return converted.drop(index=list(before))
    converted.loc[list(set(rows["lead_id"]))] = 1
    return converted


def _outcome_rows(rows: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Outcome rows name the lead in ``lead_id``, or in a column named like the leads' id column."""
    if "lead_id" not in rows.columns and id_column in rows.columns:
        return rows.rename(columns={id_column: "lead_id"})
    return rows


def _check_outcome(target: np.ndarray, min_positives: int, column: str | None) -> None:
    where = f"the outcome column {column!r}" if column else "the outcomes"
    positives = int(target.sum())
    negatives = len(target) - positives
    if len(target) == 0:
        raise InputError("no leads to learn from: the leads are empty (or every one was left out)")
    if positives == 0 or negatives == 0:
        state = "converted" if negatives == 0 else "did not convert"
        raise InputError(
            f"every one of the {len(target)} leads {state} by {where}: a constant outcome teaches nothing; "
            "give leads that converted and leads that did not"
        )
    if positives < min_positives:
        raise InputError(
            f"only {positives} of {len(target)} leads converted by {where}: at least {min_positives} converted leads "
            "are needed to learn a scorecard; use a longer history, a broader outcome (such as opportunity "
            f"instead of won, with {parameter('positive')}), or the simple method (leadscore learn-points)"
        )
    if negatives < min_positives:
        raise InputError(
            f"only {negatives} of {len(target)} leads did not convert by {where}: at least {min_positives} are "
            "needed on each side; add the leads that did not convert"
        )


def _newest(events: pd.DataFrame) -> datetime:
    if "timestamp" not in events.columns or events.empty:
        raise InputError(f"events: no timestamps to take as_of from: give {parameter('as_of')}")
    newest = utc_timestamps(events["timestamp"], "events: timestamp").max()
    if pd.isna(newest):
        raise InputError(f"events: no timestamps to take as_of from: give {parameter('as_of')}")
    return newest.to_pydatetime()


_ISO_DATE = r"^\s*\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?\s*$"


def _is_datetime(values: pd.Series) -> bool:
    """Date-time columns, and text columns of ISO dates (a CSV's dates): moments are not attributes."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return True
    if is_numeric(values) or pd.api.types.is_bool_dtype(values.dtype):
        return False
    present = values.dropna()
    sample = present.astype(str).head(500)
    return bool(len(sample)) and bool(sample.str.match(_ISO_DATE).all())


def _names(names: Any) -> str:
    return ", ".join(repr(str(n)) for n in names)


def _level_keys(values: pd.Series, frequent: set[str]) -> pd.Series:
    forms = text_forms(values).reset_index(drop=True)
    return forms.map(lambda f: f if f in frequent else ("\x00missing" if f is None else "\x00other"))


def leak_suspects(features: pd.DataFrame, target: np.ndarray, threshold: float = LEAK_AUC) -> dict[str, float]:
    """Columns that alone rank the training leads with ROC AUC >= ``threshold``: likely leaks.

    Each column is cut into at most 10 bins (numeric) or its values (categorical); its
    AUC is that of the bins' conversion rates.
    """
    from sklearn.metrics import roc_auc_score

    from leadscore.learn.binning import category_levels, numbers, numeric_cuts

    min_count = max(len(features) // 100, 1)
    suspects = {}
    for column in features.columns:
        values = features[column]
        if is_numeric(values):
            x = numbers(values)
            keys = pd.Series(np.searchsorted(numeric_cuts(x, 10, min_count), np.nan_to_num(x, nan=np.inf), side="right"))
        else:
            keys = _level_keys(values, set(category_levels(values, min_count, 40).frequent))
        rates = pd.Series(target).groupby(keys).transform("mean").to_numpy()
        auc = float(roc_auc_score(target, rates)) if len(np.unique(rates)) > 1 else 0.5
        if max(auc, 1 - auc) >= threshold:
            suspects[str(column)] = round(max(auc, 1 - auc), 3)
    return suspects
