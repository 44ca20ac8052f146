"""Quotes and cash: a thin relational layer (typed records with keys, references and enforced rules)
stored through the `GraphStore` ledger records, so it works the same on every backend.

- `models`: the records (money as `Decimal` + currency, never float) and the rounding rule;
- `rules`: what the ledger accepts as input (precision, positive amounts, percentages, whole pieces, days,
  ids), checked by the service for every interface alike;
- `service`: catalogue, pricing, quotes, contracts, orders, invoices, payments (functions of a store);
- `cash`: billed, collected, outstanding, overdue ageing and DSO per account, and a report;
- `value`: RFM, lifetime value and the A/B/C/D grade of accounts ("no history" without purchases).

The demo records of the sample account are sample data: `accountgraph.samples.ledger`.
"""
