"""What generated accounts are made of: countries, group brands, business segments, departments and their
job titles, our team's titles and the notes of logged interactions."""

from __future__ import annotations

from dataclasses import dataclass

from accountgraph.schema.models import InteractionKind, TeamFunction


@dataclass(frozen=True)
class Country:
    name: str
    code: str
    region: str
    legal: str
    locale: str
    dial: str
    currency: str
    cities: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("Germany", "DE", "EMEA", "GmbH", "de", "+49", "EUR", ("Tuttlingen", "Erlangen", "Hamburg", "München")),
    Country("Switzerland", "CH", "EMEA", "AG", "de", "+41", "CHF", ("Zürich", "Basel", "Neuchâtel")),
    Country("Austria", "AT", "EMEA", "GmbH", "de", "+43", "EUR", ("Wien", "Graz", "Linz")),
    Country("France", "FR", "EMEA", "SAS", "fr", "+33", "EUR", ("Lyon", "Besançon", "Grenoble")),
    Country("Italy", "IT", "EMEA", "S.r.l.", "it", "+39", "EUR", ("Mirandola", "Milano", "Bologna")),
    Country("Sweden", "SE", "EMEA", "AB", "nordic", "+46", "SEK", ("Göteborg", "Uppsala", "Malmö")),
    Country("Denmark", "DK", "EMEA", "A/S", "nordic", "+45", "DKK", ("København", "Århus", "Odense")),
    Country("Poland", "PL", "EMEA", "Sp. z o.o.", "pl", "+48", "PLN", ("Kraków", "Wrocław", "Łódź")),
    Country("Ireland", "IE", "EMEA", "Ltd", "en", "+353", "EUR", ("Galway", "Limerick", "Cork")),
    Country("United Kingdom", "GB", "EMEA", "Ltd", "en", "+44", "GBP", ("Leeds", "Cambridge", "Swindon")),
    Country("Turkey", "TR", "EMEA", "A.Ş.", "tr", "+90", "TRY", ("İstanbul", "İzmir", "Bursa")),
    Country("United States", "US", "Americas", "Inc.", "en", "+1", "USD", ("Minneapolis", "Boston", "Irvine")),
    Country("Mexico", "MX", "Americas", "S.A. de C.V.", "es", "+52", "MXN", ("Tijuana", "Querétaro", "Monterrey")),
    Country("Brazil", "BR", "Americas", "Ltda.", "pt", "+55", "BRL", ("São Paulo", "Campinas", "Curitiba")),
    Country("China", "CN", "APAC", "Co., Ltd.", "zh", "+86", "CNY", ("Suzhou", "Shanghai", "Shenzhen")),
    Country("Japan", "JP", "APAC", "K.K.", "ja", "+81", "JPY", ("Tokyo", "Osaka", "Nagoya")),
    Country("Singapore", "SG", "APAC", "Pte. Ltd.", "en", "+65", "SGD", ("Singapore",)),
)
HOME_COUNTRIES = (0, 0, 1, 11)  # where a group's holding sits: Germany, Switzerland, United States

BRANDS = ("Helix", "Nordwerk", "Asterion", "Medivo", "Kestrel", "Lumera", "Vantor", "Corvida", "Aurelis", "Syntra")
GROUP_SUFFIXES = ("Group", "Holding AG", "Medical Group", "Medtech Group", "Healthcare Group")


@dataclass(frozen=True)
class Segment:
    name: str
    industry: str
    manufacturing: bool


SEGMENTS: tuple[Segment, ...] = (
    Segment("Medical", "Medical devices", False),
    Segment("Surgical", "Surgical instruments", False),
    Segment("Orthopaedics", "Orthopaedic implants", False),
    Segment("Diagnostics", "In-vitro diagnostics", False),
    Segment("Imaging", "Medical imaging", False),
    Segment("Cardio", "Cardiovascular devices", False),
    Segment("Infusion Systems", "Infusion technology", False),
    Segment("Respiratory", "Respiratory care", False),
    Segment("Precision Manufacturing", "Contract manufacturing", True),
    Segment("Components", "Precision components", True),
    Segment("Plastics", "Medical-grade plastics", True),
    Segment("Sterilisation", "Sterilisation services", True),
    Segment("Logistics", "Healthcare logistics", True),
    Segment("Services", "Technical services", True),
)

EXECUTIVE, PROCUREMENT, FINANCE, IT, RND, QUALITY, OPERATIONS, CLINICAL, PRODUCTION = (
    "Executive", "Procurement", "Finance", "IT", "R&D", "Quality", "Operations", "Clinical", "Production",
)  # fmt: skip
# departments besides Executive, in the order a growing company gets them
DEPTS_MEDICAL = (OPERATIONS, RND, QUALITY, FINANCE, PROCUREMENT, IT, CLINICAL)
DEPTS_MANUFACTURING = (PRODUCTION, OPERATIONS, QUALITY, PROCUREMENT, FINANCE, IT, RND)
DEPT_WEIGHT = {
    EXECUTIVE: 0.4, PROCUREMENT: 1.0, FINANCE: 1.2, IT: 1.2, RND: 2.5, QUALITY: 2.0,
    OPERATIONS: 3.0, CLINICAL: 1.5, PRODUCTION: 4.0,
}  # fmt: skip
GROUP_EXEC_TITLE = {
    PROCUREMENT: "Chief Procurement Officer", FINANCE: "Chief Financial Officer", IT: "Chief Information Officer",
    RND: "Chief Technology Officer", QUALITY: "Chief Quality & Regulatory Officer",
    OPERATIONS: "Chief Operating Officer", CLINICAL: "Chief Medical Officer", PRODUCTION: "Chief Manufacturing Officer",
}  # fmt: skip
HEAD_OF_TITLE = {
    PROCUREMENT: ("Head of Procurement", "Purchasing Director"), FINANCE: ("Head of Finance", "Finance Director"),
    IT: ("IT Director", "Head of IT"), RND: ("R&D Director", "Head of Development"),
    QUALITY: ("Head of Quality & Regulatory Affairs", "Quality Director"),
    OPERATIONS: ("Operations Director", "Head of Operations"),
    CLINICAL: ("Head of Clinical Affairs", "Medical Director"),
    PRODUCTION: ("Plant Manager", "Head of Production"),
}  # fmt: skip
MANAGER_TITLE = {
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
STAFF_TITLE = {
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
TEAM_TITLES = {
    TeamFunction.ACCOUNT_MANAGER: ("Regional Account Manager", "Key Account Manager", "Account Director"),
    TeamFunction.SOLUTION_EXPERT: ("Solution Architect", "Senior Solution Engineer", "Application Specialist"),
    TeamFunction.DELIVERY_MANAGER: ("Delivery Manager", "Service Delivery Lead", "Project Delivery Manager"),
    TeamFunction.EXECUTIVE: ("Executive Sponsor, VP Healthcare", "Managing Director EMEA", "Chief Revenue Officer"),
    TeamFunction.OTHER: (
        "Service Engineer", "Customer Success Manager", "Inside Sales Representative", "Field Service Technician",
        "Regulatory Consultant", "Contract Manager",
    ),
}  # fmt: skip
INTERACTION_NOTES = {
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
