"""CSV files for `neo4j-admin database import full`: the first load of very large data into an empty Neo4j.

`write_import_csv(bundle, folder)` writes one file per node label and per relationship type, in Neo4j's
import header format, holding exactly what `Neo4jStore` would write (the same labels, relationship types and
properties: dates as ISO text, money amounts as decimal text, a person's history as JSON text, roles as a string
array), and `IMPORT_COMMAND` names the files in the order the command takes them. Companies, people and team
members share one id space (`Entity`), as in the store. The constraints and indexes are created by the
first `Neo4jStore` that opens the database (`IF NOT EXISTS`), after the import; the data version starts at 0.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from accountgraph.schema.models import Bundle

__all__ = ["IMPORT_COMMAND", "NODE_FILES", "RELATIONSHIP_FILES", "write_import_csv"]

NODE_FILES: dict[str, tuple[str, ...]] = {
    "companies.csv": ("id:ID(Entity)", "name", "parent", "industry", "region", "country", ":LABEL"),
    "people.csv": (
        "id:ID(Entity)",
        "name",
        "company",
        "title",
        "department",
        "level:int",
        "reports_to",
        "roles:string[]",
        "stance",
        "email",
        "phone",
        "history",
        "since",
        "until",
        ":LABEL",
    ),
    "team.csv": ("id:ID(Entity)", "name", "function", "title", "email", ":LABEL"),
    "interactions.csv": ("id:ID(Interaction)", "member", "person", "kind", "at", "sentiment:int", "note", ":LABEL"),
    "risks.csv": (
        "id:ID(RiskEvent)",
        "company",
        "kind",
        "severity:int",
        "amount",
        "currency",
        "at",
        "summary",
        ":LABEL",
    ),
}
"""The node files and their headers (`name:type`; untyped columns are strings; an empty field is no property)."""

RELATIONSHIP_FILES: dict[str, tuple[str, ...]] = {
    "parent_of.csv": (":START_ID(Entity)", ":END_ID(Entity)", ":TYPE"),
    "works_at.csv": (":START_ID(Entity)", ":END_ID(Entity)", ":TYPE"),
    "reports_to.csv": (":START_ID(Entity)", ":END_ID(Entity)", ":TYPE"),
    "ties.csv": (
        ":START_ID(Entity)",
        ":END_ID(Entity)",
        ":TYPE",
        "strength:double",
        "since",
        "until",
        "last_contact",
        "note",
    ),
    "with_member.csv": (":START_ID(Interaction)", ":END_ID(Entity)", ":TYPE"),
    "with_person.csv": (":START_ID(Interaction)", ":END_ID(Entity)", ":TYPE"),
    "concerns.csv": (":START_ID(RiskEvent)", ":END_ID(Entity)", ":TYPE"),
}
"""The relationship files and their headers."""

IMPORT_COMMAND = (
    "neo4j-admin database import full neo4j --overwrite-destination --multiline-fields=true "
    + " ".join(f"--nodes=import/{name}" for name in NODE_FILES)
    + " "
    + " ".join(f"--relationships=import/{name}" for name in RELATIONSHIP_FILES)
)
"""The command, run in the Neo4j home with the files in its `import/` folder and the database stopped."""


def _field(value: Any) -> Any:
    if value is None:
        return ""  # an empty (unquoted) field: no property, as the store leaves out absent values
    if isinstance(value, list):
        return ";".join(value)  # neo4j-admin's array delimiter
    return value


def _write(path: Path, header: tuple[str, ...], rows: Iterable[Iterable[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([_field(v) for v in row] for row in rows)


def write_import_csv(bundle: Bundle, folder: Path) -> list[Path]:
    """Write the import files of `bundle` (a whole account, e.g. `GraphStore.export_bundle`) into `folder`;
    returns their paths, nodes first, in `IMPORT_COMMAND`'s order."""
    folder.mkdir(parents=True, exist_ok=True)

    def dump(records: Iterable[BaseModel]) -> list[dict[str, Any]]:
        return [r.model_dump(mode="json", by_alias=True) for r in records]

    companies, people, team = dump(bundle.companies), dump(bundle.people), dump(bundle.team)
    interactions, risks, ties = dump(bundle.interactions), dump(bundle.risks), dump(bundle.ties)

    def columns(rows: list[dict[str, Any]], header: tuple[str, ...], label: str) -> Iterable[list[Any]]:
        names = [h.split(":")[0] for h in header[:-1]]
        for row in rows:
            values = [row.get(n) for n in names]
            yield [*values, label]

    for person in people:
        person["roles"] = person.get("roles") or None  # no roles: no property (the store reads it as [])
        history = person.get("history")
        person["history"] = json.dumps(history, ensure_ascii=False) if history else "[]"
    labels = {
        "companies.csv": (companies, "Entity;Company"),
        "people.csv": (people, "Entity;Person"),
        "team.csv": (team, "Entity;TeamMember"),
        "interactions.csv": (interactions, "Interaction"),
        "risks.csv": (risks, "RiskEvent"),
    }
    written = []
    for name, header in NODE_FILES.items():
        rows, label = labels[name]
        _write(folder / name, header, columns(rows, header, label))
        written.append(folder / name)
    relationships: dict[str, list[tuple[Any, ...]]] = {
        "parent_of.csv": [(c["parent"], c["id"], "PARENT_OF") for c in companies if c.get("parent")],
        "works_at.csv": [(p["id"], p["company"], "WORKS_AT") for p in people],
        "reports_to.csv": [(p["id"], p["reports_to"], "REPORTS_TO") for p in people if p.get("reports_to")],
        "ties.csv": [
            (
                t["from"],
                t["to"],
                t["type"].upper(),
                t["strength"],
                t.get("since"),
                t.get("until"),
                t.get("last_contact"),
                t.get("note"),
            )
            for t in ties
        ],
        "with_member.csv": [(i["id"], i["member"], "WITH_MEMBER") for i in interactions],
        "with_person.csv": [(i["id"], i["person"], "WITH_PERSON") for i in interactions],
        "concerns.csv": [(r["id"], r["company"], "CONCERNS") for r in risks],
    }
    for name, header in RELATIONSHIP_FILES.items():
        _write(folder / name, header, relationships[name])
        written.append(folder / name)
    return written
