"""The back-test: score at cut-offs → label by outcomes within the horizon → metrics → report.

    >>> from leadscore.report import backtest  # doctest: +SKIP
    >>> report = backtest("card.yaml", leads="leads.csv", events="events.csv", outcomes="outcomes.csv")  # doctest: +SKIP
    >>> report.summary()["scorecards"][0]["roc_auc"]  # doctest: +SKIP
    >>> report.write_html("report.html"); report.write_json("report.json")  # doctest: +SKIP

The result's ``to_dict()`` is the JSON document; the HTML report is drawn from it, so both
always say the same thing.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadscore.engines.base import temporary_sibling
from leadscore.errors import InputError
from leadscore.io.load import quote
from leadscore.report import metrics as m
from leadscore.report.columns import columns_used
from leadscore.report.features import AttributeSet, binned, lead_attributes, model_features, rule_flags
from leadscore.report.history import History, load_history
from leadscore.report.panel import CardScores, Panel, StageOrder, build_panel, static_panel
from leadscore.report.reference import cross_validate, time_ordered
from leadscore.report.stages import days_to_outcome, movements, snapshots, weekly_stages
from leadscore.report.timeline import (
    DEFAULT_HORIZON,
    CutoffPlan,
    DataSpan,
    choose_cutoffs,
    format_duration,
    parse_cutoffs,
    parse_duration_option,
    parse_moment,
    weekly_grid,
)
from leadscore.spec import Scorecard, load_scorecard
from leadscore.version import __version__

FEW_POSITIVES = 30
SCHEMA_VERSION = 1


@dataclass
class BacktestReport:
    """The result of a back-test: the JSON-ready document and, for notebooks, the scored rows."""

    document: dict[str, Any]
    panel: Panel = field(repr=False)

    @property
    def warnings(self) -> list[str]:
        return list(self.document["warnings"])

    def to_dict(self) -> dict[str, Any]:
        return self.document

    def to_json(self) -> str:
        return json.dumps(self.document, indent=2, ensure_ascii=False, allow_nan=False)

    def to_html(self) -> str:
        from leadscore.report.html import render_backtest

        return render_backtest(self.document)

    def write_json(self, path: str | Path) -> None:
        write_text(Path(path), self.to_json())

    def write_html(self, path: str | Path) -> None:
        write_text(Path(path), self.to_html())

    def rows(self) -> pd.DataFrame:
        """One row per (cut-off, lead): the label and each scorecard's score, grade, level, stage."""
        frame = self.panel.base.copy()
        for card, scores in zip(self.document["scorecards"], self.panel.scores, strict=True):
            for column in ("score", "grade", "level", "stage"):
                frame[f"{card['title']}.{column}"] = scores[column].to_numpy()
        return frame

    def table(self, section: str, scorecard: int | str = 0) -> pd.DataFrame:
        """One section of one scorecard's results as a DataFrame (for notebooks).

        ``section``: deciles, bands, by_grade, by_level, by_stage, by_label, by_priority,
        per_cutoff, or top_in_common. ``scorecard``: its position or title.
        """
        cards = self.document["scorecards"]
        card = next((c for c in cards if c["title"] == scorecard), None) if isinstance(scorecard, str) else cards[scorecard]
        if card is None:
            raise KeyError(f"no scorecard titled {scorecard!r}: {', '.join(c['title'] for c in cards)}")
        value = card.get(section)
        if section == "top_in_common":
            value = card["top_in_common"]["values"]
        if not isinstance(value, list):
            raise KeyError(f"{section!r} is not a table: use deciles, bands, by_grade, by_level, by_stage, by_label, by_priority, per_cutoff or top_in_common")
        return pd.DataFrame(value)

    def summary(self) -> dict[str, Any]:
        """The headline figures: per scorecard AUCs and lift, and the reference models."""
        return {
            "rows": self.document["evaluation"]["rows"],
            "converted": self.document["evaluation"]["converted"],
            "scorecards": [{"title": c["title"], **c["summary"]} for c in self.document["scorecards"]],
            "reference_models": [
                {"model": r["model"], "roc_auc": r["roc_auc"]} for r in (self.document["reference_models"] or {}).get("models", [])
            ],
        }


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (a temporary file next to it, then a rename), readable by all like any report."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{path}: the folder {str(parent)!r} does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a directory")
    tmp = temporary_sibling(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# -- the entry point ---------------------------------------------------------------------------------


def backtest(
    scorecards: Scorecard | str | Path | list[Scorecard | str | Path],
    *,
    leads: Any,
    events: Any = None,
    accounts: Any = None,
    outcomes: Any = None,
    outcome_column: str | None = None,
    outcome_kinds: list[str] | None = None,
    horizon: str | timedelta = DEFAULT_HORIZON,
    cutoffs: str | list[str] | list[datetime] | None = None,
    every: str | timedelta | None = None,
    data_end: str | datetime | None = None,
    as_of: str | datetime | None = None,
    reference: bool = True,
    weekly: bool = True,
    database: str | Path | None = None,
    folds: int = 5,
    seed: int = 0,
    bootstrap_rounds: int = 200,
) -> BacktestReport:
    """Validate one scorecard (or compare two) against what really happened.

    Args:
        scorecards: a scorecard or its path, or a list of two to compare (the first is "A").
        leads, events, accounts: as for ``LeadScorer`` (paths, ``table:NAME``, DataFrames, Arrow).
            ``events`` may be left out (attributes-only data).
        outcomes: lead_id, timestamp, optional outcome (kind) and amount. Or, for a static
            file, ``outcome_column``: the leads column that says whether each lead converted.
        outcome_kinds: which outcome kinds count as converted (default: any).
        horizon: how long after a cut-off a conversion counts (default 90d).
        cutoffs: the cut-offs (``"2026-01-01,2026-02-01"`` or a list); default: laid ``every``
            (default 4 weeks, weekly when that gives fewer than 3) leaving a full horizon after each.
        data_end: the moment the data (outcomes included) is complete up to; default: the last
            event or outcome.
        as_of: with ``outcome_column``: when to score (default: the last event, else now).
        reference: also cross-validate the reference models (gradient boosting, naive Bayes).
        weekly: also score at weekly snapshots for stage volumes (MQL/SQL per week).
        database: a DuckDB file to read ``table:`` inputs from (default: in memory).

    Raises:
        InputError: unreadable inputs, a missing or constant outcome column, outcomes for no
            known lead, a horizon longer than the data, no conversions in the evaluation.
    """
    cards = load_cards(scorecards)
    _check_label_not_read(cards, outcome_column)
    horizon_td = parse_duration_option(horizon, "--horizon")
    history = load_history(
        leads=leads, events=events, accounts=accounts, outcomes=outcomes, outcome_column=outcome_column,
        outcome_kinds=outcome_kinds, database=database,
    )
    try:
        scored = [CardScores(card, history, title) for title, card in cards]
        span, plan, panel = _evaluation_rows(history, scored, horizon_td, cutoffs, every, data_end, as_of)
        _check_classes(panel, horizon_td, history.is_static, history.warnings)
        options = _Options(horizon_td, folds, seed, bootstrap_rounds, reference, weekly)
        document = _document(cards, scored, history, panel, span, plan, options)
    finally:
        history.close()
    return BacktestReport(document, panel)


@dataclass(frozen=True)
class _Options:
    horizon: timedelta
    folds: int
    seed: int
    bootstrap_rounds: int
    reference: bool
    weekly: bool


def load_cards(scorecards: Scorecard | str | Path | list[Scorecard | str | Path]) -> list[tuple[str, Scorecard]]:
    """One or two scorecards with a title each (their names; file names when both names are the same)."""
    items = scorecards if isinstance(scorecards, list | tuple) else [scorecards]
    if not 1 <= len(items) <= 2:
        raise InputError(f"give one scorecard, or two to compare (got {len(items)})")
    loaded = []
    for item in items:
        card = item if isinstance(item, Scorecard) else load_scorecard(item)
        loaded.append((card, None if isinstance(item, Scorecard) else Path(item).stem))
    titles = [card.name for card, _ in loaded]
    if len(titles) == 2 and titles[0] == titles[1]:
        stems = [stem for _, stem in loaded]
        titles = stems if stems[0] and stems[1] and stems[0] != stems[1] else [f"{titles[0]} (A)", f"{titles[1]} (B)"]
    return [(title, card) for title, (card, _) in zip(titles, loaded, strict=True)]


def _check_label_not_read(cards: list[tuple[str, Scorecard]], column: str | None) -> None:
    if column is None:
        return
    for title, card in cards:
        if column in card.lead_fields():
            raise InputError(
                f"scorecard {title!r} reads the outcome column {column!r}: scoring with the answer makes the back-test "
                f"meaningless; remove the rules on {column!r} or choose another --outcome-column"
            )


def _evaluation_rows(
    history: History, scored: list[CardScores], horizon: timedelta, cutoffs: Any, every: Any, data_end: Any, as_of: Any
) -> tuple[DataSpan | None, CutoffPlan | None, Panel]:
    if history.is_static:
        moment = parse_moment(as_of, "--as-of") if as_of is not None else _static_as_of(history)
        return None, None, static_panel(history, scored, moment)
    if as_of is not None:
        raise InputError("--as-of is for an outcome column (one evaluation); with an outcomes table use --cutoffs")
    span = history.span(parse_moment(data_end, "--data-end") if data_end is not None else None)
    plan = choose_cutoffs(
        span, horizon,
        cutoffs=parse_cutoffs(cutoffs) if cutoffs else None,
        every=parse_duration_option(every, "--every") if every else None,
    )
    return span, plan, build_panel(history, scored, plan.cutoffs, horizon)


def _static_as_of(history: History) -> datetime:
    if history.has_events:
        span = history.span()
        return span.end
    return datetime.now(UTC)


def _check_classes(panel: Panel, horizon: timedelta, static: bool, warnings: list[str]) -> None:
    y = panel.y
    rows, positives = len(y), int(y.sum())
    cutoffs = sorted(pd.unique(panel.base["cutoff"]))
    where = "" if static else (
        f" within the {format_duration(horizon)} horizon after any of the {len(cutoffs)} cut-offs "
        f"({cutoffs[0]:%Y-%m-%d} … {cutoffs[-1]:%Y-%m-%d})"
    )
    if rows == 0:
        raise InputError("no lead to evaluate: no lead existed (created_at) at any cut-off without having converted already")
    if positives == 0:
        raise InputError(
            f"no lead converted{where} ({rows:,} leads evaluated): check that the outcomes' lead ids match the leads and that "
            f"their timestamps fall after the cut-offs" + ("; or use a longer --horizon" if not static else "")
        )
    if positives == rows:
        raise InputError(f"every evaluated lead converted{where}: there is nothing to rank; check the outcomes")
    if positives < FEW_POSITIVES:
        warnings.append(
            f"only {positives} conversion{'s' if positives > 1 else ''}{where}: the figures are rough (see the intervals); "
            f"more history, more cut-offs or a longer horizon would make them firmer"
        )


# -- the document ---------------------------------------------------------------------------------------


def _document(
    cards: list[tuple[str, Scorecard]], scored: list[CardScores], history: History, panel: Panel,
    span: DataSpan | None, plan: CutoffPlan | None, options: _Options,
) -> dict[str, Any]:
    y = panel.y
    attributes = lead_attributes(history, exclude={history.outcome_column} if history.outcome_column else None)
    bootstrap = m.bootstrap_auc(
        y, [s["score"].to_numpy(dtype=float) for s in panel.scores], panel.base["lead_id"].to_numpy(),
        rounds=options.bootstrap_rounds, seed=options.seed,
    )
    grid = weekly_grid(span) if (options.weekly and span is not None) else []
    sections = [
        _card_section(title, card, scorer, scores, panel, history, attributes, span, grid, options, bootstrap["auc"][i])
        for i, ((title, card), scorer, scores) in enumerate(zip(cards, scored, panel.scores, strict=True))
    ]
    reference, feature_names = _reference(history, attributes, panel, options) if options.reference else (None, [])
    document = {
        "leadscore_backtest": SCHEMA_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "leadscore_version": __version__,
        "settings": _settings(history, panel, plan, options),
        "data": _data_facts(history, span),
        "evaluation": _evaluation(panel),
        "scorecards": sections,
        "comparison": _comparison(cards, panel, bootstrap) if len(cards) == 2 else None,
        "reference_models": reference,
        "time_to_outcome": days_to_outcome(history),
        "columns": columns_used(cards, history, attributes, feature_names),
        "warnings": list(history.warnings),
    }
    return _clean(document)


def _settings(history: History, panel: Panel, plan: CutoffPlan | None, options: _Options) -> dict[str, Any]:
    outcomes = history.outcomes
    return {
        "mode": "outcome column" if history.is_static else "outcomes over time",
        "horizon": format_duration(options.horizon) if not history.is_static else None,
        "horizon_days": options.horizon / timedelta(days=1) if not history.is_static else None,
        "cutoffs": [c.isoformat() for c in plan.cutoffs] if plan else None,
        "cutoff_rule": plan.note if plan else None,
        "as_of": None if plan else pd.Timestamp(panel.base["cutoff"].iloc[0]).isoformat(),
        "outcome_column": history.outcome_column,
        "outcome_kinds_found": outcomes.kinds_found if outcomes else None,
        "outcome_kinds_counted": outcomes.kinds_counted if outcomes else None,
        "folds": options.folds,
        "seed": options.seed,
        "bootstrap_rounds": options.bootstrap_rounds,
        "sources": history.sources,
    }


def _data_facts(history: History, span: DataSpan | None) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "leads": len(history.lead_frame),
        "accounts": len(history.account_frame) if history.account_frame is not None else None,
        "has_events": history.has_events,
        "start": span.start.isoformat() if span else None,
        "end": span.end.isoformat() if span else None,
    }
    if history.has_events:
        [(count,)] = history.engine.conn.execute(f"SELECT count(*) FROM {'.'.join(quote(p) for p in history.events.name)}").fetchall()
        facts["events"] = int(count)
    if history.outcomes is not None:
        facts["outcomes"] = len(history.outcomes.rows)
        facts["converted_leads"] = len(history.outcomes.first)
    if history.static_labels is not None:
        facts["converted_leads"] = int(history.static_labels.sum())
        facts["labelled_leads"] = len(history.static_labels)
    return facts


