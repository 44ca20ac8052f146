"""The real organisational networks: counts as the data sets' READMEs state them, tie directions, a store, and the
converted bundles shipped with the package (a fresh conversion of the raw files, with their citations)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

import accountgraph.samples.datasets as datasets
from accountgraph.graph import open_store
from accountgraph.samples.datasets import (
    CITATIONS,
    DATASETS_ENV,
    SHIPPED_FILE,
    all_dataset_bundles,
    dataset_json,
    datasets_root,
    florentine_bundle,
    krackhardt_bundle,
    lazega_bundle,
    read_matrix,
    shipped_bundle,
)
from accountgraph.schema import Bundle, Role, Stance, TieType


@pytest.fixture(scope="module")
def root() -> Path:
    try:
        return datasets_root()
    except FileNotFoundError as err:  # the data sets live beside the repository, not in it
        if os.environ.get("CI"):  # CI has ../shared beside the clone: a missing data set there is a failure
            pytest.fail(f"CI is set but {err}", pytrace=False)
        pytest.skip(str(err))


@pytest.fixture(scope="module")
def bundles(root: Path) -> dict[str, Bundle]:
    return all_dataset_bundles(root)


def ties_of(bundle: Bundle, type: TieType) -> list[tuple[str, str]]:
    return [(t.from_, t.to) for t in bundle.ties if t.type is type]


# ---- Krackhardt -----------------------------------------------------------------------------------------


def test_krackhardt_counts(bundles: dict[str, Bundle]) -> None:
    b = bundles["krackhardt"]
    assert len(b.people) == 21 and len(b.companies) == 1
    assert len(ties_of(b, TieType.INFLUENCES)) == 190
    knows = [t for t in b.ties if t.type is TieType.KNOWS]
    assert len(knows) == 102 - 23  # 102 friendship arcs, 23 of them reciprocated
    assert Counter(t.strength for t in knows) == {1.0: 23, 0.5: 56}
    assert sum(p.reports_to is not None for p in b.people) == 20


def test_krackhardt_formal_structure(bundles: dict[str, Bundle]) -> None:
    people = {p.id: p for p in bundles["krackhardt"].people}
    ceo = people["krackhardt-07"]
    assert ceo.reports_to is None and ceo.level == 1 and ceo.department is None
    assert ceo.roles == [Role.DECISION_MAKER]
    for vp in ("02", "14", "18", "21"):
        assert people[f"krackhardt-{vp}"].reports_to == "krackhardt-07"
        assert people[f"krackhardt-{vp}"].level == 2
        assert people[f"krackhardt-{vp}"].roles == []
    assert sorted(p.id for p in people.values() if p.reports_to == "krackhardt-14") == [
        f"krackhardt-{n:02d}" for n in (3, 5, 9, 13, 15, 19, 20)
    ]
    for p in people.values():  # every manager reports to the VP of their own department
        if p.level == 3:
            assert p.reports_to is not None
            assert people[p.reports_to].department == p.department
    assert {p.stance for p in people.values()} == {Stance.UNKNOWN}
    assert people["krackhardt-01"].name == "Manager 1"


def test_krackhardt_advice_direction(bundles: dict[str, Bundle]) -> None:
    influences = set(ties_of(bundles["krackhardt"], TieType.INFLUENCES))
    # the file's first arc "1 2 1": manager 1 goes to manager 2 for advice, so 2 sways 1
    assert ("krackhardt-02", "krackhardt-01") in influences
    # being sought for advice (README: 2 is named 18 times, 18 and 21 15 times) is out-degree on influences
    out = Counter(a for a, _ in influences)
    assert out["krackhardt-02"] == 18 and out["krackhardt-18"] == 15 and out["krackhardt-21"] == 15
    assert out.most_common(1)[0][0] == "krackhardt-02"


# ---- Lazega ---------------------------------------------------------------------------------------------


def test_lazega_counts(bundles: dict[str, Bundle]) -> None:
    b = bundles["lazega"]
    assert len(b.people) == 71
    assert Counter(p.level for p in b.people) == {1: 36, 2: 35}
    assert Counter(p.title for p in b.people) == {"Partner": 36, "Associate": 35}
    assert Counter(p.company for p in b.people) == {"lazega-boston": 48, "lazega-hartford": 19, "lazega-providence": 4}
    assert Counter(p.department for p in b.people) == {"Litigation": 41, "Corporate": 30}
    assert all(p.reports_to is None and p.roles == [] for p in b.people)
    assert {c.id: c.parent for c in b.companies} == {
        "lazega": None, "lazega-boston": "lazega", "lazega-hartford": "lazega", "lazega-providence": "lazega",
    }  # fmt: skip
    assert len(ties_of(b, TieType.INFLUENCES)) == 892


def test_lazega_advice_direction(bundles: dict[str, Bundle]) -> None:
    out = Counter(a for a, _ in ties_of(bundles["lazega"], TieType.INFLUENCES))
    # README: lawyer 26 is the most sought advisor (37 nominations), then 13 (34); 40 is an associate with 25
    assert out["lazega-26"] == 37 and out["lazega-13"] == 34 and out["lazega-40"] == 25
    assert out.most_common(1)[0][0] == "lazega-26"
    assert out["lazega-44"] == 0


def test_lazega_knows_merges_friendship_and_cowork(root: Path, bundles: dict[str, Bundle]) -> None:
    knows = [t for t in bundles["lazega"].ties if t.type is TieType.KNOWS]
    notes = [t.note or "" for t in knows]
    assert sum("co-work" in n for n in notes) == 378
    assert sum("friendship" in n for n in notes) == 575 - 176  # 575 arcs, 176 mutual dyads
    assert sum("friendship (mutual)" in n for n in notes) == 176
    # one tie per pair in the union of the two relations, computed here straight from the matrices
    friend = read_matrix(root / "lazega_lawfirm" / "ELfriend.dat")
    work = read_matrix(root / "lazega_lawfirm" / "ELwork.dat")
    union = {(i, j) for i in range(71) for j in range(i + 1, 71) if friend[i][j] or friend[j][i] or work[i][j]}
    assert len(knows) == len(union)
    for t in knows:
        expected = 0.5 * ("co-work" in (t.note or "")) + (0.5 if "mutual" in (t.note or "") else 0.0)
        expected += 0.25 if "named by one" in (t.note or "") else 0.0
        assert t.strength == expected


# ---- Padgett --------------------------------------------------------------------------------------------


def test_florentine_counts(bundles: dict[str, Bundle]) -> None:
    b = bundles["florentine"]
    assert len(b.people) == 16
    assert all(t.type is TieType.KNOWS for t in b.ties)
    notes = Counter(t.note for t in b.ties)
    assert notes == {"marriage": 12, "business": 7, "marriage; business": 8}
    assert sum("marriage" in (t.note or "") for t in b.ties) == 20
    assert sum("business" in (t.note or "") for t in b.ties) == 15
    assert Counter(t.strength for t in b.ties) == {0.75: 12, 0.5: 7, 1.0: 8}
    people = {p.id: p for p in b.people}
    assert people["florentine-medici"].name == "Medici"
    assert "103 thousand lira" in (people["florentine-medici"].title or "")
    assert "n/a" in (people["florentine-pazzi"].title or "")
    assert not any("florentine-pucci" in (t.from_, t.to) for t in b.ties)  # the isolate is kept as a person


def test_florentine_medici_broker(bundles: dict[str, Bundle]) -> None:
    b = bundles["florentine"]
    marriage = nx.Graph((t.from_, t.to) for t in b.ties if "marriage" in (t.note or ""))
    assert marriage.number_of_nodes() == 15 and marriage.number_of_edges() == 20
    between = nx.betweenness_centrality(marriage)
    assert max(between, key=lambda k: between[k]) == "florentine-medici"
    assert between["florentine-medici"] == pytest.approx(0.522, abs=1e-3)  # as pinned by networkx's tests
    assert between["florentine-guadagni"] == pytest.approx(0.255, abs=1e-3)
    knows = nx.Graph()
    knows.add_nodes_from(p.id for p in b.people)
    knows.add_edges_from((t.from_, t.to) for t in b.ties)
    between = nx.betweenness_centrality(knows)
    assert max(between, key=lambda k: between[k]) == "florentine-medici"
    assert between["florentine-medici"] == pytest.approx(0.413, abs=1e-3)  # README: marriage ∪ business


# ---- all of them, the store, the root -------------------------------------------------------------------


def test_each_loads_into_sqlite_and_round_trips(tmp_path: Path, bundles: dict[str, Bundle]) -> None:
    assert set(bundles) == {"krackhardt", "lazega", "florentine"} == set(CITATIONS)
    with open_store(f"sqlite:///{tmp_path / 'all.db'}") as store:
        for bundle in bundles.values():
            store.load_bundle(bundle)
        assert [c.id for c in store.list_accounts()] == ["florentine", "krackhardt", "lazega"]
        for account, bundle in bundles.items():
            assert store.export_bundle(account) == bundle.sorted()


def test_each_converter_alone(root: Path) -> None:
    assert krackhardt_bundle(root).counts()["people"] == 21
    assert lazega_bundle(str(root)).counts()["people"] == 71
    assert florentine_bundle(root).counts()["people"] == 16


def test_citations_in_docstring() -> None:
    doc = datasets.__doc__ or ""
    for author in ("Krackhardt", "Lazega", "Padgett"):
        assert author in doc
    assert all("doi:" in CITATIONS[k] for k in ("krackhardt", "florentine"))
    assert "Lazega" in CITATIONS["lazega"]


def test_root_from_environment(monkeypatch: pytest.MonkeyPatch, root: Path, tmp_path: Path) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(root))
    assert datasets_root() == root
    assert all_dataset_bundles()["florentine"].counts()["people"] == 16
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=DATASETS_ENV):
        all_dataset_bundles()


def test_missing_root_and_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        all_dataset_bundles(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="missing"):
        krackhardt_bundle(tmp_path)  # the folder exists but holds no data set


def test_padgett_bom_and_crlf(tmp_path: Path, root: Path) -> None:
    """The Padgett files start with a byte-order mark; the same files with CRLF line ends read the same."""
    folder = tmp_path / "padgett_florentine"
    folder.mkdir()
    for name in ("PADGETT.csv", "PADGETT2.csv", "PADGW.csv"):
        raw = (root / "padgett_florentine" / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    assert florentine_bundle(tmp_path) == florentine_bundle(root)


# ---- the converted data sets shipped with the package -------------------------------------------------------

SHIPPED = Path(datasets.__file__).resolve().parent / "data"


def test_shipped_files_are_a_fresh_conversion_of_the_raw_files(root: Path, bundles: dict[str, Bundle]) -> None:
    """`python tools/make_sample.py` writes them; a converter change without it fails here."""
    assert sorted(p.name for p in SHIPPED.iterdir() if p.is_dir()) == sorted(CITATIONS)
    for account, bundle in bundles.items():
        assert (SHIPPED / account / SHIPPED_FILE).read_text(encoding="utf-8") == dataset_json(bundle), account
        assert shipped_bundle(account) == bundle


def test_all_dataset_bundles_loads_the_shipped_ones_without_a_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """No raw files needed (a wheel, a fresh clone: see test_wheel): the shipped bundles, a conversion (test above)."""
    monkeypatch.delenv(DATASETS_ENV, raising=False)
    shipped = all_dataset_bundles()
    assert {k: b.counts()["people"] for k, b in shipped.items()} == {"krackhardt": 21, "lazega": 71, "florentine": 16}
    assert shipped == {account: shipped_bundle(account) for account in CITATIONS}
    with pytest.raises(KeyError, match="no data set"):
        shipped_bundle("nowhere")


def test_each_shipped_data_set_names_its_source_licence_and_citation() -> None:
    for account, citation in CITATIONS.items():
        readme = (SHIPPED / account / "README.md").read_text(encoding="utf-8")
        assert citation in readme, account
        assert "## Licence / terms" in readme and "## Source" in readme, account
        assert len(dataset_json(shipped_bundle(account)).encode()) < 2_000_000, account  # small enough to ship
