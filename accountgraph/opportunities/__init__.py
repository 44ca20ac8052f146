"""Opportunities with buying committees, their health and an explainable win probability.

`models` (the records and the pipeline), `service` (create, read, update, move stage, set committee),
`committee` (the per-deal overrides on the account's view, the committee's power map) and `health` (features,
model, actions). Generated closed-deal history for evaluation and demos is sample data: `accountgraph.samples.deals`.
"""
