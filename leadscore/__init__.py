"""leadscore: lead scoring you can read, on the data platform you already have."""

from __future__ import annotations

from leadscore.compiler import compile_scorecard, compile_sql
from leadscore.engines import connect
from leadscore.errors import EngineError, InputError, LeadscoreError, NotFoundError, ScorecardError, UnsupportedError
from leadscore.scoring import Explanation, LeadScorer, score_leads
from leadscore.spec import Scorecard, load_scorecard, parse_scorecard
from leadscore.version import __version__

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
    "__version__",
    "compile_scorecard",
    "compile_sql",
    "connect",
    "load_scorecard",
    "parse_scorecard",
    "score_leads",
]
