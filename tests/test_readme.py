"""The README's quickstart is true: its scorecard loads and scores as its table says."""

from __future__ import annotations

import re
from pathlib import Path

from leadscore import parse_scorecard, score_leads
from tests.conftest import AS_OF, GOLDEN

README = Path(__file__).resolve().parent.parent / "README.md"


def _quickstart_card() -> str:
    text = README.read_text()
    match = re.search(r"```yaml\n# card.yaml\n(.*?)```", text, re.DOTALL)
    assert match, "the README has no quickstart scorecard"
    return match.group(1)


def test_readme_quickstart_scores_as_its_table_says() -> None:
    card = parse_scorecard(_quickstart_card(), filename="README.md")
    case = GOLDEN / "spec-example"
    rows = {r["lead_id"]: r for r in score_leads(card, leads=case / "leads.csv", events=case / "events.csv", as_of=AS_OF).to_pylist()}
    table = README.read_text().split("| lead_id | fit |", 1)[1]
    for lead_id in ("maria", "bob"):
        cells = [c.strip() for c in re.search(rf"\| {lead_id} \|(.*)\n", table).group(1).split("|")]  # type: ignore[union-attr]
        fit, engagement, score, grade, level, priority, stage = cells[:7]
        row = rows[lead_id]
        assert (row["fit"], row["engagement"], row["score"]) == (float(fit), float(engagement), float(score))
        assert (row["grade"], str(row["level"]), row["priority"], row["stage"]) == (grade, level, priority, stage)
