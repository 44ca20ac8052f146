"""Ties among the customer's people: along the reporting lines, within and across departments and
companies, and the informal sway of influencers and buyers."""

from __future__ import annotations

from accountgraph.samples.generator.base import State
from accountgraph.schema.models import Role, Tie, TieType


class PeopleTies(State):
    """Builds the `knows` and `influences` ties among the customer's people."""

    # ---- ties among the customer's people -----------------------------------------------------------
    def _people_ties(self) -> list[Tie]:
        rng = self.rng
        rnd = rng.random
        n = self.n
        pid, pco, pdept, pmgr, reports = self.pid, self.pco, self.pdept, self.pmgr, self.reports
        companies = self.companies
        days = self.days
        base = n + 1
        knows_seen: set[int] = set()
        infl_seen: set[int] = set()
        ties: list[Tie] = []
        knows, influences = TieType.KNOWS, TieType.INFLUENCES
        append = ties.append
        construct = Tie.model_construct

        # The two helpers below are the hot path (about ten calls per person): one random number
        # decides both whether a date is known and which, and a tie is built without validation.
        def add_knows(a: int, b: int, low: float, high: float) -> None:
            if a == b:
                return
            if b < a:  # person ids are zero-padded numbers: index order is id order
                a, b = b, a
            key = a * base + b
            if key in knows_seen:
                return
            knows_seen.add(key)
            x = rnd()
            since_ago = 60 + int(x * 5571) if x < 0.7 else 0
            y = rnd()
            until = None
            if y < 0.015:  # an ended tie, kept as history
                until = days[1 + int(y * 66.6 * (700 if since_ago == 0 else since_ago - 1))]
            append(construct(
                from_=pid[a], to=pid[b], type=knows, strength=round(low + (high - low) * rnd(), 2),
                since=days[since_ago] if since_ago else None, until=until, last_contact=None, note=None,
            ))  # fmt: skip

        def add_influence(a: int, b: int, low: float, high: float) -> None:
            if a == b:
                return
            key = a * base + b
            if key in infl_seen:
                return
            infl_seen.add(key)
            x = rnd()
            since_ago = 60 + int(x * 9750) if x < 0.4 else 0
            y = rnd()
            until = None
            if y < 0.01:
                until = days[1 + int(y * 99.9 * (700 if since_ago == 0 else since_ago - 1))]
            append(construct(
                from_=pid[a], to=pid[b], type=influences, strength=round(low + (high - low) * rnd(), 2),
                since=days[since_ago] if since_ago else None, until=until, last_contact=None, note=None,
            ))  # fmt: skip

        n_companies = len(companies)
        for i in range(n):
            m = pmgr[i]
            co = companies[pco[i]]
            if m >= 0:
                # along the reporting line: the manager sways the report, sometimes the other way round
                if rnd() < 0.75:
                    add_influence(m, i, 0.5, 0.95)
                if rnd() < 0.3:
                    add_influence(i, m, 0.2, 0.7)
                if rnd() < 0.9:
                    add_knows(m, i, 0.4, 0.9)
                peers = reports[m]
                if len(peers) > 1:
                    for _ in range(2):
                        s = peers[int(rnd() * len(peers))]
                        if rnd() < 0.8:
                            add_knows(i, s, 0.3, 0.85)
                        if rnd() < 0.35:
                            add_influence(i, s, 0.2, 0.8)
            # within the department
            group = co.by_dept[pdept[i]]
            if len(group) > 1:
                for _ in range(4):
                    j = group[int(rnd() * len(group))]
                    if rnd() < 0.95:
                        add_knows(i, j, 0.2, 0.75)
                    if rnd() < 0.5:
                        add_influence(i, j, 0.15, 0.75)
            # across departments of the company
            staff = co.people
            if len(staff) > 1:
                for _ in range(2):
                    j = staff[int(rnd() * len(staff))]
                    if rnd() < 0.7:
                        add_knows(i, j, 0.15, 0.6)
                    if rnd() < 0.3:
                        add_influence(i, j, 0.1, 0.6)
            # across the group: a counterpart in the parent company or anywhere in the group
            if n_companies > 1 and rnd() < 0.7:
                if co.parent is not None and rnd() < 0.5:
                    other = companies[co.parent]
                else:
                    other = companies[int(rnd() * n_companies)]
                pool = other.by_dept.get(pdept[i]) or other.people
                if pool and other is not co:
                    j = pool[int(rnd() * len(pool))]
                    add_knows(i, j, 0.1, 0.6)
                    if rnd() < 0.35:
                        add_influence(i, j, 0.1, 0.6)
            # informal power: influencers sway many, technical and user buyers sway their decision makers
            roles = self.proles[i]
            if roles:
                if Role.INFLUENCER in roles or Role.CHAMPION in roles or Role.BLOCKER in roles:
                    for _ in range(3 + int(rnd() * 4)):
                        add_influence(i, staff[int(rnd() * len(staff))], 0.5, 1.0)
                if Role.TECHNICAL_BUYER in roles or Role.USER_BUYER in roles:
                    add_influence(i, co.people[0], 0.4, 0.9)
        return ties
