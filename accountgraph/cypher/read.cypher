// Reads: rows come back as maps of the stored properties (n {.*}).

// name: kinds_of
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id,
       CASE WHEN n:Company THEN 'company' WHEN n:Person THEN 'person' ELSE 'team' END AS kind

// name: company_parents
MATCH (n:Company)
WHERE n.id IN $ids
RETURN n.id AS id, n.parent AS parent

// name: person_managers
MATCH (n:Person)
WHERE n.id IN $ids
RETURN n.id AS id, n.reports_to AS parent

// name: people_by_id
MATCH (n:Person)
WHERE n.id IN $ids
RETURN n {.*} AS row

// name: get_company
MATCH (n:Company {id: $id}) RETURN n {.*} AS row

// name: get_person
MATCH (n:Person {id: $id}) RETURN n {.*} AS row

// name: get_team
MATCH (n:TeamMember {id: $id}) RETURN n {.*} AS row

// name: get_interaction
MATCH (n:Interaction {id: $id}) RETURN n {.*} AS row

// name: get_risk
MATCH (n:RiskEvent {id: $id}) RETURN n {.*} AS row

// name: get_knows
MATCH (a:Entity {id: $from})-[t:KNOWS]->(b:Entity {id: $to})
RETURN t {.*, from: a.id, to: b.id, type: 'knows'} AS row

// name: get_influences
MATCH (a:Person {id: $from})-[t:INFLUENCES]->(b:Person {id: $to})
RETURN t {.*, from: a.id, to: b.id, type: 'influences'} AS row

// name: list_accounts
MATCH (n:Company)
WHERE n.parent IS NULL
RETURN n {.*} AS row
ORDER BY n.id

// name: account_of
MATCH (c:Company {id: $id})
MATCH (root:Company)-[:PARENT_OF*0..]->(c)
WHERE root.parent IS NULL
RETURN root.id AS id

// name: account_companies
// The people of each company on the ISO date $on (all of them when $on is null).
MATCH (root:Company {id: $id})
WHERE root.parent IS NULL
MATCH p = (root)-[:PARENT_OF*0..]->(c:Company)
RETURN c {.*} AS row,
       COUNT {
         (person:Person)-[:WORKS_AT]->(c)
         WHERE $on IS NULL
            OR ((person.since IS NULL OR person.since <= $on) AND (person.until IS NULL OR person.until > $on))
       } AS people
ORDER BY length(p), c.id

// The account_* queries return their rows collected into one list per part, and the ties column by column
// (one list per field): decoding a few long lists costs the Python driver a fraction of what as many
// records, or as many small lists, would. `collect` drops nulls, so a column that may hold null is
// collected as one-element lists and unwrapped ([x IN collect([v]) | x[0]] keeps the nulls in place).

// name: account_people
MATCH (root:Company {id: $id})-[:PARENT_OF*0..]->(:Company)<-[:WORKS_AT]-(p:Person)
WHERE root.parent IS NULL
RETURN collect(p {.*}) AS rows

// name: account_tie_columns
// Each tie of the people of the companies $companies (of one account; a large account is read in two parts at
// once) once: the ties going out of them, then the ties our team members hold towards them (stored from the
// side of the team member). `influences`: true for INFLUENCES, false for KNOWS.
MATCH (c:Company)
WHERE c.id IN $companies
MATCH (c)<-[:WORKS_AT]-(p:Person)
MATCH (p)-[t:KNOWS|INFLUENCES]->(o:Entity)
WITH collect([t:INFLUENCES, p.id, o.id, t.strength, t.since, t.until, t.last_contact, t.note]) AS ts
RETURN [x IN ts | x[0]] AS influences, [x IN ts | x[1]] AS a, [x IN ts | x[2]] AS b,
       [x IN ts | x[3]] AS strength, [x IN ts | x[4]] AS since, [x IN ts | x[5]] AS until,
       [x IN ts | x[6]] AS last_contact, [x IN ts | x[7]] AS note
