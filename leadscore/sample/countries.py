"""Where leads and accounts are: Spain and Spanish-speaking Latin America, the US, Brazil, Europe..."""

from __future__ import annotations

import numpy as np

# code, share of leads, UTC offset in hours (for business hours), e-mail TLD, language, legal form
COUNTRIES = (
    ("US", 0.21, -5, "com", "en", "Inc."),
    ("ES", 0.13, 1, "es", "es", "S.L."),
    ("MX", 0.12, -6, "com.mx", "es", "S.A. de C.V."),
    ("BR", 0.08, -3, "com.br", "pt", "Ltda."),
    ("AR", 0.06, -3, "com.ar", "es", "S.R.L."),
    ("CO", 0.06, -5, "com.co", "es", "S.A.S."),
    ("CL", 0.04, -4, "cl", "es", "SpA"),
    ("PE", 0.03, -5, "pe", "es", "S.A.C."),
    ("GB", 0.05, 0, "co.uk", "en", "Ltd"),
    ("FR", 0.04, 1, "fr", "en", "SAS"),
    ("DE", 0.04, 1, "de", "en", "GmbH"),
    ("PT", 0.02, 0, "pt", "pt", "Lda."),
    ("IT", 0.02, 1, "it", "en", "S.r.l."),
    ("CA", 0.02, -5, "ca", "en", "Inc."),
    ("IN", 0.03, 5, "in", "en", "Pvt Ltd"),
    ("NL", 0.01, 1, "nl", "en", "B.V."),
    ("UY", 0.01, -3, "com.uy", "es", "S.A."),
    ("EC", 0.01, -5, "com.ec", "es", "S.A."),
)
COUNTRY_CODES = [c[0] for c in COUNTRIES]
LANGUAGES = np.array([c[4] for c in COUNTRIES])
UTC_OFFSETS = np.array([c[2] for c in COUNTRIES])
COUNTRY_SHARES = np.array([c[1] for c in COUNTRIES])
# countries the example scorecard sells to; others convert less
TERRITORY = {"US", "ES", "MX", "AR", "CO", "CL", "PE", "UY", "EC"}
