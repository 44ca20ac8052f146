"""Regenerate the bundled demo account: `python tools/make_sample.py` writes
accountgraph/samples/data/sample_account.json.

The sample is `generate_account(150, seed=7, account_id="medtech", name="Helix Medical Group")`; the test suite
checks that the packaged file equals a fresh generation, so run this after changing the generator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "accountgraph" / "samples" / "data" / "sample_account.json"


def main() -> int:
    sys.path.insert(0, str(REPO))
    from accountgraph.samples.sample import generate_sample

    bundle = generate_sample()
    document = bundle.model_dump(mode="json", by_alias=True)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = ", ".join(f"{n} {k}" for k, n in bundle.counts().items())
    print(f"wrote {TARGET.relative_to(REPO)}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
