"""Stage 3, the graph: the read inputs turned into RDF units (one per .bib, claims file, themes,
vocabulary, questions, citations), their triples, files and SHACL shapes."""
