"""ScorecardFitter follows the scikit-learn estimator contract."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from leadscore.learn import ScorecardFitter


# the checks fit on a few dozen rows: the fitter rightly warns that so few positives are mostly noise
@pytest.mark.filterwarnings("ignore::leadscore.learn.LearnWarning")
@parametrize_with_checks([ScorecardFitter(random_state=0)])
def test_scorecard_fitter_is_a_scikit_learn_estimator(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)
