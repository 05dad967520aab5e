"""What people and companies are called: account names, and e-mail addresses at them or at a free provider."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leadscore.sample.arrays import draw, strings
from leadscore.sample.countries import COUNTRIES

FIRST_NAMES = (
    "maria", "jose", "juan", "ana", "carlos", "lucia", "javier", "sofia", "diego", "valentina", "pablo",
    "camila", "andres", "laura", "miguel", "paula", "alejandro", "daniela", "fernando", "carmen", "luis",
    "isabel", "john", "sarah", "michael", "emily", "david", "jessica", "james", "ashley", "robert",
    "jennifer", "joao", "mariana", "pedro", "beatriz", "thomas", "claire", "lukas", "anna", "marco",
    "giulia", "priya", "rahul",
)
LAST_NAMES = (
    "garcia", "rodriguez", "martinez", "lopez", "gonzalez", "hernandez", "perez", "sanchez", "ramirez",
    "torres", "flores", "rivera", "gomez", "diaz", "morales", "vargas", "castro", "rojas", "munoz",
    "silva", "santos", "oliveira", "souza", "smith", "johnson", "williams", "brown", "jones", "miller",
    "davis", "wilson", "taylor", "martin", "dubois", "muller", "schmidt", "rossi", "bianchi", "sharma",
    "patel", "fernandez", "ruiz", "alvarez", "romero",
)
PERSONAL_DOMAINS = (
    ("gmail.com", 0.55), ("hotmail.com", 0.14), ("outlook.com", 0.08), ("yahoo.com", 0.07),
    ("hotmail.es", 0.04), ("icloud.com", 0.04), ("yahoo.com.mx", 0.04), ("uol.com.br", 0.04),
)
ACCOUNT_PREFIXES = (
    "Nova", "Grupo", "Andes", "Atlas", "Blue", "Cumbre", "Delta", "Iberia", "Pampa", "Quantum", "Sol",
    "Terra", "Vertex", "Alto", "Bright", "Pacific", "Norte", "Sur", "Orion", "Zenit", "Lumen", "Mar",
    "Kappa", "Prisma", "Rio", "Verde", "Polar", "Nimbus", "Cobalt", "Aurora",
)
ACCOUNT_CORES = (
    "Data", "Logistics", "Soluciones", "Labs", "Systems", "Digital", "Capital", "Retail", "Health", "Foods",
    "Media", "Consulting", "Tech", "Energy", "Partners", "Software", "Commerce", "Cloud", "Analytics", "Seguros",
)


def account_names(prefix: np.ndarray, core: np.ndarray, country: np.ndarray) -> pa.Array:
    """"Prefix Core Legal-form", e.g. "Andes Logistics S.A.S."."""
    legal = np.array([c[5] for c in COUNTRIES])
    return pc.binary_join_element_wise(
        strings(ACCOUNT_PREFIXES, prefix), strings(ACCOUNT_CORES, core), pa.array(legal[country]), " "
    )


def email_addresses(rng: np.random.Generator, lead_account: np.ndarray, prefix: np.ndarray, core: np.ndarray,
                    acc_country: np.ndarray) -> pa.Array:
    """first.last@company domain for most account leads, a personal address for the others (2% missing)."""
    n = len(lead_account)
    first = strings(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n))
    last = strings(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n))
    personal_domain = strings([d[0] for d in PERSONAL_DOMAINS], draw(rng, [d[1] for d in PERSONAL_DOMAINS], n))
    use_company = (lead_account >= 0) & (rng.random(n) < 0.85)
    if len(prefix):
        acc = np.maximum(lead_account, 0)
        slug = pc.utf8_lower(pc.binary_join_element_wise(strings(ACCOUNT_PREFIXES, prefix[acc]),
                                                         strings(ACCOUNT_CORES, core[acc]), ""))
        tld = strings([c[3] for c in COUNTRIES], acc_country[acc])
        domain = pc.if_else(pa.array(use_company), pc.binary_join_element_wise(slug, tld, "."), personal_domain)
    else:
        domain = personal_domain
    digits = pa.array(rng.integers(1, 99, n)).cast(pa.string())
    local_personal = pc.binary_join_element_wise(first, last, digits, "")
    local_company = pc.binary_join_element_wise(first, last, ".")
    local = pc.if_else(pa.array(use_company | (rng.random(n) < 0.4)), local_company, local_personal)
    email = pc.binary_join_element_wise(local, domain, "@")
    return pc.if_else(pa.array(rng.random(n) < 0.02), pa.nulls(n, pa.string()), email)
