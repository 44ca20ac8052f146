// The ledger's records: (:LedgerRecord {kind, id, account, version, data}), `data` a JSON string.
// (kind, id) is unique (constraint ledger_key); a commit locks the records it replaces, then checks
// their versions, then writes, all in one transaction.

// name: ledger_get
MATCH (n:LedgerRecord {kind: $kind, id: $id})
RETURN n {.*} AS row

// name: ledger_list
MATCH (n:LedgerRecord {kind: $kind})
WHERE $account IS NULL OR n.account = $account
RETURN n {.*} AS row
ORDER BY n.id

// name: ledger_lock
UNWIND $keys AS key
MATCH (n:LedgerRecord {kind: key.kind, id: key.id})
SET n.locked = true
REMOVE n.locked

// name: ledger_versions
UNWIND $keys AS key
MATCH (n:LedgerRecord {kind: key.kind, id: key.id})
RETURN n.kind AS kind, n.id AS id, n.version AS version

// name: ledger_create
UNWIND $rows AS row
CREATE (n:LedgerRecord)
SET n = row

// name: ledger_update
UNWIND $rows AS row
MATCH (n:LedgerRecord {kind: row.kind, id: row.id})
SET n = row
