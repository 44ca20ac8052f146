"""`accountgraph import FILE --profile NAME | --mapping FILE [--dry-run]` against a real SQLite store: the dry run
shows the mapping and the rows and writes nothing; problems exit 1 naming file, row and column."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from openpyxl import Workbook

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import ListFilter
from tests.cli.support import counts, invoke

SAMPLES = resources.files("accountgraph.samples") / "imports"


def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def copy_sample(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes((SAMPLES / name).read_bytes())
    return path


def problems(stderr: str) -> list[str]:
    return [line[4:] for line in stderr.splitlines() if line.startswith("  - ")]


def test_a_dry_run_shows_the_mapping_and_the_rows_and_writes_nothing(tmp_path: Path) -> None:
    path = copy_sample(tmp_path, "salesforce-contacts.csv")
    done = invoke(url(tmp_path), "import", str(path), "--profile", "salesforce", "--dry-run", "--rows", "2")
    assert done.exit_code == 0, done.output
    assert "mapping salesforce-contacts: salesforce-contacts.csv, one person a row" in done.stdout
    assert "First Name + Last Name" in done.stdout and "Buyer Attributes" in done.stdout
    assert "the first 2 of 5 rows as they would land" in done.stdout
    assert "Greta Hoffmann" in done.stdout and "Jonas Wagner" not in done.stdout
    assert "companies the rows name that are created" in done.stdout and "(a new account)" in done.stdout
    assert "dry run, nothing was written: 3 companies created, 5 people created" in done.stdout
    assert sum(counts(tmp_path).values()) == 0  # the real store holds nothing


def test_import_then_reimport_changes_nothing(tmp_path: Path) -> None:
    accounts = copy_sample(tmp_path, "salesforce-accounts.csv")
    contacts = copy_sample(tmp_path, "salesforce-contacts.csv")
    assert invoke(url(tmp_path), "import", str(accounts), "--profile", "salesforce").exit_code == 0
    done = invoke(url(tmp_path), "import", str(contacts), "--profile", "salesforce")
    assert done.exit_code == 0, done.output
    assert "imported salesforce-contacts.csv (mapping salesforce-contacts)" in done.stdout
    assert "5 people created" in done.stdout
    before = counts(tmp_path)
    with SqliteStore(url(tmp_path)) as store:
        version = store.data_version()
    again = invoke(url(tmp_path), "import", str(contacts), "--profile", "salesforce")
    assert again.exit_code == 0 and "5 people unchanged" in again.stdout
    assert counts(tmp_path) == before == {**before, "companies": 3, "people": 5}
    with SqliteStore(url(tmp_path)) as store:
        assert store.data_version() == version  # nothing was written at all
        lukas = store.get_person("sf-0035g00000XyZa02")
        assert (lukas.company, lukas.reports_to) == ("sf-0015g00000AbCdE1", "sf-0035g00000XyZa01")


def test_a_bad_cell_exits_1_naming_file_row_and_column_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "客户导出.csv"
    text = (SAMPLES / "zh-crm-contacts.csv").read_text(encoding="utf-8").replace(",中立,", ",敌对,")
    path.write_text(text, encoding="utf-8-sig")
    for extra in ([], ["--dry-run"]):
        done = invoke(url(tmp_path), "import", str(path), "--profile", "zh-crm", *extra)
        assert done.exit_code == 1 and "Traceback" not in done.output
        assert problems(done.stderr) == [
            "客户导出.csv row 3, column '态度': '敌对' is not a stance (supporter, neutral, opponent, unknown); "
            "add it to the mapping's fields.stance.values"
        ]
        assert sum(counts(tmp_path).values()) == 0
    assert "nothing would be written" in done.stderr and "mapping zh-crm" in done.stdout  # the dry run showed it


def test_an_unknown_profile_and_a_bad_mapping_file(tmp_path: Path) -> None:
    path = copy_sample(tmp_path, "hubspot-contacts.csv")
    done = invoke(url(tmp_path), "import", str(path), "--profile", "pipedrive")
    assert done.exit_code == 1
    assert problems(done.stderr) == [
        "profile, at 'pipedrive': unknown profile; one of salesforce, hubspot, dynamics, zh-crm"
    ]
    bad = tmp_path / "crm.yaml"
    bad.write_text("record: contact\nfields:\n  name: Name\n  company: Company\n  mood: Attitude\n", encoding="utf-8")
    done = invoke(url(tmp_path), "import", str(path), "--mapping", str(bad))
    assert done.exit_code == 1
    assert problems(done.stderr) == [
        "crm.yaml, at 'record': 'contact' is not a row kind; one of person, company",
        "crm.yaml, at 'fields.mood': unknown field for a person row; one of name, company, company_key, title, "
        "department, level, reports_to, roles, stance, email, phone, since, until",
    ]
    done = invoke(url(tmp_path), "import", str(path), "--mapping", str(bad), "--profile", "hubspot")
    assert done.exit_code == 1 and "not both" in done.stderr
    assert sum(counts(tmp_path).values()) == 0


def test_an_xlsx_file_through_a_mapping_file(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kunde", "Vorname", "Nachname", "Funktion", "Haltung", "Chef"])
    sheet.append(["Muster AG", "Eva", "Berg", "Vorständin", "positiv", None])
    sheet.append(["Muster AG", "Tim", "Hahn", "Einkauf", "negativ", "Eva Berg"])
    path = tmp_path / "kontakte.xlsx"
    workbook.save(path)
    spec = tmp_path / "kontakte.yaml"
    spec.write_text(
        "record: person\n"
        "ids: {person: de-, company: de-}\n"
        "fields:\n"
        "  name: {join: [Vorname, Nachname]}\n"
        "  company: Kunde\n"
        "  title: Funktion\n"
        "  reports_to: Chef\n"
        "  stance: {column: Haltung, values: {positiv: supporter, negativ: opponent}}\n",
        encoding="utf-8",
    )
    done = invoke(url(tmp_path), "import", str(path), "--mapping", str(spec))
    assert done.exit_code == 0, done.output
    assert "1 companies created, 2 people created" in done.stdout
    with SqliteStore(url(tmp_path)) as store:
        tim = store.get_person("de-Tim-Hahn@de-Muster-AG")
        assert (tim.stance.value, tim.reports_to, tim.company) == (
            "opponent",
            "de-Eva-Berg@de-Muster-AG",
            "de-Muster-AG",
        )
        assert [c.id for c in store.list_records("company", ListFilter(), limit=10)] == ["de-Muster-AG"]


def test_a_bundle_dry_run_checks_it_and_writes_nothing(tmp_path: Path, bundle_file: Path) -> None:
    done = invoke(url(tmp_path), "import", str(bundle_file), "--dry-run")
    assert done.exit_code == 0, done.output
    assert "nothing was written (dry run)" in done.stdout
    assert sum(counts(tmp_path).values()) == 0
