// Staged imports (Neo4jStore._load_staged): a bundle larger than one batch is written in several bounded
// transactions, then made visible in one. Its new records are written as (:Staged) nodes, without any of the
// labels the reads match (Entity, Company, Person, TeamMember, Interaction, RiskEvent), keyed by
// (staged_import, staged_kind, id); their relationships (to staged nodes or to visible ones) are invisible too,
// since every read matches labelled endpoints. The switch (one transaction, behind a commit gate) gives the
// staged nodes their labels and writes the bundle's changes to records that already existed.
// An (:ImportStage {id, until}) node holds the import's lease, renewed by every batch; the staged nodes of an
// import whose lease lapsed, or that has no ImportStage, are deleted at the next open or staged import.

// name: stage_open
CREATE (:ImportStage {id: $stage, until: datetime() + duration({seconds: $lease})})

// name: stage_renew
CYPHER replan=skip
MATCH (st:ImportStage {id: $stage})
USING INDEX st:ImportStage(id)
SET st.until = datetime() + duration({seconds: $lease})
RETURN st.id AS id

// name: stage_nodes
CYPHER replan=skip
// The records are new (the import checked that none of them exists): CREATE, no look-up (the staged_key constraint
// still refuses a duplicate). Returns the element id of each node, by which the relationships of the import between new
// records find it (`stage_knows_new`, `stage_influences_new`).
UNWIND $rows AS r
CREATE (n:Staged)
SET n = r, n.staged_import = $stage, n.staged_kind = $kind
RETURN r.id AS id, elementId(n) AS node

// name: stage_link_companies
CYPHER replan=skip
UNWIND $rows AS r
MATCH (n:Staged {staged_import: $stage, staged_kind: 'company', id: r.id})
USING INDEX SEEK n:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (sp:Staged {staged_import: $stage, staged_kind: 'company', id: r.parent})
USING INDEX SEEK sp:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vp:Company {id: r.parent})
USING INDEX vp:Company(id)
WITH n, coalesce(sp, vp) AS p
WHERE p IS NOT NULL
MERGE (p)-[:PARENT_OF]->(n)

// name: stage_link_people
CYPHER replan=skip
UNWIND $rows AS r
MATCH (n:Staged {staged_import: $stage, staged_kind: 'person', id: r.id})
USING INDEX SEEK n:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (sc:Staged {staged_import: $stage, staged_kind: 'company', id: r.company})
USING INDEX SEEK sc:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vc:Company {id: r.company})
USING INDEX vc:Company(id)
WITH n, r, coalesce(sc, vc) AS c
WHERE c IS NOT NULL
MERGE (n)-[:WORKS_AT]->(c)
WITH n, r
WHERE r.reports_to IS NOT NULL
OPTIONAL MATCH (sm:Staged {staged_import: $stage, staged_kind: 'person', id: r.reports_to})
USING INDEX SEEK sm:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vm:Person {id: r.reports_to})
USING INDEX vm:Person(id)
WITH n, coalesce(sm, vm) AS m
WHERE m IS NOT NULL
MERGE (n)-[:REPORTS_TO]->(m)

// name: stage_link_people_new
CYPHER replan=skip
// People whose company and manager (if any) are new too: found by element id (as `stage_knows_new`).
UNWIND $rows AS r
MATCH (n) WHERE elementId(n) = r.n
MATCH (c) WHERE elementId(c) = r.c
WITH r, n, c
WHERE n.staged_import = $stage AND c.staged_import = $stage
CREATE (n)-[:WORKS_AT]->(c)
WITH r, n
WHERE r.m IS NOT NULL
MATCH (m) WHERE elementId(m) = r.m
WITH n, m
WHERE m.staged_import = $stage
CREATE (n)-[:REPORTS_TO]->(m)

// name: stage_knows
CYPHER replan=skip
// r.fk, r.tk: the kind of each endpoint when the bundle brings it new (a staged node), else an empty string.
UNWIND $rows AS r
OPTIONAL MATCH (sa:Staged {staged_import: $stage, staged_kind: r.fk, id: r.from})
USING INDEX SEEK sa:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (va:Entity {id: r.from})
USING INDEX va:Entity(id)
OPTIONAL MATCH (sb:Staged {staged_import: $stage, staged_kind: r.tk, id: r.to})
USING INDEX SEEK sb:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vb:Entity {id: r.to})
USING INDEX vb:Entity(id)
WITH r, coalesce(sa, va) AS a, coalesce(sb, vb) AS b
WHERE a IS NOT NULL AND b IS NOT NULL
MERGE (a)-[t:KNOWS]->(b)
SET t = r.props

// name: stage_influences
CYPHER replan=skip
UNWIND $rows AS r
OPTIONAL MATCH (sa:Staged {staged_import: $stage, staged_kind: 'person', id: r.from})
USING INDEX SEEK sa:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (va:Person {id: r.from})
USING INDEX va:Person(id)
OPTIONAL MATCH (sb:Staged {staged_import: $stage, staged_kind: 'person', id: r.to})
USING INDEX SEEK sb:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vb:Person {id: r.to})
USING INDEX vb:Person(id)
WITH r, coalesce(sa, va) AS a, coalesce(sb, vb) AS b
WHERE a IS NOT NULL AND b IS NOT NULL
MERGE (a)-[t:INFLUENCES]->(b)
SET t = r.props

