# The README's commands. `make demo` and `make test` each install what they need first.
PYTHON ?= python3
PIP = $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore

.PHONY: install install-test pdf-libs neo4j-build browser neo4j demo test lint typecheck unit bench

install: pdf-libs
	$(PIP) -e .

install-test: pdf-libs
	$(PIP) -e '.[test]'

pdf-libs:  ## Debian's pango, which WeasyPrint (the account plan's PDF) loads; installed only when missing
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || { \
	  echo "installing libpango-1.0-0 and libpangoft2-1.0-0 (Debian packages: WeasyPrint's text layout)"; \
	  apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

neo4j-build:  ## resolve the Neo4j Maven artifacts and build the launcher (tools/neo4j)
	@command -v java >/dev/null && command -v mvn >/dev/null || { \
	  echo "installing Java 17 and Maven (Debian packages)"; \
	  apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null; }
	mvn -q -B -f tools/neo4j/pom.xml package -DskipTests

browser:  ## Debian's chromium and CJK fonts for the browser tests (Playwright drives it; nothing is downloaded)
	@command -v chromium >/dev/null || { \
	  echo "installing chromium (Debian package)"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { \
	  echo "installing fonts-noto-cjk (Debian package: the Chinese glyphs of the browser tests)"; \
	  apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; }

neo4j: neo4j-build  ## a local Neo4j on a free loopback port (prints its bolt:// URL)
	tools/neo4j/run.sh

demo: install
	accountgraph demo

lint:
	ruff check accountgraph tests bench tools eval
	ruff format --check accountgraph tests bench tools eval

typecheck:
	mypy

# the suite on TEST_WORKERS processes (pytest-xdist; every test on the session's Neo4j server runs on one of them,
# tests that share a module's fixtures stay on one: see tests/conftest.py), or in this process with TEST_WORKERS=0
TEST_WORKERS ?= 2

unit:
	$(PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadgroup

test: install-test neo4j-build browser lint typecheck unit

bench: install
	$(PYTHON) bench/store.py
	$(PYTHON) bench/algorithms.py
	$(PYTHON) bench/capture.py
