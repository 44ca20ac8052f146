"""Mapped imports of other systems' exports (CSV and XLSX), on both backends: the mapping and its checks, the
built-in profiles on their example files, matching and de-duplication, problems named by file, row and column."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from accountgraph.errors import BundleRejected
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.schema.models import Bundle, Role, Stance
from accountgraph.services import crm_import, mapping
from accountgraph.services.crm_import import where_of
from accountgraph.services.scope import Scope

OPERATOR = Scope.operator()
SAMPLES = resources.files("accountgraph.samples") / "imports"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def run(
    store: GraphStore, name: str, data: bytes, mappings: list[mapping.Mapping], dry_run: bool = False
) -> crm_import.ImportPlan:
    return crm_import.import_file(store, OPERATOR, name, data, mappings, dry_run=dry_run)


def people(store: GraphStore) -> dict[str, Any]:
    return {p.id: p for p in store.list_records("person", ListFilter(), limit=1000)}


def companies(store: GraphStore) -> dict[str, Any]:
    return {c.id: c for c in store.list_records("company", ListFilter(), limit=1000)}


def a_mapping(text: str, source: str = "mapping.yaml") -> mapping.Mapping:
    return mapping.read_mapping_text(text, source)


CONTACTS = """
record: person
key: Id
ids: {person: x-, company: xc-}
fields:
  name: {join: [First, Last]}
  company: Company
  title: Title
  email: E-mail
  reports_to: Manager
  stance: {column: Attitude, values: {Supportive: supporter, Sceptical: opponent}}
  roles: {column: Role, values: {决策者: decision_maker, Other: null}}
  since: {column: Joined, date_format: "%d.%m.%Y"}
