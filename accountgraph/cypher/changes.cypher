// The change log (`accountgraph.graph.changelog`): (:ChangeEntry {id, at, author, label, interface, account, kind,
// record, action, fields}), `at` fixed-width UTC text (its text order is time order), `fields` a JSON string.
// Entries are created in the transaction of the write they describe and never changed.

// name: change_log_write
UNWIND $rows AS row
CREATE (c:ChangeEntry)
SET c = row

// name: change_log_read
MATCH (c:ChangeEntry)
WHERE ($account IS NULL OR c.account = $account)
  AND ($accounts IS NULL OR c.account IN $accounts)
  AND (NOT $owned OR c.account IS NOT NULL)
  AND ($records IS NULL OR c.record IN $records)
  AND ($author IS NULL OR c.author = $author)
  AND ($kind IS NULL OR c.kind = $kind)
  AND ($after_at IS NULL OR c.at < $after_at OR (c.at = $after_at AND c.id < $after_id))
RETURN c {.*} AS row
ORDER BY c.at DESC, c.id DESC
LIMIT $limit
