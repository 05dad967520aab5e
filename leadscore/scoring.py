"""Score leads: the Python API behind ``leadscore score``, ``explain`` and ``top``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadscore.compiler import Sources
from leadscore.compiler.query import CompileOptions, QueryBuilder
from leadscore.engines import Engine, connect
from leadscore.errors import InputError, NotFoundError, parameter
from leadscore.io.files import same_file
from leadscore.io.sources import TableRef, parse_source
from leadscore.spec import Scorecard, load_scorecard
from leadscore.spec.conditions import condition_fields

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp


def no_events() -> pa.Table:
    """The events of a run that has none (built on demand: Arrow is not imported at start-up)."""
    import pyarrow as pa

    return pa.table(
        {
            "lead_id": pa.array([], pa.string()),
            "event": pa.array([], pa.string()),
            "timestamp": pa.array([], pa.timestamp("us", tz="UTC")),
        }
    )


def _card(scorecard: Scorecard | str | Path) -> Scorecard:
    return scorecard if isinstance(scorecard, Scorecard) else load_scorecard(scorecard)


def load_sources(
    engine: Engine,
    *,
    leads: Any,
    events: Any = None,
    accounts: Any = None,
    validate: bool = True,
    unique_events: bool = False,
    id_column: str | None = None,
) -> Sources:
    """Load (and check) the inputs on ``engine`` once, as the canonical tables a scorecard reads.

    Args:
        leads, events, accounts: file paths (.csv, .parquet, .jsonl), ``table:NAME``, or
            pandas/polars DataFrames or Arrow tables. No events: every lead has none.
        validate: check every input row (ids, timestamps, JSON properties).
        unique_events: the caller vouches that no ``event_id`` repeats (re-sent copies need not
            be removed).
        id_column: the leads' id column when it is not ``lead_id``.
    """
    leads_table = engine.load("leads", parse_source(leads), validate=validate, id_column=id_column)
    events_table = engine.load("events", parse_source(events) if events is not None else no_events(), validate=validate)
    accounts_table = engine.load("accounts", parse_source(accounts), validate=validate) if accounts is not None else None
    if unique_events:
        events_table = dataclasses.replace(events_table, unique_event_ids=True)
    return Sources(leads_table, events_table, accounts_table)


def _target(value: str | Path | TableRef) -> Path | TableRef:
    parsed = parse_source(value)
    return parsed if isinstance(parsed, TableRef) else Path(parsed)


def check_targets(engine: Engine | None, outputs: dict[str, Any], inputs: dict[str, Any]) -> None:
    """Refuse, before any work, an output that is one of the inputs or another output.

    ``outputs`` and ``inputs`` map parameter names to what was given (paths, ``table:NAME``,
    DataFrames; None for nothing). Files are compared as files (however the path is spelled);
    tables as the engine resolves their names (without an engine: as written).
    """
    given = [(name, _target(v)) for name, v in outputs.items() if v is not None]
    sources = [(name, parse_source(v)) for name, v in inputs.items() if isinstance(v, str | Path | TableRef)]
    for i, (name, target) in enumerate(given):
        for other, source in [*given[:i], *sources]:
            if not _same_target(engine, target, source):
                continue
            if other in outputs:
                kind = "table" if isinstance(target, TableRef) else "file"
                raise InputError(f"{parameter(other)} and {parameter(name)} are the same {kind} ({target}): give each output its own")
            raise InputError(
                f"{parameter(name)} {target} is also an input ({parameter(other)}): writing it would destroy that input; "
                "write the output elsewhere"
            )


def _same_target(engine: Engine | None, a: Any, b: Any) -> bool:
    if isinstance(a, TableRef) and isinstance(b, TableRef):
        return engine.same_table(a, b) if engine is not None else a.name == b.name
    if isinstance(a, Path) and isinstance(b, Path):
        return same_file(a, b)
    return False


class Scorer:
    """A scorecard over relations an engine already holds (inputs loaded once, or a store's tables).

    Scores any ``as_of`` and any set of leads without reading or checking the inputs again.
    Safe to share between threads: the engine serializes the queries on its connection.

    Args:
        scorecard: a Scorecard or the path of a scorecard file.
        engine: the engine that holds ``sources``.
        sources: the canonical leads, events and (optional) accounts tables on ``engine``.
    """

    def __init__(self, scorecard: Scorecard | str | Path, engine: Engine, sources: Sources) -> None:
        self.card = _card(scorecard)
        self.engine = engine
        self.sources = sources

    def builder(self, as_of: datetime, lead_ids: list[str] | None = None) -> QueryBuilder:
        options = CompileOptions(as_of=as_of, dialect=self.engine.dialect, lead_ids=tuple(lead_ids) if lead_ids is not None else None)
        return QueryBuilder(self.card, self.sources, options)

    def query(self, as_of: datetime, lead_ids: list[str] | None = None) -> exp.Select:
        return self.builder(as_of, lead_ids).build()

    def score(self, as_of: datetime, lead_ids: list[str] | None = None) -> pa.Table:
        """One row per lead (or per chosen lead), the columns of the batch contract."""
        return self.engine.execute(self.query(as_of, lead_ids))

    def score_accounts(self, as_of: datetime) -> pa.Table:
        """One row per account with the roll-up (needs an ``accounts:`` section)."""
        return self.engine.execute(self.builder(as_of).build_accounts())

    inputs: dict[str, Any] = {}  # noqa: RUF012 - what the sources were read from (LeadScorer sets it)

    def write(self, output: str | Path | TableRef, as_of: datetime, *, accounts_output: str | Path | TableRef | None = None) -> None:
        """Write the scores (and the account roll-up) to files or tables: all or none, and never
        over one of the inputs (see ``check_targets``)."""
        check_targets(self.engine, {"output": output, "accounts_output": accounts_output}, self.inputs)
        targets = [(self.builder(as_of).build(), _target(output))]
        if accounts_output is not None:
            targets.append((self.builder(as_of).build_accounts(), _target(accounts_output)))
        self.engine.write_outputs(targets)

    def explain(self, lead_id: str, as_of: datetime) -> Explanation:
        """Which rules fired for one lead, with their points, decay and events."""
        rows = self.score(as_of, [lead_id]).to_pylist()
        if not rows:
            raise NotFoundError(f"lead {lead_id!r} is not in the leads table")
        row = rows[0]
        builder = self.builder(as_of, [lead_id])
        events = self.engine.execute(builder.explain(lead_id)).to_pylist() if self.card.engagement.rules else []
        values = self.engine.execute(builder.lead_values(lead_id)).to_pylist()[0] if self.card.fit.rules else {}
        rules = []
        for rule in self.card.fit.rules:
            fields = {f: values.get(f) for f in condition_fields(rule.if_)}
            rules.append(RuleExplanation("fit", rule.name, row[f"fit.{rule.name}"], "if", [], None, rule.points, fields))
        for rule in self.card.engagement.rules:
            behind = [e for e in events if e["rule"] == rule.name]
            half_life = rule.half_life(self.card.engagement.decay)
            rules.append(
                RuleExplanation(
                    "engagement", rule.name, row[f"engagement.{rule.name}"], rule.mode.value,
                    [{k: e[k] for k in ("event", "timestamp", "weight")} for e in behind],
                    half_life.total_seconds() / 86400 if half_life else None, rule.points,
                )
            )
        return Explanation(lead_id, as_of, row, rules)


class LeadScorer(Scorer):
    """A scorecard bound to its input data on one engine.

    Inputs are read (and checked) once; then score at any ``as_of``, any subset of leads.

    >>> from leadscore import LeadScorer  # doctest: +SKIP
    >>> scorer = LeadScorer("card.yaml", leads="leads.csv", events="events.csv")  # doctest: +SKIP
    >>> scorer.score(as_of=datetime(2026, 6, 1, tzinfo=UTC)).to_pandas()  # doctest: +SKIP

    Args:
        scorecard: a Scorecard or the path of a scorecard file.
        leads, events, accounts: file paths (.csv, .parquet, .jsonl), ``table:NAME``,
            or pandas/polars DataFrames or Arrow tables. No events: every lead has none
            (a scorecard of fit rules, say, learned from a static file).
        engine: ``"duckdb"`` (default, in memory), a DuckDB file path, a PostgreSQL URL,
            or an Engine.
        validate: check every input row (ids, timestamps, JSON properties) before scoring.
        id_column: the leads' id column when it is not ``lead_id`` (e.g. ``"Prospect ID"``).
        unique_events: the events have no repeated ``event_id`` (for example, it is a primary
            key), so re-sent events need not be removed; saves the costliest step on big data.
    """

    def __init__(
        self,
        scorecard: Scorecard | str | Path,
        *,
        leads: Any,
        events: Any = None,
        accounts: Any = None,
        engine: str | Path | Engine | None = None,
        validate: bool = True,
        unique_events: bool = False,
        id_column: str | None = None,
    ) -> None:
        card = _card(scorecard)
        connected = connect(engine)
        self._own_engine = not isinstance(engine, Engine)
        self.inputs = {"leads": leads, "events": events, "accounts": accounts}
        try:
            sources = load_sources(
                connected, leads=leads, events=events, accounts=accounts, validate=validate,
                unique_events=unique_events, id_column=id_column,
            )
        except BaseException:
            self._close_own(connected)
            raise
        super().__init__(card, connected, sources)

    def _close_own(self, engine: Engine) -> None:
        if self._own_engine:
            engine.close()

    def close(self) -> None:
        self._close_own(self.engine)

    def __enter__(self) -> LeadScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class RuleExplanation:
    """One rule's part in a lead's score."""

    dimension: str
    name: str
    points: float
    mode: str
    events: list[dict[str, Any]]
    half_life_days: float | None
    rule_points: float
    fields: dict[str, Any] = field(default_factory=dict)
    """Fit rules: the lead's values of the fields the rule reads (None: missing)."""

    @property
    def fired(self) -> bool:
        return self.points != 0


@dataclass
class Explanation:
    """Why a lead has its score."""

    lead_id: str
    as_of: datetime
    row: dict[str, Any]
    rules: list[RuleExplanation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "as_of": self.as_of.isoformat(),
            "score": {k: self.row[k] for k in ("fit", "engagement", "score", "grade", "level", "priority", "stage", "label")},
            "rules": [
                {
                    "dimension": r.dimension,
                    "rule": r.name,
                    "mode": r.mode,
                    "points": r.points,
                    "fired": r.fired,
                    "rule_points": r.rule_points,
                    "half_life_days": r.half_life_days,
                    "fields": r.fields,
                    "events": [{**e, "timestamp": e["timestamp"].isoformat()} for e in r.events],
                }
                for r in self.rules
            ],
        }


def score_leads(
    scorecard: Scorecard | str | Path,
    *,
    leads: Any,
    events: Any = None,
    accounts: Any = None,
    as_of: datetime,
    engine: str | Path | Engine | None = None,
    lead_ids: list[str] | None = None,
) -> pa.Table:
    """Score leads in one call; returns an Arrow table (``.to_pandas()`` for pandas)."""
    with LeadScorer(scorecard, leads=leads, events=events, accounts=accounts, engine=engine) as scorer:
        return scorer.score(as_of, lead_ids)


__all__ = ["Explanation", "LeadScorer", "RuleExplanation", "Scorer", "load_sources", "score_leads"]