"""


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


# ---- the built-in profiles on their example files ----------------------------------------------------
def test_each_profile_imports_its_example_file_and_a_second_import_changes_nothing(store: GraphStore) -> None:
    files = [
        ("salesforce-accounts.csv", "salesforce", {"companies created": 3}),
        ("salesforce-contacts.csv", "salesforce", {"people created": 5}),
        ("hubspot-companies.csv", "hubspot", {"companies created": 2}),
        ("hubspot-contacts.csv", "hubspot", {"people created": 3}),
        ("dynamics-accounts.csv", "dynamics", {"companies created": 2}),
        ("dynamics-contacts.xlsx", "dynamics", {"people created": 3}),
        ("zh-crm-contacts.csv", "zh-crm", {"companies created": 2, "people created": 4}),
    ]
    for name, profile, counts in files:
        plan = run(store, name, sample(name), mapping.profile(profile))
        assert plan.problems == [], (name, [where_of(p) for p in plan.problems])
        assert plan.counts == counts, name
    before = store.export_bundle("sf-0015g00000AbCdE1").sorted()
    assert store.counts()["people"] == 15 and store.counts()["companies"] == 9
    for name, profile, _ in files:
        plan = run(store, name, sample(name), mapping.profile(profile))
        assert set(plan.counts) <= {"people unchanged", "companies unchanged"}, (name, plan.counts)
        assert plan.imported == {}  # nothing was written
    assert store.export_bundle("sf-0015g00000AbCdE1").sorted() == before
    assert store.counts()["people"] == 15 and store.counts()["companies"] == 9


def test_salesforce_contacts_land_under_their_accounts_with_managers_and_roles(store: GraphStore) -> None:
    run(store, "salesforce-accounts.csv", sample("salesforce-accounts.csv"), mapping.profile("salesforce"))
    plan = run(store, "salesforce-contacts.csv", sample("salesforce-contacts.csv"), mapping.profile("salesforce"))
    assert plan.mapping == "salesforce-contacts" and plan.companies == []  # the accounts exist: none is created
    tree = companies(store)
    assert tree["sf-0015g00000AbCdE2"].parent == "sf-0015g00000AbCdE1"  # Parent Account by name
    stored = people(store)
    lukas = stored["sf-0035g00000XyZa02"]
    assert (lukas.name, lukas.company, lukas.reports_to) == (
        "Lukas Becker",
        "sf-0015g00000AbCdE1",
        "sf-0035g00000XyZa01",
    )
    assert stored["sf-0035g00000XyZa01"].roles == [Role.DECISION_MAKER, Role.ECONOMIC_BUYER]
    assert stored["sf-0035g00000XyZa03"].roles == [Role.INFLUENCER, Role.TECHNICAL_BUYER]
    assert stored["sf-0035g00000XyZa05"].roles == [Role.BLOCKER]  # Detractor
    assert stored["sf-0035g00000XyZa04"].reports_to == "sf-0035g00000XyZa03"  # Mira Schulz


SALESFORCE_FOOTER = (
    '""\r\n'
    '"Contacts & Accounts"\r\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
    '"Confidential Information - Do Not Distribute"\r\n'
    '"Generated By:  Jane Doe  6/30/2026 10:15 AM"\r\n'
    '"Northwind Vendor GmbH"\r\n'
)


@pytest.mark.parametrize("name", ["salesforce-contacts.csv", "salesforce-accounts.csv"])
def test_a_salesforce_reports_footer_is_skipped_not_reported(store: GraphStore, name: str) -> None:
    data = sample(name).rstrip(b"\r\n") + b"\r\n" + SALESFORCE_FOOTER.encode()
    rows = len(sample(name).strip().splitlines()) - 1
    # without the profile's footer rule the same file has five bad rows
    plain = [mapping.Mapping(**{**m.__dict__, "footer": ()}) for m in mapping.profile("salesforce")]
    bad = run(store, name, data, plain, dry_run=True)
    assert len(bad.problems) >= 5 and any(f"row {rows + 3}" in where_of(p) for p in bad.problems)
    plan = run(store, name, data, mapping.profile("salesforce"))
    assert plan.problems == [], [where_of(p) for p in plan.problems]
    assert len(plan.rows) == rows and sum(plan.counts.values()) >= rows
    assert plan.notes[0] == (
        f"{name} rows {rows + 3}–{rows + 7}: the report's footer "
        "('Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.'), skipped"
    )
    again = run(store, name, sample(name), mapping.profile("salesforce"))  # the same as the file without it
    assert set(again.counts) <= {"people unchanged", "companies unchanged"}


def test_a_footer_without_a_blank_line_before_it_is_not_cut(store: GraphStore) -> None:
    name = "salesforce-accounts.csv"
    data = sample(name).rstrip(b"\r\n") + b"\r\n" + SALESFORCE_FOOTER.encode()[4:]  # no blank line
    plan = run(store, name, data, mapping.profile("salesforce"), dry_run=True)
    assert plan.problems and not any("footer" in n for n in plan.notes)


def test_the_chinese_header_export_maps_roles_stances_dates_and_managers(store: GraphStore) -> None:
    plan = run(store, "zh-crm-contacts.csv", sample("zh-crm-contacts.csv"), mapping.profile("zh-crm"))
    assert [c.record["name"] for c in plan.companies] == ["华信集团", "华信科技有限公司"]
    assert all(c.record.get("parent") is None for c in plan.companies)  # each the root of a new account
    stored = people(store)
    li, zhang, liu = stored["zh-C002"], stored["zh-C003"], stored["zh-C004"]
    assert (li.roles, li.stance, li.reports_to) == ([Role.ECONOMIC_BUYER], Stance.NEUTRAL, "zh-C001")
    assert zhang.roles == [Role.INFLUENCER, Role.TECHNICAL_BUYER]  # 技术决策者、影响者
    assert zhang.since == date(2019, 1, 2)
    assert (liu.stance, liu.reports_to) == (Stance.OPPONENT, "zh-C003")  # 上级 given as an e-mail
    assert {a.id for a in store.list_accounts()} == {"zh-华信集团", "zh-华信科技有限公司"}


def test_a_gb18030_export_is_read_by_the_profile(store: GraphStore) -> None:
    data = sample("zh-crm-contacts.csv").decode("utf-8").encode("gb18030")
    plan = run(store, "导出.csv", data, mapping.profile("zh-crm"))
    assert plan.problems == [] and plan.counts["people created"] == 4


def test_a_profile_picks_its_mapping_by_the_header_and_refuses_a_file_none_fits(store: GraphStore) -> None:
    plan = run(store, "a.csv", csv_bytes("Id,Name,ParentId", "001A,Acme,"), mapping.profile("salesforce"))
    assert plan.mapping == "salesforce-accounts" and plan.counts == {"companies created": 1}
    with pytest.raises(BundleRejected) as refused:
        run(store, "b.csv", csv_bytes("Foo,Bar", "1,2"), mapping.profile("hubspot"))
    issue = refused.value.issues[0]
    assert issue.record == "b.csv" and "hubspot-contacts needs Record ID" in issue.reason


def test_an_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(BundleRejected) as refused:
        mapping.profile("pipedrive")
    assert "salesforce, hubspot, dynamics, zh-crm" in refused.value.issues[0].reason


# ---- files: CSV quoting, BOM, XLSX --------------------------------------------------------------------
def test_a_csv_with_a_bom_and_quoted_multi_line_cells_names_rows_and_lines(store: GraphStore) -> None:
    data = csv_bytes(
        "Id,First,Last,Company,Title,E-mail,Manager,Attitude,Role,Joined",
        '1,Ann,Lee,Acme,"Chief\nExecutive",ann@acme.example,,Supportive,决策者,01.02.2020',
        '2,Bob,"Ray, Jr.",Acme,"Head of ""Ops""",bob@acme.example,Ann Lee,Hostile,Other,2020-13-01',
        bom=True,
    )
    plan = run(store, "contacts.csv", data, [a_mapping(CONTACTS)], dry_run=True)
    found = {(p.record, p.field): p.reason for p in plan.problems}
    assert set(found) == {("contacts.csv row 3 (line 4)", "Attitude"), ("contacts.csv row 3 (line 4)", "Joined")}
    assert "'Hostile' is not a stance" in found[("contacts.csv row 3 (line 4)", "Attitude")]
    assert "'2020-13-01' is not a date (%d.%m.%Y)" in found[("contacts.csv row 3 (line 4)", "Joined")]
    ann = plan.rows[0].record
    assert ann["title"] == "Chief Executive" and ann["name"] == "Ann Lee"  # the BOM did not hide the first column
    assert ann["since"] == "2020-02-01" and ann["stance"] == "supporter" and ann["roles"] == ["decision_maker"]
    assert plan.rows[1].record["name"] == "Bob Ray, Jr." and "roles" not in plan.rows[1].record  # Other: dropped
    with pytest.raises(BundleRejected) as refused:
        run(store, "contacts.csv", data, [a_mapping(CONTACTS)])
    assert len(refused.value.issues) == 2
    assert store.counts()["people"] == 0 and store.counts()["companies"] == 0  # nothing was written


