"""HS (2017, 2022) and TN VED: look-up at any level, hierarchy, names, HS version mapping.

One tree per HS edition: section -> chapter -> heading -> subheading (HS, English names, with
Russian names from TN VED where it has them) -> national line (TN VED 10-digit, Russian).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from importlib import resources

from hamkor.i18n import pick
from hamkor.reference._files import read_table

LEVELS = ("section", "chapter", "heading", "subheading", "national")
EDITIONS = ("HS2022", "HS2017")
CONFIDENTIAL_MARK = "X"  # customs hide a code as X's; such rows stay a bucket of their own
UNNAMED_HEADING = "Товарная позиция"  # how the build names a line whose heading no file names


def is_confidential(code: str) -> bool:
    return bool(code) and set(code) == {CONFIDENTIAL_MARK}


@dataclass
class CodeEntry:
    code: str
    level: str
    parent: str | None
    edition: str  # HS2022 or HS2017 (the tree it belongs to)
    names: dict[str, str] = field(default_factory=dict)
    short_name_ru: str | None = None  # TN VED lines: the FNS short name ("- - прочие")
    note: str = ""
    children: list[str] = field(default_factory=list)

    def name(self, lang: str = "ru") -> str:
        """In `lang`, else by the one fallback rule (Uzbek reads the Russian TN VED name before the English)."""
        return pick(self.names, lang, self.code)


UNKNOWN_CODE = {"ru": "кода нет в справочнике ТН ВЭД", "uz": "kod TIF TN maʼlumotnomasida yoʻq",
                "en": "code not in the TN VED nomenclature"}


class Nomenclature:
    def __init__(self) -> None:
        self._trees: dict[str, dict[str, CodeEntry]] = {edition: {} for edition in EDITIONS}
        for row in read_table("hs.tsv.gz"):
            self._trees[row["edition"]][row["code"]] = CodeEntry(
                row["code"], row["level"], row["parent"] or None, row["edition"], {"en": row["name_en"]})
        for row in read_table("tnved.tsv.gz"):
            edition = "HS2022" if row["edition"] == "2022" else "HS2017"
            if row["level"] == "national":
                self._trees[edition][row["code"]] = CodeEntry(
                    row["code"], "national", row["parent"], edition, {"ru": row["name_ru"]},
                    short_name_ru=row["short_name_ru"], note=row["note"])
                continue
            # Russian names of HS levels apply to both trees (headings 2017-filled are marked).
            for tree in self._trees.values():
                entry = tree.get(row["code"])
                if entry and row["name_ru"] and "ru" not in entry.names:
                    entry.names["ru"] = row["name_ru"]
                    entry.note = entry.note or row["note"]
        self._name_headings_by_hand()
        for tree in self._trees.values():
            for entry in tree.values():
                if entry.parent and entry.parent in tree:
                    tree[entry.parent].children.append(entry.code)
            self._name_subheadings_in_russian(tree)
        self._to_2017: dict[str, list[tuple[str, str]]] = {}
        self._to_2022: dict[str, list[tuple[str, str]]] = {}
        for row in read_table("hs2022_hs2017.tsv.gz"):
            self._to_2017.setdefault(row["hs2022"], []).append((row["hs2017"], row["relationship"]))
            self._to_2022.setdefault(row["hs2017"], []).append((row["hs2022"], row["relationship"]))
        missing = resources.files("hamkor.reference").joinpath(
            "data", "tnved_headings_without_russian_name.json").read_text(encoding="utf-8")
        self.headings_without_russian_name: frozenset[str] = frozenset(json.loads(missing))

    def _name_headings_by_hand(self) -> None:
        """The headings no TN VED file names get the Russian names written for them, their lines too."""
        by_hand = {row["code"]: row["name_ru"] for row in read_table("tnved_headings_named_by_hand.tsv")}
        for code, name_ru in by_hand.items():
            for tree in self._trees.values():
                heading = tree.get(code)
                if heading is not None and "ru" not in heading.names:
                    heading.names["ru"] = name_ru
        # One pass over the lines (not one per heading: that took 0.6 s of every process that names a code):
        # a line the build named "Товарная позиция 0301: …" takes its heading's name in place of the prefix.
        opening = f"{UNNAMED_HEADING} "
        for tree in self._trees.values():
            for entry in tree.values():
                name = entry.names.get("ru", "")
                if entry.level != "national" or not name.startswith(opening):
                    continue
                code, colon, rest = name.removeprefix(opening).partition(": ")
                if colon and code in by_hand:
                    entry.names["ru"] = f"{by_hand[code]}: {rest}"

    @staticmethod
    def _name_subheadings_in_russian(tree: dict[str, CodeEntry]) -> None:
        """TN VED files name headings and 10-digit lines, not HS subheadings: a subheading whose lines all
        carry one name takes it; otherwise it is its heading's Russian name and its own number, so that a
        Russian or Uzbek reader never meets the English HS text where TN VED has words."""
        for entry in tree.values():
            if entry.level != "subheading" or "ru" in entry.names:
                continue
            lines = {tree[c].names.get("ru") for c in entry.children if c in tree}
            heading = tree.get(entry.parent or "")
            if heading is not None and heading.names.get("ru") and len(heading.children) == 1:
                entry.names["ru"] = heading.names["ru"]  # the heading's only subheading (1101 00) is the heading
            elif len(lines) == 1 and None not in lines:
                entry.names["ru"] = lines.pop()
            elif heading is not None and heading.names.get("ru"):
                entry.names["ru"] = f"{heading.names['ru']} (субпозиция {entry.code[:4]} {entry.code[4:]})"

    def get(self, code: str, edition: str = "HS2022") -> CodeEntry | None:
        """A code at any level: 'XV' (section), '44', '4403', '440311', '4403110000'."""
        tree = self._trees[edition]
        entry = tree.get(code)
        if entry is None and edition == "HS2022" and len(code) == 10:
            # A 2017-edition line of a heading the 2022 files lack sits in the 2017 tree only.
            entry = self._trees["HS2017"].get(code)
        return entry

    def entries(self, edition: str = "HS2022", level: str | None = None) -> list[CodeEntry]:
        return [e for e in self._trees[edition].values() if level is None or e.level == level]

    def children(self, code: str, edition: str = "HS2022") -> list[CodeEntry]:
        entry = self.get(code, edition)
        return [self._trees[entry.edition][c] for c in entry.children] if entry else []

    def path(self, code: str, edition: str = "HS2022") -> list[CodeEntry]:
        """From the section down to the code itself; empty if the code is unknown."""
        entry = self.get(code, edition)
        chain: list[CodeEntry] = []
        while entry is not None:
            chain.append(entry)
            entry = self._trees[entry.edition].get(entry.parent) if entry.parent else None
        return chain[::-1]

    def ancestor(self, code: str, level: str, edition: str = "HS2022") -> CodeEntry | None:
        return next((e for e in self.path(code, edition) if e.level == level), None)

    def name(self, code: str, lang: str = "ru", edition: str = "HS2022") -> str:
        if is_confidential(code):
            return {"ru": "Конфиденциально", "uz": "Maxfiy", "en": "Confidential"}.get(lang, "Confidential")
        entry = self.get(code, edition)
        if entry:
            return entry.name(lang)
        # A code this edition lacks (a newer TN VED line, a typing error): named by the nearest group above
        # it, and said to be unknown, never shown bare where a name belongs.
        for digits in (8, 6, 4, 2):
            above = self.get(code[:digits], edition) if code.isdigit() and len(code) > digits else None
            if above is not None:
                return f"{above.name(lang)} ({UNKNOWN_CODE.get(lang, UNKNOWN_CODE['en'])})"
        return code

    def map_code(self, code6: str, source: str, target: str) -> list[tuple[str, str]]:
        """HS 6-digit code in `source` edition -> [(code in `target`, relationship)]."""
        if source == target:
            return [(code6, "1:1")]
        if (source, target) == ("HS2022", "HS2017"):
            return list(self._to_2017.get(code6, []))
        if (source, target) == ("HS2017", "HS2022"):
            return list(self._to_2022.get(code6, []))
        raise ValueError(f"no concordance from {source} to {target}")

    def search(self, text: str, lang: str = "ru", edition: str = "HS2022", limit: int = 20) -> list[CodeEntry]:
        """Entries whose code starts with, or whose name contains, the text (case-insensitive)."""
        needle = text.strip().lower()
        found = []
        for entry in self._trees[edition].values():
            if entry.code.startswith(needle) or needle in entry.name(lang).lower():
                found.append(entry)
                if len(found) >= limit:
                    break
        return found


_instance: Nomenclature | None = None
_building = threading.Lock()


def nomenclature() -> Nomenclature:
    """The one nomenclature of the process, built on first use (0.2 s). Safe to ask from several threads
    at once: the server's warm-up and a first request, or a brief that starts the build in the
    background while it reads the figures, wait for the one build instead of making two."""
    global _instance
    if _instance is None:
        with _building:
            if _instance is None:
                _instance = Nomenclature()
    return _instance
