"""The population: accounts (companies) and leads (people), who they are and how likely they are to buy.

Some accounts have several leads (buying committees), bigger companies more of them. Each lead
gets a country, a job title in its language, a *fit* (what makes it likely to buy: seniority,
company size, industry, territory; the example scorecard has to discover it) and an
engagement *propensity* (heavy-tailed, a little correlated with fit) that drives everything
it does later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.sample.arrays import draw
from leadscore.sample.countries import COUNTRY_CODES, COUNTRY_SHARES, LANGUAGES, TERRITORY
from leadscore.sample.names import ACCOUNT_CORES, ACCOUNT_PREFIXES

# display name, share of accounts, effect on buying propensity
INDUSTRIES = (
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

# title, weight, seniority: 3 decision-maker, 2 manager, 1 individual contributor, 0 student / intern
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
# the title list of all languages, in the order of _TITLES: text, seniority
TITLE_TEXT = [t[0] for titles in _TITLES.values() for t in titles]
_TITLE_SENIORITY = np.array([t[2] for titles in _TITLES.values() for t in titles])


@dataclass(frozen=True)
class Accounts:
    """The companies; ``country`` indexes COUNTRIES, ``industry`` INDUSTRIES (-1: missing)."""

    country: np.ndarray
    employees: np.ndarray
    employees_missing: np.ndarray
    industry: np.ndarray
    name_prefix: np.ndarray  # the parts of the name (and e-mail domain), see leadscore.sample.names
    name_core: np.ndarray

    def __len__(self) -> int:
        return len(self.country)


@dataclass(frozen=True)
class Leads:
    """The people; ``account`` is a row of the accounts (-1: none), ``title`` indexes TITLE_TEXT."""

    account: np.ndarray
    country: np.ndarray
    country_missing: np.ndarray
    title: np.ndarray
    title_missing: np.ndarray
    fit: np.ndarray
    propensity: np.ndarray

    def __len__(self) -> int:
        return len(self.account)


def populate(rng: np.random.Generator, n: int) -> tuple[Accounts, Leads]:
    """``n`` leads, most of them at one of the accounts made for them (about 0.43 per lead)."""
    with_account = rng.random(n) < 0.78
    n_with = int(with_account.sum())
    accounts = _accounts(rng, max(1, round(n_with * 0.55)) if n_with else 0)
    account = _buying_committees(rng, with_account, accounts)
    country, country_missing = _lead_countries(rng, account, accounts)
    title = _job_titles(rng, country)
    title_missing = rng.random(n) < 0.07
    fit = _fit(account, accounts, country, title)
    propensity = rng.standard_normal(n) + 0.35 * fit  # heavy-tailed, a little correlated with fit
    return accounts, Leads(account, country, country_missing, title, title_missing, fit, propensity)


def _accounts(rng: np.random.Generator, n: int) -> Accounts:
    country = draw(rng, COUNTRY_SHARES, n)
    employees = np.clip(np.round(rng.lognormal(np.log(45), 1.7, n)), 1, 300_000).astype(np.int64)
    employees_missing = rng.random(n) < 0.04
    industry = draw(rng, [i[1] for i in INDUSTRIES], n)
    industry = np.where(rng.random(n) < 0.04, -1, industry)
    prefix = rng.integers(0, len(ACCOUNT_PREFIXES), n)
    core = rng.integers(0, len(ACCOUNT_CORES), n)
    return Accounts(country, employees, employees_missing, industry, prefix, core)


def _buying_committees(rng: np.random.Generator, with_account: np.ndarray, accounts: Accounts) -> np.ndarray:
    """The account of each lead (-1: none).

    Each account gets one lead, the other leads go to accounts in proportion to a heavy-tailed
    weight that grows with company size: big companies bring buying committees.
    """
    n_acc = len(accounts)
    account = np.full(len(with_account), -1, dtype=np.int64)
    with_idx = np.flatnonzero(with_account)
    rng.shuffle(with_idx)
    account[with_idx[:n_acc]] = np.arange(n_acc)
    if len(with_idx) > n_acc:
        weight = accounts.employees.astype(float) ** 0.3 * (rng.pareto(2.2, n_acc) + 0.3)
        account[with_idx[n_acc:]] = draw(rng, weight, len(with_idx) - n_acc)
    return account


def _lead_countries(rng: np.random.Generator, account: np.ndarray, accounts: Accounts) -> tuple[np.ndarray, np.ndarray]:
    """Mostly the account's country; (country, missing in the export)."""
    n = len(account)
    own_country = draw(rng, COUNTRY_SHARES, n)
    at_account = (account >= 0) & (rng.random(n) < 0.88)
    country = np.where(at_account, accounts.country[np.maximum(account, 0)], own_country)
    return country, rng.random(n) < 0.04


def _job_titles(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """A title in the language of the lead's country, as an index of TITLE_TEXT."""
    lead_lang = LANGUAGES[country]
    title = np.zeros(len(country), dtype=np.int64)
    offset = 0
    for lang, titles in _TITLES.items():
        rows = np.flatnonzero(lead_lang == lang)
        title[rows] = offset + draw(rng, [t[1] for t in titles], len(rows))
        offset += len(titles)
    return title


def _fit(account: np.ndarray, accounts: Accounts, country: np.ndarray, title: np.ndarray) -> np.ndarray:
    """What makes a lead likely to buy: seniority, company size, industry, territory."""
    acc_safe = np.maximum(account, 0)
    has_acc = account >= 0
    emp = np.where(has_acc & ~accounts.employees_missing[acc_safe], accounts.employees[acc_safe], 0)
    size_effect = np.select([emp == 0, emp < 10, emp <= 50, emp <= 1000], [-0.2, -0.4, 0.0, 0.4], 0.2)
    ind_effect = np.array([i[2] for i in INDUSTRIES] + [0.0])[np.where(has_acc, accounts.industry[acc_safe], -1)]
    territory = np.isin(np.array(COUNTRY_CODES)[country], list(TERRITORY))
    return _SENIORITY_EFFECT[_TITLE_SENIORITY[title]] + size_effect + ind_effect + np.where(territory, 0.2, -0.4)