def test_broken_csv_quoting_and_a_wrong_cell_count_are_named(store: GraphStore) -> None:
    with pytest.raises(BundleRejected) as refused:
        run(store, "bad.csv", csv_bytes("Id,First,Last,Company", '1,"Ann"x,Lee,Acme'), [a_mapping(CONTACTS)])
    issue = refused.value.issues[0]
    assert issue.record == "bad.csv" and issue.field == "line 2" and "broken CSV" in issue.reason
    with pytest.raises(BundleRejected) as refused:
        run(store, "cells.csv", csv_bytes("Id,First,Last,Company", "1,Ann,Lee,Acme,extra"), [a_mapping(CONTACTS)])
    assert [where_of(i) for i in refused.value.issues] == [
        "cells.csv row 2: wrong number of cells: 5, the header has 4"
    ]


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_export_with_numbers_and_dates_in_cells(store: GraphStore) -> None:
    data = xlsx(
        [
            ["Id", "First", "Last", "Company", "E-mail", "Joined", "Attitude"],
            [101, "Ann", "Lee", "Acme", "ann@acme.example", datetime(2021, 3, 4), "Sceptical"],
            [None, None, None, None, None, None, None],  # an empty row is skipped
            [102.0, "Bob", "Ray", "Acme", "bob@acme.example", "05.06.2022", "unknown"],
            [103, "Cy", "Dee", "Acme", "cy@acme.example", "someday", "neutral"],
        ]
    )
    plan = run(store, "contacts.xlsx", data, [a_mapping(CONTACTS)], dry_run=True)
    assert [(p.record, p.field) for p in plan.problems] == [("contacts.xlsx row 5", "Joined")]
    assert [r.id for r in plan.rows] == ["x-101", "x-102", "x-103"]  # row 5 lands without its date, refused
    assert plan.rows[0].record["since"] == "2021-03-04" and plan.rows[0].record["stance"] == "opponent"
    with pytest.raises(BundleRejected):
        run(store, "contacts.xlsx", data, [a_mapping(CONTACTS)])
    assert store.counts()["people"] == 0


