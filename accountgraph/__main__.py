"""`python -m accountgraph` runs the command line."""

from accountgraph.cli import main

main()
