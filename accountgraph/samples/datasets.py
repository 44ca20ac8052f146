"""Real organisational networks as bundles, to validate the key-people ranking and the brokerage measures.

The converted bundles ship with the package (`accountgraph/samples/data/<account>/bundle.json`, each beside a
README.md naming its source, licence and citation), so `all_dataset_bundles()` has them in a wheel or a fresh
clone. The raw files they are made from sit in `shared/datasets/` next to the repository (or wherever
`ACCOUNTGRAPH_DATASETS` points), each folder with a README giving the source, the file formats and tie
directions, and the counts; `python tools/make_sample.py` converts them again into the shipped files (the tests
check that the shipped files equal a fresh conversion).
Each converter reads the raw files as they are (CRLF line ends and byte-order marks included) and builds a
bundle: one account per data set, ids prefixed by the account id, so all of them can share one store.

Sources (see `CITATIONS`):

* Krackhardt, D. (1987). Cognitive social structures. *Social Networks* 9(2), 109–134.
  doi:10.1016/0378-8733(87)90009-8. Also Wasserman, S. & Faust, K. (1994). *Social Network Analysis:
  Methods and Applications*, Cambridge University Press, Appendix B. Files from `SDS-AAU/SDS-master`
  @ 22d089c1c28f3e38c4e220b5baf58387cd5070ab, `00_data/network_krackhard/`.
* Lazega, E. (2001). *The Collegial Phenomenon: The Social Mechanisms of Cooperation Among Peers in a
  Corporate Law Partnership*. Oxford University Press. Distributed by T.A.B. Snijders (SIENA data page,
  `LazegaLawyers.zip`); files from `SDS-AAU/SDS-master` @ 22d089c1c28f3e38c4e220b5baf58387cd5070ab,
  `M2/data/LazegaLawyers/`.
* Padgett, J.F. & Ansell, C.K. (1993). Robust action and the rise of the Medici, 1400–1434.
  *American Journal of Sociology* 98(6), 1259–1319. doi:10.1086/230190. Also Breiger, R.L. & Pattison, P.E.
  (1986). Cumulated social roles: the duality of persons and their algebras. *Social Networks* 8, 215–256.
  Files from `jalapic/SNA_workshop` @ c42f47887cbf574b8d92e772c5156c1a82941bc1, `data/`.

How each data set maps onto the graph (only what the data say; nothing is invented):

* **Direction of advice.** The surveys ask "to whom do you go for advice?": a nomination i → j means j sways
  i, so it becomes an `influences` tie from j to i (the advisor influences the advice seeker), strength 1.0,
  note "advice". Being sought for advice (in-degree in the data) is out-degree on `influences`; a centrality
  meant to flow toward the influential must walk `influences` ties backwards (seeker → advisor), which
  reproduces the data's own direction.
* **Krackhardt high-tech managers** (account "krackhardt"): one company; people `krackhardt-01` to
  `krackhardt-21` named "Manager 1" … "Manager 21"; `level` from LEVEL (1 CEO, 2 vice president,
  3 manager), `department` "Dept 1" … "Dept 4" from DEPT (none for the CEO, who has DEPT 0); `reports_to`
  from the reports-to relation (20 arcs; manager 7, the CEO, has no boss). Advice: 190 `influences` ties as
  above. Friendship nominations are directed in the data; a `knows` tie is symmetric, so each tied pair
  becomes one `knows` tie: strength 1.0 when both named each other (23 pairs), 0.5 when only one did
  (56 pairs), 79 in all; the note says which. Roles: only the CEO gets `decision_maker` (the formal top,
  read from the data); the vice presidents get no role, their level carries their formal authority.
  Stance is unknown for everyone.
* **Lazega law firm** (account "lazega"): the firm "lazega" and its three offices as subsidiaries
  ("lazega-boston", "lazega-hartford", "lazega-providence"); lawyers `lazega-01` to `lazega-71` (the ID is
  the seniority rank) named "Lawyer 01" …, at their office; `level` 1 for the 36 partners and 2 for the
  35 associates, `title` Partner / Associate, `department` the practice (Litigation / Corporate). No
  `reports_to` (a collegial partnership has no formal line) and no roles. Advice: 892 `influences` ties
  (cell (i, j) = 1, i went to j for advice: from j to i), strength 1.0. Friendship (directed) and co-work
  (symmetric) both become `knows`, one tie per pair, strength adding up: co-work 0.5, mutual friendship
  0.5, one-sided friendship 0.25 (so co-work with mutual friendship is 1.0); the note lists the relations.
* **Padgett's Florentine families** (account "florentine"): one company; the 16 families are people
  `florentine-acciaiuoli` … named "Acciaiuoli" …, with their wealth in 1427 and number of priorates in the
  title (the four `#PRIORS` zeros that other sources give as missing are shown as "n/a"). Marriage and
  business ties are both symmetric in the data and both become `knows`, one tie per pair: marriage 0.75,
  business 0.5, both 1.0; the note says "marriage", "business" or "marriage; business", so the marriage
  network (20 ties) can be taken apart again. Betweenness on `knows` (marriage, or marriage and business)
  ranks the Medici first. No `influences`: the data carry no direction.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from accountgraph.schema.models import Bundle, Company, Person, Role, Tie, TieType

__all__ = [
    "CITATIONS",
    "CONVERTERS",
    "DATASETS_ENV",
    "FLORENTINE_NA_PRIORATES",
    "all_dataset_bundles",
    "dataset_json",
    "datasets_root",
    "florentine_bundle",
    "krackhardt_bundle",
    "lazega_bundle",
    "read_edgelist",
    "read_matrix",
    "read_named_matrix",
    "read_rows",
    "shipped_bundle",
]

DATASETS_ENV = "ACCOUNTGRAPH_DATASETS"

CITATIONS: dict[str, str] = {
    "krackhardt": (
        "Krackhardt, D. (1987). Cognitive social structures. Social Networks 9(2), 109-134. "
        "doi:10.1016/0378-8733(87)90009-8. Data as in Wasserman, S. & Faust, K. (1994). Social Network Analysis: "
        "Methods and Applications. Cambridge University Press, Appendix B. Files: SDS-AAU/SDS-master @ "
        "22d089c1c28f3e38c4e220b5baf58387cd5070ab, 00_data/network_krackhard/."
    ),
    "lazega": (
        "Lazega, E. (2001). The Collegial Phenomenon: The Social Mechanisms of Cooperation Among Peers in a "
        "Corporate Law Partnership. Oxford University Press. Data distributed by T.A.B. Snijders (SIENA, "
        "LazegaLawyers.zip). Files: SDS-AAU/SDS-master @ 22d089c1c28f3e38c4e220b5baf58387cd5070ab, "
        "M2/data/LazegaLawyers/."
    ),
    "florentine": (
        "Padgett, J.F. & Ansell, C.K. (1993). Robust action and the rise of the Medici, 1400-1434. American "
        "Journal of Sociology 98(6), 1259-1319. doi:10.1086/230190. 16-family subset as in Breiger, R.L. & "
        "Pattison, P.E. (1986), Social Networks 8, 215-256, and Wasserman & Faust (1994), Appendix B. Files: "
        "jalapic/SNA_workshop @ c42f47887cbf574b8d92e772c5156c1a82941bc1, data/PADGETT.csv (marriage), "
        "data/PADGETT2.csv (business), data/PADGW.csv (attributes)."
    ),
}

KRACKHARDT_DIR = "krackhardt_hightech"
LAZEGA_DIR = "lazega_lawfirm"
PADGETT_DIR = "padgett_florentine"

FLORENTINE_NA_PRIORATES = frozenset({"BARBADORI", "GINORI", "PAZZI", "TORNABUONI"})
"""Families whose `#PRIORS` is 0 in this copy but missing (NA) in Wasserman & Faust: shown as "n/a"."""

_LAZEGA_OFFICES = {1: "Boston", 2: "Hartford", 3: "Providence"}
_LAZEGA_PRACTICES = {1: "Litigation", 2: "Corporate"}


# ---- locating the files -----------------------------------------------------------------------------


def datasets_root(root: Path | str | None = None) -> Path:
    """The folder holding the data sets: `root` if given, else `$ACCOUNTGRAPH_DATASETS` if set, else
    `shared/datasets` beside the repository.

    Raises:
        FileNotFoundError: if that folder does not exist.
    """
    if root is not None:
        chosen, how = Path(root), "the given root"
    elif os.environ.get(DATASETS_ENV):
        chosen, how = Path(os.environ[DATASETS_ENV]), f"${DATASETS_ENV}"
    else:
        chosen, how = Path(__file__).resolve().parents[3] / "shared" / "datasets", "the default location"
    if not chosen.is_dir():
        raise FileNotFoundError(
            f"data sets folder {str(chosen)!r} ({how}) does not exist: pass the folder holding "
            f"{KRACKHARDT_DIR}/, {LAZEGA_DIR}/ and {PADGETT_DIR}/, or set {DATASETS_ENV}"
        )
    return chosen


def _file(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(f"data set file {str(path)!r} is missing")
    return path


# ---- raw readers --------------------------------------------------------------------------------------


def read_edgelist(path: Path) -> list[tuple[int, int]]:
    """Arcs (ego, alter) of a Krackhardt-style `ego alter value` file (whitespace-separated), value 1 only."""
    arcs = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise ValueError(f"{path}:{number}: expected 'ego alter value', got {line!r}")
        ego, alter, value = (int(float(p)) for p in parts)
        if value not in (0, 1):
            raise ValueError(f"{path}:{number}: value must be 0 or 1, got {value}")
        if value == 1 and ego != alter:
            arcs.append((ego, alter))
    return arcs


def read_matrix(path: Path) -> list[list[int]]:
    """A square 0/1 adjacency matrix, space-separated, one row per line, no header (the Lazega .dat files)."""
    rows = read_rows(path)
    if any(len(r) != len(rows) for r in rows):
        raise ValueError(f"{path}: not a square matrix")
    return rows


def read_rows(path: Path) -> list[list[int]]:
    """Rows of integers (any length), space-separated (the Lazega attribute file)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [[int(v) for v in line.split()] for line in lines if line.split()]


