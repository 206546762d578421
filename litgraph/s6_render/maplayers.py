"""Layers of the map drawn over its nodes: the contested questions and disputes, each side's claims and
their works, so that the page can list them and light both sides up at one click."""

from __future__ import annotations

from typing import Any

import orjson

from litgraph.s6_render.pages import SiteData

CONTESTED_SHOWN = 100  # the map lists this many contested groups, most sources first (contested.html: all)


def contested_layer(data: SiteData) -> list[dict[str, Any]]:
    """The contested groups the map lists: the question's texts (a dispute: its first disputed claim's), and
    per side its claims (id, texts) and the works they come from."""
    groups = [
        (key, orjson.loads(body))
        for key, body in data.db.execute("SELECT key, body FROM groups ORDER BY rank LIMIT ?", (CONTESTED_SHOWN,))
    ]
    ids = sorted({c for _, g in groups for _, claims in g["sides"] for c in claims})
    rows = data.rows.claims(ids)
    questions = {q.id: q.texts for q in data.tables.questions().values()} if groups else {}
    shown = []
    for key, group in groups:
        sides = []
        for stance, claims in group["sides"]:
            found = [rows[c] for c in claims if c in rows]
            sides.append(
                {
                    "stance": stance,
                    "claims": [{"id": c.id, "texts": c.texts, "source": c.source} for c in found],
                    "works": sorted({c.source for c in found}),
                }
            )
        if group["kind"] == "question":
            text = questions.get(group["id"], {}) or {"en": group["id"]}
        else:
            disputed = [rows[b] for _, b in group.get("links", []) if b in rows]
            text = disputed[0].texts if disputed else {"en": group["id"]}
        shown.append({"key": key, "kind": group["kind"], "id": group["id"], "text": text,
                      "sources": group["sources"], "sides": sides})  # fmt: skip
    return shown
