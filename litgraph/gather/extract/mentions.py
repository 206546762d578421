"""Find author–year citations in running text (Norwegian and English academic prose, OCR damage included).

The text is first cleaned (line-break hyphenation joined, white space folded to single spaces) with a map
back to the original offsets. Then, in order: government papers ("Meld. St. 11 (2015–2016)", "NOU 2018:2",
"Prop. 15 S (2015–2016)"), bracketed citations ("(Repper & Carter, 2011; Borg m.fl., 2013, s. 5)") and
narrative ones ("Repper og Carter (2011)", "Borkmans (1976)"). What is found is data (`Mention`); which work
it means is decided in `resolution`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_WORD = rf"[{UPPER}][\w'’´`]*(?:-[{UPPER}]?[\w'’´`]+)*"  # Borg, O’Hagan, Blindheim-Hansen
_PARTICLE = r"(?:(?:von|van|de|der|den|du|da|di|del|le|la|ten|ter)\s)"
_ETAL = r"(?:\s*,?\s*(?:et\.?\s?al\.?|m\.\s?fl\.?|mfl\.?|med\s+flere|og\s+kolleger|and\s+colleagues|and\s+others))"
YEAR = r"(?<![\d:])(?:1[5-9]\d\d|20\d\d)(?:[a-h](?!\w))?(?![\d])"
_UNDATED = r"(?:u\.\s?å\.|u\.\s?d\.|n\.\s?d\.|udatert)"
_ONE_YEAR = rf"(?:{YEAR}|{_UNDATED})"
_YEARS = rf"{_ONE_YEAR}(?:\s*[,/]\s*{_ONE_YEAR})*"
_LOCATOR = r"(?:\s*[:,.]\s*(?:(?:s|p|pp|side|sider|kap)\.?\s*)?(?P<page>\d+(?:\s*[-–]\s*\d+)?(?:\s?f{1,2}\.?)?))"
_PREFIX = re.compile(r"^(?:(?:[a-zæøå][\w]*\.?(?:\s?[a-zæøå]+\.)*)\s+)+")  # "jf.", "se for eksempel", "e.g."
_PREPOSITIONS = {"i", "på", "fra", "av", "til", "etter", "før", "siden", "ved", "mellom", "in", "from", "since", "of"}
# "ibid.", "ibid", "ibid., s. 12", "Ibid.: 30–31", "ibidem": the citation just before, again
IBID = re.compile(rf"^\s*ibid(?:em|\.)?(?:{_LOCATOR})?\s*\.?\s*$", re.IGNORECASE)
# "sitert i", "gjengitt i", "referert i", "cited in", "as cited in", "quoted in", or a bare "i" / "in" after a
# year: the work before it was read in the work after it (a secondary citation)
_SECONDARY = re.compile(
    r"(?:\s*,)?\s+(?:(?:as\s+)?(?:cited|quoted|referred\s+to)|sitert|gjengitt|referert|omtalt|sitat)?\s*"
    rf"\b(?:i|in|etter|hos)\s+(?=(?:{_PARTICLE})*[{UPPER}])"
)
_SEPARATORS = re.compile(r"\s*,\s*(?:(?:og|and|&)\s+)?|(?<!-)\s+(?:og|and)\s+|\s*&\s*")

GOVERNMENT = [
    (
        "Meld. St.",
        re.compile(
            r"(?:Meld\.?\s?St\.?|St\.?\s?[Mm]eld\.?|Stortingsmelding)\s*(?:nr\.?\s*)?(?P<num>\d+)\s*"
            r"(?:,\s*|(?P<open>\()(?:[^()\d]{0,60},\s*)?|\s)(?P<y1>\d{4})\s*[-–—/]\s*(?P<y2>\d{2,4})(?(open)\))"
        ),
    ),
    ("NOU", re.compile(r"NOU\s*(?P<y1>\d{4})\s*:\s*(?P<num>\d+)")),
    (
        "Prop.",
        re.compile(
            r"Prop\.?\s*(?P<num>\d+)\s*(?P<letter>[LS])\s*(?:,\s*|(?P<open>\())(?P<y1>\d{4})\s*[-–—/]\s*(?P<y2>\d{2,4})"
            r"(?(open)\))"
        ),
    ),
]


@dataclass
class Mention:
    """One cited work at one place in the text."""

    raw: str  # the text as written (original offsets; line breaks kept)
    start: int
    end: int
    names: list[str]  # family names, or one corporate name, as written
    et_al: bool = False
    year: str | None = None  # "2011", "2012a"; None when undated ("u.å.")
    locator: str | None = None  # page(s) in the cited work
    kind: str = "parenthetical"  # parenthetical | narrative | government | ibid
    series: str | None = None  # "Meld. St.", "NOU", "Prop." for government papers
    number: str | None = None
    alternatives: list[list[str]] = field(default_factory=list)  # other readings of `names` (shorter)
    read_in: Mention | None = None  # a secondary citation: the work it was read in ("sitert i", "cited in")


class CleanText:
    """The text with hyphenation joined and white space folded, and the way back to original offsets."""

    _BREAK = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[a-zæøå])(?!(?:og|eller|and|or)\b)|\s{2,}")
    _SPACES = str.maketrans({c: " " for c in "\t\n\r\f\v\u00a0\u2028\u2029"})

    def __init__(self, text: str):
        self.original = text
        flat = text.translate(self._SPACES)  # one white-space character -> one space: offsets unchanged
        pieces: list[str] = []
        self._clean_starts: list[int] = []  # clean offset where each kept run starts
        self._orig_starts: list[int] = []
        clean_pos = orig_pos = 0
        for match in self._BREAK.finditer(text):  # only runs that change the length need a record
            self._keep(pieces, flat[orig_pos : match.start()], clean_pos, orig_pos)
            clean_pos += match.start() - orig_pos
            if not match.group().startswith("-"):
                self._keep(pieces, " ", clean_pos, match.start())
                clean_pos += 1
            orig_pos = match.end()
        self._keep(pieces, flat[orig_pos:], clean_pos, orig_pos)
        self.text = "".join(pieces)

    def _keep(self, pieces: list[str], run: str, clean_pos: int, orig_pos: int) -> None:
        if run:
            pieces.append(run)
            self._clean_starts.append(clean_pos)
            self._orig_starts.append(orig_pos)

    def original_offset(self, clean: int) -> int:
        i = bisect.bisect_right(self._clean_starts, clean) - 1
        if i < 0:
            return 0
        return self._orig_starts[i] + clean - self._clean_starts[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the clean span [start, end)."""
        return self.original_offset(start), self.original_offset(end - 1) + 1


