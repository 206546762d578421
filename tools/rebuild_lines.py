"""How many lines exist only to make rebuilds reuse earlier work (issue 19's measure): whole modules and
named functions of the rebuild machinery, counted from the source.

    python tools/rebuild_lines.py
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "litgraph"
WHOLE = ["s1_read/changes.py", "s3_graph/units.py", "s6_render/records.py", "plumbing/chunks.py", "plumbing/trash.py"]
NAMED = {
    "s1_read/reading.py": ["_find_changed", "_known_items", "_forget_gone", "set_fact"],
    "s1_read/parsing.py": ["parse_claims", "_whole", "item_digest"],
    "s3_graph/unit_files.py": ["has_files", "prune_units", "unit_path"],
    "s5_store/write.py": ["read_manifest", "_manifest_quads", "_families", "_is_unit", "_units_out", "_update"],
    "s5_store/graphs.py": ["wanted_parts", "family_of", "_salt"],
    "s6_render/work_pages.py": ["WorkPages", "context_digests"],
    "s6_render/site.py": ["_pieced", "_works_listing", "_contested", "_map_part", "_theme_pages"],
    "s6_render/pages.py": ["works_reached", "themes_reached", "listing_reached", "groups_reached", "digest_of",
                           "theme_works_inputs", "theme_groups_inputs", "_named"],
    "s4_analyse/rankings.py": ["reached_by", "themes_reached", "Reached", "RankingEdit", "_store_edited", "_stored",
                               "_lines_of", "_own_counts", "_sort_key"],
    "s4_analyse/timelines.py": ["_edited"],
    "s4_analyse/contested.py": ["groups_around", "_groups_touched"],
    "s4_analyse/gaps.py": ["_reached", "_disputes_reached", "_update_unanswered"],
    "s4_analyse/importance.py": ["_pairs_moved", "_given_elsewhere"],
    "s4_analyse/analysis.py": ["_pending", "unanalysed", "figures_due"],
    "s4_analyse/rows.py": ["update_work_rows"],
    "pipeline.py": ["_published_as_recorded", "_claims_reached", "_citations_as_published", "recorded_unit",
                    "graph_units", "published"],
}  # fmt: skip


def main() -> None:
    total = 0
    for name in WHOLE:
        lines = len((ROOT / name).read_text(encoding="utf-8").splitlines())
        print(f"{lines:5d}  {name}")
        total += lines
    for name, wanted in NAMED.items():
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        found = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name in wanted]
        missing = set(wanted) - {n.name for n in found}
        assert not missing, f"{name} has no {sorted(missing)}: this list is out of date"
        for node in found:
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            print(f"{lines:5d}  {name}: {node.name}")
            total += lines
    print(f"{total:5d}  in all")


if __name__ == "__main__":
    main()
