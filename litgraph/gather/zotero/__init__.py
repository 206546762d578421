"""`litgraph zotero pull`: a Zotero collection, read through Zotero 7's local API, as a .bib file and claim
stubs from its PDF annotations (client: the HTTP side; bibentries: items as BibTeX; annotations: each
annotation as a stub; stubs: the stubs file merged with the user's edits; pull: the composition)."""
