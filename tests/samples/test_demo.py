"""The demo's seeding as a use case: what `seed_demo` loads and seeds, its report, and a second run.

On SQLite only: `seed_demo` writes through the storage interface alone, which the contract suite runs on both
backends (on Neo4j this test alone would take half a minute).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from accountgraph.samples.datasets import DATASETS_ENV
from accountgraph.samples.deals import DEMO_OPPORTUNITY
from accountgraph.samples.demo import seed_demo
from accountgraph.samples.sample import SAMPLE_ACCOUNT_ID
from tests.conftest import sqlite_store

DAY = date(2026, 3, 2)


def test_seed_demo_loads_the_sample_and_the_data_sets_then_seeds_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATASETS_ENV, raising=False)
    with sqlite_store(tmp_path) as store:
        report = seed_demo(store, reference=DAY)
        assert report.account == SAMPLE_ACCOUNT_ID
        assert [(b.label, b.account) for b in report.loaded] == [
            ("sample account", "medtech"),
            ("Chinese sample account", "huakang"),
            ("data set krackhardt", "krackhardt"),
            ("data set lazega", "lazega"),
            ("data set florentine", "florentine"),
        ]
        assert report.datasets == ["krackhardt", "lazega", "florentine"] and report.datasets_note is None
        assert report.chinese_account == "huakang"
        assert [c.id for c in store.list_accounts()] == ["florentine", "huakang", "krackhardt", "lazega", "medtech"]
        counts = store.counts()
        assert counts["people"] == sum(b.counts["people"] for b in report.loaded) == 150 + 56 + 21 + 71 + 16
        assert report.ledger == {"products": 8, "quotes": 4, "contracts": 2, "orders": 2, "invoices": 5, "payments": 4}
        assert report.opportunity.id == DEMO_OPPORTUNITY and report.opportunity.account == SAMPLE_ACCOUNT_ID
        # the sample's dates end on the demo's day: its latest interaction is on it or just before
        latest = max(i.at for i in store.export_bundle(SAMPLE_ACCOUNT_ID).interactions)
        assert 0 <= (DAY - latest.date()).days <= 30
        # and so do its risk events (issue 14 item 3: they stayed in 2024 while the rest moved to today)
        risks = store.export_bundle(SAMPLE_ACCOUNT_ID).risks
        assert risks and all(0 < (DAY - r.at).days <= 365 for r in risks)

        # the Chinese sample: its dates end on the demo's day too, and the portfolio seeds its sales and deal
        latest_zh = max(i.at for i in store.export_bundle("huakang").interactions)
        assert 0 <= (DAY - latest_zh.date()).days <= 30
        assert report.portfolio["accounts"] == 4 and report.portfolio["deals"] == 2

        again = seed_demo(store, reference=DAY)
        assert again.ledger == dict.fromkeys(report.ledger, 0)  # seeded once
        assert again.portfolio == dict.fromkeys(report.portfolio, 0)
        assert again.opportunity == report.opportunity
        assert store.counts() == counts


def test_seed_demo_says_why_the_data_sets_were_not_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path / "nowhere"))  # raw files asked for, but not there
    with sqlite_store(tmp_path) as store:
        report = seed_demo(store, reference=DAY)
        assert [b.account for b in report.loaded] == [SAMPLE_ACCOUNT_ID, "huakang"] and report.datasets == []
        assert report.datasets_note is not None and "nowhere" in report.datasets_note
        assert [c.id for c in store.list_accounts()] == ["huakang", SAMPLE_ACCOUNT_ID]
