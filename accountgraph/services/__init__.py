"""The use cases: the one place where access checks, validation rules, paging and the unit of work live.

Every interface is an adapter over this layer: the CLI (`accountgraph.cli`), the HTTP API's routes
(`accountgraph.api.routes`) and the planner's workspace parse their input, call one function here with the
store (typed by the storage interface, `accountgraph.graph.store.GraphStore`), the caller's `Scope` and the
request, and render the result or map the error (`accountgraph.errors`). A service never imports an
interface, and an interface never reaches a backend.

* `scope`: who is asking and what they may see (`Scope`).
* `paging`: one page of a list (`Page`) and its cursors.
* `keys`: API keys, their creation, listing, revocation and checking (`create_key`, `authenticate`).
* `records`: reading and writing the graph's records (companies, people, team, ties, interactions, risks)
  as a scope may.
* `mapping`, `tables`, `crm_import`: other CRMs' exports (CSV, XLSX) mapped to records and imported through
  `records.import_document`; `profiles/` holds the built-in mappings.
* `ledger`, `opportunities`, `plans`: the use cases of the domain packages of those names (whose rules stay
  there) as a scope may use them: a record of an account outside the scope answers as one that does not exist.
* `analysis`, `compare`: the analyses of an account the scope sees, and the comparison of two dates.
* `sessions`: the planner's workspace's sign-in sessions (kept as store documents).
* `workspace`: the workspace's use cases: the portfolio, an account's map, a person's card, the edits.
* `alerts`, `alert_delivery`: alert rules and their evaluation, subscriptions, the outbox, webhooks and e-mail.
"""
