"""Find themes by id or label (nb/en, prefLabel or altLabel), forgiving case, diacritics and hyphens."""

from __future__ import annotations

from collections.abc import Mapping

from litgraph.model import Theme
from litgraph.suggest import fold, nearest_close


class ThemeLookup:
    """Resolves what a user types to theme ids, and walks the hierarchy."""

    def __init__(self, themes: Mapping[str, Theme]):
        self.themes = themes
        self._names: dict[str, str] = {}
        for theme in themes.values():
            names = [theme.id, *theme.labels.values()]
            names += [alt for alts in theme.alt_labels.values() for alt in alts] + theme.hidden_labels
            for name in names:
                self._names.setdefault(fold(name), theme.id)
                self._names.setdefault(fold(name).replace(" ", ""), theme.id)
        for theme in themes.values():  # ids and prefLabels win over altLabels of other themes
            for name in (theme.id, *theme.labels.values()):
                self._names[fold(name)] = theme.id
                self._names[fold(name).replace(" ", "")] = theme.id
        self._written = sorted(
            {
                n
                for t in themes.values()
                for n in (t.id, *t.labels.values(), *(a for alts in t.alt_labels.values() for a in alts))
            }
        )
        self.children: dict[str, list[str]] = {t: [] for t in themes}
        self._resolved: dict[str, str | None] = {}
        for theme in themes.values():
            for parent in theme.broader:
                self.children.setdefault(parent, []).append(theme.id)

    def resolve(self, value: str) -> str | None:
        """The id of the theme `value` names ("Grensesetting", "boundary setting", "grense-setting"), or None."""
        if value in self._resolved:  # a project names the same few themes hundreds of thousands of times
            return self._resolved[value]
        folded = fold(value)
        found = self._resolved[value] = self._names.get(folded) or self._names.get(folded.replace(" ", ""))
        return found

    def suggestions(self, value: str) -> list[str]:
        """Theme ids close to a name that did not resolve."""
        return [theme_id for theme_id, _ in self.nearest_names(value)]

    def nearest_names(self, value: str) -> list[tuple[str, str]]:
        """The themes closest to a name that did not resolve, best first, each as (id, the name it is near:
        its id, or a prefLabel or altLabel in any language, as the scheme writes it)."""
        hits = nearest_close(value, self._written, limit=8)
        seen: dict[str, str] = {}
        for hit in hits:
            theme_id = self._names[fold(hit)]
            seen.setdefault(theme_id, hit)
        return list(seen.items())[:3]

    def hint(self, value: str) -> str:
        """ "did you mean 'boundary-setting' (Grensesetting)?": the nearest themes by id or by label in
        either language, each with the label it is near when that is not its id."""
        near = self.nearest_names(value)
        if not near:
            return "no theme is close; see `litgraph themes`"
        shown = [f"'{t}'" if fold(name) == fold(t) else f"'{t}' ({name})" for t, name in near]
        return "did you mean " + " or ".join(shown) + "?"

    def with_narrower(self, theme_id: str) -> list[str]:
        """The theme and every theme below it, the theme first."""
        result, todo = [], [theme_id]
        while todo:
            current = todo.pop(0)
            if current not in result:
                result.append(current)
                todo.extend(sorted(self.children.get(current, [])))
        return result

    def with_broader(self, theme_id: str) -> list[str]:
        """The theme and every theme above it, sorted: what a claim on the theme is on (the closure that
        rankings, counts and the store's claims-on-themes index all use)."""
        found, todo = {theme_id}, [theme_id]
        while todo:
            theme = self.themes.get(todo.pop())
            for parent in theme.broader if theme is not None else ():
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return sorted(found)

    def tree(self) -> list[tuple[str, int]]:
        """Every theme with its depth, depth first in id order: the order of the theme tree."""
        found, todo = [], [(root, 0) for root in reversed(self.roots())]
        while todo:
            theme_id, depth = todo.pop()
            found.append((theme_id, depth))
            todo.extend((child, depth + 1) for child in reversed(sorted(self.children.get(theme_id, []))))
        return found

    def roots(self) -> list[str]:
        return sorted(t.id for t in self.themes.values() if not t.broader)
