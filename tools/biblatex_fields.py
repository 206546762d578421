"""Write litgraph/data/biblatex-fields.json from biber's default data model (biber-tool.conf): the fields
each biblatex entry type takes, less those that are not bibliographic (curation, files, sorting, links to
other entries), and the fields each type must have. Run once per biber release; a test checks the file
against the installed biber."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "litgraph" / "data" / "biblatex-fields.json"

# In the data model but not bibliographic: what a reader of a reference list never needs, and what leaks a
# user's own library (abstracts, notes, file paths, keywords) or points at entries the file may not hold.
NOT_BIBLIOGRAPHIC = {
    "abstract", "annotation", "file", "keywords", "library", "note", "crossref", "xref", "xdata", "entryset",
    "execute", "ids", "related", "relatedtype", "relatedstring", "relatedoptions", "options", "presort",
    "sortkey", "sortname", "sortshorthand", "sorttitle", "sortyear", "indexsorttitle", "indextitle", "label",
    "shorthand", "shorthandintro", "shortauthor", "shorteditor", "gender", "pagination",
    "bookpagination", "authortype", "editortype", "editoratype", "editorbtype", "editorctype",
    *(f"user{c}" for c in "abcdef"), *(f"verb{c}" for c in "abc"), *(f"name{c}" for c in "abc"),
    *(f"list{c}" for c in "abcdef"),
}  # fmt: skip


def conf_path() -> Path:
    found = subprocess.run(["perl", "-MBiber::Config", "-e", "print $INC{'Biber/Config.pm'}"], capture_output=True,
                           text=True, check=False).stdout  # fmt: skip
    return Path(found).parent / "biber-tool.conf" if found else Path("/usr/share/perl5/Biber/biber-tool.conf")


def data_model(conf: Path) -> dict[str, object]:
    model = ET.parse(conf).getroot().find("datamodel")
    assert model is not None, conf
    types = [e.text for e in model.find("entrytypes") if e.get("skip_output") != "true"]  # type: ignore[union-attr]
    common: set[str] = set()
    own: dict[str, set[str]] = {t: set() for t in types if t}
    for group in model.findall("entryfields"):
        fields = {f.text for f in group.findall("field") if f.text}
        named = [e.text for e in group.findall("entrytype") if e.text]
        for t in named or [None]:
            (own.setdefault(t, set()) if t else common).update(fields)
    for fields in own.values():  # (a date field is in the model as its parts: date as year, month, day...)
        fields.update(f"{p}date" for p in ("", "url", "orig", "event") if f"{p}year" in fields | common)
    mandatory: dict[str, list[list[str]]] = {}
    for group in model.findall("constraints"):
        for constraint in group.findall("constraint[@type='mandatory']"):
            needs = [[f.text for f in c.iter("field") if f.text] for c in constraint]
            for t in group.findall("entrytype"):
                mandatory.setdefault(t.text or "", []).extend(needs)
    return {
        "source": f"biber {biber_version()} default data model (biber-tool.conf), less {sorted(NOT_BIBLIOGRAPHIC)}",
        "fields": {t: sorted((common | own[t]) - NOT_BIBLIOGRAPHIC) for t in sorted(own)},
        "mandatory": {t: mandatory[t] for t in sorted(mandatory)},
    }


def biber_version() -> str:
    out = subprocess.run(["biber", "--version"], capture_output=True, text=True, check=False).stdout
    return out.split()[-1] if out else "?"


if __name__ == "__main__":
    OUT.write_text(json.dumps(data_model(conf_path()), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {OUT}\n")
