"""The real datasets of ``../shared/data``, loaded for honest evaluation: leaking columns dropped.

Each loader follows its dataset's README (which columns leak the outcome, what is
missing, where the time order is) and says which columns it dropped. The files are not
part of leadscore (their licenses differ): pass their folder, or set
``LEADSCORE_SHARED_DATA``; by default ``../shared/data`` next to the source tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.errors import InputError

X_EDUCATION_LEAKS = (
    "Tags",
    "Lead Quality",
    "Lead Profile",
    "Asymmetrique Activity Index",
    "Asymmetrique Profile Index",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
)
"""Filled in by sales after contact (README: "drop these for any honest benchmark")."""
X_EDUCATION_SNAPSHOT = ("Last Activity", "Last Notable Activity")
"""Taken when the data was exported, possibly after contact: reported with and without."""
OLIST_CLOSED_DEAL_COLUMNS = (
    "seller_id", "sdr_id", "sr_id", "won_date", "business_segment", "lead_type", "lead_behaviour_profile",
    "has_company", "has_gtin", "average_stock", "business_type", "declared_product_catalog_size",
    "declared_monthly_revenue",
)
"""Gathered during the sales contact, present only for converted leads: never features."""
SHOPPERS_CATEGORY_CODES = ("OperatingSystems", "Browser", "Region", "TrafficType")
"""Integer-coded categories: values, not quantities."""


@dataclass
class Dataset:
    """Features, outcome and (when the data has one) a time order of a real dataset."""

    name: str
    X: pd.DataFrame
    y: np.ndarray
    order: np.ndarray | None = None
    """Sort key of the leads in time (None: no order)."""
    order_name: str | None = None
    dropped: list[str] = field(default_factory=list)
    """Columns removed: leaks, ids, the outcome."""

    @property
    def positive_rate(self) -> float:
        return float(np.mean(self.y))


def shared_data_dir(path: str | Path | None = None) -> Path:
    """The folder of the real datasets: ``path``, ``$LEADSCORE_SHARED_DATA``, or ``../shared/data``."""
    if path is not None:
        return Path(path)
    if os.environ.get("LEADSCORE_SHARED_DATA"):
        return Path(os.environ["LEADSCORE_SHARED_DATA"])
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def _read(root: str | Path | None, *parts: str) -> pd.DataFrame:
    path = shared_data_dir(root).joinpath(*parts)
    if not path.is_file():
        raise InputError(f"{path}: not found; point to the shared datasets folder (or set LEADSCORE_SHARED_DATA)")
    return pd.read_csv(path)


def load_x_education(root: str | Path | None = None, *, last_activity: bool = True) -> Dataset:
    """X Education leads: ``Converted``; sales-filled columns dropped, 'Select' read as missing.

    Args:
        root: the shared data folder.
        last_activity: keep ``Last Activity`` / ``Last Notable Activity`` (possibly leaky in time).
    """
    raw = _read(root, "x-education-leads", "Leads.csv")
    raw = raw.loc[:, ~raw.columns.str.startswith("Unnamed")]
    dropped = ["Prospect ID", "Lead Number", "Converted", *X_EDUCATION_LEAKS]
    if not last_activity:
        dropped += list(X_EDUCATION_SNAPSHOT)
    X = raw.drop(columns=dropped).replace("Select", np.nan)
    name = "x-education" + ("" if last_activity else " (without Last*Activity)")
    return Dataset(name, X, raw["Converted"].to_numpy(dtype=int), raw["Lead Number"].to_numpy(), "Lead Number", dropped)


def load_olist(root: str | Path | None = None) -> Dataset:
    """Olist MQLs: converted = appears in the closed deals; features from the MQL table only.

    Features: ``origin``, ``landing_page_id`` and the weekday of ``first_contact_date``.
    The month is left out on purpose: the closed deals start in December 2017, so earlier
    MQLs convert at 1-5% against 10-15% later, an artefact of the sample, not of the leads.
    """
    mqls = _read(root, "olist-marketing-funnel", "olist_marketing_qualified_leads_dataset.csv")
    deals = _read(root, "olist-marketing-funnel", "olist_closed_deals_dataset.csv")
    contact = pd.to_datetime(mqls["first_contact_date"])
    X = pd.DataFrame({
        "origin": mqls["origin"],
        "landing_page_id": mqls["landing_page_id"],
        "first_contact_weekday": contact.dt.day_name(),
    })
    y = mqls["mql_id"].isin(set(deals["mql_id"])).to_numpy(dtype=int)
    dropped = ["mql_id", "first_contact_date (as a date)", *OLIST_CLOSED_DEAL_COLUMNS]
    return Dataset("olist", X, y, contact.to_numpy(), "first_contact_date", dropped)


def load_online_shoppers(root: str | Path | None = None, *, page_values: bool = True) -> Dataset:
    """Online shoppers' sessions: ``Revenue``; integer codes read as categories.

    Args:
        root: the shared data folder.
        page_values: keep ``PageValues`` (partly derived from the purchase itself).
    """
    raw = _read(root, "online-shoppers-intention", "online_shoppers_intention.csv")
    X = raw.drop(columns=["Revenue"])
    for column in SHOPPERS_CATEGORY_CODES:
        X[column] = X[column].astype(str)
    dropped = ["Revenue"]
    if not page_values:
        X = X.drop(columns=["PageValues"])
        dropped.append("PageValues")
    name = "online-shoppers" + ("" if page_values else " (without PageValues)")
    return Dataset(name, X, raw["Revenue"].astype(bool).to_numpy(dtype=int), None, None, dropped)


def all_datasets(root: str | Path | None = None) -> list[Dataset]:
    """Every dataset and variant of the benchmark."""
    return [
        load_x_education(root),
        load_x_education(root, last_activity=False),
        load_olist(root),
        load_online_shoppers(root),
        load_online_shoppers(root, page_values=False),
    ]
