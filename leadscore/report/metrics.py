"""How well a score ranks and separates the leads that converted: AUCs, lift, gains, bands, groups.

Every function takes plain arrays (one value per evaluation row) so it can be checked on a
hand-made case. Ties in the score are handled as a random order would be on average: a decile
boundary that falls inside a group of equal scores takes that group's conversions in proportion.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

Z95 = 1.959963984540054


def both_classes(y: np.ndarray) -> bool:
    return bool(y.any() and not y.all())


def roc_auc(y: np.ndarray, score: np.ndarray, weight: np.ndarray | None = None) -> float | None:
    """Area under the ROC curve (0.5: no better than chance); None without both classes."""
    if not both_classes(y if weight is None else y[weight > 0]):
        return None
    return float(roc_auc_score(y, score, sample_weight=weight))


def pr_auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Average precision: the area under the precision-recall curve; chance level is the base rate."""
    if not both_classes(y):
        return None
    return float(average_precision_score(y, score))


def wilson(positives: float, n: float) -> tuple[float | None, float | None]:
    """95% Wilson interval of a rate."""
    if n <= 0:
        return None, None
    p = positives / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_auc(
    y: np.ndarray, scores: Sequence[np.ndarray], groups: np.ndarray, *, rounds: int = 200, seed: int = 0
) -> dict[str, Any]:
    """95% intervals of each score's AUC (and of the difference of two), resampling leads.

    Rows of one lead (at several cut-offs) are drawn together, so the interval is not made
    narrower by counting a lead many times.
    """
    codes, n_groups = pd.factorize(groups)[0], len(pd.unique(groups))
    rng = np.random.default_rng(seed)
    draws: list[list[float]] = [[] for _ in scores]
    diffs: list[float] = []
    for _ in range(rounds):
        weight = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)[codes].astype(float)
        values = [roc_auc(y, s, weight) for s in scores]
        if any(v is None for v in values):
            continue
        for i, v in enumerate(values):
            draws[i].append(float(v))  # type: ignore[arg-type]
        if len(values) == 2:
            diffs.append(float(values[1]) - float(values[0]))  # type: ignore[arg-type]
    out: dict[str, Any] = {"rounds": rounds, "auc": [_interval(d) for d in draws]}
    if len(scores) == 2:
        out["difference"] = _interval(diffs)
        out["difference_above_zero"] = float(np.mean(np.array(diffs) > 0)) if diffs else None
    return out


def _interval(values: list[float]) -> list[float] | None:
    if len(values) < 20:
        return None
    return [float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))]


def deciles(y: np.ndarray, score: np.ndarray, amount: np.ndarray | None = None, parts: int = 10) -> list[dict[str, Any]]:
    """Lift and cumulative gains by decile of the score (best first), tie-aware."""
    n, positives = len(y), float(y.sum())
    if n == 0 or positives == 0:
        return []
    order = np.argsort(-score, kind="stable")
    ranked = score[order]
    _, starts = np.unique(-ranked, return_index=True)
    ends = np.append(starts[1:], n)
    size = (ends - starts).astype(float)
    cum_n = np.concatenate([[0.0], np.cumsum(size)])
    cum_p = np.concatenate([[0.0], np.cumsum(np.add.reduceat(y[order].astype(float), starts))])
    has_amount = amount is not None and bool(np.nansum(amount))
    cum_a = np.concatenate([[0.0], np.cumsum(np.add.reduceat(np.nan_to_num(amount[order]), starts))]) if has_amount else None  # type: ignore[index]
    base = positives / n
    rows, previous_p, previous_a = [], 0.0, 0.0
    for k in range(1, parts + 1):
        position = n * k / parts
        got = float(np.interp(position, cum_n, cum_p))
        in_part = got - previous_p
        width = n / parts
        rate = in_part / width
        high = ranked[min(math.floor(position - width + 1e-9), n - 1)]
        low = ranked[max(math.ceil(position - 1e-9) - 1, 0)]
        row = {
            "decile": k,
            "leads": round(width, 1),
            "converted": round(in_part, 2),
            "conversion_rate": rate,
            "lift": rate / base,
            "cumulative_gain": got / positives,
            "cumulative_lift": (got / positives) / (k / parts),
            "min_score": float(low),
            "max_score": float(high),
        }
        if cum_a is not None:
            amount_got = float(np.interp(position, cum_n, cum_a))
            row["amount"] = amount_got - previous_a
            row["cumulative_amount_share"] = amount_got / float(cum_a[-1])
            previous_a = amount_got
        rows.append(row)
        previous_p = got
    return rows


