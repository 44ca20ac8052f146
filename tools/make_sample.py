"""Regenerate the sample data shipped with the package: `python tools/make_sample.py` writes
accountgraph/samples/data/sample_account.json and, converted from the raw files in ../shared/datasets (or
$ACCOUNTGRAPH_DATASETS), accountgraph/samples/data/<data set>/bundle.json.

The sample is `generate_account(150, seed=7, account_id="medtech", name="Helix Medical Group")`; the test suite
checks that the packaged files equal a fresh generation and a fresh conversion, so run this after changing the
generator or a converter. The README.md beside each data set (source, licence, citation) is written by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "accountgraph" / "samples" / "data"
TARGET = DATA / "sample_account.json"


def main() -> int:
    sys.path.insert(0, str(REPO))
    from accountgraph.samples.datasets import CONVERTERS, SHIPPED_FILE, dataset_json, datasets_root
    from accountgraph.samples.sample import generate_sample

    bundle = generate_sample()
    document = bundle.model_dump(mode="json", by_alias=True)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = ", ".join(f"{n} {k}" for k, n in bundle.counts().items())
    print(f"wrote {TARGET.relative_to(REPO)}: {counts}")

    root = datasets_root()
    for account, convert in CONVERTERS.items():
        converted = convert(root)
        target = DATA / account / SHIPPED_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dataset_json(converted), encoding="utf-8")
        counts = ", ".join(f"{n} {k}" for k, n in converted.counts().items())
        print(f"wrote {target.relative_to(REPO)} ({target.stat().st_size // 1024} KiB): {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
