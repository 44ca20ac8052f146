"""`POST /v1/import/mapped`: another CRM's export through a built-in profile, the same use case as the CLI's
`import --profile` (one plan, the same problems named by file, row and column)."""

from __future__ import annotations

import base64
from importlib import resources
from pathlib import Path

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.schema.models import ApiRole, BundleIssue
from accountgraph.services.crm_import import where_of
from tests.api.support import api, error_of, new_key
from tests.cli.support import invoke

SAMPLES = resources.files("accountgraph.samples") / "imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_dry_run_then_an_import_then_a_reimport(tmp_path: Path) -> None:
    data = (SAMPLES / "dynamics-contacts.xlsx").read_bytes()
    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store, api(store) as client:
        headers = {**new_key(store, ApiRole.PLANNER), "content-type": XLSX}
        path = "/v1/import/mapped?profile=dynamics&filename=contacts.xlsx"
        r = client.post(path + "&dry_run=true", content=data, headers=headers)
        assert r.status_code == 200, r.text
        plan = r.json()
        assert plan["mapping"] == "dynamics-contacts" and plan["imported"] is None
        assert plan["counts"] == {"companies created": 2, "people created": 3}
        assert [row["record"]["name"] for row in plan["rows"]] == ["Olivia Chen", "Daniel Park", "Grace Miller"]
        assert store.counts()["people"] == 0
        r = client.post(path, content=data, headers=headers)
        assert r.status_code == 200 and r.json()["imported"]["people"] == 3
        r = client.post(path, content=data, headers=headers)
        assert r.status_code == 200 and r.json()["counts"] == {"people unchanged": 3}
        assert store.counts()["people"] == 3
        viewer = {**new_key(store, ApiRole.VIEWER), "content-type": XLSX}
        assert client.post(path, content=data, headers=viewer).status_code == 403


def test_the_api_and_the_cli_name_the_same_problems(tmp_path: Path) -> None:
    data = (SAMPLES / "hubspot-contacts.csv").read_bytes().replace(b"Champion", b"Cheerleader")
    file = tmp_path / "contacts.csv"
    file.write_bytes(data)
    done = invoke(f"sqlite:///{tmp_path / 'cli.db'}", "import", str(file), "--profile", "hubspot")
    assert done.exit_code == 1
    from_cli: list[str] = []
    for line in done.stderr.splitlines():  # an issue longer than the terminal goes on over the next lines
        if line.startswith("  - "):
            from_cli.append(line[4:])
        elif from_cli:
            from_cli[-1] += " " + line.strip()
    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store, api(store) as client:
        headers = {**new_key(store, ApiRole.PLANNER), "content-type": "text/csv"}
        r = client.post("/v1/import/mapped?profile=hubspot&filename=contacts.csv", content=data, headers=headers)
        assert r.status_code == 422
        from_api = [where_of(BundleIssue.model_validate(i)) for i in error_of(r)["details"]]
        assert store.counts()["people"] == 0
        r = client.post("/v1/import/mapped?profile=pipedrive", content=data, headers=headers)
        assert r.status_code == 422 and "unknown profile" in r.text
    assert (
        from_cli
        == from_api
        == [
            "contacts.csv row 3, column 'Buying Role': 'Cheerleader' is not a role (decision_maker, economic_buyer, "
            "technical_buyer, user_buyer, influencer, champion, coach, gatekeeper, blocker); add it to the mapping's "
            "fields.roles.values"
        ]
    )


def test_an_export_sent_as_json_with_its_own_mapping(tmp_path: Path) -> None:
    spec = {
        "record": "person",
        "ids": {"person": "de-", "company": "de-"},
        "fields": {"name": {"join": ["Vorname", "Nachname"]}, "company": "Kunde", "stance": "Haltung"},
    }
    text = "Kunde,Vorname,Nachname,Haltung\nMuster AG,Eva,Berg,supporter\n"
    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store, api(store) as client:
        headers = new_key(store, ApiRole.PLANNER)
        body = {"filename": "kontakte.csv", "text": text, "mapping": spec}
        r = client.post("/v1/import/mapped", json=body, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["counts"] == {"companies created": 1, "people created": 1}
        assert store.get_person("de-Eva-Berg@de-Muster-AG").company == "de-Muster-AG"
        xlsx = base64.b64encode((SAMPLES / "dynamics-contacts.xlsx").read_bytes()).decode()
        r = client.post(
            "/v1/import/mapped?dry_run=true",
            json={"filename": "c.xlsx", "base64": xlsx, "profile": "dynamics"},
            headers=headers,
        )
        assert r.status_code == 200 and r.json()["counts"]["people created"] == 3
        bad = {**body, "mapping": {**spec, "fields": {**spec["fields"], "mood": "Haltung"}}}
        r = client.post("/v1/import/mapped", json=bad, headers=headers)
        assert r.status_code == 422
        assert [where_of(BundleIssue.model_validate(i)) for i in error_of(r)["details"]] == [
            "mapping, at 'fields.mood': unknown field for a person row; one of name, company, company_key, title, "
            "department, level, reports_to, roles, stance, email, phone, since, until"
        ]
        for wrong in ({"filename": "c.csv", "mapping": spec}, {**body, "profile": "hubspot"}, {**body, "colour": 1}):
            assert client.post("/v1/import/mapped", json=wrong, headers=headers).status_code == 422
        r = client.post("/v1/import/mapped", content=text.encode(), headers={**headers, "content-type": "text/csv"})
        assert r.status_code == 422 and "profile" in r.text
        assert store.counts()["people"] == 1