def band_edges(low: float, high: float, bands: int = 10) -> list[float]:
    """Round-number band edges covering [low, high]: 0, 10, 20... for a 0-100 range."""
    if high <= low:
        return [low, low + 1]
    step = _nice((high - low) / bands)
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] < high:
        edges.append(round(edges[-1] + step, 10))
    return edges


def _nice(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 2.5 if fraction <= 2.5 else 5 if fraction <= 5 else 10
    return nice * 10**exponent


def band_of(score: np.ndarray, edges: list[float]) -> np.ndarray:
    """Index of the band [edge_i, edge_i+1) of each score; the top edge is in the last band."""
    index = np.searchsorted(np.asarray(edges), score, side="right") - 1
    return np.clip(index, 0, len(edges) - 2)


def by_band(y: np.ndarray, score: np.ndarray, edges: list[float], stated: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Leads, conversions and conversion rate (with its 95% interval) per score band."""
    band = band_of(score, edges)
    fitted = _logistic_fit(y, score)
    rows = []
    total_pos = max(1.0, float(y.sum()))
    for i in range(len(edges) - 1):
        mask = band == i
        n, pos = int(mask.sum()), int(y[mask].sum())
        low, high = wilson(pos, n)
        last = i == len(edges) - 2
        row = {
            "band": f"{_fmt(edges[i])}–{_fmt(edges[i + 1])}",
            "min_score": edges[i],
            "max_score": edges[i + 1],
            "upper_inclusive": last,
            "leads": n,
            "share_of_leads": n / max(1, len(y)),
            "converted": pos,
            "share_of_conversions": pos / total_pos,
            "conversion_rate": pos / n if n else None,
            "ci_low": low,
            "ci_high": high,
            "fitted_probability": float(fitted[mask].mean()) if n and fitted is not None else None,
        }
        if stated is not None:
            row["stated_probability"] = float(np.nanmean(stated[mask])) if n else None
        rows.append(row)
    return rows


def _fmt(value: float) -> str:
    return f"{value:g}"


def _logistic_fit(y: np.ndarray, score: np.ndarray) -> np.ndarray | None:
    """P(convert | score) from a one-variable logistic regression (the smooth line of the calibration chart)."""
    if not both_classes(y) or np.ptp(score) == 0:
        return None
    from sklearn.linear_model import LogisticRegression

    x = ((score - score.mean()) / score.std()).reshape(-1, 1)
    model = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    return model.predict_proba(x)[:, 1]


def calibration(y: np.ndarray, score: np.ndarray, bands: list[dict[str, Any]], stated: np.ndarray | None) -> dict[str, Any]:
    """Does conversion rise with the score, and do stated probabilities (if any) match what happened?"""
    rates = [b["conversion_rate"] for b in bands if b["leads"] >= 20]
    steps = list(itertools.pairwise(rates))
    fitted = _logistic_fit(y, score)
    out: dict[str, Any] = {
        "rising_steps": sum(1 for a, b in steps if b >= a),
        "steps": len(steps),
        "monotonic": all(b >= a for a, b in steps),
        "logistic_brier": float(np.mean((fitted - y) ** 2)) if fitted is not None else None,
        "base_rate_brier": float(np.mean((y.mean() - y) ** 2)) if len(y) else None,
        "stated": None,
    }
    if stated is not None and np.isfinite(stated).any():
        ok = np.isfinite(stated)
        weights = [b["leads"] for b in bands if b.get("stated_probability") is not None and b["leads"]]
        gaps = [abs(b["stated_probability"] - b["conversion_rate"]) for b in bands if b.get("stated_probability") is not None and b["leads"]]
        out["stated"] = {
            "brier": float(np.mean((stated[ok] - y[ok]) ** 2)),
            "expected_calibration_error": float(np.average(gaps, weights=weights)) if weights else None,
        }
    return out


def stated_probability(card: Any, score: np.ndarray) -> np.ndarray | None:
    """The conversion probability a scorecard's ``calibration`` section states for each score, if it has one."""
    points = getattr(card, "calibration", None)
    if not points:
        return None
    ordered = sorted(points, key=lambda p: p.min_score)
    edges = np.array([p.min_score for p in ordered])
    probability = np.array([p.probability for p in ordered])
    index = np.searchsorted(edges, score, side="right") - 1
    return np.where(index >= 0, probability[np.clip(index, 0, len(edges) - 1)], np.nan)


def by_group(y: np.ndarray, values: pd.Series, order: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """Leads, conversions, rate (with interval) and lift per value of a column (grade, level, stage...)."""
    frame = pd.DataFrame({"value": values.to_numpy(), "y": y})
    stats = frame.groupby("value", dropna=False)["y"].agg(["size", "sum"])
    base = y.mean() if len(y) else 0.0
    keys = list(order or []) + [k for k in stats.index if k not in set(order or [])]
    rows = []
    for key in keys:
        if key not in stats.index:
            continue
        n, pos = int(stats.loc[key, "size"]), int(stats.loc[key, "sum"])
        low, high = wilson(pos, n)
        rows.append({
            "value": None if _missing(key) else _plain(key),
            "leads": n,
            "share_of_leads": n / max(1, len(y)),
            "converted": pos,
            "conversion_rate": pos / n if n else None,
            "ci_low": low,
            "ci_high": high,
            "lift": (pos / n) / base if n and base else None,
        })
    return rows


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def summary(y: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    """The headline figures of one score on the evaluation rows."""
    parts = deciles(y, score)
    return {
        "rows": len(y),
        "converted": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else None,
        "roc_auc": roc_auc(y, score),
        "pr_auc": pr_auc(y, score),
        "top_decile_lift": parts[0]["lift"] if parts else None,
        "top_decile_gain": parts[0]["cumulative_gain"] if parts else None,
        "top_30pct_gain": parts[2]["cumulative_gain"] if len(parts) >= 3 else None,
    }


def top_in_common(
    attributes: pd.DataFrame, score: np.ndarray, y: np.ndarray, *, top_share: float = 0.1, limit: int = 15, min_count: int = 5
) -> dict[str, Any]:
    """Attribute values over-represented among the top-scored rows (top 10% by default).

    ``attributes`` holds one text column per attribute (rules fired included), row-aligned.
    A value is listed when it is at least 1.25 times as common among the top as overall and
    held by at least ``min_count`` top rows and 10% of them.
    """
    n = len(score)
    if n == 0:
        return {"threshold": None, "rows": 0, "share": 0.0, "values": []}
    threshold = float(np.quantile(score, 1 - top_share, method="higher"))
    top = score >= threshold
    if top.mean() > 2 * top_share and (score > threshold).any():  # many ties at the threshold: take only those above it
        top = score > threshold
        threshold = float(score[top].min())
    values = []
    for column in attributes.columns:
        col = attributes[column]
        overall = col.value_counts(dropna=True)
        in_top = col[top].value_counts(dropna=True)
        for value, count in in_top.items():
            share_top = count / top.sum()
            share_all = overall[value] / n
            if count < min_count or share_top < 0.1 or share_top < 1.25 * share_all:
                continue
            chosen = top & (col == value).to_numpy()
            values.append({
                "attribute": column,
                "value": _plain(value),
                "share_of_top": float(share_top),
                "share_of_all": float(share_all),
                "ratio": float(share_top / share_all),
                "top_leads": int(count),
                "conversion_rate_in_top": float(y[chosen].mean()) if chosen.any() else None,
            })
    values.sort(key=lambda v: (-v["ratio"], -v["share_of_top"]))
    return {
        "threshold": threshold,
        "rows": int(top.sum()),
        "share": float(top.mean()),
        "conversion_rate": float(y[top].mean()) if top.any() else None,
        "values": values[:limit],
    }


__all__ = [
    "band_edges",
    "band_of",
    "bootstrap_auc",
    "by_band",
    "by_group",
    "calibration",
    "deciles",
    "pr_auc",
    "roc_auc",
    "stated_probability",
    "summary",
    "top_in_common",
    "wilson",
]
