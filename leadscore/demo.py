"""Realistic sample data: leads, accounts and their events, for demos, tests and benchmarks.

The data behaves like a B2B marketing database rather than uniform noise:

- a funnel: most leads are cold (the visit that created them, a page view or two, a few
  e-mail opens), a minority is engaged, few ask for a free consultation or a demo;
- activity comes in bursts: web sessions of several page views within minutes, e-mail
  campaigns sent on a schedule and opened (and sometimes clicked, then browsed) within
  hours by some recipients, webinars with registrations and attendance;
- heavy-tailed activity per lead (the top 1% of leads hold a large share of the events);
- leads go quiet: most stop interacting after a few weeks, some unsubscribe;
- re-sent duplicates: about 0.5% of the events appear twice with the same ``event_id``;
- buying committees: some accounts have several leads, bigger companies more of them;
- realistic mixes of job titles (English, Spanish, Portuguese), countries (Spain and
  Spanish-speaking Latin America, the US, Brazil, Europe...), industries and company sizes,
  with a little of the mess of real data (case, stray spaces, missing values).

Everything is vectorized with numpy (no Python loop per lead or per event), so a million
leads with twenty million events take well under a minute, and deterministic: the same
``seed`` and ``as_of`` give the same tables.

    >>> data = generate_sample(1000, seed=1, as_of=datetime(2025, 6, 30, tzinfo=UTC))
    >>> paths = write_sample(data, "sample", fmt="parquet")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EVENT_TYPES", "FORMS", "SampleData", "generate_sample", "write_sample"]

DAY = 86_400
HOUR = 3_600
TIMESTAMP = pa.timestamp("us", tz="UTC")

# -- reference data -----------------------------------------------------------------------------

# code, share of leads, UTC offset in hours (for business hours), e-mail TLD, language, legal form
_COUNTRIES = (
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
# countries the example scorecard sells to; others convert less
_TERRITORY = {"US", "ES", "MX", "AR", "CO", "CL", "PE", "UY", "EC"}

# display name, share of accounts, effect on buying propensity
_INDUSTRIES = (
    ("Software", 0.13, 0.5),
    ("SaaS", 0.07, 0.6),
    ("IT Services", 0.08, 0.4),
    ("Financial Services", 0.07, 0.3),
    ("Banking", 0.03, 0.2),
    ("E-commerce", 0.05, 0.3),
    ("Retail", 0.07, 0.0),
    ("Manufacturing", 0.09, 0.0),
    ("Education", 0.07, -0.4),
    ("Healthcare", 0.06, 0.0),
    ("Logistics", 0.05, 0.1),
    ("Consulting", 0.06, 0.1),
    ("Marketing Agency", 0.05, 0.2),
    ("Telecommunications", 0.03, 0.3),
    ("Media", 0.03, 0.0),
    ("Real Estate", 0.03, -0.1),
    ("Hospitality", 0.03, -0.2),
    ("Government", 0.02, -0.5),
    ("Non-profit", 0.02, -0.5),
)

# seniority: 3 decision-maker, 2 manager, 1 individual contributor, 0 student / intern
_TITLES = {
    "en": (
        ("CEO", 3, 3), ("Founder", 2, 3), ("Co-Founder", 2, 3), ("Chief Marketing Officer", 1, 3),
        ("Chief Technology Officer", 1, 3), ("VP of Sales", 2, 3), ("VP Marketing", 2, 3),
        ("Director of Marketing", 3, 3), ("Sales Director", 3, 3), ("Head of Growth", 2, 3),
        ("Head of Operations", 1, 3), ("IT Director", 2, 3), ("Managing Director", 1, 3),
        ("Marketing Manager", 8, 2), ("Sales Manager", 6, 2), ("Product Manager", 4, 2),
        ("Operations Manager", 3, 2), ("IT Manager", 3, 2), ("Account Manager", 4, 2),
        ("Project Manager", 3, 2), ("Marketing Specialist", 6, 1), ("Software Engineer", 6, 1),
        ("Data Analyst", 4, 1), ("Sales Representative", 5, 1), ("Business Analyst", 3, 1),
        ("Consultant", 4, 1), ("Designer", 2, 1), ("Developer", 3, 1), ("Customer Success Specialist", 2, 1),
        ("Accountant", 2, 1), ("Content Writer", 2, 1), ("Student", 4, 0), ("Intern", 2, 0),
        ("MBA Student", 1, 0), ("Marketing Intern", 1, 0),
    ),
    "es": (
        ("CEO", 3, 3), ("Director General", 2, 3), ("Gerente General", 2, 3), ("Fundador", 2, 3),
        ("Cofundadora", 1, 3), ("Directora de Marketing", 3, 3), ("Director Comercial", 3, 3),
        ("Director de Tecnología", 1, 3), ("Head of Marketing", 2, 3), ("VP de Ventas", 1, 3),
        ("Gerente de Marketing", 6, 2), ("Gerente Comercial", 5, 2), ("Jefe de Ventas", 4, 2),
        ("Jefa de Proyectos", 3, 2), ("Responsable de Marketing Digital", 4, 2),
        ("Coordinador de Operaciones", 2, 2), ("Product Manager", 2, 2), ("Analista de Datos", 4, 1),
        ("Analista de Marketing", 5, 1), ("Ejecutivo de Cuentas", 5, 1), ("Desarrollador", 4, 1),
        ("Consultor", 4, 1), ("Especialista en Marketing", 4, 1), ("Diseñadora", 2, 1), ("Contador", 2, 1),
        ("Asistente Administrativo", 3, 1), ("Community Manager", 3, 1), ("Estudiante", 5, 0),
        ("Becario", 2, 0), ("Estudiante de MBA", 1, 0), ("Practicante", 2, 0),
    ),
    "pt": (
        ("CEO", 3, 3), ("Fundador", 2, 3), ("Diretor de Marketing", 3, 3), ("Diretora Comercial", 2, 3),
        ("Head de Vendas", 2, 3), ("Gerente de Marketing", 6, 2), ("Gerente de Vendas", 5, 2),
        ("Coordenador de TI", 3, 2), ("Analista de Marketing", 6, 1), ("Desenvolvedor", 4, 1),
        ("Executivo de Contas", 4, 1), ("Consultor", 3, 1), ("Estudante", 4, 0), ("Estagiário", 3, 0),
    ),
}
_SENIORITY_EFFECT = np.array([-0.6, 0.0, 0.35, 0.6])

_FIRST_NAMES = (
    "maria", "jose", "juan", "ana", "carlos", "lucia", "javier", "sofia", "diego", "valentina", "pablo",
    "camila", "andres", "laura", "miguel", "paula", "alejandro", "daniela", "fernando", "carmen", "luis",
    "isabel", "john", "sarah", "michael", "emily", "david", "jessica", "james", "ashley", "robert",
    "jennifer", "joao", "mariana", "pedro", "beatriz", "thomas", "claire", "lukas", "anna", "marco",
    "giulia", "priya", "rahul",
)
_LAST_NAMES = (
    "garcia", "rodriguez", "martinez", "lopez", "gonzalez", "hernandez", "perez", "sanchez", "ramirez",
    "torres", "flores", "rivera", "gomez", "diaz", "morales", "vargas", "castro", "rojas", "munoz",
    "silva", "santos", "oliveira", "souza", "smith", "johnson", "williams", "brown", "jones", "miller",
    "davis", "wilson", "taylor", "martin", "dubois", "muller", "schmidt", "rossi", "bianchi", "sharma",
    "patel", "fernandez", "ruiz", "alvarez", "romero",
)
_PERSONAL_DOMAINS = (
    ("gmail.com", 0.55), ("hotmail.com", 0.14), ("outlook.com", 0.08), ("yahoo.com", 0.07),
    ("hotmail.es", 0.04), ("icloud.com", 0.04), ("yahoo.com.mx", 0.04), ("uol.com.br", 0.04),
)
_ACCOUNT_PREFIXES = (
    "Nova", "Grupo", "Andes", "Atlas", "Blue", "Cumbre", "Delta", "Iberia", "Pampa", "Quantum", "Sol",
    "Terra", "Vertex", "Alto", "Bright", "Pacific", "Norte", "Sur", "Orion", "Zenit", "Lumen", "Mar",
    "Kappa", "Prisma", "Rio", "Verde", "Polar", "Nimbus", "Cobalt", "Aurora",
)
_ACCOUNT_CORES = (
    "Data", "Logistics", "Soluciones", "Labs", "Systems", "Digital", "Capital", "Retail", "Health", "Foods",
    "Media", "Consulting", "Tech", "Energy", "Partners", "Software", "Commerce", "Cloud", "Analytics", "Seguros",
)

# lead source: share, creation form shares (None: no form, e.g. a list import), landing pages
_SOURCES = (
    ("organic_search", 0.26, {"newsletter": 0.50, "ebook": 0.36, "contact": 0.10, "free-consultation": 0.01,
                              "webinar-registration": 0.03}, ("/blog/what-is-lead-scoring", "/blog/mql-vs-sql",
                              "/es/blog/que-es-lead-scoring", "/es/blog/embudo-de-ventas", "/blog/email-benchmarks")),
    ("paid_search", 0.14, {"ebook": 0.55, "contact": 0.25, "free-consultation": 0.04, "newsletter": 0.16},
     ("/product", "/pricing", "/es/precios", "/ebooks/lead-scoring-guide")),
    ("linkedin_ads", 0.12, {"ebook": 0.8, "webinar-registration": 0.2}, ()),
    ("referral", 0.07, {"contact": 0.6, "newsletter": 0.4}, ("/customers", "/")),
    ("direct", 0.08, {"newsletter": 0.62, "contact": 0.35, "free-consultation": 0.03}, ("/",)),
    ("webinar", 0.08, {"webinar-registration": 1.0}, ("/webinars",)),
    ("trade_show", 0.10, {}, ()),
    ("list_import", 0.08, {}, ()),
    ("partner", 0.07, {"contact": 0.5}, ("/partners",)),
)

EVENT_TYPES = (
    "page_view", "email_open", "email_click", "form_submit", "download", "webinar", "demo_request",
    "unsubscribe", "email_send",
)
_EV = {name: i for i, name in enumerate(EVENT_TYPES)}
FORMS = ("newsletter", "ebook", "webinar-registration", "contact", "free-consultation")
_FORM = {name: i for i, name in enumerate(FORMS)}

_BLOG = ("/blog/what-is-lead-scoring", "/blog/mql-vs-sql", "/blog/email-benchmarks", "/blog/sales-handoff",
         "/blog/b2b-funnel-metrics", "/es/blog/que-es-lead-scoring", "/es/blog/embudo-de-ventas",
         "/es/blog/automatizacion-de-marketing")
_EBOOKS = ("/ebooks/lead-scoring-guide", "/ebooks/email-nurturing-playbook", "/ebooks/b2b-benchmarks-2025",
           "/es/ebooks/guia-lead-scoring")
_WEBINAR_TOPICS = ("lead-scoring-101", "mql-to-sql-handoff", "email-nurturing", "predictive-scoring",
                   "account-based-marketing", "marketing-automation-latam")
# site pages: url, weight as the first page of a session, weight inside a session, weight inside a session
# of a lead with buying intent
_PAGES = (
    ("/", 18, 6, 3), ("/pricing", 4, 9, 22), ("/es/precios", 2, 3, 8), ("/product", 8, 12, 14),
    ("/product/integrations", 2, 6, 8), ("/product/analytics", 2, 6, 8), ("/customers", 2, 5, 6),
    ("/case-studies/retail-growth", 1, 3, 5), ("/case-studies/fintech-pipeline", 1, 3, 5),
    ("/docs/getting-started", 2, 4, 5), ("/about", 1, 3, 1), ("/careers", 2, 2, 0.2), ("/contact", 1, 3, 4),
    ("/webinars", 1, 2, 1), ("/partners", 0.5, 1, 1),
    *((url, 40 / len(_BLOG), 14 / len(_BLOG), 4 / len(_BLOG)) for url in _BLOG),
    *((url, 6 / len(_EBOOKS), 4 / len(_EBOOKS), 2 / len(_EBOOKS)) for url in _EBOOKS),
)
# share of a day's activity per local hour (business hours, a lunch dip, some evenings)
_HOURS = np.array([0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 3.5, 6.0, 7.0, 7.0, 6.0, 4.5, 5.5, 6.5, 6.5,
                   5.5, 4.0, 3.0, 2.5, 2.0, 1.2, 0.6])


@dataclass(frozen=True)
class SampleData:
    """Generated leads, accounts and events (pyarrow Tables) and the time they were generated at."""

    leads: pa.Table
    accounts: pa.Table
    events: pa.Table
    as_of: datetime
    seed: int = 7
    campaigns: pa.Table = field(default_factory=lambda: pa.table({}))

    def summary(self) -> dict[str, float]:
        """A few figures that describe the data (counts, events per lead, funnel shares)."""
        n = self.leads.num_rows
        events = self.events
        lead = pc.index_in(events["lead_id"], self.leads["lead_id"]).to_numpy(zero_copy_only=False)
        per_lead = np.bincount(lead, minlength=n) if n else np.zeros(0, dtype=np.int64)
        kind = events["event"]

        def share(mask: pa.ChunkedArray) -> float:
            hit = np.zeros(n, dtype=bool)
            hit[lead[pc.fill_null(mask, False).to_numpy(zero_copy_only=False)]] = True
            return float(hit.mean()) if n else 0.0

        top = np.sort(per_lead)[::-1][: max(1, n // 100)].sum() if n else 0
        return {
            "leads": n,
            "accounts": self.accounts.num_rows,
            "events": events.num_rows,
            "duplicate_events": events.num_rows - _distinct_ids(events["event_id"]),
            "events_per_lead_mean": float(per_lead.mean()) if n else 0.0,
            "events_per_lead_median": float(np.median(per_lead)) if n else 0.0,
            "events_per_lead_p99": float(np.percentile(per_lead, 99)) if n else 0.0,
            "top_1pct_event_share": float(top / max(1, per_lead.sum())),
            "consultation_share": share(pc.and_(pc.equal(kind, "form_submit"), pc.equal(events["form"], "free-consultation"))),
            "demo_share": share(pc.equal(kind, "demo_request")),
            "unsubscribe_share": share(pc.equal(kind, "unsubscribe")),
        }


# -- small helpers ------------------------------------------------------------------------------


def _distinct_ids(ids: pa.ChunkedArray) -> int:
    """Distinct ids; fast for the generated ``E000000123`` form (hashing 20M strings is slow)."""
    try:
        numbers = pc.cast(pc.utf8_slice_codeunits(ids, 1), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pc.count_distinct(ids).as_py()
    numbers = np.sort(numbers)
    return int(len(numbers) > 0) + int(np.count_nonzero(numbers[1:] != numbers[:-1]))


def _draw(rng: np.random.Generator, weights: np.ndarray | list[float] | tuple[float, ...], n: int) -> np.ndarray:
    """``n`` indices drawn with probabilities proportional to ``weights``."""
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    idx = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return np.minimum(idx, len(cdf) - 1)


def _strings(values: tuple[str | None, ...] | list[str | None], idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as a pyarrow string array; a negative index gives null."""
    dictionary = pa.array(list(values), type=pa.string())
    idx = np.asarray(idx)
    mask = idx < 0
    indices = pa.array(np.where(mask, 0, idx).astype(np.int32), mask=mask if mask.any() else None)
    return dictionary.take(indices)


