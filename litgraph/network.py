"""The citation network, kept between builds: its works, its citations and their PageRank.

A whole build computes each work's importance (PageRank, relative to the highest) from every citation of
the project and the store indexes it (store.py). A quick build that adds or removes a citation must
compute it again over the whole network: reading 300,000 citations back from the store takes 5 s, so the
network is kept in `.litgraph/citations.pickle` (signed) in a compact form, with the store's digest of
what the importance view was computed from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from litgraph.parsecache import load_signed_pickle, save_signed_pickle

RECORD = "citations.pickle"


@dataclass
class Network:
    """Works (keys, sorted) and citations as rows of two indices into them (citing, cited), sorted."""

    keys: list[str]
    edges: np.ndarray  # int64, shape (citations, 2)

    @classmethod
    def of(cls, pairs: Sequence[tuple[str, str]]) -> Network:
        """The network of these (citing, cited) pairs: only works that take part in one are in it."""
        keys = sorted({k for pair in pairs for k in pair})
        index = {k: i for i, k in enumerate(keys)}
        edges = np.array([(index[a], index[b]) for a, b in pairs], dtype=np.int64).reshape(-1, 2)
        return cls(keys, _sorted(edges))

    def pairs(self) -> list[tuple[str, str]]:
        return [(self.keys[a], self.keys[b]) for a, b in self.edges.tolist()]

    def changed(self, added: Iterable[tuple[str, str]], removed: Iterable[tuple[str, str]]) -> Network:
        """The network with these citations added and removed (works that no citation names are left out,
        as Network.of leaves them out)."""
        added, removed = list(added), list(removed)
        keys = sorted(set(self.keys).union(k for pair in added for k in pair))
        size = len(keys)
        if size == len(self.keys):
            index, moved = dict(zip(self.keys, range(size), strict=True)), np.arange(size, dtype=np.int64)
        else:
            index = {k: i for i, k in enumerate(keys)}
            moved = np.array([index[k] for k in self.keys], dtype=np.int64)
        codes = moved[self.edges[:, 0]] * size + moved[self.edges[:, 1]]  # sorted, once each
        more = np.unique(np.array([index[a] * size + index[b] for a, b in added], dtype=np.int64))
        codes = np.insert(codes, np.searchsorted(codes, more), more)
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(more) else codes  # (once each)
        gone = [index[a] * size + index[b] for a, b in removed if a in index and b in index]
        less = np.unique(np.array(gone, dtype=np.int64))
        at = np.searchsorted(codes, less)
        at = at[(at < len(codes)) & (codes[np.minimum(at, len(codes) - 1)] == less)] if len(codes) else at[:0]
        codes = np.delete(codes, at)
        edges = np.stack([codes // size, codes % size], axis=1)
        if not len(less):
            return Network(keys, edges)  # (nothing removed: every work is still in a citation)
        present = np.unique(edges)  # works no citation names any more: out, the others renumbered
        if len(present) < size:
            renumber = np.full(size, -1, dtype=np.int64)
            renumber[present] = np.arange(len(present))
            keys, edges = [keys[i] for i in present.tolist()], renumber[edges]
        return Network(keys, edges)

    def importance(self) -> dict[str, str]:
        """Each work's PageRank relative to the highest, as the store's index holds it ("0.123456").
        igraph's PRPACK solves for the ranks rather than iterating to a tolerance, so the same network
        gives the same figures however it was arrived at."""
        import igraph

        network = igraph.Graph(n=len(self.keys), directed=True)
        network.add_edges(self.edges)  # (from the array: half the time of a list of pairs)
        rank = network.pagerank(directed=True, damping=0.85)
        top = max(rank, default=0.0) or 1.0
        return {k: f"{r / top:.6f}" for k, r in zip(self.keys, rank, strict=True)}


def _sorted(edges: np.ndarray) -> np.ndarray:
    return edges[np.lexsort((edges[:, 1], edges[:, 0]))] if len(edges) else edges


@dataclass
class Kept:
    """The network as the store's importance view was last computed from it."""

    view: str  # the store record's digest of the importance view's inputs (store._view_inputs)
    network: Network
    chunks: dict[str, str]  # the importance view as the store holds it: chunk node -> its literal


def save(state: Path, kept: Kept) -> None:
    save_signed_pickle(
        state / RECORD,
        {"view": kept.view, "keys": kept.network.keys, "edges": kept.network.edges.tobytes(), "chunks": kept.chunks},
    )  # fmt: skip


def load(state: Path, view: str | None) -> Kept | None:
    """The kept network, if it is the one the importance view with digest `view` was computed from."""
    found = load_signed_pickle(state / RECORD)
    if not isinstance(found, dict) or view is None or found.get("view") != view or "chunks" not in found:
        return None
    edges = np.frombuffer(found["edges"], dtype=np.int64).reshape(-1, 2)
    return Kept(view, Network(found["keys"], edges), found["chunks"])
