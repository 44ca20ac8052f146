"""Synthetic key accounts: a medical-device / manufacturing group, its people, their ties and our team.

`generate_account(people, seed)` builds a realistic, fully consistent `Bundle` for demos, tests and
benchmarks: a group holding with subsidiaries a few levels deep, departments, a reporting tree per
company, decision roles and stances (some with a dated history), `influences` and `knows` ties among the
customer's people, our own team (the iron triangle, executives and others) with its `knows` ties, logged
interactions over the two years before the reference date, and a few risk events.

Everything is drawn from one `random.Random(seed)` and dated relative to a reference date: by default
today, so a generated account imported today is alive (recent contacts, coverage above zero); pass
`reference` (e.g. `DEFAULT_REFERENCE`) and the same arguments always give the same bundle, as tests and
benchmarks need. Generation is linear in the number of people (about
ten ties per person): 100,000 people, about a million ties, take some 7-12 seconds on a small machine.
The hot path builds records without pydantic validation (valid by construction; the tests re-validate).

The stages, one module each, share the generator's state (`base`) and run in this order (one random stream,
so the order is part of the output): `companies` (companies and their people), `ties` (among the customer's
people), `team` (our team and its contacts), `activity` (interactions and risks). `vocabulary` and `names`
hold what the records are made of.
"""

from __future__ import annotations

from datetime import date

from accountgraph.perf import paused_gc
from accountgraph.samples.generator.activity import Activity
from accountgraph.samples.generator.base import raw
from accountgraph.samples.generator.companies import Companies
from accountgraph.samples.generator.team import Team
from accountgraph.samples.generator.ties import PeopleTies
from accountgraph.schema.models import BUNDLE_FORMAT, BUNDLE_VERSION, Bundle, today

__all__ = ["DEFAULT_REFERENCE", "generate_account"]

DEFAULT_REFERENCE = date(2026, 1, 1)
"""A fixed reference date for reproducible output (tests, benchmarks, the shipped sample account)."""


def generate_account(
    people: int,
    seed: int,
    *,
    account_id: str = "acme",
    name: str | None = None,
    reference: date | None = None,
) -> Bundle:
    """Generate a realistic key account of a medical-device / manufacturing group.

    Parameters:
        people: how many customer contacts (0 or more).
        seed: the seed of the one `random.Random` everything is drawn from.
        account_id: the root company's id; every id of the bundle starts with it
            (`{account_id}-c001` companies, `-p00001` people, `-t01` team members, `-i…`, `-r…`),
            so several generated accounts can share a store.
        name: the group's name (default: drawn from the seed, e.g. "Kestrel Medtech Group").
        reference: the date everything is relative to (default today); interactions fall in the two
            years before it, risk events in the year before it, nothing is dated after it. Pin it
            (e.g. `DEFAULT_REFERENCE`) for output that does not depend on the day.

    Returns:
        A bundle that the store accepts as is: unique ids across companies, people and team members,
        every reference resolved, no cycles, canonical `knows` ties, histories ending in the current
        state. About 10 ties per person.

    Raises:
        ValueError: if `people` is negative or `account_id` is blank.

    Examples:
        >>> bundle = generate_account(200, seed=1, reference=DEFAULT_REFERENCE)
        >>> bundle.counts()["people"]
        200
        >>> bundle == generate_account(200, seed=1, reference=DEFAULT_REFERENCE)
        True
    """
    if people < 0:
        raise ValueError("people must be 0 or more")
    if not account_id.strip() or account_id != account_id.strip():
        raise ValueError("account_id must be non-blank without surrounding whitespace")
    with paused_gc():  # millions of small objects, none of them cyclic
        return _Generator(people, seed, account_id, name, reference or today()).run()


class _Generator(Companies, PeopleTies, Team, Activity):
    def run(self) -> Bundle:
        self._companies()
        self._people()
        ties = self._people_ties()
        team, team_ties, contacts = self._team()
        interactions = self._interactions(contacts)
        risks = self._risks()
        ties.extend(team_ties)
        values = {
            "format": BUNDLE_FORMAT, "version": BUNDLE_VERSION,
            "companies": [self._company_record(c) for c in self.companies], "people": self.records,
            "team": team, "ties": ties, "interactions": interactions, "risks": risks,
        }  # fmt: skip
        return raw(Bundle, values)