def _ids(prefix: str, numbers: np.ndarray, width: int = 0) -> pa.Array:
    text = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    if width:
        text = pc.utf8_lpad(text, width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows with ``counts[i]`` items each: (row of each item, starts[row] + position in row)."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    position = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    return rows, np.asarray(starts, dtype=np.int64)[rows] + position


class _Events:
    """Accumulates event columns as compact numpy blocks; codes index EVENT_TYPES, FORMS, urls, campaigns."""

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def add(self, lead, ts, event, *, url=-1, form=-1, campaign=-1, percent=-1) -> None:
        lead = np.asarray(lead, dtype=np.int32)
        n = len(lead)
        if n == 0:
            return

        def col(value, dtype):
            arr = np.asarray(value, dtype=dtype)
            return np.full(n, arr, dtype=dtype) if arr.ndim == 0 else arr

        self.blocks.append((lead, col(ts, np.int64), col(event, np.int8), col(url, np.int16), col(form, np.int8),
                            col(campaign, np.int16), col(percent, np.int16)))

    def columns(self) -> tuple[np.ndarray, ...]:
        if not self.blocks:
            return tuple(np.zeros(0, dtype=t) for t in (np.int32, np.int64, np.int8, np.int16, np.int8, np.int16, np.int16))
        return tuple(np.concatenate([b[i] for b in self.blocks]) for i in range(7))


class _Calendar:
    """Turns instants into plausible local business-hour times (weekdays, office hours)."""

    def __init__(self, rng: np.random.Generator, tz_hours: np.ndarray) -> None:
        self.rng = rng
        self.tz = tz_hours.astype(np.int64) * HOUR  # per lead

    def snap(self, lead: np.ndarray, ts: np.ndarray, *, weekend_kept: float = 0.35) -> np.ndarray:
        """Move each instant to a business-like hour of its local day; most weekend ones to a weekday of the next week."""
        rng = self.rng
        tz = self.tz[lead]
        local = ts + tz
        day = local // DAY
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        move = (weekday >= 5) & (rng.random(len(ts)) > weekend_kept)
        day = day + np.where(move, 7 - weekday + rng.integers(0, 5, len(ts)), 0)  # to a day of the next week
        seconds = _draw(rng, _HOURS, len(ts)) * HOUR + rng.integers(0, HOUR, len(ts))
        return day * DAY + seconds - tz


# -- the generator ------------------------------------------------------------------------------


def generate_sample(
    n_leads: int = 5000,
    *,
    seed: int = 7,
    as_of: datetime | None = None,
    days: int = 180,
    events_per_lead_mean: float | None = 20.0,
    duplicate_rate: float = 0.005,
    email_sends: bool = False,
) -> SampleData:
    """Generate ``n_leads`` leads, their accounts and ``days`` days of their events up to ``as_of``.

    Args:
        n_leads: number of leads; about 0.43 accounts per lead are made.
        seed: the random seed; the same seed and ``as_of`` give the same tables.
        as_of: the end of the history (no event is later); default: today, 00:00 UTC.
            A naive datetime is taken as UTC.
        days: how far back leads were created and events go.
        events_per_lead_mean: the mean number of events per lead to aim for, approximately: web
            sessions are scaled to reach it; e-mail, forms and webinars are not, so a target below
            about 7 is not reached. ``None``: the model's own volume (about 13 per lead).
        duplicate_rate: the share of events re-sent a second time with the same ``event_id``.
        email_sends: also emit an ``email_send`` event for every campaign e-mail delivered
            (many more rows: about 25 per lead over 180 days).

    Returns:
        SampleData with ``leads`` (lead_id, created_at, account_id, email, job_title, country,
        source), ``accounts`` (account_id, name, employees, industry, country) and ``events``
        (event_id, lead_id, event, timestamp, form, url, campaign, percent), sorted about by time.
    """
    if n_leads < 0:
        raise ValueError("n_leads must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    if as_of is None:
        as_of = default_as_of()
    elif as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    as_of = as_of.astimezone(UTC)
    end = int(np.floor(as_of.timestamp()))
    start = end - days * DAY
    rng = np.random.default_rng(seed)
    n = n_leads

    # -- accounts -------------------------------------------------------------------------------
    with_account = rng.random(n) < 0.78
    n_with = int(with_account.sum())
    n_acc = max(1, round(n_with * 0.55)) if n_with else 0
    country_share = np.array([c[1] for c in _COUNTRIES])
    acc_country = _draw(rng, country_share, n_acc)
    employees = np.clip(np.round(rng.lognormal(np.log(45), 1.7, n_acc)), 1, 300_000).astype(np.int64)
    employees_missing = rng.random(n_acc) < 0.04
    acc_industry = _draw(rng, [i[1] for i in _INDUSTRIES], n_acc)
    acc_industry = np.where(rng.random(n_acc) < 0.04, -1, acc_industry)
    prefix = rng.integers(0, len(_ACCOUNT_PREFIXES), n_acc)
    core = rng.integers(0, len(_ACCOUNT_CORES), n_acc)

    # each account gets one lead, the other leads go to accounts in proportion to a heavy-tailed
    # weight that grows with company size: big companies bring buying committees
    lead_account = np.full(n, -1, dtype=np.int64)
    with_idx = np.flatnonzero(with_account)
    rng.shuffle(with_idx)
    lead_account[with_idx[:n_acc]] = np.arange(n_acc)
    if n_with > n_acc:
        weight = employees.astype(float) ** 0.3 * (rng.pareto(2.2, n_acc) + 0.3)
        lead_account[with_idx[n_acc:]] = _draw(rng, weight, n_with - n_acc)

    # -- leads: who they are ----------------------------------------------------------------------
    own_country = _draw(rng, country_share, n)
    lead_country = np.where((lead_account >= 0) & (rng.random(n) < 0.88), acc_country[np.maximum(lead_account, 0)], own_country)
    country_missing = rng.random(n) < 0.04
    languages = np.array([c[4] for c in _COUNTRIES])
    lead_lang = languages[lead_country]
    title_text: list[str] = []
    title_seniority: list[int] = []
    title_idx = np.zeros(n, dtype=np.int64)
    for lang, titles in _TITLES.items():
        rows = np.flatnonzero(lead_lang == lang)
        offset = len(title_text)
        title_idx[rows] = offset + _draw(rng, [t[1] for t in titles], len(rows))
        title_text += [t[0] for t in titles]
        title_seniority += [t[2] for t in titles]
    seniority = np.array(title_seniority)[title_idx]
    title_missing = rng.random(n) < 0.07

    # fit: what makes a lead likely to buy (the scorecard has to discover it)
    acc_safe = np.maximum(lead_account, 0)
    has_acc = lead_account >= 0
    emp = np.where(has_acc & ~employees_missing[acc_safe], employees[acc_safe], 0)
    size_effect = np.select([emp == 0, emp < 10, emp <= 50, emp <= 1000], [-0.2, -0.4, 0.0, 0.4], 0.2)
    ind_effect = np.array([i[2] for i in _INDUSTRIES] + [0.0])[np.where(has_acc, acc_industry[acc_safe], -1)]
    territory = np.isin(np.array([c[0] for c in _COUNTRIES])[lead_country], list(_TERRITORY))
    fit = _SENIORITY_EFFECT[seniority] + size_effect + ind_effect + np.where(territory, 0.2, -0.4)

    # engagement propensity: heavy-tailed, a little correlated with fit
    z = rng.standard_normal(n) + 0.35 * fit

    # -- leads: when they arrived and how long they stay interested -----------------------------
    source_idx = _draw(rng, [s[1] for s in _SOURCES], n)
    created = start + (days * DAY * rng.random(n) ** (1 / 1.25)).astype(np.int64)  # more leads lately
    tz = np.array([c[2] for c in _COUNTRIES])[lead_country]
    calendar = _Calendar(rng, tz)
    created = calendar.snap(np.arange(n), created, weekend_kept=0.2)
    for name, day_fraction in (("trade_show", (0.15, 0.5, 0.82)), ("list_import", (0.3, 0.7))):
        rows = np.flatnonzero(source_idx == [s[0] for s in _SOURCES].index(name))
        batch = np.array([start + int(days * DAY * f) + 9 * HOUR for f in day_fraction])
        created[rows] = batch[rng.integers(0, len(batch), len(rows))] + rng.integers(0, 2 * HOUR, len(rows))
    created = np.where(created > end, created - 7 * DAY, created)  # moved past as_of: the week before
    created = np.clip(created, start, end)
    # most leads stop interacting after a few weeks; about a fifth stay interested
    lifetime = rng.exponential(35 * DAY * np.exp(0.3 * z))
    lifetime = np.where(rng.random(n) < 0.2, np.inf, lifetime)
    active_end = np.minimum(created + np.minimum(lifetime, 10 * 365 * DAY).astype(np.int64), end)
    active_span = (active_end - created).astype(np.float64)

    ev = _Events()
    urls: list[str] = [p[0] for p in _PAGES]
    url_code = {u: i for i, u in enumerate(urls)}

    def url_of(u: str) -> int:
        if u not in url_code:
            url_code[u] = len(urls)
            urls.append(u)
        return url_code[u]

    # -- the campaign calendar -----------------------------------------------------------------
    campaigns: list[tuple[int, str, int]] = []  # send time, name, landing url code
    webinars: list[tuple[int, str, int]] = []  # time, name, page url code
    first_day = start // DAY
    for i, day in enumerate(range(first_day - 30, end // DAY + 30)):
        date = datetime.fromtimestamp(day * DAY, UTC)
        weekday = date.weekday()
        if weekday == 1:  # weekly newsletter, Tuesdays 14:00 UTC
            campaigns.append((day * DAY + 14 * HOUR, f"newsletter-{date:%Y-%m-%d}", url_of(_BLOG[i % len(_BLOG)])))
        if weekday == 3 and date.day <= 7:  # monthly product update, first Thursday
            campaigns.append((day * DAY + 15 * HOUR, f"product-update-{date:%Y-%m}", url_of("/product")))
        if weekday == 2 and 15 <= date.day <= 21:  # monthly webinar, third Wednesday 16:00 UTC
            topic = _WEBINAR_TOPICS[len(webinars) % len(_WEBINAR_TOPICS)]
            name = f"webinar-{topic}-{date:%Y-%m}"
            page = url_of(f"/webinars/{topic}")
            webinars.append((day * DAY + 16 * HOUR, name, page))
            campaigns.append((day * DAY - 9 * DAY + 13 * HOUR, f"invite-{name}", page))
            campaigns.append((day * DAY - 2 * DAY + 13 * HOUR, f"reminder-{name}", page))
        if date.day == 10 and date.month % 3 == 0:  # quarterly offer
            campaigns.append((day * DAY + 10 * HOUR, f"offer-annual-plan-{date:%Y}-q{(date.month - 1) // 3 + 1}", url_of("/pricing")))
    campaigns = sorted(c for c in campaigns if start <= c[0] <= end)
    webinars = [w for w in webinars if w[0] >= start]
    campaign_names = [c[1] for c in campaigns] + [w[1] for w in webinars]
    send_ts = np.array([c[0] for c in campaigns], dtype=np.int64)
    send_url = np.array([c[2] for c in campaigns], dtype=np.int64)
    n_camp = len(campaigns)

    # -- creation: the form (or import) that made the lead ------------------------------------------
    for s, (_name, _share, forms, landings) in enumerate(_SOURCES):
        rows = np.flatnonzero(source_idx == s)
        if not len(rows) or not forms:
            continue
        form_names = list(forms)
        shares = np.array([forms[f] for f in form_names])
        pick = _draw(rng, [*shares, max(0.0, 1 - shares.sum())], len(rows))
        has_form = pick < len(form_names)
        rows, pick = rows[has_form], pick[has_form]
        form = np.array([_FORM[f] for f in form_names])[pick]
        t = created[rows]
        campaign = np.full(len(rows), -1)
        webinar_rows = form == _FORM["webinar-registration"]
        if webinars and webinar_rows.any():
            w_ts = np.array([w[0] for w in webinars])
            nxt = np.searchsorted(w_ts, t[webinar_rows])
            campaign[webinar_rows] = np.where(nxt < len(webinars), n_camp + np.minimum(nxt, len(webinars) - 1), -1)
        if landings:
            landing = np.array([url_of(u) for u in landings])[rng.integers(0, len(landings), len(rows))]
            consult = form == _FORM["free-consultation"]
            landing = np.where(consult, url_of("/free-consultation"), landing)
            ev.add(rows, t - rng.integers(40, 600, len(rows)), _EV["page_view"], url=landing)
        ev.add(rows, t, _EV["form_submit"], form=form, campaign=campaign)
        ebook = form == _FORM["ebook"]
        ev.add(rows[ebook], t[ebook] + rng.integers(2, 30, int(ebook.sum())), _EV["download"],
               url=np.array([url_of(u + ".pdf") for u in _EBOOKS])[rng.integers(0, len(_EBOOKS), int(ebook.sum()))])

    # -- e-mail: campaigns received, opened, clicked; unsubscribes --------------------------------
    first = np.searchsorted(send_ts, created, side="right")
    last = np.full(n, n_camp)  # exclusive
    received = last - first
    p_unsub = np.clip(0.06 * np.exp(-0.4 * z), 0, 0.3)
    unsub = (received > 0) & (rng.random(n) < p_unsub)
    unsub_rows = np.flatnonzero(unsub)
    unsub_camp = first[unsub_rows] + (rng.random(len(unsub_rows)) * received[unsub_rows]).astype(np.int64)
    last[unsub_rows] = unsub_camp + 1
    active_last = np.clip(np.searchsorted(send_ts, active_end, side="right"), first, last)
    p_open = _sigmoid(-1.9 + 0.9 * z + 0.8 * rng.standard_normal(n))
    p_click = _sigmoid(-2.6 + 0.6 * z)

    def opens(lo: np.ndarray, hi: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = hi - lo
        count = rng.binomial(np.maximum(k, 0), p)
        lead, _ = _expand(np.zeros(n, dtype=np.int64), count)
        camp = lo[lead] + (rng.random(len(lead)) * k[lead]).astype(np.int64)
        return lead, camp

    lead_a, camp_a = opens(first, active_last, p_open)
    lead_d, camp_d = opens(active_last, last, p_open * 0.06)  # gone quiet: rarely opens any more
    open_lead = np.concatenate([lead_a, lead_d])
    open_camp = np.concatenate([camp_a, camp_d])
    open_ts = send_ts[open_camp] + 60 + np.minimum(rng.lognormal(np.log(2.5 * HOUR), 1.4, len(open_lead)), 20 * DAY).astype(np.int64)
    # the unsubscribe: the e-mail is opened, then the unsubscribe link
    u_ts = send_ts[unsub_camp] + np.minimum(rng.lognormal(np.log(3 * HOUR), 1.2, len(unsub_rows)), 10 * DAY).astype(np.int64)
    open_lead = np.concatenate([open_lead, unsub_rows])
    open_camp = np.concatenate([open_camp, unsub_camp])
    open_ts = np.concatenate([open_ts, u_ts - rng.integers(10, 120, len(unsub_rows))])
    ev.add(open_lead, open_ts, _EV["email_open"], campaign=open_camp)
    ev.add(unsub_rows, u_ts, _EV["unsubscribe"], campaign=unsub_camp)
    if email_sends:
        send_lead, send_camp = _expand(first, np.maximum(last - first, 0))
        ev.add(send_lead, send_ts[send_camp] + rng.integers(0, 60, len(send_lead)), _EV["email_send"], campaign=send_camp)

    clicked = rng.random(len(open_lead)) < p_click[open_lead]
    click_lead, click_camp = open_lead[clicked], open_camp[clicked]
    click_ts = open_ts[clicked] + rng.lognormal(np.log(25), 0.8, len(click_lead)).astype(np.int64) + 1
    ev.add(click_lead, click_ts, _EV["email_click"], url=send_url[click_camp], campaign=click_camp)

    # -- web sessions -------------------------------------------------------------------------------
    intent = z > 1.2  # leads that are shopping around: more pages, more pricing
    p_pages = np.where(intent, 0.28, 0.45)
    landing_w = np.array([p[1] for p in _PAGES])
    inner_w = np.array([p[2] for p in _PAGES])
    intent_w = np.array([p[3] for p in _PAGES])

    def sessions(lead: np.ndarray, t0: np.ndarray, first_url: np.ndarray | None) -> None:
        pages = rng.geometric(p_pages[lead])
        rows, _ = _expand(np.zeros(len(lead), dtype=np.int64), pages)
        starts = np.cumsum(pages) - pages
        gaps = np.minimum(rng.lognormal(np.log(40), 1.0, len(rows)), 900)
        gaps[starts] = 0
        elapsed = np.cumsum(gaps)
        elapsed -= np.repeat(elapsed[starts], pages)
        ts = t0[rows] + elapsed.astype(np.int64)
        is_intent = intent[lead[rows]]
        url = _draw(rng, inner_w, len(rows))
        url[is_intent] = _draw(rng, intent_w, int(is_intent.sum()))
        head = first_url if first_url is not None else _draw(rng, landing_w, len(lead))
        url[starts] = head
        ev.add(lead[rows], ts, _EV["page_view"], url=url)

    # a click on an e-mail usually opens a short visit
    follow = rng.random(len(click_lead)) < 0.75
    sessions(click_lead[follow], click_ts[follow] + 3, send_url[click_camp[follow]])

    # forms and conversions during the lead's interested period
    def moments(rows: np.ndarray, shape: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
        t = calendar.snap(rows, created[rows] + (active_span[rows] * rng.beta(*shape, len(rows))).astype(np.int64))
        return np.maximum(t, created[rows] + 20 * 60)  # the page views before it come after the lead's creation

    def interested(p: np.ndarray) -> np.ndarray:
        return np.flatnonzero(rng.random(n) < np.clip(p, 0, 1))

    # free consultation: the hand-raisers (pricing → form)
    rows = interested(_sigmoid(-5.2 + 1.0 * z + 0.8 * fit))
    t = moments(rows, (2.0, 1.3))
    ev.add(rows, t - rng.integers(180, 900, len(rows)), _EV["page_view"], url=url_of("/pricing"))
    ev.add(rows, t - rng.integers(30, 170, len(rows)), _EV["page_view"], url=url_of("/free-consultation"))
    ev.add(rows, t, _EV["form_submit"], form=_FORM["free-consultation"])
    # demo requests
    rows = interested(_sigmoid(-5.4 + 1.0 * z + 0.9 * fit))
    t = moments(rows, (2.0, 1.3))
    ev.add(rows, t - rng.integers(180, 900, len(rows)), _EV["page_view"], url=url_of("/pricing"))
    ev.add(rows, t - rng.integers(30, 170, len(rows)), _EV["page_view"], url=url_of("/demo"))
    ev.add(rows, t, _EV["demo_request"], url=url_of("/demo"))
    # newsletter subscriptions after the lead was created
    rows = interested(0.05 * np.exp(0.5 * z))
    t = moments(rows)
    ev.add(rows, t - rng.integers(30, 400, len(rows)), _EV["page_view"], url=np.array([url_of(u) for u in _BLOG])[rng.integers(0, len(_BLOG), len(rows))])
    ev.add(rows, t, _EV["form_submit"], form=_FORM["newsletter"])
    # gated content: page, form, download
    count = rng.poisson(np.clip(0.12 * np.exp(0.7 * z), 0, 5))
    rows, _ = _expand(np.zeros(n, dtype=np.int64), count)
    t = moments(rows)
    book = rng.integers(0, len(_EBOOKS), len(rows))
    ev.add(rows, t - rng.integers(30, 300, len(rows)), _EV["page_view"], url=np.array([url_of(u) for u in _EBOOKS])[book])
    ev.add(rows, t, _EV["form_submit"], form=_FORM["ebook"])
    ev.add(rows, t + rng.integers(2, 30, len(rows)), _EV["download"], url=np.array([url_of(u + ".pdf") for u in _EBOOKS])[book])
    # webinars: register a few days before, about half attend, for part of the hour
    for w, (w_ts, _name, page) in enumerate(webinars):
        reg_ts = w_ts - rng.integers(HOUR, 10 * DAY, n)
        alive = (created < reg_ts) & (reg_ts <= end)
        p = np.where(reg_ts <= active_end, 0.035 * np.exp(0.7 * z), 0.002)
        rows = np.flatnonzero(alive & (rng.random(n) < np.clip(p, 0, 0.8)))
        ev.add(rows, reg_ts[rows] - rng.integers(20, 200, len(rows)), _EV["page_view"], url=page)
        ev.add(rows, reg_ts[rows], _EV["form_submit"], form=_FORM["webinar-registration"], campaign=n_camp + w, url=page)
        if w_ts + HOUR <= end:
            rows = rows[rng.random(len(rows)) < 0.55]
            percent = np.clip(np.round(rng.beta(2.2, 1.3, len(rows)) * 100), 3, 100)
            ev.add(rows, w_ts + rng.integers(0, 15 * 60, len(rows)), _EV["webinar"], campaign=n_camp + w, percent=percent)

    # background browsing: sessions spread over the interested period, front-loaded; the rate is
    # heavy-tailed and scaled so that the events per lead reach the requested mean
    fixed = sum(len(block[0]) for block in ev.blocks)
    rate = np.exp(1.5 * z)  # sessions per active day, before scaling
    exposure = rate * (active_span / DAY + 0.5)
    pages_per_session = 1.0 / p_pages
    base = 0.012
    if events_per_lead_mean is not None and n:
        need = events_per_lead_mean * n - fixed
        base = max(0.002, need / max(1e-9, float((exposure * pages_per_session).sum())))
    lam = np.minimum(base * exposure, 4.0 * (active_span / DAY + 1))
    count = rng.poisson(lam)
    rows, _ = _expand(np.zeros(n, dtype=np.int64), count)
    t0 = created[rows] + (active_span[rows] * rng.random(len(rows)) ** 1.6).astype(np.int64)
    sessions(rows, np.maximum(calendar.snap(rows, t0, weekend_kept=0.4), created[rows] + 60), None)

    # -- assemble -----------------------------------------------------------------------------------
    lead, ts, etype, url, form, campaign, percent = ev.columns()
    keep = ts <= end
    lead, ts, etype, url, form, campaign, percent = (a[keep] for a in (lead, ts, etype, url, form, campaign, percent))
    order = np.argsort(ts, kind="stable")
    lead, ts, etype, url, form, campaign, percent = (a[order] for a in (lead, ts, etype, url, form, campaign, percent))
    m = len(ts)
    event_num = np.arange(1, m + 1, dtype=np.int64)
    # re-sent events: the same row again, a little later in the file, with the same event_id
    dup = np.flatnonzero(rng.random(m) < duplicate_rate)
    if len(dup):
        position = np.concatenate([np.arange(m) * 2, np.minimum(dup + rng.integers(1, 2000, len(dup)), m - 1) * 2 + 1])
        take = np.concatenate([np.arange(m), dup])[np.argsort(position, kind="stable")]
        lead, ts, etype, url, form, campaign, percent, event_num = (
            a[take] for a in (lead, ts, etype, url, form, campaign, percent, event_num)
        )

    lead_ids = _ids("L", np.arange(1, n + 1), 7)
    account_ids = _ids("A", np.arange(1, n_acc + 1), 6)
    events = pa.table({
        "event_id": _ids("E", event_num, 9),
        "lead_id": lead_ids.take(pa.array(lead)),
        "event": _strings(EVENT_TYPES, etype),
        "timestamp": pa.array(ts * 1_000_000, type=TIMESTAMP),
        "form": _strings(FORMS, form),
        "url": _strings(urls, url),
        "campaign": _strings(campaign_names, campaign),
        "percent": pa.array(percent.astype(np.int64), mask=percent < 0),
    })

    country_codes = [c[0] for c in _COUNTRIES]
    legal = np.array([c[5] for c in _COUNTRIES])
    acc_names = pc.binary_join_element_wise(
        _strings(_ACCOUNT_PREFIXES, prefix), _strings(_ACCOUNT_CORES, core), pa.array(legal[acc_country]), " "
    )
    accounts = pa.table({
        "account_id": account_ids,
        "name": acc_names,
        "employees": pa.array(employees, mask=employees_missing),
        "industry": _strings([i[0] for i in _INDUSTRIES], acc_industry),
        "country": _strings(country_codes, acc_country),
    })

    leads = pa.table({
        "lead_id": lead_ids,
        "created_at": pa.array(created * 1_000_000, type=TIMESTAMP),
        "account_id": account_ids.take(pa.array(np.maximum(lead_account, 0), mask=lead_account < 0)) if n_acc else pa.nulls(n, pa.string()),
        "email": _emails(rng, n, lead_account, prefix, core, acc_country),
        "job_title": _messy(rng, _strings(title_text, np.where(title_missing, -1, title_idx))),
        "country": _messy(rng, _strings(country_codes, np.where(country_missing, -1, lead_country)), whitespace=0.005, lower=0.01),
        "source": _strings([s[0] for s in _SOURCES], source_idx),
    })
    campaign_table = pa.table({
        "campaign": pa.array(campaign_names, pa.string()),
        "sent_at": pa.array(np.array([c[0] for c in campaigns] + [w[0] for w in webinars], dtype=np.int64) * 1_000_000, type=TIMESTAMP),
        "kind": pa.array(["email"] * n_camp + ["webinar"] * len(webinars), pa.string()),
    })
    return SampleData(leads=leads, accounts=accounts, events=events, as_of=as_of, seed=seed, campaigns=campaign_table)


def _emails(rng, n, lead_account, prefix, core, acc_country) -> pa.Array:
    """first.last@company domain for most account leads, a personal address for the others."""
    first = _strings(_FIRST_NAMES, rng.integers(0, len(_FIRST_NAMES), n))
    last = _strings(_LAST_NAMES, rng.integers(0, len(_LAST_NAMES), n))
    personal_domain = _strings([d[0] for d in _PERSONAL_DOMAINS], _draw(rng, [d[1] for d in _PERSONAL_DOMAINS], n))
    use_company = (lead_account >= 0) & (rng.random(n) < 0.85)
    if len(prefix):
        acc = np.maximum(lead_account, 0)
        slug = pc.utf8_lower(pc.binary_join_element_wise(_strings(_ACCOUNT_PREFIXES, prefix[acc]),
                                                         _strings(_ACCOUNT_CORES, core[acc]), ""))
        tld = _strings([c[3] for c in _COUNTRIES], acc_country[acc])
        domain = pc.if_else(pa.array(use_company), pc.binary_join_element_wise(slug, tld, "."), personal_domain)
    else:
        domain = personal_domain
    digits = pa.array(rng.integers(1, 99, n)).cast(pa.string())
    local_personal = pc.binary_join_element_wise(first, last, digits, "")
    local_company = pc.binary_join_element_wise(first, last, ".")
    local = pc.if_else(pa.array(use_company | (rng.random(n) < 0.4)), local_company, local_personal)
    email = pc.binary_join_element_wise(local, domain, "@")
    return pc.if_else(pa.array(rng.random(n) < 0.02), pa.nulls(n, pa.string()), email)


def _messy(rng, values: pa.Array, *, whitespace: float = 0.02, lower: float = 0.03, upper: float = 0.01) -> pa.Array:
    """A little of the mess of real CRM data: stray spaces, lower or upper case."""
    n = len(values)
    u = rng.random(n)
    out = pc.if_else(pa.array(u < lower), pc.utf8_lower(values), values)
    out = pc.if_else(pa.array((u >= lower) & (u < lower + upper)), pc.utf8_upper(values), out)
    spaced = pc.binary_join_element_wise(" ", out, " ", "")
    return pc.if_else(pa.array(rng.random(n) < whitespace), spaced, out)


# -- writing ----------------------------------------------------------------------------------------


def write_sample(data: SampleData, directory: str | Path, fmt: str = "csv") -> dict[str, Path]:
    """Write ``leads``, ``accounts`` and ``events`` to ``directory`` as ``csv``, ``parquet`` or ``jsonl``.

    Timestamps are written as ISO-8601 UTC (``2025-06-30T14:03:12Z``) in CSV and JSON Lines.
    Returns the paths by table name.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in ("csv", "parquet", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}: use csv, parquet or jsonl")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in ("leads", "accounts", "events"):
        table: pa.Table = getattr(data, name)
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, path)
        elif fmt == "csv":
            import pyarrow.csv as pcsv

            pcsv.write_csv(_iso_times(table), path)
        else:
            _write_jsonl(_iso_times(table), path)
        paths[name] = path
    return paths


def _iso_times(table: pa.Table) -> pa.Table:
    for i, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            text = pc.strftime(table.column(i).cast(pa.timestamp("s", tz="UTC")), "%Y-%m-%dT%H:%M:%SZ")
            table = table.set_column(i, column.name, text)
    return table


def _json_value(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        escaped = column
        for raw, quoted in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            escaped = pc.replace_substring(escaped, raw, quoted)
        text = pc.binary_join_element_wise('"', escaped, '"', "")
    else:
        text = column.cast(pa.string())
    return pc.fill_null(text, "null")


def _write_jsonl(table: pa.Table, path: Path, batch_rows: int = 1_000_000) -> None:
    """JSON Lines, built column-wise with pyarrow (every key on every line; null where missing)."""
    import json

    with open(path, "wb") as f:
        for offset in range(0, table.num_rows, batch_rows):
            batch = table.slice(offset, batch_rows)
            parts = []
            for i, name in enumerate(batch.column_names):
                key = ("{" if i == 0 else ",") + json.dumps(name) + ":"
                parts += [key, _json_value(batch.column(i))]
            line = pc.binary_join_element_wise(*parts, "}\n", "")
            for chunk in line.chunks if isinstance(line, pa.ChunkedArray) else [line]:
                if len(chunk):
                    f.write(_values_buffer(chunk))


def _values_buffer(chunk: pa.Array) -> pa.Buffer:
    """The bytes of a string array's values, back to back (no copy)."""
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    return chunk.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def timeline(data: SampleData, lead_id: str) -> pa.Table:
    """The events of one lead, in time order (handy to show what a lead did)."""
    rows = data.events.filter(pc.equal(data.events["lead_id"], lead_id))
    return rows.sort_by([("timestamp", "ascending")])


def default_as_of() -> datetime:
    """The default ``as_of``: today, 00:00 UTC."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
