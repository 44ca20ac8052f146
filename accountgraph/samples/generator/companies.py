"""The group's companies (a holding with subsidiaries a few levels deep) and their people: departments,
the reporting tree, titles, decision roles and stances with a dated history."""

from __future__ import annotations

import math
from datetime import date

from accountgraph.samples.generator.base import Co, State, id_width, raw
from accountgraph.samples.generator.vocabulary import (
    CLINICAL,
    COUNTRIES,
    DEPT_WEIGHT,
    DEPTS_MANUFACTURING,
    DEPTS_MEDICAL,
    EXECUTIVE,
    FINANCE,
    GROUP_EXEC_TITLE,
    HEAD_OF_TITLE,
    HOME_COUNTRIES,
    IT,
    MANAGER_TITLE,
    OPERATIONS,
    PROCUREMENT,
    PRODUCTION,
    QUALITY,
    RND,
    SEGMENTS,
    STAFF_TITLE,
    Country,
    Segment,
)
from accountgraph.schema.models import Company, Person, PersonState, Role, Stance


class Companies(State):
    """Builds the companies, then their people along the reporting lines."""

    # ---- companies ----------------------------------------------------------------------------------
    def _companies(self) -> None:
        rng = self.rng
        per_company = 40 + 20 * rng.random()
        count = max(3 if self.n < 100 else 4, math.ceil(self.n / per_company))
        width = id_width(count, 3)
        home = COUNTRIES[HOME_COUNTRIES[int(rng.random() * len(HOME_COUNTRIES))]]
        root = Co(0, self.acc, self.name, None, 0, home, SEGMENTS[0])
        self.companies.append(root)
        first_level = max(2, min(count - 1, round(math.sqrt(count - 1) * 1.2)))
        by_depth: list[list[int]] = [[0], [], [], []]
        names: set[str] = set()
        for index in range(1, count):
            if index <= first_level:
                parent = 0
            elif not by_depth[2] or rng.random() < 0.6:
                parent = by_depth[1][int(rng.random() * len(by_depth[1]))]
            else:
                parent = by_depth[2][int(rng.random() * len(by_depth[2]))]
            up = self.companies[parent]
            depth = up.depth + 1
            if rng.random() < 0.5:
                country = up.country
            else:
                country = COUNTRIES[int(rng.random() * len(COUNTRIES))]
            segment = up.segment if depth > 1 and rng.random() < 0.5 else SEGMENTS[int(rng.random() * len(SEGMENTS))]
            city = country.cities[int(rng.random() * len(country.cities))]
            base = self._company_name(segment, country, city, depth, names)
            company = Co(index, f"{self.acc}-c{index:0{width}d}", base, parent, depth,
                          country, segment)  # fmt: skip
            self.companies.append(company)
            if depth < 3:
                by_depth[depth].append(index)

    def _company_name(self, segment: Segment, country: Country, city: str, depth: int, names: set[str]) -> str:
        """A unique name: brand and segment, then the country or a city to tell them apart."""
        seg = f"{self.brand} {segment.name}"
        cities = [city, *(c for c in country.cities if c != city)]
        places = [f"({c})" if country.code in ("CN", "JP") else c for c in cities]
        candidates = [seg, f"{seg} {country.name}"] if depth == 1 else []
        candidates += [f"{seg} {place}" for place in places]
        for candidate in candidates:
            if candidate not in names:
                break
        else:
            k = 2
            while f"{seg} {places[0]} Plant {k}" in names:
                k += 1
            candidate = f"{seg} {places[0]} Plant {k}"
        names.add(candidate)
        return f"{candidate} {country.legal}"

    def _company_record(self, co: Co) -> Company:
        parent = None if co.parent is None else self.companies[co.parent].id
        industry = "Medical technology" if co.depth == 0 else co.segment.industry
        return Company(
            id=co.id, name=co.name, parent=parent, industry=industry, region=co.country.region,
            country=co.country.name,
        )  # fmt: skip

    # ---- people and the reporting lines -------------------------------------------------------------
    def _sizes(self) -> list[int]:
        rng = self.rng
        weights = [(3.0, 2.0, 1.0, 0.6)[c.depth] * (0.5 + rng.random()) for c in self.companies]
        total = sum(weights)
        exact = [self.n * w / total for w in weights]
        sizes = [int(x) for x in exact]
        order = sorted(range(len(exact)), key=lambda i: (sizes[i] - exact[i], i))
        for i in order[: self.n - sum(sizes)]:
            sizes[i] += 1
        return sizes

    def _people(self) -> None:
        rng = self.rng
        for co, size in zip(self.companies, self._sizes(), strict=True):
            if size == 0:
                continue
            own = DEPTS_MANUFACTURING if co.segment.manufacturing else DEPTS_MEDICAL
            co.departments = [EXECUTIVE, *own[: max(1, min(len(own), (size - 1) // 5))]]
            # the head: the group CEO, or a subsidiary head reporting to the parent's head or an executive
            manager = -1
            if co.parent is not None:
                up = self.companies[co.parent]
                if up.people:
                    execs = [p for d, p in up.dept_heads.items() if d in (OPERATIONS, FINANCE, RND, PRODUCTION)]
                    manager = up.people[0] if not execs or rng.random() < 0.4 else rng.choice(execs)
            head = self._person(co, EXECUTIVE, manager, 0)
            co.by_dept[EXECUTIVE] = [head]
            remaining = size - 1
            for dept in co.departments[1:]:
                if remaining == 0:
                    break
                co.dept_heads[dept] = self._person(co, dept, head, 1)
                co.by_dept[dept] = [co.dept_heads[dept]]
                remaining -= 1
            depts = [d for d in co.departments if d in co.by_dept]
            cum: list[float] = []
            acc = 0.0
            for d in depts:
                acc += DEPT_WEIGHT[d]
                cum.append(acc)
            spans = {d: 3 + int(rng.random() * 5) for d in depts}
            for dept in rng.choices(depts, cum_weights=cum, k=remaining):
                members = co.by_dept[dept]
                k = len(members)
                pos = (k - 1) // spans[dept]
                if pos > 0 and rng.random() < 0.3:
                    pos -= 1
                mgr = members[pos]
                members.append(self._person(co, dept, mgr, self.prank[mgr] + 1))

    def _person(self, co: Co, dept: str, manager: int, rank: int) -> int:
        rng = self.rng
        index = len(self.pid)
        pid = f"{self.acc}-p{index + 1:0{self.wp}d}"
        if manager >= 0:
            level = min(50, self.plevel[manager] + 1)
        else:
            level = 1 + 2 * co.depth
        name, local = self.names.person(co.country.locale, co.names)
        title = self._title(co, dept, rank)
        roles, stance = self._roles(co, dept, rank, title)
        self.pid.append(pid)
        self.pco.append(co.index)
        self.pdept.append(dept)
        self.plevel.append(level)
        self.pmgr.append(manager)
        self.prank.append(rank)
        self.proles.append(roles)
        self.pstance.append(stance)
        self.reports.append([])
        if manager >= 0:
            self.reports[manager].append(index)
        co.people.append(index)
        r = rng.random()
        email = self.names.email(local, self.domain) if r < 0.8 else None
        phone = (
            f"{co.country.dial} {10 + int(rng.random() * 90)} {1000000 + int(rng.random() * 9000000)}"
            if r < 0.3
            else None
        )
        history = (
            self._history(roles, stance) if (roles or stance is not Stance.UNKNOWN) and rng.random() < 0.12 else []
        )
        self.records.append(
            raw(
                Person,
                {
                    "id": pid, "name": name, "company": co.id, "title": title, "department": dept, "level": level,
                    "reports_to": self.pid[manager] if manager >= 0 else None, "roles": roles, "stance": stance,
                    "email": email, "phone": phone, "history": history, "since": None, "until": None,
                    "changed_on": None,
                },
            )
        )  # fmt: skip
        return index

    def _title(self, co: Co, dept: str, rank: int) -> str:
        rng = self.rng
        if rank == 0:
            if co.depth == 0:
                return "Chief Executive Officer"
            if co.country.code == "US":
                return "President"
            if co.country.code in ("CN", "JP", "SG"):
                return "General Manager"
            return "Managing Director" if co.depth == 1 else rng.choice(("Site Director", "Managing Director"))
        if dept == EXECUTIVE:  # the head's office: strategy and assistants
            if rank == 1 and rng.random() < 0.3:
                return rng.choice(MANAGER_TITLE[dept])
            return rng.choice(STAFF_TITLE[dept])
        if rank == 1:
            return GROUP_EXEC_TITLE[dept] if co.depth == 0 else rng.choice(HEAD_OF_TITLE[dept])
        if rank == 2:
            return rng.choice(MANAGER_TITLE[dept])
        title = rng.choice(STAFF_TITLE[dept])
        return f"Senior {title}" if rng.random() < 0.2 else title

    def _roles(self, co: Co, dept: str, rank: int, title: str) -> tuple[list[Role], Stance]:
        rng = self.rng
        roles: set[Role] = set()
        r = rng.random
        if rank == 0:
            if co.depth == 0 or (co.depth == 1 and r() < 0.35):
                roles.add(Role.DECISION_MAKER)
        elif rank == 1 and dept != EXECUTIVE:  # a head of department
            top = co.depth == 0
            if dept == FINANCE and top:
                roles.add(Role.ECONOMIC_BUYER)
            elif dept == PROCUREMENT:
                roles.add(Role.GATEKEEPER)
                if top and r() < 0.6:
                    roles.add(Role.ECONOMIC_BUYER)
            elif dept in (IT, RND) and (top or r() < 0.6):
                roles.add(Role.TECHNICAL_BUYER)
                if top and dept == IT and r() < 0.3:
                    roles.add(Role.DECISION_MAKER)
            elif dept == QUALITY and r() < 0.5:
                roles.add(Role.TECHNICAL_BUYER)
            elif dept in (OPERATIONS, PRODUCTION, CLINICAL) and (top or r() < 0.6):
                roles.add(Role.USER_BUYER)
                if top and dept == OPERATIONS and r() < 0.5:
                    roles.add(Role.DECISION_MAKER)
            if r() < 0.15:
                roles.add(Role.INFLUENCER)
        else:
            if dept in (IT, RND) and rank == 2 and r() < 0.25:
                roles.add(Role.TECHNICAL_BUYER)
            elif dept in (OPERATIONS, PRODUCTION, CLINICAL) and rank == 2 and r() < 0.2:
                roles.add(Role.USER_BUYER)
            elif dept == EXECUTIVE and title == "Executive Assistant" and r() < 0.5:
                roles.add(Role.GATEKEEPER)
            elif dept == PROCUREMENT and r() < 0.08:
                roles.add(Role.GATEKEEPER)
            if r() < 0.04:
                roles.add(Role.INFLUENCER)
        x = r()
        if x < 0.015:
            roles.add(Role.CHAMPION)
        elif x < 0.03:
            roles.add(Role.COACH)
        elif x < 0.045:
            roles.add(Role.BLOCKER)
        if Role.CHAMPION in roles or Role.COACH in roles:
            stance = Stance.SUPPORTER
        elif Role.BLOCKER in roles:
            stance = Stance.OPPONENT
        else:
            # we know more about senior people: fewer unknowns, more declared supporters and opponents
            cut = (0.25, 0.65, 0.87) if rank <= 1 else (0.58, 0.86, 0.955)
            y = r()
            if y < cut[0]:
                stance = Stance.UNKNOWN
            elif y < cut[1]:
                stance = Stance.NEUTRAL
            elif y < cut[2]:
                stance = Stance.SUPPORTER
            else:
                stance = Stance.OPPONENT
        return sorted(roles), stance

    def _history(self, roles: list[Role], stance: Stance) -> list[PersonState]:
        """Earlier states ending in the current one: a stance that moved or a role that was added."""
        rng = self.rng
        states: list[tuple[list[Role], Stance]] = [(roles, stance)]
        for _ in range(1 if rng.random() < 0.75 else 2):
            later_roles, later_stance = states[0]
            if later_roles and rng.random() < 0.4:
                earlier_roles = sorted(set(later_roles) - {rng.choice(later_roles)})
                earlier_stance = later_stance
            else:
                earlier_roles = later_roles
                others = [s for s in (Stance.UNKNOWN, Stance.NEUTRAL, Stance.SUPPORTER, Stance.OPPONENT)
                          if s is not later_stance]  # fmt: skip
                earlier_stance = rng.choice(others)
            states.insert(0, (earlier_roles, earlier_stance))
        ago = 30 + int(rng.random() * 600)
        dates: list[date | None] = [self.days[ago]]
        for _ in range(len(states) - 1):
            ago += 120 + int(rng.random() * 700)
            dates.insert(0, self.days[ago])
        if rng.random() < 0.5:
            dates[0] = None  # known from the first record on
        return [
            raw(PersonState, {"since": d, "roles": list(r), "stance": s})
            for d, (r, s) in zip(dates, states, strict=True)
        ]