def _evaluation(panel: Panel) -> dict[str, Any]:
    y = panel.y
    return {
        "rows": len(y),
        "leads": int(panel.base["lead_id"].nunique()),
        "converted": int(y.sum()),
        "base_rate": float(y.mean()),
        "cutoffs": len(pd.unique(panel.base["cutoff"])),
    }


def _card_section(
    title: str, card: Scorecard, scorer: CardScores, scores: pd.DataFrame, panel: Panel, history: History,
    attributes: AttributeSet, span: DataSpan | None, grid: list[datetime], options: _Options, auc_interval: list[float] | None,
) -> dict[str, Any]:
    y = panel.y
    score = scores["score"].to_numpy(dtype=float)
    order = StageOrder.of(card)
    low, high = card.range if card.range else (float(score.min()), float(score.max()))
    edges = m.band_edges(low, high)
    stated = m.stated_probability(card, score)
    bands = m.by_band(y, score, edges, stated)
    grades, levels = card.grade_letters(), card.level_numbers()
    section = {
        "title": title,
        "name": card.name,
        "description": card.description,
        "range": list(card.range) if card.range else None,
        "stages": order.names,
        "qualified_stages": order.qualified,
        "summary": m.summary(y, score) | {"roc_auc_interval": auc_interval},
        "deciles": m.deciles(y, score, panel.base["amount"].to_numpy(dtype=float)),
        "bands": bands,
        "calibration": m.calibration(y, score, bands, stated),
        "by_grade": m.by_group(y, scores["grade"], grades),
        "by_level": m.by_group(y, scores["level"], levels),
        "by_priority": m.by_group(y, scores["priority"], [f"{g}{lv}" for g in grades for lv in levels]),
        "by_stage": m.by_group(y, scores["stage"], order.names),
        "by_label": m.by_group(y, scores["label"], list(card.labels or {})) if card.labels else [],
        "grades": grades,
        "levels": levels,
        "per_cutoff": _per_cutoff(panel, score),
        "top_in_common": m.top_in_common(_profile(attributes, scores, panel, card), score, y),
        "weekly_stages": None,
    }
    if grid and span is not None:
        snap = snapshots(history, scorer, grid)
        section["weekly_stages"] = weekly_stages(snap, order, options.horizon, span.end)
    return section