def _known_alternation(names: Iterable[str]) -> str:
    """A regex alternation of multi-word names from the bibliography, longest first, OCR-tolerant."""
    patterns = []
    for name in sorted({n for n in names if " " in n.strip() or "-" in n}, key=len, reverse=True):
        escaped = "".join("." if ord(c) > 127 else re.escape(c) for c in name.strip())
        patterns.append(escaped.replace(r"\ ", r"\s?"))
    return "|".join(patterns)


class MentionFinder:
    """Finds citations; `known_names` (multi-word family and corporate names of the bibliography) lets names
    with spaces or lower-case words ("Rebeiro Gruhl", "Rådet for psykisk helse") be recognised too."""

    def __init__(self, known_names: Iterable[str] = ()):
        known = _known_alternation(known_names)
        family = rf"(?:{known}|{_PARTICLE}*{_WORD})" if known else rf"(?:{_PARTICLE}*{_WORD})"
        self._family = re.compile(rf"^(?:{family})(?:\s{_WORD}){{0,2}}$")  # in brackets: "Stalsberg Mydland" too
        names = rf"{family}(?:\s*,\s*{family})*(?:\s*,?\s*(?:&|og|and)\s*{family})?{_ETAL}?"
        self._narrative_names = re.compile(rf"(?:{names})[\s,]*$")
        self._known = re.compile(rf"^(?:{known})$", re.IGNORECASE) if known else None
        self._work = re.compile(
            rf"(?P<authors>[^\d]*?)(?P<years>{_YEARS})(?:{_LOCATOR})?(?=\s*(?:[,;]|$))", re.IGNORECASE
        )
        self._years_only = re.compile(rf"^\s*(?P<years>{_YEARS})(?:{_LOCATOR})?\s*$", re.IGNORECASE)

    def find(self, text: str) -> list[Mention]:
        """Every citation in `text`, in order of position."""
        clean = CleanText(text)
        masked = list(clean.text)
        mentions = self._government(clean, masked)
        masked_text = "".join(masked)
        for group in re.finditer(r"\(([^()]*)\)", masked_text):
            content = group.group(1)
            if not re.search(rf"{YEAR}|{_UNDATED}", content, re.IGNORECASE):
                continue
            split = _secondary_split(content)
            years = content if split is None else content[: split[0]]
            narrative = self._narrative(clean, masked_text, group, years) if self._is_years(years) else None
            if narrative is None:
                mentions += self._bracketed(clean, group.start(1), content)
            elif split is None:
                mentions += narrative
            else:  # "Borkman (1976, sitert i Karlsson, 2021)"
                read_in = self._bracketed(clean, group.start(1) + split[1], content[split[1] :])
                mentions += _linked(narrative, read_in) + read_in
        mentions += self._ibids(clean, masked_text)
        mentions.sort(key=lambda m: (m.start, m.end))
        return mentions

    def _is_years(self, content: str) -> bool:
        """Only years (each with a page, perhaps), by commas or semicolons: "2009; 2016", "2011, s. 30"."""
        return all(self._years_only.match(piece) for piece in content.split(";"))

    @staticmethod
    def _ibids(clean: CleanText, masked: str) -> list[Mention]:
        """ "(ibid.)", "(ibid., s. 12)": which work is the citation's before it, for extraction to say."""
        found = []
        for group in re.finditer(r"\((\s*ibid[^()]{0,40})\)", masked, re.IGNORECASE):
            match = IBID.match(group.group(1))
            if match:
                start, end = clean.span(group.start(), group.end())
                page = match.group("page")
                found.append(Mention(clean.original[start:end], start, end, [], locator=re.sub(r"\s+", "", page) if page else None, kind="ibid"))  # fmt: skip
        return found

    def _government(self, clean: CleanText, masked: list[str]) -> list[Mention]:
        found = []
        for series, pattern in GOVERNMENT:
            for match in pattern.finditer("".join(masked)):
                start, end = clean.span(match.start(), match.end())
                number = match.group("num") + (f" {match.group('letter')}" if "letter" in match.groupdict() else "")
                found.append(
                    Mention(
                        clean.original[start:end],
                        start,
                        end,
                        [],
                        year=match.group("y1"),
                        kind="government",
                        series=series,
                        number=number,
                    )
                )
                masked[match.start() : match.end()] = " " * (match.end() - match.start())
        return found

    def _authors(self, text: str) -> tuple[list[str], bool] | None:
        """Names and et-al flag of an author phrase, or None when it does not read as authors."""
        text = self._strip_prefix(text)
        etal = re.search(rf"{_ETAL}\s*$", text, re.IGNORECASE)
        et_al = bool(etal)
        if etal:
            text = text[: etal.start()].strip(" ,")
        if not text or not re.match(rf"(?:{_PARTICLE})*[{UPPER}]", text) or re.search(r"\d", text):
            return None
        if self._known and self._known.match(text):
            return [text], et_al
        parts = [p for p in _SEPARATORS.split(text) if p and not re.fullmatch(rf"[{UPPER}]\.(?:\s?[{UPPER}]\.)*", p)]
        if parts and all(self._family.match(p) for p in parts):
            return parts, et_al
        words = text.split()  # a corporate author: "Rådet for psykisk helse", "Statens helsetilsyn"
        if len(words) <= 8 and words[-1].lower() not in _PREPOSITIONS and len(parts) == 1:
            return [text], et_al
        return None

    @staticmethod
    def _strip_prefix(text: str) -> str:
        """The author phrase without "jf.", "se for eksempel", "e.g." and surrounding punctuation."""
        text = text.strip(" ,.;:")
        return _PREFIX.sub("", text) if text[:1].islower() and not re.match(_PARTICLE, text) else text

    def _bracketed(self, clean: CleanText, offset: int, content: str) -> list[Mention]:
        found: list[Mention] = []
        previous: list[tuple[list[str], bool]] = []
        position = 0
        for part in re.split(r"(;)", content):
            if part == ";":
                position += 1
                continue
            split = _secondary_split(part)
            if split is None:
                found += self._works(clean, offset + position, part, previous)
            else:  # "(Borkman, 1976, sitert i Karlsson, 2021)": both works, the first read in the second
                first = self._works(clean, offset + position, part[: split[0]], previous)
                read_in = self._works(clean, offset + position + split[1], part[split[1] :], previous)
                found += _linked(first, read_in) + read_in
            position += len(part)
        return found

    def _works(self, clean: CleanText, offset: int, part: str, previous: list[tuple[list[str], bool]]) -> list[Mention]:
        """The works of one part of a bracket (between semicolons); `previous` holds the authors last read."""
        found = []
        for match in self._work.finditer(part):
            parsed = self._authors(match.group("authors"))
            if parsed is None and match.group("authors").strip(" ,") == "" and previous:
                parsed = previous[-1]  # "Finlay, 2011; 2012": the same authors again
            if parsed is None:
                continue
            previous.append(parsed)
            authors = match.group("authors")
            lead = authors.find(self._strip_prefix(authors)) if authors.strip(" ,") else len(authors)
            start, end = clean.span(offset + match.start() + max(0, lead), offset + match.end())
            for year in re.findall(_ONE_YEAR, match.group("years"), re.IGNORECASE):
                found.append(self._mention(clean, start, end, parsed, year, match.group("page")))
        return found

    def _narrative(self, clean: CleanText, masked: str, group: re.Match[str], content: str) -> list[Mention] | None:
        """The works of "Askheim (2009; 2016)", "Gillard mfl. (2014, 2015, 2017)", "Repper (2011, s. 3)": the
        names just before the bracket, with each year (and its page) in it; None where no names stand there."""
        window_start = max(0, group.start() - 160)
        window = masked[window_start : group.start()]
        names = self._narrative_names.search(window)
        parsed = self._authors(names.group()) if names else None
        if names is None or parsed is None:
            return None
        start, end = clean.span(window_start + names.start(), group.end())
        found = []
        for piece in content.split(";"):
            years = self._years_only.match(piece)
            for year in re.findall(_ONE_YEAR, years.group("years") if years else "", re.IGNORECASE):
                found.append(self._mention(clean, start, end, parsed, year, years.group("page") if years else None, "narrative"))  # fmt: skip
        return found

    @staticmethod
    def _mention(
        clean: CleanText,
        start: int,
        end: int,
        parsed: tuple[list[str], bool],
        year: str,
        page: str | None,
        kind: str = "parenthetical",
    ) -> Mention:
        names, et_al = parsed
        alternatives = []
        words = names[0].split()
        if len(names) == 1 and len(words) > 1:  # "Thomasina Borkman", "Britiske Repper": try shorter readings
            alternatives = [[" ".join(words[i:])] for i in range(1, len(words)) if words[i][:1].isupper()]
        dated = re.fullmatch(YEAR, year)
        return Mention(
            clean.original[start:end],
            start,
            end,
            names,
            et_al=et_al,
            year=year if dated else None,
            locator=re.sub(r"\s+", "", page) if page else None,
            kind=kind,
            alternatives=alternatives,
        )


def _secondary_split(content: str) -> tuple[int, int] | None:
    """Where "sitert i" / "cited in" (or a bare "i" / "in") stands after a year in `content`, as (its start,
    its end), or None."""
    for match in _SECONDARY.finditer(content):
        if re.search(r"\d[a-h]?\.?\s*$", content[: match.start()]) and re.search(YEAR, content[match.end() :]):
            return match.start(), match.end()
    return None


def _linked(first: list[Mention], read_in: list[Mention]) -> list[Mention]:
    """`first`, each recorded as read in the first of `read_in` (when there is one)."""
    for mention in first:
        mention.read_in = read_in[0] if read_in else None
    return first
