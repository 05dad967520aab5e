"""The sample-data generator behaves like a marketing database, and the example scorecard fits it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from leadscore.sample import EVENT_TYPES, SampleData, generate_sample, write_sample
from leadscore.spec import load_scorecard

EXAMPLE = Path(__file__).resolve().parent.parent / "leadscore" / "examples" / "b2b-saas.yaml"
AS_OF = datetime(2025, 6, 30, 12, tzinfo=UTC)
TS = pa.timestamp("us", tz="UTC")


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate_sample(4000, seed=11, as_of=AS_OF)


def _events_per_lead(data: SampleData) -> np.ndarray:
    codes = pc.index_in(data.events["lead_id"], data.leads["lead_id"]).to_numpy()
    return np.bincount(codes, minlength=data.leads.num_rows)


def _seconds(column: pa.ChunkedArray) -> np.ndarray:
    return column.cast(pa.int64()).to_numpy() // 1_000_000


# -- shape of the tables ------------------------------------------------------------------------


def test_deterministic_per_seed() -> None:
    a = generate_sample(600, seed=3, as_of=AS_OF)
    b = generate_sample(600, seed=3, as_of=AS_OF)
    c = generate_sample(600, seed=4, as_of=AS_OF)
    for name in ("leads", "accounts", "events"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert not a.events.equals(c.events)
    assert not a.leads.equals(c.leads)


def test_columns_and_types(sample: SampleData) -> None:
    leads, accounts, events = sample.leads, sample.accounts, sample.events
    assert leads.column_names[:7] == ["lead_id", "created_at", "account_id", "email", "job_title", "country", "source"]
    assert accounts.column_names[:4] == ["account_id", "name", "employees", "industry"]
    assert events.column_names[:7] == ["event_id", "lead_id", "event", "timestamp", "form", "url", "campaign"]
    for table, ids in ((leads, ("lead_id", "account_id")), (accounts, ("account_id",)), (events, ("event_id", "lead_id"))):
        for name in ids:
            assert table.schema.field(name).type == pa.string(), name
    assert leads.schema.field("created_at").type == TS
    assert events.schema.field("timestamp").type == TS
    assert pa.types.is_integer(accounts.schema.field("employees").type)
    for name in ("email", "job_title", "country", "source", "name", "industry"):
        table = leads if name in leads.column_names else accounts
        assert table.schema.field(name).type == pa.string(), name
    for name in ("event", "form", "url", "campaign"):
        assert events.schema.field(name).type == pa.string(), name
    assert sample.as_of == AS_OF


def test_ids_unique_and_linked(sample: SampleData) -> None:
    leads, accounts, events = sample.leads, sample.accounts, sample.events
    assert pc.count_distinct(leads["lead_id"]).as_py() == leads.num_rows
    assert pc.count_distinct(accounts["account_id"]).as_py() == accounts.num_rows
    assert events["lead_id"].null_count == 0
    assert pc.all(pc.is_in(events["lead_id"], value_set=leads["lead_id"])).as_py()
    linked = pc.drop_null(leads["account_id"])
    assert pc.all(pc.is_in(linked, value_set=accounts["account_id"])).as_py()
    # some leads have no account (personal sign-ups), most do
    assert 0.05 < leads["account_id"].null_count / leads.num_rows < 0.5


def test_properties_only_where_they_apply(sample: SampleData) -> None:
    events = sample.events
    forms = events.filter(pc.is_valid(events["form"]))
    assert set(pc.unique(forms["event"]).to_pylist()) == {"form_submit"}
    assert events.filter(pc.equal(events["event"], "form_submit"))["form"].null_count == 0
    opens = events.filter(pc.equal(events["event"], "email_open"))
    assert opens["campaign"].null_count == 0
    assert opens["url"].null_count == opens.num_rows
    views = events.filter(pc.equal(events["event"], "page_view"))
    assert views["url"].null_count == 0
    assert views["campaign"].null_count == views.num_rows
    assert set(pc.unique(events["event"]).to_pylist()) <= set(EVENT_TYPES)


# -- time ------------------------------------------------------------------------------------------


def test_nothing_after_as_of(sample: SampleData) -> None:
    end = int(AS_OF.timestamp())
    assert _seconds(sample.events["timestamp"]).max() <= end
    assert _seconds(sample.leads["created_at"]).max() <= end
    start = end - 180 * 86_400
    assert _seconds(sample.leads["created_at"]).min() >= start


def test_events_follow_the_lead_creation(sample: SampleData) -> None:
    created = _seconds(sample.leads["created_at"])
    codes = pc.index_in(sample.events["lead_id"], sample.leads["lead_id"]).to_numpy()
    lag = _seconds(sample.events["timestamp"]) - created[codes]
    # only the landing page seen just before the sign-up form precedes created_at, by minutes
    assert lag.min() >= -15 * 60


def test_naive_as_of_is_utc_and_as_of_is_required() -> None:
    naive = generate_sample(50, seed=1, as_of=datetime(2025, 6, 30, 12))
    aware = generate_sample(50, seed=1, as_of=AS_OF)
    assert naive.events.equals(aware.events)
    with pytest.raises(TypeError, match="as_of"):  # the library never reads the clock
        generate_sample(20, seed=1)  # type: ignore[call-arg]


def test_days_bounds_history() -> None:
    data = generate_sample(500, seed=2, as_of=AS_OF, days=30)
    end = int(AS_OF.timestamp())
    assert _seconds(data.leads["created_at"]).min() >= end - 30 * 86_400
    assert _seconds(data.events["timestamp"]).min() >= end - 31 * 86_400


# -- behaviour: a funnel, bursts, tails -------------------------------------------------------------


def test_funnel_shape(sample: SampleData) -> None:
    events, n = sample.events, sample.leads.num_rows
    consult = events.filter(pc.and_(pc.equal(events["event"], "form_submit"), pc.equal(events["form"], "free-consultation")))
    consult_share = pc.count_distinct(consult["lead_id"]).as_py() / n
    assert 0.003 < consult_share < 0.08
    demo_share = pc.count_distinct(events.filter(pc.equal(events["event"], "demo_request"))["lead_id"]).as_py() / n
    assert 0.001 < demo_share < 0.05
    per_lead = _events_per_lead(sample)
    assert np.median(per_lead) <= 8  # most leads are cold
    assert (per_lead <= 3).mean() > 0.25
    top = np.sort(per_lead)[::-1][: n // 100].sum()
    assert top / per_lead.sum() > 0.12  # heavy tail: the top 1% hold a large share
    assert np.percentile(per_lead, 99) > 10 * np.median(per_lead)


def test_events_per_lead_mean_is_a_target() -> None:
    for target in (12, 30):
        data = generate_sample(3000, seed=5, as_of=AS_OF, events_per_lead_mean=target)
        mean = data.events.num_rows / data.leads.num_rows
        assert 0.8 * target < mean < 1.15 * target, (target, mean)


def test_event_mix(sample: SampleData) -> None:
    counts = dict(zip(*(c.to_pylist() for c in pc.value_counts(sample.events["event"]).flatten()), strict=True))
    for kind in ("page_view", "email_open", "email_click", "form_submit", "download", "webinar", "demo_request", "unsubscribe"):
        assert counts.get(kind, 0) > 0, kind
    assert counts["page_view"] > counts["email_open"] > counts["email_click"] > counts["demo_request"]
    assert "email_send" not in counts
    with_sends = generate_sample(300, seed=5, as_of=AS_OF, email_sends=True)
    assert pc.sum(pc.equal(with_sends.events["event"], "email_send")).as_py() > 300


def test_page_views_come_in_sessions(sample: SampleData) -> None:
    views = sample.events.filter(pc.equal(sample.events["event"], "page_view")).sort_by([("lead_id", "ascending"), ("timestamp", "ascending")])
    lead = pc.index_in(views["lead_id"], sample.leads["lead_id"]).to_numpy()
    ts = _seconds(views["timestamp"])
    same_lead = lead[1:] == lead[:-1]
    gaps = (ts[1:] - ts[:-1])[same_lead]
    assert (gaps <= 3600).mean() > 0.5  # most next pages follow within the hour
    assert (gaps > 7 * 86_400).mean() > 0.02  # and visits are days apart


def test_opens_follow_campaign_sends(sample: SampleData) -> None:
    sent = dict(zip(sample.campaigns["campaign"].to_pylist(), _seconds(sample.campaigns["sent_at"]).tolist(), strict=True))
    opens = sample.events.filter(pc.equal(sample.events["event"], "email_open"))
    delay = _seconds(opens["timestamp"]) - np.array([sent[c] for c in opens["campaign"].to_pylist()])
    assert delay.min() >= 0
    assert np.median(delay) < 12 * 3600  # most opens within hours of the send
    clicks = sample.events.filter(pc.equal(sample.events["event"], "email_click"))
    assert clicks.num_rows < opens.num_rows / 3
    assert clicks["url"].null_count == 0


def test_unsubscribed_leads_stop_receiving(sample: SampleData) -> None:
    events = sample.events
    sent = dict(zip(sample.campaigns["campaign"].to_pylist(), _seconds(sample.campaigns["sent_at"]).tolist(), strict=True))
    unsub = events.filter(pc.equal(events["event"], "unsubscribe"))
    share = pc.count_distinct(unsub["lead_id"]).as_py() / sample.leads.num_rows
    assert 0.01 < share < 0.15
    unsub_at = dict(zip(unsub["lead_id"].to_pylist(), _seconds(unsub["timestamp"]).tolist(), strict=False))
    opens = events.filter(pc.is_in(events["event"], value_set=pa.array(["email_open", "email_click"])))
    for lead, campaign in zip(opens["lead_id"].to_pylist(), opens["campaign"].to_pylist(), strict=True):
        if lead in unsub_at:
            assert sent[campaign] <= unsub_at[lead], (lead, campaign)


def test_many_leads_go_quiet(sample: SampleData) -> None:
    end = int(AS_OF.timestamp())
    codes = pc.index_in(sample.events["lead_id"], sample.leads["lead_id"]).to_numpy()
    last = np.full(sample.leads.num_rows, -1, dtype=np.int64)
    np.maximum.at(last, codes, _seconds(sample.events["timestamp"]))
    old = _seconds(sample.leads["created_at"]) <= end - 90 * 86_400
    quiet = old & (last <= end - 90 * 86_400)
    assert 0.15 < quiet.sum() / old.sum() < 0.85
    active = last > end - 7 * 86_400
    assert active.mean() > 0.05


def test_resent_duplicates(sample: SampleData) -> None:
    events = sample.events
    distinct = pc.count_distinct(events["event_id"]).as_py()
    dupes = events.num_rows - distinct
    assert 0.002 < dupes / events.num_rows < 0.01
    # a re-sent event is the same event: same lead, type, time and properties
    grouped = events.group_by("event_id").aggregate(
        [(c, "count_distinct") for c in ("lead_id", "event", "timestamp", "url", "campaign")] + [("event_id", "count")]
    )
    repeated = grouped.filter(pc.greater(grouped["event_id_count"], 1))
    assert repeated.num_rows == dupes
    for c in ("lead_id", "event", "timestamp"):
        assert pc.max(repeated[f"{c}_count_distinct"]).as_py() == 1
    no_dupes = generate_sample(300, seed=1, as_of=AS_OF, duplicate_rate=0)
    assert pc.count_distinct(no_dupes.events["event_id"]).as_py() == no_dupes.events.num_rows


# -- who the leads are ---------------------------------------------------------------------------------


def test_buying_committees(sample: SampleData) -> None:
    per_account = pc.value_counts(pc.drop_null(sample.leads["account_id"])).field("counts").to_numpy()
    assert (per_account == 1).mean() > 0.4  # most accounts: one person
    assert (per_account >= 3).sum() >= 20  # some: a buying committee
    assert per_account.max() >= 8


def test_realistic_mixes(sample: SampleData) -> None:
    countries = pc.utf8_upper(pc.utf8_trim_whitespace(sample.leads["country"]))
    shares = {v["values"]: v["counts"] / sample.leads.num_rows for v in pc.value_counts(countries).to_pylist()}
    for code in ("ES", "MX", "AR", "CO", "CL", "US", "BR", "FR", "DE"):
        assert shares.get(code, 0) > 0.005, code
    assert shares["US"] < 0.4
    spanish = sum(shares.get(c, 0) for c in ("ES", "MX", "AR", "CO", "CL", "PE", "UY", "EC"))
    assert 0.25 < spanish < 0.65
    titles = pc.utf8_lower(pc.drop_null(sample.leads["job_title"]))
    assert pc.count_distinct(titles).as_py() > 40
    for word in ("director", "manager", "gerente", "student", "estudiante", "ceo"):
        assert pc.any(pc.match_substring(titles, word)).as_py(), word
    assert 0.02 < sample.leads["job_title"].null_count / sample.leads.num_rows < 0.2
    industries = pc.utf8_lower(pc.drop_null(sample.accounts["industry"]))
    assert pc.count_distinct(industries).as_py() >= 12
    employees = pc.drop_null(sample.accounts["employees"]).to_numpy()
    assert employees.min() >= 1
    assert np.median(employees) < 200 < np.percentile(employees, 95)  # many small companies, a few large
    emails = pc.drop_null(sample.leads["email"])
    assert pc.all(pc.match_substring(emails, "@")).as_py()
    assert pc.any(pc.ends_with(emails, "@gmail.com")).as_py()


# -- writing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_write_sample(tmp_path: Path, fmt: str) -> None:
    data = generate_sample(200, seed=9, as_of=AS_OF)
    paths = write_sample(data, tmp_path / "out", fmt=fmt)
    assert set(paths) == {"leads", "accounts", "events"}
    for name, path in paths.items():
        assert path.name == f"{name}.{fmt}" and path.exists()
        table: pa.Table = getattr(data, name)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            back = pq.read_table(path)
            assert back.equals(table)
            continue
        if fmt == "csv":
            import pyarrow.csv as pcsv

            back = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in table.column_names}))
        else:
            import pyarrow.json as pjson

            back = pjson.read_json(path)
        assert back.num_rows == table.num_rows
        assert back.column_names == table.column_names
        ids = "event_id" if name == "events" else f"{name[:-1]}_id"
        assert back[ids].cast(pa.string()).to_pylist() == table[ids].to_pylist()
    if fmt != "parquet":
        first_event = paths["events"].read_text(encoding="utf-8").splitlines()[1]
        assert "2025-" in first_event and "Z" in first_event  # ISO-8601 UTC timestamps


def test_write_sample_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        write_sample(generate_sample(5, as_of=AS_OF), tmp_path, fmt="xlsx")


# -- the example scorecard --------------------------------------------------------------------------


def test_example_scorecard_fits_the_sample(sample: SampleData) -> None:
    card = load_scorecard(EXAMPLE)
    lead_columns = set(sample.leads.column_names)
    account_columns = set(sample.accounts.column_names)
    for field in card.lead_fields():
        if field.startswith("account."):
            assert field.removeprefix("account.") in account_columns, field
        else:
            assert field in lead_columns, field
    for prop in card.event_properties():
        assert prop in sample.events.column_names, prop
    present = set(pc.unique(sample.events["event"]).to_pylist())
    for kind in card.event_types():
        assert kind in present, kind
    # the forms and pages the rules look for exist in the data
    forms = set(pc.unique(pc.drop_null(sample.events["form"])).to_pylist())
    assert {"free-consultation", "newsletter"} <= forms
    assert pc.any(pc.match_substring(pc.drop_null(sample.events["url"]), "/pricing")).as_py()
    assert card.accounts is not None and card.accounts.score == "top_3_mean"
    assert {s.name for s in card.stages} >= {"SQL", "MQL"}


def test_example_scorecard_scores_the_sample_as_a_funnel() -> None:
    scoring = pytest.importorskip("leadscore.scoring")
    data = generate_sample(1500, seed=2, as_of=AS_OF)
    out = scoring.score_leads(EXAMPLE, leads=data.leads, events=data.events, accounts=data.accounts, as_of=data.as_of)
    assert out.num_rows == data.leads.num_rows
    stages = {v["values"]: v["counts"] / out.num_rows for v in pc.value_counts(out["stage"]).to_pylist()}
    assert stages.get("lead", 0) > 0.6  # most leads are not qualified
    assert 0 < stages.get("SQL", 0) < 0.15
    assert 0 < stages.get("MQL", 0) < 0.25
    grades = set(out["grade"].to_pylist())
    assert {"A", "B", "C", "D"} <= grades


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_written_files_score_like_the_tables(tmp_path: Path, fmt: str) -> None:
    scoring = pytest.importorskip("leadscore.scoring")
    data = generate_sample(300, seed=4, as_of=AS_OF)
    paths = write_sample(data, tmp_path, fmt=fmt)
    from_files = scoring.score_leads(EXAMPLE, leads=paths["leads"], events=paths["events"], accounts=paths["accounts"], as_of=AS_OF)
    from_tables = scoring.score_leads(EXAMPLE, leads=data.leads, events=data.events, accounts=data.accounts, as_of=AS_OF)
    columns = ["lead_id", "fit", "engagement", "score", "grade", "level", "stage", "label"]
    a = from_files.select(columns).sort_by("lead_id").to_pylist()
    b = from_tables.select(columns).sort_by("lead_id").to_pylist()
    assert a == b
