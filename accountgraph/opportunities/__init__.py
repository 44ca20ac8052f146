"""Opportunities with buying committees, their health and an explainable win probability.

`models` (the records and the pipeline), `service` (create, read, update, move stage, set committee),
`features` (the per-deal overrides on the account's view, a deal's facts and features), `health` (model,
win probability, actions) and `committee` (the committee's power map). Imports run one way: models ← features ←
service ← health ← committee. Generated closed-deal history for evaluation and demos is sample data:
`accountgraph.samples.deals`.
"""
