"""The store on DuckDB and PostgreSQL: migrations, idempotent writes, exact time travel, batch equality."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadscore.errors import InvalidMessagesError, StoreVersionError
from leadscore.scoring import score_leads
from leadscore.spec import parse_scorecard
from leadscore.store import LATEST, Message, open_store, schema
from leadscore.store.sql import sql
from tests.service.conftest import CARD

T0 = datetime(2026, 5, 1, tzinfo=UTC)
RECEIVED = datetime(2026, 6, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def messages() -> list[Message]:
    return [
        Message("i1", "identify", day(0), RECEIVED, lead_id="maria", traits={"job_title": "Director", "country": "ES"}),
        Message("g1", "group", day(0), RECEIVED, lead_id="maria", group_id="acme", traits={"employees": 500}),
        Message("e1", "event", day(1), RECEIVED, lead_id="maria", event="page_view", properties={"url": "/pricing"}),
        Message("e2", "event", day(2), RECEIVED, lead_id="maria", event="demo_request", properties={}),
        Message("i2", "identify", day(10), RECEIVED, lead_id="maria", traits={"job_title": "intern"}),
        Message("a1", "event", day(1), RECEIVED, anonymous_id="anon-1", event="email_open", properties={}),
        Message("a2", "event", day(3), RECEIVED, anonymous_id="anon-1", event="email_open", properties={}),
        Message("i3", "identify", day(5), RECEIVED, lead_id="bob", link="anon-1", traits={"job_title": "VP Sales"}),
        Message("g2", "group", day(6), RECEIVED, lead_id="bob", group_id="tiny", traits={"employees": 5}),
        Message("g3", "group", day(12), RECEIVED, lead_id="bob", group_id="tiny", traits={"employees": 150}),
    ]


def test_migrations_create_upgrade_and_refuse_newer(store_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(store_target) as store:
        assert store.previous_version == 0
        store.write(messages()[:1])
    with open_store(store_target) as store:
        assert store.previous_version == LATEST
    # a later leadscore adds a migration: the older store is upgraded on open, its data kept
    later = [*schema.MIGRATIONS, (LATEST + 1, "a test table", ["CREATE TABLE later_things (x INTEGER)"])]
    monkeypatch.setattr(schema, "MIGRATIONS", later)
    monkeypatch.setattr(schema, "LATEST", LATEST + 1)
    with open_store(store_target) as store:
        assert store.previous_version == LATEST
        assert store.engine.execute(sql("SELECT COUNT(*) AS n FROM later_things")).column(0).to_pylist() == [0]
        assert store.lead_ids() == ["maria"]
    monkeypatch.undo()
    # this leadscore refuses the store the later one made
    with pytest.raises(StoreVersionError, match="newer leadscore"):
        open_store(store_target)


def test_writes_are_idempotent_by_message_id(store_target: str) -> None:
    with open_store(store_target) as store:
        touched = store.write(messages())
        assert touched == {"maria": "event", "bob": "event"}
        assert store.write(messages()) == {}
        assert store.write(messages()[:3] + messages()[:3]) == {}
        counts = store.engine.execute(sql("SELECT (SELECT COUNT(*) FROM events) AS e, (SELECT COUNT(*) FROM messages) AS m")).to_pylist()
        assert counts == [{"e": 4, "m": 10}]
        leads = {r["lead_id"]: r for r in store.engine.execute(sql("SELECT * FROM leads")).to_pylist()}
        assert leads["maria"]["job_title"] == "intern" and leads["maria"]["account_id"] == "acme"
        assert leads["bob"]["created_at"] == day(5)  # first seen: its identify
        assert leads["maria"]["created_at"] == day(0)


def test_trait_names_that_clash_in_case_are_refused(store_target: str) -> None:
    with open_store(store_target) as store:
        store.write(messages()[:1])
        with pytest.raises(InvalidMessagesError) as info:
            store.write([Message("x", "identify", day(1), RECEIVED, lead_id="maria", traits={"Job_Title": "CEO"})])
        assert info.value.problem_list()[0]["path"] == "traits.Job_Title"
        assert store.columns("leads").count("job_title") == 1


def test_time_travel_is_exact(store_target: str) -> None:
    card = parse_scorecard(CARD)
    with open_store(store_target) as store:
        store.write(messages())
        at = {r["lead_id"]: r for r in store.score(card, day(4)).to_pylist()}
        # maria was a director at day 4 (the change to intern is at day 10), acme was big
        assert at["maria"]["fit.decision-maker"] == 20 and at["maria"]["fit.big-account"] == 10
        # bob's anonymous opens count only from his identify (day 5) on
        assert at["bob"]["engagement.opener"] == 0
        later = {r["lead_id"]: r for r in store.score(card, day(11)).to_pylist()}
        assert later["maria"]["fit.decision-maker"] == 0
        assert later["bob"]["engagement.opener"] == 7
        assert later["bob"]["fit.big-account"] == 0  # tiny had 5 employees until day 12
        assert store.score(card, day(13), ["bob"]).to_pylist()[0]["fit.big-account"] == 10
        # the same numbers for one lead as for all
        assert store.score(card, day(4), ["maria"]).to_pylist() == [at["maria"]]
        attributes, account = store.attributes("maria", day(4))
        assert attributes == {"job_title": "Director", "country": "ES"} and account == "acme"


def test_the_canonical_tables_score_as_the_store_does(store_target: str, tmp_path: Path) -> None:
    card = parse_scorecard(CARD)
    with open_store(store_target) as store:
        store.write(messages())
        expected = store.score(card, day(20)).to_pylist()
    batch = score_leads(
        card, leads="table:leads", events="table:events", accounts="table:accounts", as_of=day(20),
        engine=store_target,
    ).to_pylist()
    assert batch == expected


def test_prepared_scoring_is_the_compiled_query(store_target: str) -> None:
    """Rescoring's prepared query (rendered once, ids as rows, as_of substituted) scores exactly as a fresh compile."""
    from leadscore.store.prepared import PreparedScore

    examples = Path(__file__).resolve().parents[2] / "leadscore" / "examples" / "b2b-saas.yaml"
    cards = [parse_scorecard(CARD), parse_scorecard(examples.read_text())]
    with open_store(store_target) as store:
        store.write(messages())
        for card in cards:  # the example decays, has windows, expiries and an inactivity rule
            some, every = PreparedScore(card, store.engine), PreparedScore(card, store.engine, some=False)
            assert some.prepared and every.prepared
            for moment in (day(4), day(11), day(13.37), datetime(2026, 9, 1, 3, 4, 5, 6, tzinfo=UTC)):
                assert store.score_prepared(every, moment).to_pylist() == store.score(card, moment).to_pylist()
                for ids in (["bob"], ["maria", "bob", "nobody"]):
                    assert store.score_prepared(some, moment, ids).to_pylist() == store.score(card, moment, ids).to_pylist()
                assert store.score_prepared(some, moment, []).num_rows == 0


