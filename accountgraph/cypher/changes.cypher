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

// The entries of the change feed after $version with the current row of every record they name, in one query
// (Neo4jStore.changes_since), between two reads of the state of the commit gates (see write.cypher):
// `gen`/`open` first, then the feed and the rows, collected (each subquery ends before the next part starts),
// then `gen_after`/`open_after`. An entry is its kind, $sep and its id (a tie's id: type, from and to joined by
// $tie_sep), as `accountgraph.graph.changes.encode` writes it.
// name: changes_since_rows
OPTIONAL MATCH (g:AccountGraphMeta {id: $gates})
WITH coalesce(g.gen, 0) AS gen, COUNT { (c:CommitGate) WHERE c.until > datetime() } AS open
OPTIONAL MATCH (m:AccountGraphMeta {id: 'data'})
WITH gen, open, m.version AS version,
     CASE WHEN m IS NULL OR m.version <= $version OR m.version - $version > $keep THEN []
          ELSE [v IN range($version + 1, m.version) | $prefix + toString(v)] END AS ids
CALL (ids) {
  OPTIONAL MATCH (c:AccountGraphMeta)
  WHERE c.id IN ids
  RETURN collect([c.version, c.changes]) AS changes
}
WITH gen, open, version, changes,
     [t IN reduce(acc = [], e IN changes | acc + coalesce(e[1], [])) | [split(t, $sep)[0], t]] AS entries
WITH gen, open, version, changes, [e IN entries | [e[0], substring(e[1], size(e[0]) + 1)]] AS entries
CALL (entries) {
  UNWIND entries AS e
  WITH e WHERE e[0] = 'company'
  MATCH (n:Company {id: e[1]})
  RETURN collect(n {.*}) AS companies
}
CALL (entries) {
  UNWIND entries AS e
  WITH e WHERE e[0] = 'person'
  MATCH (n:Person {id: e[1]})
  RETURN collect(n {.*}) AS people
}
CALL (entries) {
  UNWIND entries AS e
  WITH e WHERE e[0] = 'team'
  MATCH (n:TeamMember {id: e[1]})
  RETURN collect(n {.*}) AS team
}
CALL (entries) {
  UNWIND entries AS e
  WITH e WHERE e[0] = 'interaction'
  MATCH (n:Interaction {id: e[1]})
  RETURN collect(n {.*}) AS interactions
}
CALL (entries) {
  UNWIND entries AS e
  WITH e WHERE e[0] = 'risk'
  MATCH (n:RiskEvent {id: e[1]})
  RETURN collect(n {.*}) AS risks
}
CALL (entries) {
  UNWIND entries AS e
  WITH split(e[1], $tie_sep) AS k WHERE e[0] = 'tie' AND k[0] = 'knows'
  MATCH (a:Entity {id: k[1]})-[t:KNOWS]->(b:Entity {id: k[2]})
  RETURN collect(t {.*, from: a.id, to: b.id, type: 'knows'}) AS knows
}
CALL (entries) {
  UNWIND entries AS e
  WITH split(e[1], $tie_sep) AS k WHERE e[0] = 'tie' AND k[0] = 'influences'
  MATCH (a:Person {id: k[1]})-[t:INFLUENCES]->(b:Person {id: k[2]})
  RETURN collect(t {.*, from: a.id, to: b.id, type: 'influences'}) AS influences
}
WITH gen, open, version, changes, companies, people, team, interactions, risks, knows, influences
CALL (companies, people, team, interactions, risks, knows, influences) {
  OPTIONAL MATCH (g:AccountGraphMeta {id: $gates})
  RETURN coalesce(g.gen, 0) AS gen_after, COUNT { (c:CommitGate) WHERE c.until > datetime() } AS open_after
}
RETURN gen, open, version, changes, companies, people, team, interactions, risks, knows, influences, gen_after,
       open_after
