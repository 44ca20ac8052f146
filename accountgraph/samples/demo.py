"""The demo's data as one use case: `seed_demo(store)` loads the bundled sample account (its dates moved to end
today), the Chinese sample account (华康医疗集团, dated back from today) and the real data sets shipped with
the package, then seeds the sample's ledger and deals and some sales to the other accounts (so the portfolio has
several accounts with revenue), and says what it did in a `DemoReport`. Idempotent: a second run loads the same
records again (an upsert) and seeds nothing new.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from accountgraph.graph.store import GraphStore
from accountgraph.opportunities.models import Opportunity
from accountgraph.samples.datasets import all_dataset_bundles
from accountgraph.samples.deals import seed_demo_opportunities
from accountgraph.samples.ledger import seed_demo_ledger, seed_portfolio_ledger
from accountgraph.samples.sample import SAMPLE_ACCOUNT_ID, sample_bundle
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, zh_sample_bundle
from accountgraph.schema.models import Bundle, today

__all__ = ["DemoReport", "LoadedBundle", "seed_demo"]


class LoadedBundle(BaseModel):
    """One bundle the demo loaded."""

    model_config = ConfigDict(extra="forbid")

    label: str
    """What it is: "sample account", "Chinese sample account" or "data set <account>"."""
    account: str
    """Its account (root company) id."""
    counts: dict[str, int]
    """Its records by kind (companies, people, team, ties, interactions, risks)."""


class DemoReport(BaseModel):
    """What `seed_demo` loaded and seeded."""

    model_config = ConfigDict(extra="forbid")

    account: str
    """The account the demo analyses: the bundled sample."""
    chinese_account: str
    """The Chinese sample account (华康医疗集团), loaded beside it."""
    loaded: list[LoadedBundle]
    """Each bundle loaded, in order: the sample, the Chinese sample, then the data sets."""
    datasets: list[str]
    """The data sets loaded (their account ids); empty when they could not be read (see `datasets_note`)."""
    datasets_note: str | None = None
    """Why the data sets were not loaded, if they were not (a `$ACCOUNTGRAPH_DATASETS` folder that is missing)."""
    ledger: dict[str, int]
    """The ledger records seeded on the sample, by kind; all 0 when an earlier run seeded them."""
    opportunity: Opportunity
    """The demo's open deal on the sample (found when an earlier run created it)."""
    portfolio: dict[str, int] = {}
    """The portfolio history seeded on the data sets' accounts and the Chinese sample (sales, strategic flags, deals);
    all 0 when an earlier run seeded it."""


def seed_demo(store: GraphStore, *, reference: date | None = None) -> DemoReport:
    """Load the sample account, the Chinese sample account and the data sets into `store` and seed the sample's
    ledger and deals.

    `reference` is the demo's day (default today): the samples' dates end on it, so their last contacts are
    recent, and the ledger's records are dated relative to it.
    """
    day = reference or today()
    loads: list[tuple[str, str, Bundle]] = [
        ("sample account", SAMPLE_ACCOUNT_ID, sample_bundle(reference=day)),
        ("Chinese sample account", ZH_ACCOUNT_ID, zh_sample_bundle(reference=day)),
    ]
    note = None
    try:
        datasets = all_dataset_bundles()
    except FileNotFoundError as e:
        datasets, note = {}, str(e)
    loads += [(f"data set {account}", account, bundle) for account, bundle in datasets.items()]
    loaded = []
    for label, account, bundle in loads:
        store.load_bundle(bundle)
        loaded.append(LoadedBundle(label=label, account=account, counts=bundle.counts()))
    ledger = seed_demo_ledger(store, SAMPLE_ACCOUNT_ID, day)
    opportunity = seed_demo_opportunities(store, SAMPLE_ACCOUNT_ID)
    portfolio = seed_portfolio_ledger(store, [*datasets, ZH_ACCOUNT_ID], day)
    return DemoReport(
        account=SAMPLE_ACCOUNT_ID,
        chinese_account=ZH_ACCOUNT_ID,
        loaded=loaded,
        datasets=list(datasets),
        datasets_note=note,
        ledger=ledger,
        opportunity=opportunity,
        portfolio=portfolio,
    )
