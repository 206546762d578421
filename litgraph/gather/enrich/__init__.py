"""Enrichment beside the pipeline: propose missing bibliographic fields (DOI, journal, pages...) from
Crossref and OpenAlex, with the record each came from."""
