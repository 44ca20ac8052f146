"""The planner's workspace: the third adapter beside the API's routes and the CLI, served at `/` by
`accountgraph serve` (the API stays under `/v1`).

A planner signs in with an API key; the browser then holds a session cookie (`services.sessions`), every
write carries the session's CSRF token, and every page reads and every edit writes through the same use cases,
rules and keys as the API (`services.workspace`, `services.records`). The pages are plain HTML rendered with
autoescaping, plain ES modules and one style sheet shipped in `web/static` (vis-network from the package):
no CDN, no build step, and a Content-Security-Policy without inline scripts.
"""
