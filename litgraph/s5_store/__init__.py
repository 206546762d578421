"""Stage 5, the store: the graph and its index in a local Oxigraph store, written beside the live one,
and the read-only SPARQL questions asked of it."""
