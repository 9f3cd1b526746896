"""Accuracy of the classification assistant on the packaged labelled queries (heading level)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from hamkor.companies.classify import search


@dataclass(frozen=True)
class LabelledQuery:
    lang: str
    text: str
    headings: frozenset[str]
    split: str  # dev | holdout


@dataclass
class Accuracy:
    queries: int = 0
    top1: int = 0
    top5: int = 0
    misses: list[tuple[LabelledQuery, list[str]]] = field(default_factory=list)

    @property
    def top1_share(self) -> float:
        return self.top1 / self.queries if self.queries else 0.0

    @property
    def top5_share(self) -> float:
        return self.top5 / self.queries if self.queries else 0.0


def labelled_queries() -> list[LabelledQuery]:
    table = resources.files("hamkor.companies").joinpath("data", "hs_eval.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    return [LabelledQuery(lang, text, frozenset(codes.split()), split) for lang, text, codes, split in rows[1:]]


def evaluate(queries: list[LabelledQuery] | None = None, use_language: bool = False) -> dict[str, Accuracy]:
    """Per language, per split and 'all'; the language is detected from the text unless use_language."""
    results: dict[str, Accuracy] = {}
    for query in queries or labelled_queries():
        found = [hit.code for hit in search(query.text, query.lang if use_language else None, limit=5)]
        for key in (query.lang, query.split, "all"):
            acc = results.setdefault(key, Accuracy())
            acc.queries += 1
            acc.top1 += bool(found[:1]) and found[0] in query.headings
            acc.top5 += any(code in query.headings for code in found)
            if key == "all" and not any(code in query.headings for code in found):
                acc.misses.append((query, found))
    return results


@dataclass(frozen=True)
class GroupPhrase:
    lang: str
    text: str
    belongs: tuple[str, ...]  # code prefixes of the group
    excluded: tuple[str, ...]  # prefixes inside those that a person does not mean (radioactive elements)
    first: str | None  # the heading expected at the top, where one is

    def holds(self, code: str) -> bool:
        return code.startswith(self.belongs) and not code.startswith(self.excluded or ("\0",))


def group_phrases() -> list[GroupPhrase]:
    table = resources.files("hamkor.companies").joinpath("data", "group_eval.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    return [GroupPhrase(lang, text, tuple(belongs.split()), tuple(excluded.split()), first or None)
            for lang, text, belongs, excluded, first in (row + [""] * (5 - len(row)) for row in rows[1:])]


def group_precision(phrases: list[GroupPhrase] | None = None) -> dict[str, tuple[float, int, int, list]]:
    """Per language and 'all': the mean share of the top five that belong to the phrase's group, how many
    phrases put the expected heading first (of those that name one), how many name one, and the misses."""
    out: dict[str, list] = {}
    for phrase in phrases or group_phrases():
        found = [hit.code for hit in search(phrase.text, phrase.lang, limit=5)]
        share = sum(phrase.holds(code) for code in found) / 5
        for key in (phrase.lang, "all"):
            shares, firsts, named, misses = out.setdefault(key, [[], 0, 0, []])
            shares.append(share)
            if phrase.first:
                out[key][2] += 1
                out[key][1] += bool(found) and found[0] == phrase.first
            if share < 1.0 or (phrase.first and (not found or found[0] != phrase.first)):
                misses.append((phrase.lang, phrase.text, found))
    return {key: (sum(v[0]) / len(v[0]), v[1], v[2], v[3]) for key, v in out.items()}
