// The documents (`GraphStore.documents`): (:LedgerRecord {kind, id, account, version, data}), `data` a JSON
// string; the label keeps the name it had when only the ledger used it. (kind, id) is unique (constraint
// ledger_key); a commit locks the documents it replaces or checks, then checks their versions, then writes,
// all in one transaction.

// name: document_get
MATCH (n:LedgerRecord {kind: $kind, id: $id})
RETURN n {.*} AS row

// name: document_list
MATCH (n:LedgerRecord {kind: $kind})
WHERE $account IS NULL OR n.account = $account
RETURN n {.*} AS row
ORDER BY n.id

// name: document_lock
UNWIND $keys AS key
MATCH (n:LedgerRecord {kind: key.kind, id: key.id})
SET n.locked = true
REMOVE n.locked

// name: document_versions
UNWIND $keys AS key
MATCH (n:LedgerRecord {kind: key.kind, id: key.id})
RETURN n.kind AS kind, n.id AS id, n.version AS version, n.data AS data

// name: document_create
UNWIND $rows AS row
CREATE (n:LedgerRecord)
SET n = row

// name: document_update
UNWIND $rows AS row
MATCH (n:LedgerRecord {kind: row.kind, id: row.id})
SET n = row

// name: document_delete
UNWIND $ids AS id
MATCH (n:LedgerRecord {kind: $kind, id: id})
DELETE n
RETURN count(*) AS deleted
