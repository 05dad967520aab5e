"""leadscore: lead scoring you can read, on the data platform you already have."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from leadscore.compiler import compile_scorecard, compile_sql
from leadscore.engines import connect
from leadscore.errors import EngineError, InputError, LeadscoreError, NotFoundError, ScorecardError, UnsupportedError
from leadscore.scoring import Explanation, LeadScorer, score_leads
from leadscore.spec import Scorecard, load_scorecard, parse_scorecard

try:
    __version__ = version("leadscore")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = [
    "EngineError",
    "Explanation",
    "InputError",
    "LeadScorer",
    "LeadscoreError",
    "NotFoundError",
    "Scorecard",
    "ScorecardError",
    "UnsupportedError",
    "compile_scorecard",
    "compile_sql",
    "connect",
    "load_scorecard",
    "parse_scorecard",
    "score_leads",
]
