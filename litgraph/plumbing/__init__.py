"""Plumbing under every stage: atomic files, the state folder and database, locks, signed caches,
interrupt handling and worker processes. It imports nothing else of litgraph."""