def test_a_file_that_is_not_a_workbook_is_named(store: GraphStore) -> None:
    with pytest.raises(BundleRejected) as refused:
        run(store, "contacts.xlsx", b"PK\x03\x04 truncated", [a_mapping(CONTACTS)])
    assert refused.value.issues[0].record == "contacts.xlsx" and "XLSX" in refused.value.issues[0].reason


# ---- the mapping itself -----------------------------------------------------------------------------
def test_a_bad_mapping_lists_every_problem_with_its_file_and_key() -> None:
    text = """
record: person
colour: blue
fields:
  title: Title
  stanse: Attitude
  stance: {column: Attitude, values: {Supportive: supportive}}
  since: {column: Joined, date_format: "dd.mm.yyyy"}
  roles: {column: Role, join: [A, B]}
"""
    with pytest.raises(BundleRejected) as refused:
        a_mapping(text, "crm.yaml")
    found = {i.field: i.reason for i in refused.value.issues}
    assert all(i.record == "crm.yaml" for i in refused.value.issues)
    assert "unknown key" in found["colour"]
    assert "unknown field for a person row" in found["fields.stanse"]
    assert "'supportive' is not a stance value" in found["fields.stance.values.Supportive"]
    assert "strptime format" in found["fields.since.date_format"]
    assert "exactly one of 'column', 'join' or 'value'" in found["fields.roles"]
    assert "needs 'name'" in found["fields"] or any("needs 'name'" in i.reason for i in refused.value.issues)
    assert any("needs 'company'" in i.reason for i in refused.value.issues)


def test_a_mapping_that_is_not_yaml_names_the_line() -> None:
    with pytest.raises(BundleRejected) as refused:
        a_mapping("record: person\nfields: [unclosed\n", "crm.yaml")
    issue = refused.value.issues[0]
    assert issue.record == "crm.yaml" and issue.field is not None and issue.field.startswith("line ")
    with pytest.raises(BundleRejected) as refused:
        a_mapping('{"record": "person",}', "crm.json")
    assert refused.value.issues[0].record == "crm.json"


def test_a_json_mapping_and_a_missing_name_column(store: GraphStore) -> None:
    spec = {"record": "person", "fields": {"name": "Full Name", "company": {"value": "Acme"}}}
    json_mapping = mapping.read_mapping_text(json.dumps(spec), "m.json")
    with pytest.raises(BundleRejected) as refused:
        run(store, "c.csv", csv_bytes("Name,Company", "Ann,Acme"), [json_mapping])
    assert where_of(refused.value.issues[0]) == (
        "c.csv, at 'header': no column for 'name'; the mapping m looks for Full Name"
    )
    plan = run(store, "c.csv", csv_bytes("full  name", "Ann Lee"), [json_mapping])  # case and spaces ignored
    assert plan.counts == {"companies created": 1, "people created": 1}
    assert people(store)["Ann-Lee@Acme"].company == "Acme"


