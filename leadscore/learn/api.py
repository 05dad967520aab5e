"""One call from data to a learned scorecard with its report: what ``leadscore learn`` runs."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadscore.errors import parameter
from leadscore.learn.evaluate import MODELS, Comparison, cross_validate
from leadscore.learn.export import scorecard_dict, scorecard_yaml
from leadscore.learn.fitter import LearnWarning, ScorecardFitter
from leadscore.learn.training import TrainingSet, leak_suspects, training_set
from leadscore.spec import Scorecard, parse_scorecard

if TYPE_CHECKING:
    from leadscore.engines import Engine


@dataclass
class LearnResult:
    """A fitted scorecard, the data it came from, and how well it ranks leads it has not seen."""

    fitter: ScorecardFitter
    data: TrainingSet
    comparison: Comparison | None
    """Cross-validated ROC AUC of the scorecard and the reference models (None: not run)."""
    leak_suspects: dict[str, float]
    """Columns that alone rank the leads almost perfectly: check that they are known before the outcome."""
    learned_on: date | None = None
    """The day of the learning, shown in the file's header (None: not shown)."""

    @property
    def columns_used(self) -> list[str]:
        """Every column the scorecard reads (event features named ``event_count[T]`` ...)."""
        return list(self.fitter.columns_used_)

    @property
    def columns_unused(self) -> list[str]:
        """Candidate columns that gave no rule."""
        return [c for c in self.data.features.columns if c not in set(self.fitter.columns_used_)]

    def scorecard(self, name: str = "learned") -> Scorecard:
        return self.fitter.to_scorecard(name)

    def yaml(self, name: str = "learned") -> str:
        """The scorecard file: a header of comments (data, columns, metrics), then the scorecard.

        The text is checked by the same loader as every scorecard file before it is returned.
        """
        text = scorecard_yaml(scorecard_dict(self.fitter, name), header=self._header())
        parse_scorecard(text, filename=f"<learned {name}>")
        return text

    def _header(self) -> list[str]:
        data = self.data
        on = f" on {self.learned_on:%Y-%m-%d}" if self.learned_on is not None else ""
        lines = [
            f"Learned by leadscore learn{on} from {len(data.target):,} leads "
            f"({data.positives:,} converted, {data.positives / len(data.target):.1%})"
            + (f", events up to {data.as_of.isoformat()}" if data.as_of else "")
            + ".",
            f"Columns used: {', '.join(self.columns_used) or 'none'}.",
        ]
        if data.excluded:
            lines.append(f"Not used (excluded or not features): {', '.join(data.excluded)}.")
        if self.comparison is not None:
            figures = ", ".join(f"{r.title} {r.auc:.3f}" for r in self.comparison.results.values())
            lines.append(f"ROC AUC, {self.comparison.split}: {figures}.")
        lines.append(
            f"Points: {self.fitter.points_to_double_odds:g} points double the odds; calibration maps a score band "
            "to the conversion observed in it (an addition to contract v1)."
        )
        return lines


def learn_scorecard(
    leads: Any,
    *,
    outcomes: Any = None,
    outcome_column: str | None = None,
    events: Any = None,
    as_of: datetime | str | None = None,
    exclude: Sequence[str] = (),
    id_column: str = "lead_id",
    positive: Sequence[str] | None = None,
    folds: int = 5,
    random_state: int = 0,
    models: Sequence[str] = MODELS,
    learned_on: date | None = None,
    database: str | Path | Engine | None = None,
    **fitter_params: Any,
) -> LearnResult:
    """Learn a scorecard from leads and outcomes, and cross-validate it against reference models.

    Arguments are those of ``training_set`` (the data and the ``database`` that reads
    it), ``cross_validate`` (``folds``,
    ``random_state``, ``models``; ``folds=0`` skips it) and ``ScorecardFitter`` (the rest).
    ``learned_on`` is the day the YAML's header names (the library does not read the clock;
    None: no day).
    Problems with the data raise ``InputError``; doubts are ``LearnWarning`` warnings.
    """
    data = training_set(
        leads, outcomes=outcomes, outcome_column=outcome_column, events=events, as_of=as_of,
        exclude=exclude, id_column=id_column, positive=positive, database=database,
    )
    suspects = leak_suspects(data.features, data.target)
    for column, auc in suspects.items():
        warnings.warn(
            f"column {column!r} alone ranks the leads with ROC AUC {auc:.2f}: if it is filled in after the outcome "
            f"(by sales, at closing), it leaks the answer; leave it out with {parameter('exclude')} {column!r}",
            LearnWarning,
            stacklevel=2,
        )
    fitter = ScorecardFitter(random_state=random_state, **fitter_params)
    fitter.fit(data.features.reset_index(drop=True), data.target)
    comparison = None
    if folds:
        comparison = cross_validate(
            data.features.reset_index(drop=True), data.target, folds=folds, random_state=random_state, fitter=fitter, models=models
        )
    return LearnResult(fitter, data, comparison, suspects, learned_on)
