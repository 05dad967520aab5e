"""Names from a scorecard reach SQL only as quoted identifiers or escaped literals."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from leadscore import score_leads
from leadscore.spec import scorecard_from_dict

HOSTILE = ["it's", 'say "hi"', "a;DROP TABLE leads;--", "naïve ☃", "x\\y", "%s %(x)s", "$1 ?"]
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


def _card() -> dict:
    return {
        "name": "hostile",
        "fit": {
            "rules": [
                {"name": f"fit {name}", "if": {"field": name, "equals": name}, "points": 10} for name in HOSTILE
            ]
        },
        "engagement": {
            "rules": [
                {"name": f"eng {name}", "event": name, "where": {"field": f"p {name}", "contains": name}, "points": 1, "per": "event"}
                for name in HOSTILE
            ]
        },
        "stages": [{"name": "it's SQL; --", "fired": [f"fit {HOSTILE[0]}"]}, {"name": "lead"}],
        "labels": {'"hot"': ["A1"], "cold": ["*"]},
    }


def _data() -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = pd.DataFrame([{"lead_id": "l'1", **{name: name.upper() for name in HOSTILE}}, {"lead_id": "l2", **dict.fromkeys(HOSTILE, "other")}])
    events = pd.DataFrame(
        [
            {"lead_id": "l'1", "event": name, "timestamp": "2026-05-01T00:00:00Z", **{f"p {n}": f"<{n}>" for n in HOSTILE}}
            for name in HOSTILE
        ]
    )
    return leads.astype(str), events.astype(str)


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_hostile_names_score_correctly(engine: str, request: pytest.FixtureRequest) -> None:
    target = request.getfixturevalue("postgres_url") if engine == "postgres" else "duckdb"
    card = scorecard_from_dict(_card())
    leads, events = _data()
    rows = {r["lead_id"]: r for r in score_leads(card, leads=leads, events=events, as_of=AS_OF, engine=target).to_pylist()}
    first = rows["l'1"]
    for name in HOSTILE:
        assert first[f"fit.fit {name}"] == 10
        assert first[f"engagement.eng {name}"] == 1
    assert first["fit"] == 10 * len(HOSTILE)
    assert first["stage"] == "it's SQL; --"
    assert rows["l2"]["fit"] == 0 and rows["l2"]["stage"] == "lead"
    assert first["label"] == '"hot"'