# ---- matching and de-duplication --------------------------------------------------------------------
@pytest.fixture
def acme(store: GraphStore) -> GraphStore:
    store.load_bundle(
        Bundle.model_validate(
            {
                "companies": [{"id": "acme", "name": "Acme"}, {"id": "acme-uk", "name": "Acme UK", "parent": "acme"}],
                "people": [
                    {
                        "id": "p-ann",
                        "name": "Ann Lee",
                        "company": "acme",
                        "email": "ANN@acme.example",
                        "level": 1,
                        "stance": "neutral",
                    },
                    {"id": "p-bob", "name": "Bob Ray", "company": "acme-uk", "level": 3, "reports_to": "p-ann"},
                ],
            }
        )
    )
    return store


def test_rows_match_stored_people_by_email_then_name_and_company_keeping_other_fields(acme: GraphStore) -> None:
    data = csv_bytes(
        "Id,First,Last,Company,Title,E-mail,Attitude",
        "7,Ann,Lee,acme,CEO,ann@acme.example,Supportive",  # by e-mail (case-insensitive); the company by id
        "8,bob,RAY,Acme UK,COO,,",  # by name and company
        "9,Cy,Dee,Acme UK,CTO,cy@acme.example,",  # new
    )
    plan = run(acme, "c.csv", data, [a_mapping(CONTACTS)])
    assert [(r.id, r.action, r.matched_by) for r in plan.rows] == [
        ("p-ann", "update", "email"),
        ("p-bob", "update", "name and company"),
        ("x-9", "create", None),
    ]
    assert plan.notes[1:] == [  # never merged silently
        "c.csv row 2: matched the stored person 'p-ann' (Ann Lee) by email",
        "c.csv row 3: matched the stored person 'p-bob' (bob RAY) by name and company",
    ]
    stored = people(acme)
    ann, bob = stored["p-ann"], stored["p-bob"]
    assert (ann.title, ann.level, ann.stance, ann.email) == ("CEO", 1, Stance.SUPPORTER, "ann@acme.example")
    assert (bob.name, bob.title, bob.level, bob.reports_to) == ("bob RAY", "COO", 3, "p-ann")
    assert len(ann.history) == 2  # the stance change is dated, as any import dates it
    again = run(acme, "c.csv", data, [a_mapping(CONTACTS)])
    assert again.counts == {"people unchanged": 3} and len(people(acme)) == 3


def test_two_rows_for_one_record_and_an_ambiguous_company_are_problems(acme: GraphStore) -> None:
    acme.load_bundle(Bundle.model_validate({"companies": [{"id": "acme-2", "name": "ACME"}]}))
    data = csv_bytes(
        "Id,First,Last,Company,E-mail",
        "1,Ann,Lee,Acme UK,a@x.example",
        "1,Ann,Lee,Acme UK,a@x.example",
        "2,Cy,Dee,Acme,",
    )
    plan = run(acme, "c.csv", data, [a_mapping(CONTACTS)], dry_run=True)
    assert [where_of(p) for p in plan.problems] == [
        "c.csv row 3, column 'Id': the same person ('x-1') as row 2",
        "c.csv row 4, column 'Company': 2 companies are named 'Acme': acme, acme-2",
    ]


def test_a_new_company_goes_under_the_mappings_parent_and_store_problems_name_the_row(acme: GraphStore) -> None:
    under = a_mapping(CONTACTS + "parent: acme\n")
    plan = run(acme, "c.csv", csv_bytes("Id,First,Last,Company", "1,Ann,Kim,Acme Labs"), [under])
    assert plan.companies[0].record == {"id": "xc-Acme-Labs", "name": "Acme Labs", "parent": "acme"}
    assert companies(acme)["xc-Acme-Labs"].parent == "acme"
    nowhere = a_mapping(CONTACTS + "parent: ghost\n", "m.yaml")
    with pytest.raises(BundleRejected) as refused:
        run(acme, "c.csv", csv_bytes("Id,First,Last,Company", "2,Bo,Kim,Beta"), [nowhere])
    assert [where_of(i) for i in refused.value.issues] == [
        "c.csv row 2, column 'm.yaml: parent': no company with id 'ghost'"
    ]
    # a reporting cycle the rows would close is found by the import's own check, named by row and column
    cycle = csv_bytes("Id,First,Last,Company,Manager", "8,Bob,Ray,Acme UK,", "7,Ann,Lee,Acme,Bob Ray")
    with pytest.raises(BundleRejected) as refused:
        run(acme, "c.csv", cycle, [a_mapping(CONTACTS)])
    assert any(
        i.record == "c.csv row 3" and i.field == "Manager" and "cycle" in i.reason for i in refused.value.issues
    ), [where_of(i) for i in refused.value.issues]


