"""Nearest valid values for "did you mean" hints (rapidfuzz)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

_NOT_ALNUM = re.compile(r"[\W_]+")


class _Marks(dict[int, int | None]):
    """A str.translate table that drops combining marks: each character is classified once, then looked up
    in C (a per-character generator cost seconds on 100,000 titles)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower case, diacritics removed, punctuation and spaces collapsed: "Grense-setting" -> "grense setting"."""
    text = text.replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if not decomposed.isascii():  # (ASCII holds no combining marks: the common case skips the loop)
        decomposed = decomposed.translate(_MARKS)
    return _NOT_ALNUM.sub(" ", decomposed).strip()  # [\W_] is exactly "not str.isalnum()"


def nearest(value: str, choices: Iterable[str], limit: int = 3, cutoff: float = 60.0) -> list[str]:
    """The closest choices to `value`, best first (empty when nothing is close)."""
    pool = sorted(set(choices))
    folded = {fold(c): c for c in pool}
    hits = process.extract(fold(value), list(folded), scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    return [folded[h[0]] for h in _not_fragments(fold(value), hits)]


def _not_fragments(value: str, hits: list[tuple[str, float, int]]) -> list[tuple[str, float, int]]:
    """The hits but those less than half as long as `value` (WRatio scores a short choice found inside the
    value, 'id' in 'evidense', as near as a misspelling), unless nothing else is near."""
    whole = [h for h in hits if 2 * len(h[0]) >= len(value)]
    return whole or hits


def nearest_close(
    value: str, choices: Iterable[str], limit: int = 3, cutoff: float = 60.0, spread: float = 12.0
) -> list[str]:
    """As nearest, but only the choices that score within `spread` of the best one: a hint names the few
    that are really near, not the best three of a field of poor ones."""
    pool = sorted(set(choices))
    folded = {fold(c): c for c in pool}
    hits = process.extract(fold(value), list(folded), scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    hits = _not_fragments(fold(value), hits)
    return [folded[h[0]] for h in hits if h[1] >= hits[0][1] - spread]


def did_you_mean(value: str, choices: Iterable[str]) -> str | None:
    """A hint such as "did you mean 'boundary-setting'?", or None."""
    hits = nearest(value, choices)
    if not hits:
        return None
    return "did you mean " + " or ".join(f"'{h}'" for h in hits) + "?"
