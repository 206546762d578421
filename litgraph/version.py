"""litgraph's version: stamped on the state it keeps, the graph it writes and the pages it renders."""

__version__ = "0.3.0"
