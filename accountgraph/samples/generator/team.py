"""Our team (the iron triangle, executives and others), its contacts at the customer and its own ties."""

from __future__ import annotations

import math
from collections.abc import Sequence

from accountgraph.samples.generator.base import State, id_width, raw
from accountgraph.samples.generator.names import Names
from accountgraph.samples.generator.vocabulary import (
    CLINICAL,
    IT,
    OPERATIONS,
    PROCUREMENT,
    PRODUCTION,
    QUALITY,
    RND,
    TEAM_TITLES,
)
from accountgraph.schema.models import Role, TeamFunction, TeamMember, Tie, TieType


class Team(State):
    """Builds our team, its contacts with the customer's people and the ties among its members."""

    # ---- our team ------------------------------------------------------------------------------------
    def _team(self) -> tuple[list[TeamMember], list[Tie], list[tuple[int, int, float, int, int]]]:
        """Our team, its knows ties, and its contacts as (member, person, strength, since, last) in days ago."""
        rng = self.rng
        rnd = rng.random
        n = self.n
        size = 6 + n // 200
        width = id_width(size, 2)
        functions = [TeamFunction.ACCOUNT_MANAGER, TeamFunction.SOLUTION_EXPERT, TeamFunction.DELIVERY_MANAGER,
                     TeamFunction.EXECUTIVE]  # fmt: skip
        if rnd() < 0.5:
            functions.append(TeamFunction.EXECUTIVE)
        cycle = (TeamFunction.OTHER, TeamFunction.ACCOUNT_MANAGER, TeamFunction.SOLUTION_EXPERT,
                 TeamFunction.DELIVERY_MANAGER, TeamFunction.OTHER)  # fmt: skip
        while len(functions) < size:
            functions.append(cycle[(len(functions) - 5) % len(cycle)])
        names, taken = Names(rng), set[str]()
        members: list[TeamMember] = []
        for k, function in enumerate(functions):
            name, local = names.person(("en", "de", "fr", "zh", "es", "nordic")[int(rnd() * 6)], taken)
            if k == 0:
                title = "Global Key Account Manager"
            elif k < 3 and function in (TeamFunction.SOLUTION_EXPERT, TeamFunction.DELIVERY_MANAGER):
                title = TEAM_TITLES[function][0]
            else:
                title = rng.choice(TEAM_TITLES[function])
            members.append(
                TeamMember(
                    id=f"{self.acc}-t{k + 1:0{width}d}", name=name, function=function, title=title,
                    email=names.email(local, "vendor.example"),
                )
            )  # fmt: skip
        self.team_ids = [m.id for m in members]
        if n == 0:
            return members, [], []

        # pools of contacts by what each function cares about
        top, key, tech, ops = [], [], [], []
        for i in range(n):
            rank, dept, roles = self.prank[i], self.pdept[i], self.proles[i]
            depth = self.companies[self.pco[i]].depth
            if self.plevel[i] <= 2 or (rank == 0 and depth <= 1):
                top.append(i)
            if Role.DECISION_MAKER in roles or Role.ECONOMIC_BUYER in roles or (dept == PROCUREMENT and rank <= 2):
                key.append(i)
            if Role.TECHNICAL_BUYER in roles or (dept in (IT, RND, QUALITY) and rank <= 2):
                tech.append(i)
            if Role.USER_BUYER in roles or (dept in (OPERATIONS, PRODUCTION, CLINICAL) and rank <= 2):
                ops.append(i)
        everyone = list(range(n))
        ops_tech = ops + tech
        scale = 1.0 + math.log10(max(1.0, n / 150))

        def pick(pool: Sequence[int], count: float) -> list[int]:
            k = min(len(pool), max(0, round(count * scale)))
            return rng.sample(pool, k) if k else []

        seen: set[int] = set()
        contacts: list[tuple[int, int, float, int, int]] = []
        regional = [c for c in self.companies if c.depth >= 1 and c.people]
        for k, member in enumerate(members):
            f = member.function
            if f is TeamFunction.EXECUTIVE:
                chosen = pick(top, 3 + 4 * rnd()) + pick(key, 1 + 2 * rnd())
            elif f is TeamFunction.ACCOUNT_MANAGER and k == 0:
                chosen = pick(key, 6 + 4 * rnd()) + pick(top, 4 + 4 * rnd()) + pick(everyone, 6 + 6 * rnd())
            elif f is TeamFunction.ACCOUNT_MANAGER and regional:
                territory = rng.sample(regional, min(len(regional), 1 + int(rnd() * 3)))
                chosen = [c.people[0] for c in territory]
                for c in territory:
                    chosen += pick([p for p in c.people[1:] if self.prank[p] <= 2], 3 + 4 * rnd())
            elif f is TeamFunction.SOLUTION_EXPERT:
                chosen = pick(tech, 8 + 8 * rnd()) + pick(everyone, 2 + 3 * rnd())
            elif f is TeamFunction.DELIVERY_MANAGER:
                chosen = pick(ops, 8 + 8 * rnd()) + pick(everyone, 2 + 3 * rnd())
            else:
                chosen = pick(ops_tech if rnd() < 0.5 else everyone, 4 + 8 * rnd())
            if not chosen:
                chosen = [int(rnd() * n)]
            for p in chosen:
                if p * (size + 1) + k in seen:
                    continue
                seen.add(p * (size + 1) + k)
                since_ago = 60 + int(rnd() * 2900)
                if rnd() < 0.2:  # a stale relationship: no contact for more than a year
                    last_ago = min(since_ago, 366 + int(rnd() * 900))
                else:
                    last_ago = min(since_ago, 1 + int(rnd() * 364))
                strength = round(0.1 + 0.9 * rnd() ** 0.8, 2)
                contacts.append((k, p, strength, since_ago, last_ago))

        pid, days = self.pid, self.days
        ties: list[Tie] = []
        for k, p, strength, since_ago, last_ago in contacts:
            until = None
            if rnd() < 0.04:  # our member moved on, or the contact did: ended, kept as history
                until = days[max(0, last_ago - 1 - int(rnd() * 60))]
            a, b = members[k].id, pid[p]
            if b < a:
                a, b = b, a
            ties.append(
                raw(Tie, {"from_": a, "to": b, "type": TieType.KNOWS, "strength": strength,
                           "since": days[since_ago], "until": until, "last_contact": days[last_ago], "note": None})
            )  # fmt: skip
        # our own people know each other: the core team closely, everyone the lead account manager
        core = min(len(members), 5)
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if (x < core and y < core) or x == 0:
                    a, b = sorted((members[x].id, members[y].id))
                    ties.append(
                        raw(Tie, {"from_": a, "to": b, "type": TieType.KNOWS,
                                   "strength": round(0.6 + 0.4 * rnd(), 2), "since": days[90 + int(rnd() * 1500)],
                                   "until": None, "last_contact": days[int(rnd() * 60)], "note": None})
                    )  # fmt: skip
        return members, ties, contacts
