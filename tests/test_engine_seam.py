"""The engine seam: one registry maps --database to an engine, and a Scorer over loaded relations is
shared by threads without reading its inputs again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from leadscore.compiler.dialects import DIALECTS
from leadscore.engines import Engine, EngineSpec, connect, engine_names, register
from leadscore.engines.duckdb import DuckDBEngine
from leadscore.errors import EngineError, InputError, LeadscoreError, NotFoundError, ScorecardError, UnsupportedError
from leadscore.scoring import LeadScorer, Scorer, load_sources
from tests.conftest import AS_OF, GOLDEN

CASE = GOLDEN / "spec-example"


def test_the_registry_maps_database_values_to_engines(tmp_path: Path) -> None:
    for target in (None, "duckdb", ":memory:"):
        with connect(target) as engine:
            assert isinstance(engine, DuckDBEngine)
    with connect(tmp_path / "store.duckdb") as engine:
        assert engine.name == "duckdb"
    assert (tmp_path / "store.duckdb").exists()
    with pytest.raises(UnsupportedError, match="PostgreSQL needs a URL: database postgresql://"):
        connect("postgres")
    assert {"duckdb", "postgres"} <= set(engine_names())
    engine = DuckDBEngine()
    assert connect(engine) is engine  # an Engine is taken as it is
    engine.close()


@pytest.mark.postgres
def test_a_postgres_url_opens_postgres(postgres_url: str) -> None:
    with connect(postgres_url, memory_limit="1GB", progress=print) as engine:  # DuckDB-only options are dropped
        assert engine.name == "postgres" and engine.dialect is DIALECTS["postgres"]


def test_an_engine_is_added_by_registering_it() -> None:
    """A new engine is one module and one register() call (docs/architecture.md)."""
    opened: list[tuple[str, dict[str, Any]]] = []

    class Recording(DuckDBEngine):
        name = "recording"

        def __init__(self, target: str, **options: Any) -> None:
            opened.append((target, options))
            super().__init__(":memory:", **options)

    import sys
    import types

    module = types.ModuleType("tests_recording_engine")
    module.Recording = Recording  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        register(EngineSpec("recording", lambda t: t.startswith("rec://"), f"{module.__name__}:Recording", frozenset({"threads"})))
        with connect("rec://x", threads=1, memory_limit="1GB") as engine:
            assert isinstance(engine, Recording)
        assert opened == [("rec://x", {"threads": 1})]
    finally:
        del sys.modules[module.__name__]
        from leadscore.engines import registry

        registry._SPECS[:] = [s for s in registry._SPECS if s.name != "recording"]


def test_every_error_has_an_exit_code_and_an_http_status() -> None:
    expected = {
        ScorecardError: (2, 422), InputError: (2, 400), UnsupportedError: (2, 400),
        NotFoundError: (1, 404), EngineError: (1, 503), LeadscoreError: (1, 500),
    }
    for error, (code, status) in expected.items():
        assert (error.exit_code, error.http_status) == (code, status)


class CountingEngine(DuckDBEngine):
    """Counts how often inputs are loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def load(self, *args: Any, **kwargs: Any) -> Any:
        self.loads += 1
        return super().load(*args, **kwargs)


def _scorer(engine: Engine) -> Scorer:
    sources = load_sources(engine, leads=CASE / "leads.csv", events=CASE / "events.csv")
    return Scorer(CASE / "scorecard.yaml", engine, sources)


def _shared_by_threads(scorer: Scorer) -> None:
    everyone = scorer.score(AS_OF).to_pylist()
    ids = [row["lead_id"] for row in everyone]
    by_id = {row["lead_id"]: row for row in everyone}
    moments = [AS_OF - timedelta(days=d) for d in (0, 3, 30)]
    expected = {m: {r["lead_id"]: r for r in scorer.score(m).to_pylist()} for m in moments}
    jobs = [(m, [ids[i % len(ids)], ids[(i + 1) % len(ids)]]) for i in range(24) for m in moments]

    def work(job: tuple[datetime, list[str]]) -> list[dict[str, Any]]:
        moment, chosen = job
        return scorer.score(moment, chosen).to_pylist()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, jobs))
    for (moment, chosen), rows in zip(jobs, results, strict=True):
        assert {r["lead_id"] for r in rows} == set(chosen)
        for row in rows:
            assert row == expected[moment][row["lead_id"]]
    assert by_id == expected[AS_OF]


def test_a_scorer_over_loaded_relations_is_shared_by_threads_without_reloading() -> None:
    engine = CountingEngine()
    with engine:
        scorer = _scorer(engine)
        loads = engine.loads
        _shared_by_threads(scorer)
        assert engine.loads == loads  # scoring never reads or checks the inputs again


@pytest.mark.postgres
def test_a_scorer_on_postgres_is_shared_by_threads(postgres_url: str) -> None:
    with connect(postgres_url) as engine:
        _shared_by_threads(_scorer(engine))


def test_lead_scorer_closes_its_own_engine_when_an_input_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text("lead_id,event,timestamp\nmaria,page_view,yesterday\n")
    closed: list[bool] = []
    original = DuckDBEngine.close

    def close(self: DuckDBEngine) -> None:
        closed.append(True)
        original(self)

    DuckDBEngine.close = close  # type: ignore[method-assign]
    try:
        with pytest.raises(InputError, match="timestamp is not an ISO-8601 timestamp"):
            LeadScorer(CASE / "scorecard.yaml", leads=CASE / "leads.csv", events=bad)
    finally:
        DuckDBEngine.close = original  # type: ignore[method-assign]
    assert closed == [True]


def test_as_of_is_exact_utc() -> None:
    from leadscore.moments import parse_moment

    assert parse_moment("2026-06-01") == datetime(2026, 6, 1, tzinfo=UTC)
    assert parse_moment("2026-06-01T14:00:00+02:00") == datetime(2026, 6, 1, 12, tzinfo=UTC)
    with pytest.raises(InputError, match=r"^horizon_end 'soon' is not an ISO-8601 timestamp"):
        parse_moment("soon", "horizon_end")


def test_the_cli_names_flags_where_the_library_names_parameters(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from leadscore.cli import app

    result = CliRunner().invoke(
        app, ["score", str(CASE / "scorecard.yaml"), "--leads", str(CASE / "leads.csv"), "--database", "postgres",
              "--as-of", "2026-06-01", "--output", str(tmp_path / "s.csv")],
    )
    assert result.exit_code == 2
    assert "PostgreSQL needs a URL: --database postgresql://" in result.output
    assert "\ue000" not in result.output


@pytest.mark.parametrize("engine_name", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_scoring_no_lead_ids_gives_no_rows(engine_name: str, request: pytest.FixtureRequest) -> None:
    target = request.getfixturevalue("postgres_url") if engine_name == "postgres" else None
    with connect(target) as engine:
        scorer = _scorer(engine)
        assert scorer.score(AS_OF, []).num_rows == 0
        assert scorer.score(AS_OF, ["maria"]).num_rows == 1
