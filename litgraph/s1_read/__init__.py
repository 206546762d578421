"""Stage 1, reading: the project's inputs (.bib, claims YAML, themes, questions, citations) parsed into
the model's dataclasses and kept as rows in the state database, with what changed since the last build."""