def _per_cutoff(panel: Panel, score: np.ndarray) -> list[dict[str, Any]]:
    rows = []
    for cutoff in pd.unique(panel.base["cutoff"]):
        mask = (panel.base["cutoff"] == cutoff).to_numpy()
        y = panel.y[mask]
        rows.append({
            "cutoff": pd.Timestamp(cutoff).isoformat(),
            "leads": int(mask.sum()),
            "converted": int(y.sum()),
            "conversion_rate": float(y.mean()) if mask.any() else None,
            "roc_auc": m.roc_auc(y, score[mask]),
        })
    return rows


def _profile(attributes: AttributeSet, scores: pd.DataFrame, panel: Panel, card: Scorecard) -> pd.DataFrame:
    """Row-aligned text attributes: the lead's and account's values (numbers as ranges) and the rules that fired."""
    per_lead = pd.concat([attributes.categorical, binned(attributes.numeric)], axis=1)
    rows = per_lead.reindex(panel.base["lead_id"].to_numpy()).reset_index(drop=True)
    flags = rule_flags(scores, card.rule_columns()).reset_index(drop=True)
    flags = flags.loc[:, [c for c in flags.columns if (flags[c] == "fired").any()]].replace("not fired", None)
    return pd.concat([rows, flags], axis=1)


