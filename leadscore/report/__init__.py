"""Validate scorecards against real outcomes: back-tests, reports, and thresholds from capacity.

    >>> from leadscore.report import backtest, propose_thresholds  # doctest: +SKIP
    >>> report = backtest("card.yaml", leads="leads.csv", events="events.csv", outcomes="outcomes.csv")  # doctest: +SKIP
    >>> report.write_html("report.html")  # doctest: +SKIP
    >>> advice = propose_thresholds("card.yaml", leads="leads.csv", events="events.csv", outcomes="outcomes.csv",
    ...                     capacity="40/week")  # doctest: +SKIP

Needs the ``learn`` extra (scikit-learn, numpy, pandas): ``pip install 'leadscore[learn]'``.
"""

from __future__ import annotations

from leadscore.errors import UnsupportedError

try:
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise UnsupportedError(
        f"back-tests need scikit-learn, numpy and pandas ({exc.name} is missing): pip install 'leadscore[learn]'"
    ) from exc

from leadscore.report.backtest import BacktestReport, backtest
from leadscore.report.sample_outcomes import generate_outcomes, sample_outcomes
from leadscore.report.thresholds import ThresholdAdvice, propose_thresholds

__all__ = ["BacktestReport", "ThresholdAdvice", "backtest", "generate_outcomes", "propose_thresholds", "sample_outcomes"]
