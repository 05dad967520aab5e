"""Read-only queries for the dashboard: a page of the call queue, a lead's events, weekly stage volumes.

Each runs in the database (one ``ORDER BY ... LIMIT`` for a page, so a queue of a million leads
opens without reading them all into Python). Like the rest of the store, it builds DuckDB-dialect
text (``store/sql.py``) and hands it to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadscore.store.sql import ident, in_list, lit, moment, sql
from leadscore.store.store import Store

SEARCHED = ("email", "name", "first_name", "last_name", "full_name")
"""Lead columns the search box looks in (besides lead_id), when the store has them."""


@dataclass
class QueueFilter:
    stages: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    owner: str | None = None
    search: str | None = None


def _where(store: Store, scorecard: str, chosen: QueueFilter) -> str:
    parts = [f"s.scorecard = {lit(scorecard)}"]
    for column, values in (("stage", chosen.stages), ("grade", chosen.grades), ("label", chosen.labels)):
        if values:
            parts.append(in_list(f"s.{column}", values))
    if chosen.levels:
        parts.append(f"s.level IN ({', '.join(str(int(v)) for v in chosen.levels)})")
    columns = store.columns("leads")
    if chosen.owner and "owner" in columns:
        parts.append(f"l.owner = {lit(chosen.owner)}")
    if chosen.search:
        pattern = lit("%" + chosen.search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        searched = ["s.lead_id", *(f"l.{ident(c)}" for c in SEARCHED if c in columns)]
        parts.append("(" + " OR ".join(f"LOWER({c}) LIKE {pattern} ESCAPE '\\'" for c in searched) + ")")
    return " AND ".join(parts)


def queue_page(
    store: Store, scorecard: str, grade_order: list[str], chosen: QueueFilter, offset: int, limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the call list (priority: grade in ``grade_order``, then level, then score) and the total."""
    rank = "CASE " + " ".join(f"WHEN s.grade = {lit(g)} THEN {i}" for i, g in enumerate(grade_order)) + f" ELSE {len(grade_order)} END"
    columns = store.columns("leads")
    where = _where(store, scorecard, chosen)
    join = " LEFT JOIN leads AS l ON l.lead_id = s.lead_id" if chosen.owner or chosen.search else ""
    rows = store.engine.execute(sql(
        f"SELECT s.lead_id, s.score, s.fit, s.engagement, s.grade, s.level, s.priority, s.stage, s.label, s.rules, s.scored_at "
        f"FROM scores AS s{join} WHERE {where} "
        f"ORDER BY {rank}, s.level NULLS LAST, s.score DESC NULLS LAST, s.lead_id LIMIT {int(limit)} OFFSET {int(offset)}"
    )).to_pylist()
    shown = [c for c in (*SEARCHED, "owner") if c in columns]
    if rows and shown:  # the page's names and e-mails: a second query over its ids, not a join over every lead
        listed = ", ".join(ident(c) for c in shown)
        found = {r["lead_id"]: r for r in store.engine.execute(sql(
            f"SELECT lead_id, {listed} FROM leads WHERE {in_list('lead_id', [r['lead_id'] for r in rows])}"
        )).to_pylist()}
        for row in rows:
            row.update({c: (found.get(row["lead_id"]) or {}).get(c) for c in shown})
    total = store.engine.execute(sql(f"SELECT COUNT(*) AS n FROM scores AS s{join} WHERE {where}")).column(0).to_pylist()[0]
    return rows, int(total)


def last_events(store: Store, lead_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest event of each of ``lead_ids`` (event and timestamp)."""
    if not lead_ids:
        return {}
    rows = store.engine.execute(sql(
        "SELECT lead_id, event, timestamp FROM (SELECT lead_id, event, timestamp, "
        "ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY timestamp DESC, event_id DESC) AS rn "
        f"FROM events WHERE {in_list('lead_id', lead_ids)}) AS e WHERE rn = 1"
    )).to_pylist()
    return {r["lead_id"]: r for r in rows}


def lead_events(store: Store, lead_id: str, as_of: datetime, limit: int = 200) -> list[dict[str, Any]]:
    """The lead's events at or before ``as_of``, newest first."""
    return store.engine.execute(sql(
        f"SELECT event, timestamp, event_id, properties FROM events WHERE lead_id = {lit(lead_id)} "
        f"AND timestamp <= {moment(as_of)} ORDER BY timestamp DESC, event_id DESC LIMIT {int(limit)}"
    )).to_pylist()


def entered_stage_since(store: Store, scorecard: str, stage: str, since: datetime) -> int:
    """How many leads entered ``stage`` after ``since`` (a history row into it) and are still in it."""
    return int(store.engine.execute(sql(
        "SELECT COUNT(DISTINCT h.lead_id) AS n FROM score_history AS h JOIN scores AS s "
        "ON s.lead_id = h.lead_id AND s.scorecard = h.scorecard "
        f"WHERE h.scorecard = {lit(scorecard)} AND h.stage = {lit(stage)} AND s.stage = {lit(stage)} AND h.changed_at > {moment(since)}"
    )).column(0).to_pylist()[0])


def stage_counts(store: Store, scorecard: str) -> dict[str, int]:
    """How many leads each stage holds now."""
    rows = store.engine.execute(sql(
        f"SELECT stage, COUNT(*) AS n FROM scores WHERE scorecard = {lit(scorecard)} GROUP BY stage"
    )).to_pylist()
    return {r["stage"]: int(r["n"]) for r in rows}


def weekly_entries(store: Store, scorecard: str, stages: list[str], since: datetime) -> list[dict[str, Any]]:
    """Per week (Monday) since ``since``: how many leads entered each of ``stages`` (history rows into it)."""
    if not stages:
        return []
    return store.engine.execute(sql(
        "SELECT DATE_TRUNC('week', changed_at) AS week, stage, COUNT(DISTINCT lead_id) AS n FROM score_history "
        f"WHERE scorecard = {lit(scorecard)} AND {in_list('stage', stages)} AND changed_at >= {moment(since)} "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    )).to_pylist()


def breakdown(store: Store, scorecard: str, column: str) -> list[dict[str, Any]]:
    """Leads per value of ``column`` (grade, level or stage) now, with their average score."""
    if column not in ("grade", "level", "stage", "label", "priority"):
        raise ValueError(column)
    return store.engine.execute(sql(
        f"SELECT {column} AS value, COUNT(*) AS leads, AVG(score) AS average FROM scores "
        f"WHERE scorecard = {lit(scorecard)} GROUP BY {column} ORDER BY {column}"
    )).to_pylist()


def account(store: Store, account_id: str) -> dict[str, Any]:
    """The account's current attributes (empty when unknown)."""
    rows = store.engine.execute(sql(f"SELECT * FROM accounts WHERE account_id = {lit(account_id)}")).to_pylist()
    return {k: v for k, v in rows[0].items() if v is not None and k != "account_id"} if rows else {}