// name: stage_knows_new
CYPHER replan=skip
// Ties between two records the import brings new (a first load: nearly all of them): both ends found by the
// element ids `stage_nodes` returned (r.a, r.b), the fastest look-up there is. No label in the patterns: with
// one the planner may seek the staged_import index instead, a scan of the nodes of the import per row; the
// staged_import test keeps a node of another import out (an element id is reused once its node is deleted).
// Created: no tie can exist between two new records, and a bundle holds each tie once. The properties of the tie
// (TIE_FIELDS) are named, not set from a map: `SET t = map` makes the plan materialise every row (Eager); a
// null one is not stored.
UNWIND $rows AS r
MATCH (a) WHERE elementId(a) = r.a
MATCH (b) WHERE elementId(b) = r.b
WITH r, a, b
WHERE a.staged_import = $stage AND b.staged_import = $stage
CREATE (a)-[:KNOWS {strength: r.strength, since: r.since, until: r.until, last_contact: r.last_contact, note: r.note}]->(b)

// name: stage_influences_new
CYPHER replan=skip
UNWIND $rows AS r
MATCH (a) WHERE elementId(a) = r.a
MATCH (b) WHERE elementId(b) = r.b
WITH r, a, b
WHERE a.staged_import = $stage AND b.staged_import = $stage
CREATE (a)-[:INFLUENCES {strength: r.strength, since: r.since, until: r.until, last_contact: r.last_contact,
  note: r.note}]->(b)

// name: stage_interactions
CYPHER replan=skip
UNWIND $rows AS r
MERGE (n:Staged {staged_import: $stage, staged_kind: $kind, id: r.id})
SET n = r, n.staged_import = $stage, n.staged_kind = $kind
WITH n, r
OPTIONAL MATCH (sm:Staged {staged_import: $stage, staged_kind: 'team', id: r.member})
USING INDEX SEEK sm:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vm:TeamMember {id: r.member})
USING INDEX vm:TeamMember(id)
OPTIONAL MATCH (sp:Staged {staged_import: $stage, staged_kind: 'person', id: r.person})
USING INDEX SEEK sp:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vp:Person {id: r.person})
USING INDEX vp:Person(id)
WITH n, coalesce(sm, vm) AS m, coalesce(sp, vp) AS p
WHERE m IS NOT NULL AND p IS NOT NULL
MERGE (n)-[:WITH_MEMBER]->(m)
MERGE (n)-[:WITH_PERSON]->(p)

// name: stage_interactions_new
CYPHER replan=skip
// New interactions between a new team member and a new person (r.m, r.p: their element ids, as
// `stage_knows_new`); r.props: the properties of the interaction.
UNWIND $rows AS r
MATCH (m) WHERE elementId(m) = r.m
MATCH (p) WHERE elementId(p) = r.p
WITH r, m, p
WHERE m.staged_import = $stage AND p.staged_import = $stage
CREATE (n:Staged)-[:WITH_MEMBER]->(m)
CREATE (n)-[:WITH_PERSON]->(p)
SET n = r.props, n.staged_import = $stage, n.staged_kind = $kind

// name: stage_risks
CYPHER replan=skip
UNWIND $rows AS r
MERGE (n:Staged {staged_import: $stage, staged_kind: $kind, id: r.id})
SET n = r, n.staged_import = $stage, n.staged_kind = $kind
WITH n, r
OPTIONAL MATCH (sc:Staged {staged_import: $stage, staged_kind: 'company', id: r.company})
USING INDEX SEEK sc:Staged(staged_import, staged_kind, id)
OPTIONAL MATCH (vc:Company {id: r.company})
USING INDEX vc:Company(id)
WITH n, coalesce(sc, vc) AS c
WHERE c IS NOT NULL
MERGE (n)-[:CONCERNS]->(c)

// The switch: in the one transaction that also writes the changes to existing records (and opens the commit
// gate), every staged node of the import gets its labels. Its lease is checked (and renewed) first.

// name: switch_nodes
CYPHER replan=skip
// Every staged node of the import, in one pass of the staged_import index (a query per kind would read the whole
// import once per kind), gets the labels of its kind.
MATCH (n:Staged {staged_import: $stage})
USING INDEX n:Staged(staged_import)
WITH n, n.staged_kind AS kind
CALL (n, kind) { WITH n WHERE kind = 'company' SET n:Entity:Company }
CALL (n, kind) { WITH n WHERE kind = 'person' SET n:Entity:Person }
CALL (n, kind) { WITH n WHERE kind = 'team' SET n:Entity:TeamMember }
CALL (n, kind) { WITH n WHERE kind = 'interaction' SET n:Interaction }
CALL (n, kind) { WITH n WHERE kind = 'risk' SET n:RiskEvent }
REMOVE n:Staged, n.staged_import, n.staged_kind

// name: stage_close
MATCH (st:ImportStage {id: $stage})
DELETE st

// Leftovers: imports whose lease lapsed (killed, or their server connection lost), and staged nodes of no import.

// name: stage_leftovers
MATCH (st:ImportStage)
WHERE st.until < datetime()
RETURN st.id AS id
UNION
MATCH (n:Staged)
WHERE NOT EXISTS { MATCH (st:ImportStage {id: n.staged_import}) }
RETURN DISTINCT n.staged_import AS id

// name: stage_drop
// In transactions of its own (an auto-commit statement), so dropping a large import stays bounded too.
MATCH (n:Staged {staged_import: $stage})
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $rows ROWS

// name: existing_interactions
MATCH (n:Interaction)
WHERE n.id IN $ids
RETURN n.id AS id

// name: existing_risks
MATCH (n:RiskEvent)
WHERE n.id IN $ids
RETURN n.id AS id
