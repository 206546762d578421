"""How many lines exist only to make rebuilds reuse earlier work (issue 19's measure): whole modules and
named functions of the rebuild machinery, counted from the source.

    python tools/rebuild_lines.py
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "litgraph"
WHOLE = ["s1_read/changes.py", "s3_graph/units.py", "s6_render/records.py", "plumbing/chunks.py"]
NAMED = {
    "s1_read/reading.py": ["_find_changed", "_known_items", "_forget_gone", "set_fact"],
    "s1_read/parsing.py": ["parse_claims", "_whole", "item_digest"],
    "s3_graph/unit_files.py": ["has_files", "prune_units", "unit_path"],
    "s5_store/write.py": ["read_manifest", "_manifest_quads", "_families", "_is_unit", "_units_out", "_update"],
    "s5_store/graphs.py": ["wanted_parts", "family_of", "_salt"],
    "s6_render/work_pages.py": ["WorkPages", "context_digests"],
    "s6_render/site.py": ["_pieced", "_works_listing", "_contested", "_map_part"],
    "s6_render/pages.py": ["works_reached", "themes_reached", "listing_reached", "groups_reached", "digest_of"],
    "s4_analyse/rankings.py": ["reached_by", "themes_reached"],
    "s4_analyse/contested.py": ["_touches_groups"],
    "s4_analyse/importance.py": ["_pairs_moved", "_given_elsewhere"],
    "s4_analyse/analysis.py": ["_pending"],
    "s4_analyse/rows.py": ["update_work_rows"],
    "pipeline.py": ["_published_as_recorded", "_claims_reached", "_citations_as_published", "recorded_unit",
                    "graph_units", "published", "read_fact_in"],
}  # fmt: skip


def main() -> None:
    total = 0
    for name in WHOLE:
        lines = len((ROOT / name).read_text(encoding="utf-8").splitlines())
        print(f"{lines:5d}  {name}")
        total += lines
    for name, wanted in NAMED.items():
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in wanted:
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                print(f"{lines:5d}  {name}: {node.name}")
                total += lines
    print(f"{total:5d}  in all")


if __name__ == "__main__":
    main()