UNION ALL
MATCH (c:Company)
WHERE c.id IN $companies
MATCH (c)<-[:WORKS_AT]-(p:Person)
MATCH (o:TeamMember)-[t:KNOWS]->(p)
WITH collect([false, o.id, p.id, t.strength, t.since, t.until, t.last_contact, t.note]) AS ts
RETURN [x IN ts | x[0]] AS influences, [x IN ts | x[1]] AS a, [x IN ts | x[2]] AS b,
       [x IN ts | x[3]] AS strength, [x IN ts | x[4]] AS since, [x IN ts | x[5]] AS until,
       [x IN ts | x[6]] AS last_contact, [x IN ts | x[7]] AS note

// name: account_interactions
MATCH (root:Company {id: $id})-[:PARENT_OF*0..]->(:Company)<-[:WORKS_AT]-(:Person)<-[:WITH_PERSON]-(i:Interaction)
WHERE root.parent IS NULL
RETURN collect(i {.*}) AS rows

// name: account_risks
MATCH (root:Company {id: $id})-[:PARENT_OF*0..]->(:Company)<-[:CONCERNS]-(r:RiskEvent)
WHERE root.parent IS NULL
RETURN collect(r {.*}) AS rows

// name: team_by_id
MATCH (n:TeamMember)
WHERE n.id IN $ids
RETURN n {.*} AS row

// name: team_ties
MATCH (a:TeamMember)-[t:KNOWS]->(b:TeamMember)
WHERE a.id IN $ids AND b.id IN $ids
RETURN t {.*, from: a.id, to: b.id, type: 'knows'} AS row

// name: counts
// A tie is visible when both its ends are (a tie of a staged import has a Staged end): one pattern, so that a
// staged batch committing meanwhile cannot change what it counts.
RETURN COUNT { (c:Company) WHERE c.parent IS NULL } AS accounts,
       COUNT { (:Company) } AS companies,
       COUNT { (:Person) } AS people,
       COUNT { (:TeamMember) } AS team,
       COUNT { (:Entity)-[:KNOWS|INFLUENCES]->(:Entity) } AS ties,
       COUNT { (:Interaction) } AS interactions,
       COUNT { (:RiskEvent) } AS risks

// name: ping
RETURN 1 AS ok

// name: data_version
MATCH (m:AccountGraphMeta {id: 'data'})
RETURN m.version AS version

// name: gate_state
OPTIONAL MATCH (g:AccountGraphMeta {id: $gates})
RETURN coalesce(g.gen, 0) AS gen, COUNT { (c:CommitGate) WHERE c.until > datetime() } AS open

// Listing: every filter is a parameter that is null when not given. $account must be a root company.

// name: list_company
MATCH (x:Company)
WHERE ($after IS NULL OR x.id > $after)
  AND ($account IS NULL OR EXISTS {
        MATCH (root:Company {id: $account})-[:PARENT_OF*0..]->(x) WHERE root.parent IS NULL })
RETURN x {.*} AS row
ORDER BY x.id
LIMIT $limit

// name: list_person
MATCH (x:Person)
WHERE ($after IS NULL OR x.id > $after)
  AND ($company IS NULL OR x.company = $company)
  AND ($stance IS NULL OR x.stance = $stance)
  AND ($role IS NULL OR $role IN x.roles)
  AND ($account IS NULL OR EXISTS {
        MATCH (root:Company {id: $account})-[:PARENT_OF*0..]->(:Company)<-[:WORKS_AT]-(x)
        WHERE root.parent IS NULL })
RETURN x {.*} AS row
ORDER BY x.id
LIMIT $limit

// name: list_team
MATCH (x:TeamMember)
WHERE ($after IS NULL OR x.id > $after)
  AND ($account IS NULL OR EXISTS {
        MATCH (root:Company {id: $account})-[:PARENT_OF*0..]->(:Company)<-[:WORKS_AT]-(:Person)
              -[:KNOWS]-(x)
        WHERE root.parent IS NULL })
