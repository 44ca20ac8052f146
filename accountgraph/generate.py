"""Synthetic key accounts: a medical-device / manufacturing group, its people, their ties and our team.

`generate_account(people, seed)` builds a realistic, fully consistent `Bundle` for demos, tests and
benchmarks: a group holding with subsidiaries a few levels deep, departments, a reporting tree per
company, decision roles and stances (some with a dated history), `influences` and `knows` ties among the
customer's people, our own team (the iron triangle, executives and others) with its `knows` ties, logged
interactions over the two years before the reference date, and a few risk events.

Everything is drawn from one `random.Random(seed)` and dated relative to a fixed reference date, so
the same arguments always give the same bundle. Generation is linear in the number of people (about
ten ties per person): 100,000 people, about a million ties, take some 7-12 seconds on a small machine.
The hot path builds records without pydantic validation (valid by construction; the tests re-validate).

`sample_bundle()` loads the packaged demo account (`accountgraph/data/sample_account.json`, regenerated
by `python tools/make_sample.py`).
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, TypeVar

from pydantic import BaseModel

from accountgraph.perf import paused_gc
from accountgraph.schema.models import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    Bundle,
    Company,
    Interaction,
    InteractionKind,
    Person,
    PersonState,
    RiskEvent,
    RiskKind,
    Role,
    Stance,
    TeamFunction,
    TeamMember,
    Tie,
    TieType,
)

__all__ = [
    "DEFAULT_REFERENCE",
    "SAMPLE_ACCOUNT_ID",
    "SAMPLE_NAME",
    "SAMPLE_PEOPLE",
    "SAMPLE_SEED",
    "generate_account",
    "sample_bundle",
]

DEFAULT_REFERENCE = date(2026, 1, 1)
"""The date generated data is relative to (never `today()`, so output is reproducible)."""

SAMPLE_ACCOUNT_ID = "medtech"
SAMPLE_NAME = "Helix Medical Group"
SAMPLE_PEOPLE = 150
SAMPLE_SEED = 7
SAMPLE_RESOURCE = "sample_account.json"

M = TypeVar("M", bound=BaseModel)

# ---- vocabulary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Country:
    name: str
    code: str
    region: str
    legal: str
    locale: str
    dial: str
    currency: str
    cities: tuple[str, ...]


_COUNTRIES: tuple[_Country, ...] = (
    _Country("Germany", "DE", "EMEA", "GmbH", "de", "+49", "EUR", ("Tuttlingen", "Erlangen", "Hamburg", "München")),
    _Country("Switzerland", "CH", "EMEA", "AG", "de", "+41", "CHF", ("Zürich", "Basel", "Neuchâtel")),
    _Country("Austria", "AT", "EMEA", "GmbH", "de", "+43", "EUR", ("Wien", "Graz", "Linz")),
    _Country("France", "FR", "EMEA", "SAS", "fr", "+33", "EUR", ("Lyon", "Besançon", "Grenoble")),
    _Country("Italy", "IT", "EMEA", "S.r.l.", "it", "+39", "EUR", ("Mirandola", "Milano", "Bologna")),
    _Country("Sweden", "SE", "EMEA", "AB", "nordic", "+46", "SEK", ("Göteborg", "Uppsala", "Malmö")),
    _Country("Denmark", "DK", "EMEA", "A/S", "nordic", "+45", "DKK", ("København", "Århus", "Odense")),
    _Country("Poland", "PL", "EMEA", "Sp. z o.o.", "pl", "+48", "PLN", ("Kraków", "Wrocław", "Łódź")),
    _Country("Ireland", "IE", "EMEA", "Ltd", "en", "+353", "EUR", ("Galway", "Limerick", "Cork")),
    _Country("United Kingdom", "GB", "EMEA", "Ltd", "en", "+44", "GBP", ("Leeds", "Cambridge", "Swindon")),
    _Country("Turkey", "TR", "EMEA", "A.Ş.", "tr", "+90", "TRY", ("İstanbul", "İzmir", "Bursa")),
    _Country("United States", "US", "Americas", "Inc.", "en", "+1", "USD", ("Minneapolis", "Boston", "Irvine")),
    _Country("Mexico", "MX", "Americas", "S.A. de C.V.", "es", "+52", "MXN", ("Tijuana", "Querétaro", "Monterrey")),
    _Country("Brazil", "BR", "Americas", "Ltda.", "pt", "+55", "BRL", ("São Paulo", "Campinas", "Curitiba")),
    _Country("China", "CN", "APAC", "Co., Ltd.", "zh", "+86", "CNY", ("Suzhou", "Shanghai", "Shenzhen")),
    _Country("Japan", "JP", "APAC", "K.K.", "ja", "+81", "JPY", ("Tokyo", "Osaka", "Nagoya")),
    _Country("Singapore", "SG", "APAC", "Pte. Ltd.", "en", "+65", "SGD", ("Singapore",)),
)
_HOME_COUNTRIES = (0, 0, 1, 11)  # where a group's holding sits: Germany, Switzerland, United States

_GIVEN: dict[str, tuple[str, ...]] = {
    "de": (
        "Jürgen", "Björn", "Sören", "Jörg", "Günther", "Ute", "Käthe", "Bärbel", "Anja", "Katrin", "Stefan",
        "Thomas", "Andreas", "Michael", "Sabine", "Claudia", "Markus", "Tobias", "Lena", "Lukas", "Jonas",
        "Felix", "Hannah", "Marie", "Julia", "Matthias", "Frank", "Ralf", "Dörte", "Maximilian", "Annika",
    ),
    "en": (
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Susan", "Emily", "Daniel", "Sarah", "Chris", "Jessica", "Kevin", "Laura", "Brian", "Priya",
        "Aisha", "Kwame", "Olivia", "Ethan", "Grace", "Siobhán", "Seán", "Aoife", "Rajesh",
    ),
    "fr": (
        "Hélène", "François", "Amélie", "Théo", "Léa", "Chloé", "Mathieu", "Céline", "Jérôme", "Benoît",
        "Élodie", "Nicolas", "Camille", "Julien", "Sébastien", "Inès", "Noémie", "Anaïs", "Gaëlle",
    ),
    "it": (
        "Giulia", "Marco", "Alessandro", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Davide", "Elena",
        "Niccolò", "Federica", "Lorenzo", "Martina",
    ),
    "es": (
        "Alejandro", "María", "José", "Lucía", "Carlos", "Sofía", "Javier", "Valentina", "Andrés", "Ximena",
        "Fernando", "Mónica", "Raúl", "Inés",
    ),
    "pt": ("João", "Ana", "Luís", "Conceição", "Gabriel", "Beatriz", "Thiago", "Mariana", "Rafael", "Letícia", "André"),
    "nordic": (
        "Åsa", "Søren", "Björn", "Ingrid", "Lars", "Maja", "Erik", "Sigrid", "Mikael", "Øystein", "Annika",
        "Nils", "Freja", "Mads",
    ),
    "pl": (
        "Łukasz", "Agnieszka", "Paweł", "Małgorzata", "Krzysztof", "Katarzyna", "Piotr", "Joanna", "Michał", "Zofia",
    ),
    "tr": ("Mehmet", "Ayşe", "Mustafa", "Fatma", "Emre", "Zeynep", "Burak", "Elif", "Çağlar", "Gülşen", "Oğuz", "Şule"),
    "ja": (
        "Hiroshi", "Yuki", "Takeshi", "Akiko", "Kenji", "Naoko", "Daisuke", "Emi", "Haruto", "Sakura", "Ryō", "Yūko",
    ),
}  # fmt: skip
_FAMILY: dict[str, tuple[str, ...]] = {
    "de": (
        "Müller", "Schäfer", "Köhler", "Weiß", "Groß", "Schröder", "Krüger", "Höfer", "Jäger", "Fuchs", "Wagner",
        "Schmidt", "Schneider", "Fischer", "Meyer", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann",
        "Zimmermann", "Braun", "Hartmann", "Lange", "Krause", "Lehmann", "Förster", "Böhm", "Dreßler", "Kühn",
        "Möller",
    ),
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
        "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Patel",
        "Nguyen", "O'Brien", "Murphy", "Kelly", "Okafor", "Khan", "Robinson",
    ),
    "fr": (
        "Dubois", "Lefèvre", "Moreau", "Girard", "Mercier", "Bonnet", "Lambert", "Fontaine", "Rousseau",
        "Chevalier", "Gauthier", "Faure", "Perrin", "Leclerc", "Thébault", "Ménard", "Deschênes",
    ),
    "it": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Galli", "Conti", "De Luca", "Mancini", "Lombardi",
    ),
    "es": (
        "García", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez", "Torres",
        "Flores", "Rivera", "Gómez", "Díaz", "Muñoz", "Jiménez", "Peña",
    ),
    "pt": (
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gonçalves",
        "Araújo", "Magalhães", "Simões",
    ),
    "nordic": (
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Østergaard", "Lindqvist", "Sjöberg", "Jensen",
        "Nielsen", "Hansen", "Åberg", "Lindström", "Bergström", "Holm",
    ),
    "pl": (
        "Nowak", "Wójcik", "Mazur", "Krawczyk", "Kaczmarek", "Zając", "Król", "Wieczorek", "Jabłoński", "Wróbel",
        "Dudek", "Michalak",
    ),
    "tr": ("Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Yıldız", "Öztürk", "Aydın", "Özdemir", "Arslan", "Doğan"),
    "ja": (
        "Satō", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi", "Katō",
        "Yoshida", "Yamada",
    ),
}  # fmt: skip
# Chinese names: (characters, pinyin); written either in characters (family name first, no space) or in pinyin
_ZH_FAMILY: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("林", "Lin"), ("何", "He"), ("高", "Gao"), ("罗", "Luo"),
)  # fmt: skip
_ZH_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "Wei"), ("芳", "Fang"), ("静", "Jing"), ("磊", "Lei"), ("敏", "Min"), ("艳", "Yan"), ("军", "Jun"),
    ("慧", "Hui"), ("晓明", "Xiaoming"), ("丽", "Li"), ("强", "Qiang"), ("颖", "Ying"), ("浩", "Hao"),
    ("鑫", "Xin"), ("宇", "Yu"), ("杰", "Jie"), ("雪梅", "Xuemei"), ("建华", "Jianhua"),
)  # fmt: skip
# where people of an international subsidiary come from when not local
_EXPAT_LOCALES = ("en", "en", "en", "de", "de", "zh", "fr", "es", "it", "nordic", "pl", "tr", "pt", "ja")
_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ø": "o", "Ø": "O",
     "ł": "l", "Ł": "L", "ı": "i", "æ": "ae", "å": "a", "Å": "A"}
)  # fmt: skip

_BRANDS = ("Helix", "Nordwerk", "Asterion", "Medivo", "Kestrel", "Lumera", "Vantor", "Corvida", "Aurelis", "Syntra")
_GROUP_SUFFIXES = ("Group", "Holding AG", "Medical Group", "Medtech Group", "Healthcare Group")


@dataclass(frozen=True)
class _Segment:
    name: str
    industry: str
    manufacturing: bool


_SEGMENTS: tuple[_Segment, ...] = (
    _Segment("Medical", "Medical devices", False),
    _Segment("Surgical", "Surgical instruments", False),
    _Segment("Orthopaedics", "Orthopaedic implants", False),
    _Segment("Diagnostics", "In-vitro diagnostics", False),
    _Segment("Imaging", "Medical imaging", False),
    _Segment("Cardio", "Cardiovascular devices", False),
    _Segment("Infusion Systems", "Infusion technology", False),
    _Segment("Respiratory", "Respiratory care", False),
    _Segment("Precision Manufacturing", "Contract manufacturing", True),
    _Segment("Components", "Precision components", True),
    _Segment("Plastics", "Medical-grade plastics", True),
    _Segment("Sterilisation", "Sterilisation services", True),
    _Segment("Logistics", "Healthcare logistics", True),
    _Segment("Services", "Technical services", True),
)

EXECUTIVE, PROCUREMENT, FINANCE, IT, RND, QUALITY, OPERATIONS, CLINICAL, PRODUCTION = (
    "Executive", "Procurement", "Finance", "IT", "R&D", "Quality", "Operations", "Clinical", "Production",
)  # fmt: skip
# departments besides Executive, in the order a growing company gets them
_DEPTS_MEDICAL = (OPERATIONS, RND, QUALITY, FINANCE, PROCUREMENT, IT, CLINICAL)
_DEPTS_MANUFACTURING = (PRODUCTION, OPERATIONS, QUALITY, PROCUREMENT, FINANCE, IT, RND)
_DEPT_WEIGHT = {
    EXECUTIVE: 0.4, PROCUREMENT: 1.0, FINANCE: 1.2, IT: 1.2, RND: 2.5, QUALITY: 2.0,
    OPERATIONS: 3.0, CLINICAL: 1.5, PRODUCTION: 4.0,
}  # fmt: skip
_GROUP_EXEC_TITLE = {
    PROCUREMENT: "Chief Procurement Officer", FINANCE: "Chief Financial Officer", IT: "Chief Information Officer",
    RND: "Chief Technology Officer", QUALITY: "Chief Quality & Regulatory Officer",
    OPERATIONS: "Chief Operating Officer", CLINICAL: "Chief Medical Officer", PRODUCTION: "Chief Manufacturing Officer",
}  # fmt: skip
_HEAD_OF_TITLE = {
    PROCUREMENT: ("Head of Procurement", "Purchasing Director"), FINANCE: ("Head of Finance", "Finance Director"),
    IT: ("IT Director", "Head of IT"), RND: ("R&D Director", "Head of Development"),
    QUALITY: ("Head of Quality & Regulatory Affairs", "Quality Director"),
    OPERATIONS: ("Operations Director", "Head of Operations"),
    CLINICAL: ("Head of Clinical Affairs", "Medical Director"),
    PRODUCTION: ("Plant Manager", "Head of Production"),
}  # fmt: skip
_MANAGER_TITLE = {
    EXECUTIVE: ("Head of Strategy", "Chief of Staff", "Head of Corporate Development"),
    PROCUREMENT: ("Category Manager", "Strategic Purchasing Manager", "Supplier Quality Manager"),
    FINANCE: ("Head of Controlling", "Treasury Manager", "Accounting Manager"),
    IT: ("Head of Infrastructure", "ERP Program Manager", "IT Security Manager", "Head of Applications"),
    RND: ("Engineering Manager", "Program Manager", "Head of Software Development", "Systems Engineering Lead"),
    QUALITY: ("QA Manager", "Regulatory Affairs Manager", "Validation Manager"),
    OPERATIONS: ("Supply Chain Manager", "Logistics Manager", "Maintenance Manager", "Operations Manager"),
    CLINICAL: ("Clinical Operations Manager", "Medical Affairs Manager"),
    PRODUCTION: ("Production Manager", "Shift Manager", "Manufacturing Engineering Manager"),
}  # fmt: skip
_STAFF_TITLE = {
    EXECUTIVE: ("Executive Assistant", "Strategy Analyst", "Office Manager"),
    PROCUREMENT: ("Strategic Buyer", "Purchasing Specialist", "Buyer", "Supplier Development Engineer"),
    FINANCE: ("Controller", "Financial Analyst", "Accountant", "Credit Manager"),
    IT: ("IT Architect", "System Administrator", "SAP Consultant", "Network Engineer", "Data Engineer"),
    RND: ("Development Engineer", "Software Engineer", "Test Engineer", "Project Engineer", "Design Engineer"),
    QUALITY: ("Quality Engineer", "Regulatory Affairs Specialist", "QA Auditor", "Validation Engineer"),
    OPERATIONS: ("Production Planner", "Supply Chain Specialist", "Logistics Coordinator", "Maintenance Engineer"),
    CLINICAL: ("Clinical Specialist", "Clinical Research Associate", "Medical Science Liaison"),
    PRODUCTION: ("Process Engineer", "Production Supervisor", "Machine Operator", "Industrial Engineer"),
}  # fmt: skip
_TEAM_TITLES = {
    TeamFunction.ACCOUNT_MANAGER: ("Regional Account Manager", "Key Account Manager", "Account Director"),
    TeamFunction.SOLUTION_EXPERT: ("Solution Architect", "Senior Solution Engineer", "Application Specialist"),
    TeamFunction.DELIVERY_MANAGER: ("Delivery Manager", "Service Delivery Lead", "Project Delivery Manager"),
    TeamFunction.EXECUTIVE: ("Executive Sponsor, VP Healthcare", "Managing Director EMEA", "Chief Revenue Officer"),
    TeamFunction.OTHER: (
        "Service Engineer", "Customer Success Manager", "Inside Sales Representative", "Field Service Technician",
        "Regulatory Consultant", "Contract Manager",
    ),
}  # fmt: skip
_INTERACTION_NOTES = {
    InteractionKind.MEETING: (
        "Quarterly business review", "Discussed the service contract renewal", "Roadmap presentation",
        "Budget planning for next fiscal year", "Escalation meeting on delivery delays", "Steering committee",
    ),
    InteractionKind.CALL: (
        "Follow-up on the open quote", "Clarified technical requirements", "Checked in after go-live",
        "Discussed pricing and volume discount", "Status call on the validation project",
    ),
    InteractionKind.EMAIL: (
        "Sent the revised offer", "Shared the validation documentation", "Answered a question on spare parts",
        "Sent the meeting minutes", "Shared a customer reference",
    ),
    InteractionKind.VISIT: ("Plant visit and line audit", "Site visit with our service team", "Visited the R&D centre"),
    InteractionKind.EVENT: ("Met at MEDICA trade fair", "Customer advisory board dinner", "User group conference"),
}  # fmt: skip


# ---- small helpers ----------------------------------------------------------------------------------


def _raw(cls: type[M], values: dict[str, Any]) -> M:
    """Build a model instance from values that are valid by construction, skipping validation.

    Generation makes about a million records for 100,000 people; validating each would take most of
    the time. `values` must name every field with the value validation would have produced (the
    tests check that re-validating a generated bundle gives an equal bundle).
    """
    return cls.model_construct(**values)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.lower())


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "account"


def _width(count: int, least: int) -> int:
    return max(least, len(str(count)))


@dataclass
class _Co:
    index: int
    id: str
    name: str
    parent: int | None
    depth: int
    country: _Country
    segment: _Segment
    departments: list[str] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    by_dept: dict[str, list[int]] = field(default_factory=dict)
    dept_heads: dict[str, int] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # people's names, kept distinct within a company


class _Names:
    """Realistic names (and ASCII e-mail addresses) drawn from a country's locale with some expatriates."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: dict[str, int] = {}

    def person(self, locale: str, taken: set[str]) -> tuple[str, str]:
        """A display name and an ASCII `given.family` e-mail local part (a few tries for a name not in `taken`)."""
        for _ in range(3):
            name, local = self._draw(locale)
            if name not in taken:
                break
        taken.add(name)
        return name, local

    def _draw(self, locale: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.25:
            locale = _EXPAT_LOCALES[int(rng.random() * len(_EXPAT_LOCALES))]
        if locale == "zh":
            fam_hz, fam = _ZH_FAMILY[int(rng.random() * len(_ZH_FAMILY))]
            giv_hz, giv = _ZH_GIVEN[int(rng.random() * len(_ZH_GIVEN))]
            r = rng.random()
            if r < 0.45:
                name = fam_hz + giv_hz
            elif r < 0.75:
                name = f"{fam} {giv}"
            else:
                name = f"{giv} {fam}"
            return name, f"{_ascii(giv)}.{_ascii(fam)}"
        given = _GIVEN[locale]
        family = _FAMILY[locale]
        g = given[int(rng.random() * len(given))]
        f = family[int(rng.random() * len(family))]
        return f"{g} {f}", f"{_ascii(g)}.{_ascii(f)}"

    def email(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        seen = self.emails.get(address, 0)
        self.emails[address] = seen + 1
        return address if seen == 0 else f"{local}{seen + 1}@{domain}"


# ---- the generator ----------------------------------------------------------------------------------


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
        reference: the date everything is relative to (default `DEFAULT_REFERENCE`); interactions fall
            in the two years before it, nothing is dated after it.

    Returns:
        A bundle that the store accepts as is: unique ids across companies, people and team members,
        every reference resolved, no cycles, canonical `knows` ties, histories ending in the current
        state. About 10 ties per person.

    Raises:
        ValueError: if `people` is negative or `account_id` is blank.

    Examples:
        >>> bundle = generate_account(200, seed=1)
        >>> bundle.counts()["people"]
        200
        >>> bundle == generate_account(200, seed=1)
        True
    """
    if people < 0:
        raise ValueError("people must be 0 or more")
    if not account_id.strip() or account_id != account_id.strip():
        raise ValueError("account_id must be non-blank without surrounding whitespace")
    with paused_gc():  # millions of small objects, none of them cyclic
        return _Generator(people, seed, account_id, name, reference or DEFAULT_REFERENCE).run()


class _Generator:
    def __init__(self, people: int, seed: int, account_id: str, name: str | None, reference: date) -> None:
        self.n = people
        self.rng = random.Random(seed)
        self.acc = account_id
        self.ref = reference
        self.ref_time = datetime(reference.year, reference.month, reference.day, tzinfo=UTC)
        self.days = [reference - timedelta(days=k) for k in range(4000)]  # days[k]: k days before reference
        brand = _BRANDS[int(self.rng.random() * len(_BRANDS))]
        suffix = _GROUP_SUFFIXES[int(self.rng.random() * len(_GROUP_SUFFIXES))]
        self.name = name.strip() if name and name.strip() else f"{brand} {suffix}"
        self.brand = self.name.split()[0]
        self.domain = f"{_slug(self.name)}.example"
        self.names = _Names(self.rng)
        self.wp = _width(people, 5)
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
        self.companies: list[_Co] = []
        self.team_ids: list[str] = []

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
        return _raw(Bundle, values)

    # ---- companies ----------------------------------------------------------------------------------
    def _companies(self) -> None:
        rng = self.rng
        per_company = 40 + 20 * rng.random()
        count = max(3 if self.n < 100 else 4, math.ceil(self.n / per_company))
        width = _width(count, 3)
        home = _COUNTRIES[_HOME_COUNTRIES[int(rng.random() * len(_HOME_COUNTRIES))]]
        root = _Co(0, self.acc, self.name, None, 0, home, _SEGMENTS[0])
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
                country = _COUNTRIES[int(rng.random() * len(_COUNTRIES))]
            segment = up.segment if depth > 1 and rng.random() < 0.5 else _SEGMENTS[int(rng.random() * len(_SEGMENTS))]
            city = country.cities[int(rng.random() * len(country.cities))]
            base = self._company_name(segment, country, city, depth, names)
            company = _Co(index, f"{self.acc}-c{index:0{width}d}", base, parent, depth,
                          country, segment)  # fmt: skip
            self.companies.append(company)
            if depth < 3:
                by_depth[depth].append(index)

    def _company_name(self, segment: _Segment, country: _Country, city: str, depth: int, names: set[str]) -> str:
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

    def _company_record(self, co: _Co) -> Company:
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
            own = _DEPTS_MANUFACTURING if co.segment.manufacturing else _DEPTS_MEDICAL
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
                acc += _DEPT_WEIGHT[d]
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

    def _person(self, co: _Co, dept: str, manager: int, rank: int) -> int:
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
            _raw(
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

    def _title(self, co: _Co, dept: str, rank: int) -> str:
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
                return rng.choice(_MANAGER_TITLE[dept])
            return rng.choice(_STAFF_TITLE[dept])
        if rank == 1:
            return _GROUP_EXEC_TITLE[dept] if co.depth == 0 else rng.choice(_HEAD_OF_TITLE[dept])
        if rank == 2:
            return rng.choice(_MANAGER_TITLE[dept])
        title = rng.choice(_STAFF_TITLE[dept])
        return f"Senior {title}" if rng.random() < 0.2 else title

    def _roles(self, co: _Co, dept: str, rank: int, title: str) -> tuple[list[Role], Stance]:
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
            _raw(PersonState, {"since": d, "roles": list(r), "stance": s})
            for d, (r, s) in zip(dates, states, strict=True)
        ]

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

    # ---- our team ------------------------------------------------------------------------------------
    def _team(self) -> tuple[list[TeamMember], list[Tie], list[tuple[int, int, float, int, int]]]:
        """Our team, its knows ties, and its contacts as (member, person, strength, since, last) in days ago."""
        rng = self.rng
        rnd = rng.random
        n = self.n
        size = 6 + n // 200
        width = _width(size, 2)
        functions = [TeamFunction.ACCOUNT_MANAGER, TeamFunction.SOLUTION_EXPERT, TeamFunction.DELIVERY_MANAGER,
                     TeamFunction.EXECUTIVE]  # fmt: skip
        if rnd() < 0.5:
            functions.append(TeamFunction.EXECUTIVE)
        cycle = (TeamFunction.OTHER, TeamFunction.ACCOUNT_MANAGER, TeamFunction.SOLUTION_EXPERT,
                 TeamFunction.DELIVERY_MANAGER, TeamFunction.OTHER)  # fmt: skip
        while len(functions) < size:
            functions.append(cycle[(len(functions) - 5) % len(cycle)])
        names, taken = _Names(rng), set[str]()
        members: list[TeamMember] = []
        for k, function in enumerate(functions):
            name, local = names.person(("en", "de", "fr", "zh", "es", "nordic")[int(rnd() * 6)], taken)
            if k == 0:
                title = "Global Key Account Manager"
            elif k < 3 and function in (TeamFunction.SOLUTION_EXPERT, TeamFunction.DELIVERY_MANAGER):
                title = _TEAM_TITLES[function][0]
            else:
                title = rng.choice(_TEAM_TITLES[function])
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
                _raw(Tie, {"from_": a, "to": b, "type": TieType.KNOWS, "strength": strength,
                           "since": days[since_ago], "until": until, "last_contact": days[last_ago], "note": None})
            )  # fmt: skip
        # our own people know each other: the core team closely, everyone the lead account manager
        core = min(len(members), 5)
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if (x < core and y < core) or x == 0:
                    a, b = sorted((members[x].id, members[y].id))
                    ties.append(
                        _raw(Tie, {"from_": a, "to": b, "type": TieType.KNOWS,
                                   "strength": round(0.6 + 0.4 * rnd(), 2), "since": days[90 + int(rnd() * 1500)],
                                   "until": None, "last_contact": days[int(rnd() * 60)], "note": None})
                    )  # fmt: skip
        return members, ties, contacts

    # ---- interactions and risks ---------------------------------------------------------------------
    def _interactions(self, contacts: list[tuple[int, int, float, int, int]]) -> list[Interaction]:
        rng = self.rng
        rnd = rng.random
        kinds = (InteractionKind.EMAIL, InteractionKind.CALL, InteractionKind.MEETING, InteractionKind.VISIT,
                 InteractionKind.EVENT)  # fmt: skip
        cum = (0.35, 0.6, 0.85, 0.95, 1.0)
        team_ids = self.team_ids
        touches: list[tuple[int, int, int]] = []  # (member, person, days ago)
        for k, p, strength, since_ago, last_ago in contacts:
            if last_ago > 730:
                continue
            touches.append((k, p, last_ago))
            window = min(since_ago, 730)
            for _ in range(int(strength * 9 * rnd())):
                touches.append((k, p, last_ago + int(rnd() * max(0, window - last_ago))))
        if contacts and self.n:  # a few first touches with people we do not know yet (events, cold calls)
            members = sorted({k for k, *_ in contacts})
            for _ in range(max(1, len(contacts) // 20)):
                touches.append((rng.choice(members), int(rnd() * self.n), 1 + int(rnd() * 729)))
        width = _width(len(touches), 6)
        out: list[Interaction] = []
        for number, (k, p, ago) in enumerate(touches, start=1):
            x = rnd()
            kind = kinds[next(i for i, c in enumerate(cum) if x < c)]
            stance = self.pstance[p]
            y = rnd()
            if stance is Stance.SUPPORTER:
                sentiment = 1 if y < 0.6 else 0
            elif stance is Stance.OPPONENT:
                sentiment = -1 if y < 0.5 else 0
            else:
                sentiment = 1 if y < 0.2 else (-1 if y < 0.3 else 0)
            hour = 8 + int(rnd() * 10)
            at = self.ref_time - timedelta(days=ago) + timedelta(hours=hour, minutes=15 * int(rnd() * 4))
            notes = _INTERACTION_NOTES[kind]
            out.append(
                _raw(Interaction, {"id": f"{self.acc}-i{number:0{width}d}", "member": team_ids[k],
                                   "person": self.pid[p], "kind": kind, "at": at, "sentiment": sentiment,
                                   "note": notes[int(rnd() * len(notes))]})
            )  # fmt: skip
        return out

    def _risks(self) -> list[RiskEvent]:
        rng = self.rng
        companies = self.companies
        count = 4 + len(companies) // 25
        width = _width(count, 3)
        kinds = [RiskKind.LITIGATION, RiskKind.CREDIT, RiskKind.NEWS, RiskKind.COMPLIANCE]
        kinds += [rng.choice(list(RiskKind)) for _ in range(count - len(kinds))]
        out: list[RiskEvent] = []
        for number, kind in enumerate(kinds, start=1):
            co = companies[0] if number == 1 else companies[int(rng.random() * len(companies))]
            currency = co.country.currency
            amount: Decimal | None = None
            severity = 1 + int(rng.random() * 5)
            if kind is RiskKind.LITIGATION:
                amount = Decimal(rng.randrange(250, 25_000) * 1000).quantize(Decimal("0.01"))
                product = rng.choice(("infusion pump", "hip implant", "surgical stapler", "ventilator", "catheter"))
                article = "an" if product[0] in "aeiou" else "a"
                summary = f"Product liability suit over {article} {product} filed against {co.name}"
                severity = max(severity, 3)
            elif kind is RiskKind.CREDIT:
                amount = Decimal(rng.randrange(50, 2_000) * 1000).quantize(Decimal("0.01"))
                summary = rng.choice(
                    (f"Payment delays at {co.name}: overdue receivables", f"Credit rating of {co.name} downgraded")
                )
            elif kind is RiskKind.FINANCIAL:
                summary = rng.choice(("Profit warning: margin guidance cut", "Covenant breach on a syndicated loan"))
                if rng.random() < 0.5:
                    amount = Decimal(rng.randrange(1_000, 50_000) * 1000).quantize(Decimal("0.01"))
            elif kind is RiskKind.COMPLIANCE:
                summary = rng.choice(
                    (f"FDA warning letter after an inspection of {co.name}",
                     f"MDR audit of {co.name}: major non-conformities", "Export-control review of a shipment")
                )  # fmt: skip
            else:
                summary = rng.choice(
                    (f"Restructuring announced at {co.name}", f"New CEO announced at {co.name}",
                     f"{co.name} to be sold, press reports", "Group announces a cost-cutting programme")
                )  # fmt: skip
                severity = min(severity, 3)
            out.append(
                RiskEvent(
                    id=f"{self.acc}-r{number:0{width}d}", company=co.id, kind=kind, severity=severity,
                    amount=amount, currency=currency if amount is not None else None,
                    at=self.days[1 + int(rng.random() * 1000)], summary=summary,
                )
            )  # fmt: skip
        return out


# ---- the packaged sample ----------------------------------------------------------------------------


def generate_sample() -> Bundle:
    """The demo account as `tools/make_sample.py` writes it to `accountgraph/data/sample_account.json`."""
    return generate_account(SAMPLE_PEOPLE, seed=SAMPLE_SEED, account_id=SAMPLE_ACCOUNT_ID, name=SAMPLE_NAME)


def sample_bundle(reference: date | None = None) -> Bundle:
    """The bundled demo account: Helix Medical Group, about 150 people (read from the package data).

    With `reference`, the same account with every date moved so that it ends on that day instead of
    DEFAULT_REFERENCE (the demo uses today, so its relationships are as fresh as when it was made).
    """
    text = (resources.files("accountgraph") / "data" / SAMPLE_RESOURCE).read_text(encoding="utf-8")
    bundle = Bundle.model_validate_json(text)
    if reference is None or reference == DEFAULT_REFERENCE:
        return bundle
    return shift_dates(bundle, reference - DEFAULT_REFERENCE)


def shift_dates(bundle: Bundle, by: timedelta) -> Bundle:
    """A copy of `bundle` with every date and time moved by `by` (ties, history, interactions, risks)."""

    def move(value: Any) -> Any:
        return None if value is None else value + by

    return bundle.model_copy(
        update={
            "people": [
                p.model_copy(update={"history": [h.model_copy(update={"since": move(h.since)}) for h in p.history]})
                for p in bundle.people
            ],
            "ties": [
                t.model_copy(update={f: move(getattr(t, f)) for f in ("since", "until", "last_contact")})
                for t in bundle.ties
            ],
            "interactions": [i.model_copy(update={"at": i.at + by}) for i in bundle.interactions],
            "risks": [r.model_copy(update={"at": r.at + by}) for r in bundle.risks],
        }
    )