def test_rescoring_in_capped_passes_and_set_based_saving(store_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passes take at most MAX_PASS queued leads; saving writes history only where a change field moved."""
    from leadscore.service import rescorer as module
    from leadscore.service.rescorer import Cards, Rescorer

    monkeypatch.setattr(module, "MAX_PASS", 1)
    passes: list[int] = []
    now = [day(4)]
    with open_store(store_target) as store:
        touched = store.write(messages())
        version, _ = store.install(CARD, day(0))
        worker = Rescorer(store, Cards(store), lambda: now[0], observe=lambda n, _: passes.append(n))
        worker.start()
        try:
            worker.touch(touched)
            assert worker.idle(60)
            assert passes == [1, 1]  # maria, then bob: one lead a pass
            scores = {r["lead_id"]: r for r in store.current_scores("svc")}
            expected = {r["lead_id"]: r for r in store.score(parse_scorecard(CARD), day(4)).to_pylist()}
            assert {k: (v["score"], v["stage"]) for k, v in scores.items()} == {k: (v["score"], v["stage"]) for k, v in expected.items()}
            assert [h["reason"] for h in store.history("maria")] == ["event"]
            # nothing changed: a sweep writes no history and leaves the stored rows alone
            assert worker.rescore_all("time") == 0
            assert store.current_scores("svc", ["maria"])[0]["scored_at"] == scores["maria"]["scored_at"]
            # maria's title changes at day 10: the sweep at day 11 writes one row, reason time
            now[0] = day(11)
            assert worker.rescore_all("time") == 2  # maria (title) and bob (his linked opens count)
            assert [h["reason"] for h in store.history("maria")] == ["event", "time"]
            assert version.version == 1
        finally:
            worker.stop()
