"""Sample data, all in one place: what demos, tests, benchmarks and evaluations load.

- `generator`: seeded synthetic key accounts (`generate_account`), split by concern;
- `sample`: the bundled sample account (`sample_bundle`, `SAMPLE_ACCOUNT_ID`) and moving an account's dates;
- `zh_sample`: the Chinese sample account, 华康医疗集团 (`zh_sample_bundle`, `ZH_ACCOUNT_ID`), written by hand;
- `datasets`: real organisational networks (Krackhardt, Lazega, Padgett) converted into bundles, shipped as
  package data with their citations (`all_dataset_bundles`), and the converters of the raw files;
- `ledger`: the demo ledger of an account (catalogue, quotes, contracts, orders, invoices, payments);
- `deals`: generated closed-deal history and the demo's open opportunity;
- `demo`: the demo's seeding as one use case (`seed_demo(store) -> DemoReport`).

`generator`, `sample`, `zh_sample` and `datasets` depend on the schema only; `ledger`, `deals` and `demo` write
through the storage interface and the ledger and opportunity services.
"""
