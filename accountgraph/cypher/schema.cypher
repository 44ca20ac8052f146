// Constraints and indexes, applied idempotently at start (IF NOT EXISTS).
// They mirror accountgraph.schema.graph.UNIQUE_IDS and INDEXES (a test keeps them in step).

// name: schema_01_entity_id
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE

// name: schema_02_company_id
CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE

// name: schema_03_person_id
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE

// name: schema_04_team_member_id
CREATE CONSTRAINT team_member_id IF NOT EXISTS FOR (n:TeamMember) REQUIRE n.id IS UNIQUE

// name: schema_05_interaction_id
CREATE CONSTRAINT interaction_id IF NOT EXISTS FOR (n:Interaction) REQUIRE n.id IS UNIQUE

// name: schema_06_risk_event_id
CREATE CONSTRAINT risk_event_id IF NOT EXISTS FOR (n:RiskEvent) REQUIRE n.id IS UNIQUE

// name: schema_07_person_company
CREATE INDEX person_company IF NOT EXISTS FOR (n:Person) ON (n.company)

// name: schema_08_company_parent
CREATE INDEX company_parent IF NOT EXISTS FOR (n:Company) ON (n.parent)

// name: schema_09_interaction_at
CREATE INDEX interaction_at IF NOT EXISTS FOR (n:Interaction) ON (n.at)

// name: schema_10_risk_event_at
CREATE INDEX risk_event_at IF NOT EXISTS FOR (n:RiskEvent) ON (n.at)

// name: schema_11_meta_id
CREATE CONSTRAINT meta_id IF NOT EXISTS FOR (n:AccountGraphMeta) REQUIRE n.id IS UNIQUE

// name: schema_12_api_key_id
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.id IS UNIQUE

// name: schema_13_ledger_key
CREATE CONSTRAINT ledger_key IF NOT EXISTS FOR (n:LedgerRecord) REQUIRE (n.kind, n.id) IS UNIQUE

// name: schema_14_ledger_account
CREATE INDEX ledger_account IF NOT EXISTS FOR (n:LedgerRecord) ON (n.kind, n.account)

// name: schema_15_commit_gate_id
CREATE CONSTRAINT commit_gate_id IF NOT EXISTS FOR (n:CommitGate) REQUIRE n.id IS UNIQUE

// name: schema_16_import_stage_id
CREATE CONSTRAINT import_stage_id IF NOT EXISTS FOR (n:ImportStage) REQUIRE n.id IS UNIQUE

// name: schema_17_staged_key
CREATE CONSTRAINT staged_key IF NOT EXISTS FOR (n:Staged) REQUIRE (n.staged_import, n.staged_kind, n.id) IS UNIQUE

// name: schema_18_staged_import
CREATE INDEX staged_import IF NOT EXISTS FOR (n:Staged) ON (n.staged_import)

// name: schema_19_change_entry_id
CREATE CONSTRAINT change_entry_id IF NOT EXISTS FOR (n:ChangeEntry) REQUIRE n.id IS UNIQUE

// name: schema_20_change_entry_at
CREATE INDEX change_entry_at IF NOT EXISTS FOR (n:ChangeEntry) ON (n.at)

// name: schema_21_change_entry_account
CREATE INDEX change_entry_account IF NOT EXISTS FOR (n:ChangeEntry) ON (n.account)

// name: schema_22_change_entry_record
CREATE INDEX change_entry_record IF NOT EXISTS FOR (n:ChangeEntry) ON (n.record)

// name: schema_23_change_entry_author
CREATE INDEX change_entry_author IF NOT EXISTS FOR (n:ChangeEntry) ON (n.author)
