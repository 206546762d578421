"""Stage 6, rendering: the static site (work, theme and contested pages), the map and the network
exports, made in pieces that a rebuild renders again only where their inputs changed."""
