"""Opportunities with buying committees, their health and an explainable win probability.

`models` (the records and the pipeline), `service` (create, read, update, move stage, set committee),
`features` (the per-deal overrides on the account's view, a deal's facts and features), `health` (model,
win probability, actions), `committee` (the committee's power map) and `generate` (closed-deal history for
evaluation and demos). Imports run one way: models ← features ← service ← health ← committee.
"""
