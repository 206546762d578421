"""The kept citation network (network.py): changed in place, it is the network made from nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from litgraph import network
from litgraph.network import Network
from litgraph.store import importance_chunks

KEYS = st.sampled_from([f"w{i}" for i in range(12)])
PAIRS = st.sets(st.tuples(KEYS, KEYS).filter(lambda p: p[0] != p[1]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(PAIRS, PAIRS, PAIRS)
def test_a_network_changed_equals_the_network_made_from_its_citations(
    before: set[tuple[str, str]], added: set[tuple[str, str]], removed: set[tuple[str, str]]
) -> None:
    changed = Network.of(sorted(before)).changed(added, removed)
    fresh = Network.of(sorted((before | added) - removed))
    assert changed.keys == fresh.keys
    assert changed.edges.tolist() == fresh.edges.tolist()
    assert changed.pairs() == sorted((before | added) - removed)
    assert changed.importance() == fresh.importance()


def test_pagerank_ranks_the_most_cited_first_and_the_record_round_trips(tmp_path: Path) -> None:
    citations = Network.of(sorted({("a", "c"), ("b", "c"), ("d", "c"), ("c", "e"), ("a", "b")}))
    figures = citations.importance()
    assert max(map(float, figures.values())) == 1.0  # relative to the highest
    assert float(figures["c"]) > float(figures["b"]) > float(figures["a"])
    chunks = importance_chunks(figures, figures)
    network.save(tmp_path, network.Kept("view-1", citations, chunks))
    kept = network.load(tmp_path, "view-1")
    assert kept is not None and kept.network.pairs() == citations.pairs() and kept.chunks == chunks
    assert network.load(tmp_path, "another view") is None  # a record of another store's view is not used