def read_named_matrix(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CSV table whose header row names the columns and whose first column names the rows (Padgett files).

    Returns the row names and, per row, its remaining cells (as text). The byte-order mark is skipped.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = [row for row in csv.reader(handle) if row]
    header, body = table[0], table[1:]
    names = [row[0].strip() for row in body]
    cells = [[c.strip() for c in row[1:]] for row in body]
    if any(len(r) != len(header) - 1 for r in cells):
        raise ValueError(f"{path}: rows and header differ in length")
    return names, cells


def _directed_to_knows(
    arcs: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], bool]:
    """Directed nominations as unordered pairs (a < b) → whether the nomination was mutual."""
    given = set(arcs)
    pairs: dict[tuple[str, str], bool] = {}
    for a, b in sorted(given):
        key = (a, b) if a < b else (b, a)
        pairs[key] = (b, a) in given
    return pairs


# ---- Krackhardt ---------------------------------------------------------------------------------------


def krackhardt_bundle(root: Path | str | None = None) -> Bundle:
    """Krackhardt's 21 high-tech managers: advice → `influences`, friendship → `knows`, reports-to.

    `root` is the data sets folder (see `datasets_root`).
    """
    folder = datasets_root(root) / KRACKHARDT_DIR
    account = "krackhardt"

    def pid(number: int) -> str:
        return f"{account}-{number:02d}"

    with _file(folder, "Krack-High-Tec-Attributes.csv").open(encoding="utf-8-sig", newline="") as handle:
        attributes = [{k.strip(): v.strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    boss: dict[int, int] = {}
    for ego, alter in read_edgelist(_file(folder, "Krack-High-Tec-edgelist-ReportsTo.txt")):
        if ego in boss:
            raise ValueError(f"Krackhardt: manager {ego} reports to more than one boss")
        boss[ego] = alter
    titles = {1: "Chief Executive Officer", 2: "Vice President", 3: "Manager"}
    people = []
    for row in attributes:
        number, level, dept = int(row["ID"]), int(row["LEVEL"]), int(row["DEPT"])
        people.append(
            Person(
                id=pid(number),
                name=f"Manager {number}",
                company=account,
                title=titles.get(level),
                department=f"Dept {dept}" if dept else None,
                level=level,
                reports_to=pid(boss[number]) if number in boss else None,
                roles=[Role.DECISION_MAKER] if level == 1 else [],
            )
        )
    ties = [
        Tie(from_=pid(advisor), to=pid(seeker), type=TieType.INFLUENCES, strength=1.0, note="advice")
        for seeker, advisor in read_edgelist(_file(folder, "Krack-High-Tec-edgelist-Advice.txt"))
    ]
    friendship = read_edgelist(_file(folder, "Krack-High-Tec-edgelist-Friendship.txt"))
    for (a, b), mutual in _directed_to_knows((pid(x), pid(y)) for x, y in friendship).items():
        note = "friendship (mutual)" if mutual else "friendship (named by one)"
        ties.append(Tie(from_=a, to=b, type=TieType.KNOWS, strength=1.0 if mutual else 0.5, note=note))
    company = Company(id=account, name="Krackhardt high-tech firm (1987)", industry="High-tech manufacturing")
    return Bundle(companies=[company], people=people, ties=ties)


# ---- Lazega -------------------------------------------------------------------------------------------


def lazega_bundle(root: Path | str | None = None) -> Bundle:
    """Lazega's 71 lawyers of a corporate law firm: advice → `influences`, friendship and co-work → `knows`.

    `root` is the data sets folder (see `datasets_root`).
    """
    folder = datasets_root(root) / LAZEGA_DIR
    account = "lazega"

    def pid(number: int) -> str:
        return f"{account}-{number:02d}"

    attributes = read_rows(_file(folder, "ELattr.dat"))
    advice = read_matrix(_file(folder, "ELadv.dat"))
    friendship = read_matrix(_file(folder, "ELfriend.dat"))
    cowork = read_matrix(_file(folder, "ELwork.dat"))
    size = len(attributes)
    if not (len(advice) == len(friendship) == len(cowork) == size):
        raise ValueError("Lazega: the matrices and the attributes disagree on the number of lawyers")

    companies = [
        Company(
            id=account, name="Lazega law firm (SG&R, New England, 1988-1991)", industry="Corporate law",
            region="North America", country="United States",
        )
    ]  # fmt: skip
    for city in _LAZEGA_OFFICES.values():
        companies.append(
            Company(
                id=f"{account}-{city.lower()}", name=f"SG&R {city} office", parent=account,
                industry="Corporate law", region="North America", country="United States",
            )
        )  # fmt: skip
    people = []
    for number, row in enumerate(attributes, start=1):
        seniority, status, _gender, office, _years, _age, practice, _school = row
        if seniority != number:
            raise ValueError(f"Lazega: row {number} has seniority rank {seniority}; expected the row number")
        people.append(
            Person(
                id=pid(number),
                name=f"Lawyer {number:02d}",
                company=f"{account}-{_LAZEGA_OFFICES[office].lower()}",
                title="Partner" if status == 1 else "Associate",
                department=_LAZEGA_PRACTICES[practice],
                level=1 if status == 1 else 2,
            )
        )
    ties = [
        Tie(from_=pid(j + 1), to=pid(i + 1), type=TieType.INFLUENCES, strength=1.0, note="advice")
        for i in range(size)
        for j in range(size)
        if advice[i][j] and i != j
    ]
    for (a, b), (strength, note) in _lazega_knows(friendship, cowork, pid).items():
        ties.append(Tie(from_=a, to=b, type=TieType.KNOWS, strength=strength, note=note))
    return Bundle(companies=companies, people=people, ties=ties)


def _lazega_knows(
    friendship: list[list[int]], cowork: list[list[int]], pid: Callable[[int], str]
) -> dict[tuple[str, str], tuple[float, str]]:
    """One `knows` tie per pair with a friendship nomination or co-work: (strength, note) by (a, b)."""
    size = len(friendship)
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for i in range(size):
        for j in range(i + 1, size):
            named = friendship[i][j] + friendship[j][i]
            worked = bool(cowork[i][j] or cowork[j][i])
            if not named and not worked:
                continue
            strength = (0.5 if worked else 0.0) + 0.25 * named
            parts = (["co-work"] if worked else []) + (
                ["friendship (mutual)"] if named == 2 else ["friendship (named by one)"] if named else []
            )
            out[(pid(i + 1), pid(j + 1))] = (strength, "; ".join(parts))
    return out


# ---- Padgett ------------------------------------------------------------------------------------------


def florentine_bundle(root: Path | str | None = None) -> Bundle:
    """Padgett's 16 Florentine families: marriage and business ties → `knows` (marked in the note).

    `root` is the data sets folder (see `datasets_root`).
    """
    folder = datasets_root(root) / PADGETT_DIR
    account = "florentine"
    families, marriage = read_named_matrix(_file(folder, "PADGETT.csv"))
    business_families, business = read_named_matrix(_file(folder, "PADGETT2.csv"))
    attr_families, attributes = read_named_matrix(_file(folder, "PADGW.csv"))
    if not (families == business_families == attr_families):
        raise ValueError("Padgett: the three files list different families")

    def pid(family: str) -> str:
        return f"{account}-{family.lower()}"

    people = []
    for family, (wealth, priors, _ties) in zip(families, attributes, strict=True):
        priorates = "n/a" if family in FLORENTINE_NA_PRIORATES else priors
        people.append(
            Person(
                id=pid(family),
                name=family.capitalize(),
                company=account,
                title=f"Family; wealth in 1427: {wealth} thousand lira; priorates 1282-1344: {priorates}",
            )
        )
    ties = []
    size = len(families)
    for i in range(size):
        for j in range(i + 1, size):
            married = marriage[i][j] == "1" or marriage[j][i] == "1"
            trade = business[i][j] == "1" or business[j][i] == "1"
            if not (married or trade):
                continue
            strength = 1.0 if married and trade else 0.75 if married else 0.5
            note = "; ".join(n for n, on in (("marriage", married), ("business", trade)) if on)
            ties.append(Tie(from_=pid(families[i]), to=pid(families[j]), type=TieType.KNOWS, strength=strength,
                            note=note))  # fmt: skip
    company = Company(
        id=account, name="Florentine families (Padgett, c. 1430)", industry="Banking, trade and politics",
        region="Europe", country="Republic of Florence",
    )  # fmt: skip
    return Bundle(companies=[company], people=people, ties=ties)


# ---- all of them, converted or shipped -----------------------------------------------------------------

CONVERTERS: dict[str, Callable[[Path | str | None], Bundle]] = {
    "krackhardt": krackhardt_bundle,
    "lazega": lazega_bundle,
    "florentine": florentine_bundle,
}
"""Each data set's converter of the raw files, by account id."""

SHIPPED_FILE = "bundle.json"


def dataset_json(bundle: Bundle) -> str:
    """How a converted data set is shipped: the bundle as compact JSON (field names as in a bundle file)."""
    return bundle.model_dump_json(by_alias=True) + "\n"


def shipped_bundle(account: str) -> Bundle:
    """The converted data set `account` (krackhardt, lazega or florentine) as shipped with the package.

    Raises:
        KeyError: if there is no such data set.
    """
    if account not in CONVERTERS:
        raise KeyError(f"no data set {account!r}; the data sets are {', '.join(CONVERTERS)}")
    text = (resources.files("accountgraph.samples") / "data" / account / SHIPPED_FILE).read_text(encoding="utf-8")
    return Bundle.model_validate_json(text)


def all_dataset_bundles(root: Path | str | None = None) -> dict[str, Bundle]:
    """Every data set as a bundle, by account id: krackhardt, lazega, florentine.

    Without `root` and without `$ACCOUNTGRAPH_DATASETS`: the converted bundles shipped with the package.
    With either: converted afresh from the raw files in that folder.

    Raises:
        FileNotFoundError: if the raw data sets folder named or one of its files is missing.
    """
    if root is None and not os.environ.get(DATASETS_ENV):
        return {account: shipped_bundle(account) for account in CONVERTERS}
    folder = datasets_root(root)
    return {account: convert(folder) for account, convert in CONVERTERS.items()}
