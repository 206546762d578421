"""Stage 4, analysis: rankings, contested groups, importance and reading lists computed from the
graph's rows, updated on a rebuild only where their inputs moved."""