def _reference(history: History, attributes: AttributeSet, panel: Panel, options: _Options) -> tuple[dict[str, Any], list[str]]:
    features, names = model_features(history, attributes, panel.base)
    y, groups = panel.y, panel.base["lead_id"].to_numpy()
    out = cross_validate(features, y, groups, folds=options.folds, seed=options.seed)
    scores = [s["score"].to_numpy(dtype=float) for s in panel.scores]
    out["scorecards_roc_auc"] = [m.roc_auc(y, s) for s in scores]
    if not history.is_static and out["skipped"] is None:
        out["time_ordered"] = time_ordered(features, y, panel.base["cutoff"], options.horizon, scores, seed=options.seed)
    event_features = [n for n in names if n.startswith("events.")]
    properties = [c for c in history.event_columns if any(f".{c}=" in n for n in event_features)]
    return out, event_features + [f"property:{c}" for c in properties]


def _comparison(cards: list[tuple[str, Scorecard]], panel: Panel, bootstrap: dict[str, Any]) -> dict[str, Any]:
    (title_a, card_a), (title_b, card_b) = cards
    a, b = panel.scores
    y = panel.y
    last = panel.base["cutoff"] == panel.base["cutoff"].max()
    auc_a = m.roc_auc(y, a["score"].to_numpy(dtype=float))
    auc_b = m.roc_auc(y, b["score"].to_numpy(dtype=float))
    return {
        "a": title_a,
        "b": title_b,
        "roc_auc_difference": (auc_b - auc_a) if auc_a is not None and auc_b is not None else None,
        "roc_auc_difference_interval": bootstrap.get("difference"),
        "b_better_share": bootstrap.get("difference_above_zero"),
        "movements": movements(
            y, a["stage"], b["stage"], StageOrder.of(card_a), StageOrder.of(card_b), panel.base["lead_id"],
            a["score"].to_numpy(dtype=float), b["score"].to_numpy(dtype=float), example_rows=last.to_numpy(),
        ),
        "example_cutoff": pd.Timestamp(panel.base["cutoff"].max()).isoformat(),
    }


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN and infinities to None, timestamps to ISO text."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


__all__ = ["BacktestReport", "backtest", "write_text"]
