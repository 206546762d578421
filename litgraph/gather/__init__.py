"""Gathering inputs (beside the pipeline, which reads them): `extract` finds the works a document cites
and writes them as a citations file; `enrich` looks entries up in scholarly records and writes proposals
for review (and, when asked, the accepted ones into the .bib files)."""
