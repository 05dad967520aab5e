"""Training data: bad input gives a clear error or warning; excluded columns are never used."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leadscore.errors import InputError
from leadscore.learn import LearnWarning, event_features, learn_scorecard, training_set
from tests.learn.factories import AS_OF, Synthetic, synthetic


@pytest.fixture(scope="module")
def data() -> Synthetic:
    return synthetic(800, seed=2)


def test_training_set_from_outcome_column(data: Synthetic) -> None:
    training = training_set(data.leads_with_outcome(), outcome_column="converted")
    assert training.positives == int(data.y.sum())
    assert list(training.features.columns) == ["employees", "industry", "country"]
    assert {"lead_id", "converted"} <= set(training.excluded)


def test_training_set_with_events_adds_event_features(data: Synthetic) -> None:
    training = training_set(data.leads_with_outcome(), outcome_column="converted", events=data.events, as_of=AS_OF)
    assert "event_count[page_view]" in training.features.columns
    assert "event_days_since[email_open]" in training.features.columns
    assert training.as_of == AS_OF


def test_outcome_rows_make_positives_and_unknown_leads_warn(data: Synthetic) -> None:
    converted = data.leads.loc[data.y == 1, "lead_id"]
    outcomes = pd.DataFrame({"lead_id": [*converted, "nobody-1", "nobody-2"], "outcome": "won"})
    with pytest.warns(LearnWarning, match=r"2 outcome rows \(2 lead ids\) are for leads not in the leads"):
        training = training_set(data.leads, outcomes=outcomes)
    assert np.array_equal(training.target, data.y)


def test_positive_filters_outcome_values(data: Synthetic) -> None:
    ids = list(data.leads["lead_id"])
    outcomes = pd.DataFrame({"lead_id": ids[:60] + ids[60:200], "outcome": ["won"] * 60 + ["lost"] * 140})
    training = training_set(data.leads, outcomes=outcomes, positive=["won"])
    assert training.positives == 60


def test_outcomes_before_as_of_leave_the_lead_out(data: Synthetic) -> None:
    ids = list(data.leads["lead_id"])
    before = ["2026-02-01T00:00:00Z"] * 10
    after = ["2026-04-01T00:00:00Z"] * 50
    outcomes = pd.DataFrame({"lead_id": ids[:60], "outcome": "won", "timestamp": before + after})
    with pytest.warns(LearnWarning, match="10 leads converted at or before as_of"):
        training = training_set(data.leads, outcomes=outcomes, events=data.events, as_of=AS_OF)
    assert training.positives == 50
    assert len(training.target) == len(ids) - 10


def test_constant_outcome_is_an_error_that_says_what_to_do(data: Synthetic) -> None:
    leads = data.leads.assign(converted=1)
    with pytest.raises(InputError, match=r"every one of the 800 leads converted.*give leads that converted and leads that did not"):
        training_set(leads, outcome_column="converted")


def test_too_few_positives_is_an_error_that_says_what_to_do(data: Synthetic) -> None:
    leads = data.leads.assign(converted=[1] * 12 + [0] * (len(data.leads) - 12))
    with pytest.raises(InputError, match=r"only 12 of 800 leads converted.*at least 20.*longer history"):
        training_set(leads, outcome_column="converted")


def test_missing_outcome_column_is_an_error_naming_the_columns(data: Synthetic) -> None:
    with pytest.raises(InputError, match=r"no outcome column 'won'.*'employees'.*outcome_column, or give outcomes"):
        training_set(data.leads, outcome_column="won")


def test_outcome_column_with_unclear_values_is_an_error(data: Synthetic) -> None:
    leads = data.leads.assign(converted=np.where(data.y == 1, "signed", "maybe"))
    with pytest.raises(InputError, match=r"neither true nor false.*converted with positive"):
        training_set(leads, outcome_column="converted")
    training = training_set(leads, outcome_column="converted", positive=["signed"])
    assert training.positives == int(data.y.sum())


def test_outcomes_and_outcome_column_exclusive(data: Synthetic) -> None:
    with pytest.raises(InputError, match="either"):
        training_set(data.leads)


def test_unknown_excluded_column_is_an_error(data: Synthetic) -> None:
    with pytest.raises(InputError, match=r"^exclude names 'industri'"):
        training_set(data.leads_with_outcome(), outcome_column="converted", exclude=["industri"])


def test_excluded_column_is_never_used_even_when_it_predicts_best(data: Synthetic) -> None:
    leads = data.leads_with_outcome().assign(sales_notes=np.where(data.y == 1, "closed", "no answer"))
    with pytest.warns(LearnWarning, match="'sales_notes' alone ranks the leads.*leave it out with exclude 'sales_notes'$") as caught:
        leaky = learn_scorecard(leads, outcome_column="converted", folds=0)
    assert all(str(w.message).isprintable() for w in caught)  # parameters are shown by name, no markers
    assert "sales_notes" in leaky.columns_used
    result = learn_scorecard(leads, outcome_column="converted", exclude=["sales_notes", "industry"], folds=0)
    card = result.scorecard()
    assert not {"sales_notes", "industry"} & set(card.lead_fields())
    assert "sales_notes" in result.data.excluded and "industry" in result.data.excluded
    assert set(result.columns_used) <= {"employees", "country"}


def test_duplicate_lead_ids_are_an_error(data: Synthetic) -> None:
    leads = pd.concat([data.leads_with_outcome(), data.leads_with_outcome().head(1)])
    with pytest.raises(InputError, match="appears more than once"):
        training_set(leads, outcome_column="converted")


def test_reads_files_by_extension(data: Synthetic, tmp_path: Path) -> None:
    path = tmp_path / "leads.parquet"
    data.leads_with_outcome().to_parquet(path)
    training = training_set(path, outcome_column="converted")
    assert len(training.target) == len(data.leads)
    with pytest.raises(InputError, match="no such file"):
        training_set(tmp_path / "missing.csv", outcome_column="converted")


def test_event_features_count_like_the_engine() -> None:
    events = pd.DataFrame({
        "lead_id": ["a", "a", "a", "a", "b", "zz"],
        "event": ["view", "view", "view", "view", "view", "view"],
        "timestamp": ["2026-02-28T00:00:00", "2026-02-20T00:00:00Z", "2026-02-20T00:00:00Z", "2026-03-05T00:00:00Z",
                      "2026-01-30T00:00:00Z", "2026-02-01T00:00:00Z"],
        "event_id": ["1", "2", "2", "3", None, None],
    })
    features = event_features(events, ["a", "b", "c"], AS_OF)
    # a: event 2 sent twice counts once, event 3 is after as_of; zz is not a lead
    assert features["event_count[view]"].tolist() == [2.0, 1.0, 0.0]
    assert features["event_days_since[view]"].iloc[0] == pytest.approx(1.0)
    assert features["event_days_since[view]"].iloc[1] == pytest.approx(30.0)
    assert np.isnan(features["event_days_since[view]"].iloc[2])


def test_date_columns_are_not_features_and_outcomes_may_use_the_leads_id_name(data: Synthetic) -> None:
    leads = data.leads.rename(columns={"lead_id": "mql_id"}).assign(first_contact="2026-01-05", contacted_at="2026-01-05 10:00:00")
    outcomes = pd.DataFrame({"mql_id": data.leads.loc[data.y == 1, "lead_id"]})
    training = training_set(leads, outcomes=outcomes, id_column="mql_id")
    assert training.positives == int(data.y.sum())
    assert {"first_contact", "contacted_at", "mql_id"} <= set(training.excluded)
    assert "first_contact" not in training.features.columns


def test_the_learning_day_is_a_parameter_not_the_clock(data: Synthetic) -> None:
    from datetime import date

    leads = data.leads_with_outcome()
    undated = learn_scorecard(leads, outcome_column="converted", folds=0).yaml()
    assert undated.startswith(f"# Learned by leadscore learn from {len(leads):,} leads")
    dated = learn_scorecard(leads, outcome_column="converted", folds=0, learned_on=date(2026, 3, 2)).yaml()
    assert dated.startswith("# Learned by leadscore learn on 2026-03-02 from")
    assert dated.split("\n", 1)[1] == undated.split("\n", 1)[1]
