"""litgraph's version: stamped on the state it keeps, the graph it writes and the pages it renders."""

__version__ = "0.3.0"

# bump when the triples made from the same inputs change: every graph unit is made again, as after a new version
UNITS_FORMAT = "2"
