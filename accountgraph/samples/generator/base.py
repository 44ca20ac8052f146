"""The generator's shared state (the person arrays every stage reads and writes) and its small helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from accountgraph.samples.generator.names import Names, slug
from accountgraph.samples.generator.vocabulary import BRANDS, GROUP_SUFFIXES, Country, Segment
from accountgraph.schema.models import Person, Role, Stance

M = TypeVar("M", bound=BaseModel)


def raw(cls: type[M], values: dict[str, Any]) -> M:
    """Build a model instance from values that are valid by construction, skipping validation.

    Generation makes about a million records for 100,000 people; validating each would take most of
    the time. `values` must name every field with the value validation would have produced (the
    tests check that re-validating a generated bundle gives an equal bundle).
    """
    return cls.model_construct(**values)


def id_width(count: int, least: int) -> int:
    """The zero-padded width of numbers up to `count` in ids (at least `least` digits)."""
    return max(least, len(str(count)))


@dataclass
class Co:
    """A company while it is being built: where it sits, its departments and its people (by number)."""

    index: int
    id: str
    name: str
    parent: int | None
    depth: int
    country: Country
    segment: Segment
    departments: list[str] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    by_dept: dict[str, list[int]] = field(default_factory=dict)
    dept_heads: dict[str, int] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # people's names, kept distinct within a company


class State:
    """What the stages share: the seed's random stream, the reference date, the companies and the person arrays."""

    def __init__(self, people: int, seed: int, account_id: str, name: str | None, reference: date) -> None:
        self.n = people
        self.rng = random.Random(seed)
        self.acc = account_id
        self.ref = reference
        self.ref_time = datetime(reference.year, reference.month, reference.day, tzinfo=UTC)
        self.days = [reference - timedelta(days=k) for k in range(4000)]  # days[k]: k days before reference
        brand = BRANDS[int(self.rng.random() * len(BRANDS))]
        suffix = GROUP_SUFFIXES[int(self.rng.random() * len(GROUP_SUFFIXES))]
        self.name = name.strip() if name and name.strip() else f"{brand} {suffix}"
        self.brand = self.name.split()[0]
        self.domain = f"{slug(self.name)}.example"
        self.names = Names(self.rng)
        self.wp = id_width(people, 5)
        # person arrays, indexed by a person's number (0-based)
        self.pid: list[str] = []
        self.pco: list[int] = []
        self.pdept: list[str] = []
        self.plevel: list[int] = []
        self.pmgr: list[int] = []
        self.prank: list[int] = []  # 0 head of company, 1 head of department, 2.. below
        self.proles: list[list[Role]] = []
        self.pstance: list[Stance] = []
        self.reports: list[list[int]] = []
        self.records: list[Person] = []
        self.companies: list[Co] = []
        self.team_ids: list[str] = []
