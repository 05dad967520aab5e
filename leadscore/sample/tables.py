"""The simulation's arrays as the three Arrow tables: ids, strings, timestamps, and the mess of real exports."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from leadscore.sample.arrays import ids, strings, timestamps
from leadscore.sample.arrival import SOURCE_NAMES
from leadscore.sample.countries import COUNTRY_CODES
from leadscore.sample.events import EVENT_TYPES, FORMS
from leadscore.sample.lifetimes import Arrivals
from leadscore.sample.mess import messy
from leadscore.sample.names import account_names, email_addresses
from leadscore.sample.population import INDUSTRIES, TITLE_TEXT, Accounts, Leads


def lead_ids(n: int) -> pa.Array:
    return ids("L", np.arange(1, n + 1), 7)


def account_ids(n: int) -> pa.Array:
    return ids("A", np.arange(1, n + 1), 6)


def events_table(columns: tuple[np.ndarray, ...], event_num: np.ndarray, lead_id: pa.Array, urls: list[str],
                 campaign_names: list[str]) -> pa.Table:
    """event_id, lead_id, event, timestamp, form, url, campaign, percent from the event log's columns."""
    lead, ts, event, url, form, campaign, percent = columns
    return pa.table({
        "event_id": ids("E", event_num, 9),
        "lead_id": lead_id.take(pa.array(lead)),
        "event": strings(EVENT_TYPES, event),
        "timestamp": timestamps(ts),
        "form": strings(FORMS, form),
        "url": strings(urls, url),
        "campaign": strings(campaign_names, campaign),
        "percent": pa.array(percent.astype(np.int64), mask=percent < 0),
    })


def accounts_table(accounts: Accounts, account_id: pa.Array) -> pa.Table:
    """account_id, name, employees, industry, country."""
    return pa.table({
        "account_id": account_id,
        "name": account_names(accounts.name_prefix, accounts.name_core, accounts.country),
        "employees": pa.array(accounts.employees, mask=accounts.employees_missing),
        "industry": strings([i[0] for i in INDUSTRIES], accounts.industry),
        "country": strings(COUNTRY_CODES, accounts.country),
    })


def leads_table(rng: np.random.Generator, leads: Leads, accounts: Accounts, arrivals: Arrivals, lead_id: pa.Array,
                account_id: pa.Array) -> pa.Table:
    """lead_id, created_at, account_id, email, job_title, country, source; titles and countries a little messy."""
    n = len(leads)
    account = leads.account
    if len(accounts):
        lead_account = account_id.take(pa.array(np.maximum(account, 0), mask=account < 0))
    else:
        lead_account = pa.nulls(n, pa.string())
    email = email_addresses(rng, account, accounts.name_prefix, accounts.name_core, accounts.country)
    title = messy(rng, strings(TITLE_TEXT, np.where(leads.title_missing, -1, leads.title)))
    country = strings(COUNTRY_CODES, np.where(leads.country_missing, -1, leads.country))
    return pa.table({
        "lead_id": lead_id,
        "created_at": timestamps(arrivals.created),
        "account_id": lead_account,
        "email": email,
        "job_title": title,
        "country": messy(rng, country, whitespace=0.005, lower=0.01),
        "source": strings(SOURCE_NAMES, arrivals.source),
    })