RETURN x {.*} AS row
ORDER BY x.id
LIMIT $limit

// name: list_interaction
MATCH (x:Interaction)
WHERE ($after IS NULL OR x.id > $after)
  AND ($person IS NULL OR x.person = $person)
  AND ($member IS NULL OR x.member = $member)
  AND ($company IS NULL OR EXISTS { MATCH (x)-[:WITH_PERSON]->(:Person {company: $company}) })
  AND ($account IS NULL OR EXISTS {
        MATCH (root:Company {id: $account})-[:PARENT_OF*0..]->(:Company)<-[:WORKS_AT]-(:Person)
              <-[:WITH_PERSON]-(x)
        WHERE root.parent IS NULL })
RETURN x {.*} AS row
ORDER BY x.id
LIMIT $limit

// name: list_risk
MATCH (x:RiskEvent)
WHERE ($after IS NULL OR x.id > $after)
  AND ($company IS NULL OR x.company = $company)
  AND ($account IS NULL OR EXISTS {
        MATCH (root:Company {id: $account})-[:PARENT_OF*0..]->(:Company)<-[:CONCERNS]-(x)
        WHERE root.parent IS NULL })
RETURN x {.*} AS row
ORDER BY x.id
LIMIT $limit

// name: list_tie
MATCH (a:Entity)-[t:KNOWS|INFLUENCES]->(b:Entity)
WITH a, t, b, toLower(type(t)) AS type
WHERE ($type IS NULL OR type = $type)
  AND ($person IS NULL OR a.id = $person OR b.id = $person)
  AND ($after IS NULL OR type > $after[0]
       OR (type = $after[0] AND (a.id > $after[1] OR (a.id = $after[1] AND b.id > $after[2]))))
  AND ($account IS NULL OR EXISTS {
        MATCH (root:Company {id: $account})-[:PARENT_OF*0..]->(:Company)<-[:WORKS_AT]-(p:Person)
        WHERE root.parent IS NULL AND (p = a OR p = b) })
RETURN t {.*, from: a.id, to: b.id, type: type} AS row
ORDER BY type, a.id, b.id
LIMIT $limit

// name: get_api_key
// With the data version, read in the same round trip: the key check of a request also gives the version its
// reads are cached under (Neo4jStore.data_version within `request_scope`).
OPTIONAL MATCH (k:ApiKey {id: $id})
OPTIONAL MATCH (m:AccountGraphMeta {id: 'data'})
RETURN k {.*} AS row, m.version AS version

// name: list_api_keys
MATCH (k:ApiKey)
RETURN k {.*} AS row
ORDER BY k.id

// What writing one person reads first, in its write transaction, in one round trip (Neo4jStore._load): the kinds
// of the ids it names ($ids), its stored row, the reporting line above its new manager (each person with the
// `reports_to` stored) and the account of its company; the same answers as kinds_of, person_managers,
// people_by_id and account_of.
// name: person_context
CALL () {
  MATCH (n:Entity)
  WHERE n.id IN $ids
  RETURN collect([n.id, CASE WHEN n:Company THEN 'company' WHEN n:Person THEN 'person' ELSE 'team' END]) AS kinds
}
CALL () {
  OPTIONAL MATCH (n:Person {id: $id})
  RETURN n {.*} AS row
}
CALL () {
  OPTIONAL MATCH (:Person {id: $manager})-[:REPORTS_TO*0..]->(m:Person)
  RETURN collect([m.id, m.reports_to]) AS line
}
CALL () {
  OPTIONAL MATCH (root:Company)-[:PARENT_OF*0..]->(:Company {id: $company})
  WHERE root.parent IS NULL
  RETURN head(collect(root.id)) AS account
}
RETURN kinds, row, line, account
