"""The call list: leads ordered by priority (A1 first), then by score."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from leadscore.errors import InputError, parameter

if TYPE_CHECKING:
    from leadscore.spec import Scorecard


def prioritize(
    table: pa.Table,
    card: Scorecard,
    *,
    stages: list[str] | None = None,
    grades: list[str] | None = None,
    labels: list[str] | None = None,
) -> pa.Table:
    """Order scored leads: best grade, then hottest level, then highest score, then lead_id.

    Raises:
        InputError: a stage, grade or label to keep that the scorecard does not have.
    """
    check_filters(card, stages=stages, grades=grades, labels=labels)
    mask = None
    for column, wanted in (("stage", stages), ("grade", grades), ("label", labels)):
        if wanted:
            keep = pc.is_in(table.column(column), value_set=pa.array(wanted, pa.string()))
            keep = pc.fill_null(keep, False)
            mask = keep if mask is None else pc.and_(mask, keep)
    if mask is not None:
        table = table.filter(mask)
    grade_rank = {g: i for i, g in enumerate(card.grade_letters())}
    ranks = pa.array([grade_rank.get(g, len(grade_rank)) for g in table.column("grade").to_pylist()], pa.int32())
    table = table.append_column("__grade_rank", ranks)
    order = pc.sort_indices(
        table,
        sort_keys=[("__grade_rank", "ascending"), ("level", "ascending"), ("score", "descending"), ("lead_id", "ascending")],
    )
    return table.take(order).drop_columns(["__grade_rank"])


def check_filters(
    card: Scorecard, *, stages: list[str] | None = None, grades: list[str] | None = None, labels: list[str] | None = None
) -> None:
    """Refuse a stage, grade or label the scorecard cannot give (the list would be empty), naming
    the ones it can."""
    known = {
        "stages": (stages, list(dict.fromkeys(s.name for s in card.stages)), "stage"),
        "grades": (grades, card.grade_letters(), "grade"),
        "labels": (labels, list(card.labels or {}), "label"),
    }
    for name, (wanted, valid, word) in known.items():
        for value in wanted or []:
            if value not in valid:
                listing = ", ".join(valid) if valid else "none: it has no labels"
                raise InputError(f"{parameter(name)} {value!r}: the scorecard has no such {word}; its {word}s are {listing}")
