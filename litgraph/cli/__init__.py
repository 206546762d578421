"""The command line: a thin click layer, one library call per command, over litgraph.api and litgraph.ask."""
