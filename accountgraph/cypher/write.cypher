// Writes: UNWIND batches of rows ($rows), idempotent MERGE by id, so a retried transaction is harmless.
// Properties are replaced whole (SET n = r): a field sent as null is removed.

// name: upsert_companies
UNWIND $rows AS r
MERGE (n:Entity {id: r.id})
SET n = r, n:Company

// name: link_companies
UNWIND $rows AS r
MATCH (n:Company {id: r.id})
OPTIONAL MATCH (n)<-[old:PARENT_OF]-()
DELETE old
WITH DISTINCT n, r
WHERE r.parent IS NOT NULL
MATCH (p:Company {id: r.parent})
MERGE (p)-[:PARENT_OF]->(n)

// name: upsert_people
UNWIND $rows AS r
MERGE (n:Entity {id: r.id})
SET n = r, n:Person

// The relationships a person's row names; those already there are kept (an edit of a stance or roles writes
// none: removing and adding the WORKS_AT of one of the thousands at a company costs the server work).
// name: link_people
UNWIND $rows AS r
MATCH (n:Person {id: r.id})
OPTIONAL MATCH (n)-[old:WORKS_AT|REPORTS_TO]->(to)
WHERE NOT (old:WORKS_AT AND to.id = r.company) AND NOT (old:REPORTS_TO AND coalesce(to.id = r.reports_to, false))
DELETE old
WITH DISTINCT n, r
MATCH (c:Company {id: r.company})
MERGE (n)-[:WORKS_AT]->(c)
WITH n, r
WHERE r.reports_to IS NOT NULL
MATCH (m:Person {id: r.reports_to})
MERGE (n)-[:REPORTS_TO]->(m)

// name: upsert_team
UNWIND $rows AS r
MERGE (n:Entity {id: r.id})
SET n = r, n:TeamMember

// name: upsert_knows
UNWIND $rows AS r
MATCH (a:Entity {id: r.from}), (b:Entity {id: r.to})
MERGE (a)-[t:KNOWS]->(b)
SET t = r.props

// name: upsert_influences
UNWIND $rows AS r
MATCH (a:Person {id: r.from}), (b:Person {id: r.to})
MERGE (a)-[t:INFLUENCES]->(b)
SET t = r.props

// name: upsert_interactions
UNWIND $rows AS r
MERGE (n:Interaction {id: r.id})
SET n = r
WITH n, r
OPTIONAL MATCH (n)-[old:WITH_MEMBER|WITH_PERSON]->()
DELETE old
WITH DISTINCT n, r
MATCH (m:TeamMember {id: r.member}), (p:Person {id: r.person})
MERGE (n)-[:WITH_MEMBER]->(m)
MERGE (n)-[:WITH_PERSON]->(p)

// name: upsert_risks
UNWIND $rows AS r
MERGE (n:RiskEvent {id: r.id})
SET n = r
WITH n, r
OPTIONAL MATCH (n)-[old:CONCERNS]->()
DELETE old
WITH DISTINCT n, r
MATCH (c:Company {id: r.company})
MERGE (n)-[:CONCERNS]->(c)

// name: company_dependants
MATCH (c:Company {id: $id})
RETURN COUNT { (c)-[:PARENT_OF]->(:Company) } AS children, COUNT { (:Person)-[:WORKS_AT]->(c) } AS people

// name: delete_company
MATCH (n:Company {id: $id})
OPTIONAL MATCH (r:RiskEvent)-[:CONCERNS]->(n)
DETACH DELETE r
WITH DISTINCT n
DETACH DELETE n
RETURN count(n) AS deleted

// name: delete_person
MATCH (n:Person {id: $id})
OPTIONAL MATCH (s:Person)-[:REPORTS_TO]->(n)
SET s.reports_to = null
WITH DISTINCT n
OPTIONAL MATCH (i:Interaction)-[:WITH_PERSON]->(n)
DETACH DELETE i
WITH DISTINCT n
DETACH DELETE n
RETURN count(n) AS deleted

// name: delete_team
MATCH (n:TeamMember {id: $id})
OPTIONAL MATCH (i:Interaction)-[:WITH_MEMBER]->(n)
DETACH DELETE i
WITH DISTINCT n
DETACH DELETE n
RETURN count(n) AS deleted

// name: delete_interaction
MATCH (n:Interaction {id: $id})
DETACH DELETE n
RETURN count(n) AS deleted

// name: delete_risk
MATCH (n:RiskEvent {id: $id})
DETACH DELETE n
RETURN count(n) AS deleted

// name: delete_knows
MATCH (:Entity {id: $from})-[t:KNOWS]->(:Entity {id: $to})
DELETE t
RETURN count(t) AS deleted

// name: delete_influences
MATCH (:Person {id: $from})-[t:INFLUENCES]->(:Person {id: $to})
DELETE t
RETURN count(t) AS deleted

// name: delete_everything
MATCH (n)
WHERE NOT n:AccountGraphMeta
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS

// name: bump_data_version
MERGE (m:AccountGraphMeta {id: 'data'})
SET m.version = coalesce(m.version, 0) + 1

// The change feed's entry of the version just made (`accountgraph.graph.changes`): one meta node per version,
// found by its unique id; the entry of the version `$keep` before goes. With the entries of the change log of
// the write ($log, as change_log_write), in the same round trip.
// name: record_changes
MATCH (m:AccountGraphMeta {id: 'data'})
MERGE (c:AccountGraphMeta {id: $prefix + toString(m.version)})
SET c.version = m.version, c.changes = $changes
WITH m
OPTIONAL MATCH (old:AccountGraphMeta {id: $prefix + toString(m.version - $keep)})
DELETE old
WITH DISTINCT m
UNWIND $log AS row
CREATE (e:ChangeEntry)
SET e = row

// The same lock, the version unchanged: a write no derived data depends on (a browser session).
// name: lock_data_version
MERGE (m:AccountGraphMeta {id: 'data'})
SET m.locked = true
REMOVE m.locked

// name: save_api_key
MERGE (k:ApiKey {id: $row.id})
SET k = $row

// Commit gates: the transaction of a bundle opens one (in a transaction of its own) just before it commits,
// and closes it once committed. Neo4j applies a committed transaction record by record, so a reader running
// meanwhile may see part of it. The generation of the gates (opened or closed so far) is kept on the meta
// node $gates. A reader that saw a gate open, or the generation move, while it read, reads again (see
// Neo4jStore._read). A gate left open by a writer that died lapses at `until`.

// name: gate_open
MERGE (g:AccountGraphMeta {id: $gates})
SET g.gen = coalesce(g.gen, 0) + 1
CREATE (:CommitGate {id: $id, until: datetime() + duration({seconds: $lease})})

// name: gate_close
MERGE (g:AccountGraphMeta {id: $gates})
SET g.gen = coalesce(g.gen, 0) + 1
WITH g
MATCH (c:CommitGate)
WHERE c.id = $id OR c.until < datetime()
DELETE c