def test_a_manager_not_found_is_a_note_and_the_stored_one_stays(acme: GraphStore) -> None:
    data = csv_bytes("Id,First,Last,Company,Manager", "8,Bob,Ray,Acme UK,Nobody Here")
    plan = run(acme, "c.csv", data, [a_mapping(CONTACTS)])
    assert any("c.csv row 2, column 'Manager': no person 'Nobody Here'" in n for n in plan.notes)
    assert people(acme)["p-bob"].reports_to == "p-ann"


def test_a_limited_scope_cannot_create_an_account_through_an_export(acme: GraphStore) -> None:
    from accountgraph.schema.models import ApiRole

    limited = Scope("k1", ApiRole.PLANNER, frozenset({"acme"}))
    data = csv_bytes("Id,First,Last,Company", "1,Zed,Zee,Other Corp")
    with pytest.raises(BundleRejected) as refused:
        crm_import.import_file(acme, limited, "c.csv", data, [a_mapping(CONTACTS)])
    assert [where_of(i) for i in refused.value.issues] == [
        "c.csv row 2, column 'Company': a key limited to accounts cannot create another"
    ]
    assert "xc-Other-Corp" not in companies(acme)


def test_the_mapping_examples_of_the_readme_and_the_module_are_valid() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\nrecord: person", 1)[1].split("```", 1)[0]
    assert a_mapping("record: person" + example).fields["name"].join == (("First Name",), ("Last Name",))
    doc = mapping.__doc__ or ""
    example = doc.split("A mapping is a YAML or JSON file::", 1)[1].split("Column names are matched", 1)[0]
    assert a_mapping(example).fields["department"].value == "Purchasing"


def test_a_bad_value_on_a_matched_record_is_named_by_row_and_column(acme: GraphStore) -> None:
    levels = a_mapping("record: person\nfields:\n  name: Name\n  company: Company\n  level: Level\n")
    data = csv_bytes("Name,Company,Level", "Ann Lee,Acme,99", "Bob Ray,Acme UK,two")
    with pytest.raises(BundleRejected) as refused:
        run(acme, "c.csv", data, [levels])
    assert [(i.record, i.field) for i in refused.value.issues] == [("c.csv row 3", "Level")]
    assert "'two' is not a whole number" in refused.value.issues[0].reason
    data = csv_bytes("Name,Company,Level", "Ann Lee,Acme,99")
    with pytest.raises(BundleRejected) as refused:
        run(acme, "c.csv", data, [levels])
    assert [(i.record, i.field) for i in refused.value.issues] == [("c.csv row 2", "Level")]
    assert people(acme)["p-ann"].level == 1


def test_the_import_use_case_dry_run_checks_against_the_store_and_writes_nothing(acme: GraphStore) -> None:
    from accountgraph.services import records

    before, version = acme.counts(), acme.data_version()
    good = {"people": [{"id": "p-cy", "name": "Cy", "company": "acme-uk", "reports_to": "p-bob"}]}
    assert records.import_document(acme, OPERATOR, good, dry_run=True)["people"] == 1
    cycle = {"people": [{"id": "p-ann", "name": "Ann Lee", "company": "acme", "reports_to": "p-bob"}]}
    with pytest.raises(BundleRejected) as refused:
        records.import_document(acme, OPERATOR, cycle, dry_run=True)
    assert "cycle" in refused.value.issues[0].reason
    assert (acme.counts(), acme.data_version()) == (before, version)
