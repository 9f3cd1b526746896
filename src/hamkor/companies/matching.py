"""Matchmaking: score every pair of two groups of companies, vectorised over sparse matrices.

score = 0.45 complementarity + 0.20 text similarity + 0.10 sectors + 0.15 trade support + 0.10 language

- complementarity: A offers what B needs (or B what A needs), with partial credit up the HS
  hierarchy: the same code (or the same subheading of finer ones) 1.0, the same heading 0.75,
  the same chapter 0.4; a
  pair that complements both ways gets a quarter more, capped at 1;
- text similarity: cosine of the TF-IDF of the profiles (names, what they offer and need,
  sectors), Russian and English words stemmed;
- sectors: 1 when they share one;
- trade support: the trade-data weight (0..1) of the headings where one offers what the other
  needs (e.g. how much export potential the region has in them in the partner), capped at 1;
- language: 1 when they share a language, else they need an interpreter.
Reasons are worked out only for the suggestions kept (top k per company).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from hamkor.companies.classify import tokens
from hamkor.companies.sectors import sector_name
from hamkor.i18n import language_name, pick
from hamkor.reference.names import short_name

WEIGHTS = {"complementarity": 0.45, "text": 0.20, "sectors": 0.10, "trade": 0.15, "language": 0.10}
LEVELS = ((6, 1.0), (4, 0.75), (2, 0.4))
CYRILLIC = re.compile("[а-яё]")


@dataclass(frozen=True)
class Profile:
    """What matching needs of a company (the registry's record, or a synthetic one in a benchmark)."""

    id: int
    name: str
    offers: tuple[str, ...]
    needs: tuple[str, ...]
    sectors: tuple[str, ...]
    languages: tuple[str, ...]
    text: str


@dataclass
class Scores:
    a: list[Profile]
    b: list[Profile]
    parts: dict[str, np.ndarray]  # name -> len(a) x len(b), each 0..1
    total: np.ndarray


@dataclass
class Suggestion:
    a: Profile
    b: Profile
    score: float
    parts: dict[str, float]
    reasons: list[dict] = field(default_factory=list)


def _prefixes(code: str, level: int) -> str | None:
    return code[:level] if len(code) >= level else None


def _matrices(groups: list[list[list[str]]]) -> tuple[list[sparse.csr_matrix], dict[str, int]]:
    """0/1 rows x terms matrices over one vocabulary, so that their products line up."""
    vocabulary: dict[str, int] = {}
    built = []
    for rows in groups:
        indices, indptr = [], [0]
        for items in rows:
            indices += sorted({vocabulary.setdefault(item, len(vocabulary)) for item in items})
            indptr.append(len(indices))
        built.append((indices, indptr))
    width = max(len(vocabulary), 1)
    return [sparse.csr_matrix((np.ones(len(i), dtype=np.float32), i, p), shape=(len(p) - 1, width))
            for i, p in built], vocabulary


DENSE_LIMIT = 60_000_000  # cells of the right-hand matrix worth making dense (240 MB of float32)


def _product(left: sparse.csr_matrix, right: sparse.csr_matrix) -> np.ndarray:
    """left @ right.T as a dense array. Where shared codes or words make most pairs non-zero a
    sparse result would be dense anyway and far slower: then the right side goes dense."""
    # How many (row, row) products there are at most: the sparse route pays per product.
    products = float(np.asarray(left.sum(axis=0)).ravel() @ np.asarray(right.sum(axis=0)).ravel())
    cells = left.shape[0] * right.shape[0]
    if products > 0.05 * cells and right.shape[0] * right.shape[1] <= DENSE_LIMIT:
        return np.asarray(left @ right.T.toarray(), dtype=np.float32)
    return np.asarray((left @ right.T).toarray(), dtype=np.float32)


def _level_codes(codes: tuple[str, ...], level: int) -> list[str]:
    """The codes cut to a level; at the finest level a shorter code stands for itself, so that the
    same heading offered and needed is a full match."""
    if level == LEVELS[0][0]:
        return [c[:level] for c in codes]
    return [p for p in (_prefixes(c, level) for c in codes) if p]


def shared_codes(rows: list[tuple[str, ...]], columns: list[tuple[str, ...]]) -> np.ndarray:
    """rows x columns: the best hierarchy level at which a row's codes meet a column's (0..1).

    With rows = A's offers and columns = B's needs: A offers what B needs."""
    best = np.zeros((len(rows), len(columns)), dtype=np.float32)
    for level, weight in reversed(LEVELS):  # coarse first: finer levels overwrite with more credit
        (left, right), _ = _matrices([[_level_codes(codes, level) for codes in rows],
                                      [_level_codes(codes, level) for codes in columns]])
        np.putmask(best, _product(left, right) > 0, weight)
    return best


def complementarity(offer: list[Profile], need: list[Profile]) -> np.ndarray:
    """How well the first group offers what the second needs (0..1)."""
    return shared_codes([p.offers for p in offer], [p.needs for p in need])


def _trade(rows: list[tuple[str, ...]], columns: list[tuple[str, ...]], weights: dict[str, float] | None
           ) -> np.ndarray:
    """Sum of the trade weights of the headings a row's codes share with a column's, capped at 1."""
    if not weights:
        return np.zeros((len(rows), len(columns)), dtype=np.float32)
    (left, right), vocabulary = _matrices([[_level_codes(codes, 4) for codes in rows],
                                           [_level_codes(codes, 4) for codes in columns]])
    column_weights = np.zeros(left.shape[1], dtype=np.float32)
    for code, column in vocabulary.items():
        column_weights[column] = weights.get(code, 0.0)
    return np.minimum(_product((left @ sparse.diags(column_weights, dtype=np.float32)).tocsr(), right), 1.0)


def _words(text: str) -> list[str]:
    return tokens(text, "ru" if CYRILLIC.search(text.lower()) else "en")


def text_similarity(a: list[Profile], b: list[Profile]) -> np.ndarray:
    documents = [Counter(_words(p.text)) for p in (*a, *b)]
    frequency = Counter(term for doc in documents for term in doc)
    n = len(documents)
    vocabulary = {term: i for i, term in enumerate(frequency)}
    idf = {term: math.log((1 + n) / (1 + df)) + 1 for term, df in frequency.items()}
    data, indices, indptr = [], [], [0]
    for doc in documents:
        weights = {vocabulary[t]: count * idf[t] for t, count in doc.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for column, weight in sorted(weights.items()):
            indices.append(column)
            data.append(weight / norm)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix((np.array(data, dtype=np.float32), indices, indptr),
                               shape=(n, max(len(vocabulary), 1)))
    return _product(matrix[: len(a)], matrix[len(a):])


def score_pairs(a: list[Profile], b: list[Profile], trade_ab: dict[str, float] | None = None,
                trade_ba: dict[str, float] | None = None) -> Scores:
    # Both directions as len(a) x len(b), never through a transposed (strided) array.
    ab = shared_codes([p.offers for p in a], [p.needs for p in b])
    ba = shared_codes([p.needs for p in a], [p.offers for p in b])
    comp = np.maximum(ab, ba)
    np.minimum(ab, ba, out=ab)
    comp += 0.25 * ab  # complementing each other both ways counts more
    np.minimum(comp, 1.0, out=comp)
    (sectors_a, sectors_b), _ = _matrices([[[s.lower() for s in p.sectors] for p in a],
                                           [[s.lower() for s in p.sectors] for p in b]])
    (languages_a, languages_b), _ = _matrices([[[*p.languages] for p in a], [[*p.languages] for p in b]])
    trade = _trade([p.offers for p in a], [p.needs for p in b], trade_ab)
    np.maximum(trade, _trade([p.needs for p in a], [p.offers for p in b], trade_ba), out=trade)
    parts = {
        "complementarity": comp,
        "text": text_similarity(a, b),
        "sectors": (_product(sectors_a, sectors_b) > 0).astype(np.float32),
        "trade": trade,
        "language": (_product(languages_a, languages_b) > 0).astype(np.float32),
    }
    total = np.zeros((len(a), len(b)), dtype=np.float32)
    for name, values in parts.items():
        total += np.float32(WEIGHTS[name]) * values
    where_b = {p.id: j for j, p in enumerate(b)}
    for i, p in enumerate(a):  # a company in both groups is not its own partner
        if p.id in where_b:
            total[i, where_b[p.id]] = 0.0
    return Scores(a, b, parts, total)


def suggest(scores: Scores, top: int = 5, minimum: float = 0.15) -> list[Suggestion]:
    """The best partners in B for each company of A, with their reasons (a shared language alone,
    0.10, is no reason to meet: below `minimum` nothing is suggested)."""
    found: list[Suggestion] = []
    if not scores.a or not scores.b:
        return found
    k = min(top, len(scores.b))
    best = np.argpartition(-scores.total, k - 1, axis=1)[:, :k]
    for i, row in enumerate(best):
        for j in sorted(row, key=lambda j: -scores.total[i, j]):
            value = float(scores.total[i, j])
            if value < minimum:
                continue
            a, b = scores.a[i], scores.b[j]
            parts = {name: float(values[i, j]) for name, values in scores.parts.items()}
            found.append(Suggestion(a, b, round(value, 4), parts, reasons(a, b, parts)))
    return found


def _shared(offers: tuple[str, ...], needs: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(offered code, needed code, level) for the closest pairs of codes."""
    pairs = []
    for level, _ in LEVELS:
        for offered in offers:
            for needed in needs:
                mine, theirs = _level_codes((offered,), level), _level_codes((needed,), level)
                if mine and mine == theirs:
                    pairs.append((offered, needed, level))
        if pairs:
            return pairs
    return pairs


def reasons(a: Profile, b: Profile, parts: dict[str, float]) -> list[dict]:
    found = []
    for who, giver, taker in (("a", a, b), ("b", b, a)):
        for offered, needed, level in _shared(giver.offers, taker.needs)[:3]:
            found.append({"kind": "offers", "who": who, "offered": offered, "needed": needed, "level": level})
    if parts.get("trade", 0) > 0:
        found.append({"kind": "trade", "weight": round(parts["trade"], 2)})
    shared_sectors = sorted({s.lower() for s in a.sectors} & {s.lower() for s in b.sectors})
    if shared_sectors:
        found.append({"kind": "sectors", "sectors": shared_sectors})
    languages = sorted(set(a.languages) & set(b.languages))
    found.append({"kind": "language", "languages": languages} if languages else {"kind": "interpreter"})
    if parts.get("text", 0) >= 0.1:
        found.append({"kind": "text", "similarity": round(parts["text"], 2)})
    return found


# Reasons read as products and plain words: «Сыродел предлагает сыры (0406), которые ищет Agro Trade», never
# «предлагает 0406 … ищет 0406» or a weight of 1.0, which mean nothing to a company.
PHRASES = {
    "offers": {"ru": "{giver} предлагает {offered}; {taker} ищет {needed}",
               "uz": "{giver} {offered} taklif qiladi; {taker} {needed} izlaydi",
               "en": "{giver} offers {offered}; {taker} is looking for {needed}"},
    "offers_same": {"ru": "{giver} предлагает то, что ищет {taker}: {offered}",
                    "uz": "{giver} {taker} izlayotgan mahsulotni taklif qiladi: {offered}",
                    "en": "{giver} offers what {taker} is looking for: {offered}"},
    "trade": {"ru": "таможенная статистика показывает торговлю этими товарами между сторонами",
              "uz": "bojxona statistikasi tomonlar oʻrtasida bu tovarlar savdosini koʻrsatadi",
              "en": "customs statistics show these goods traded between the two sides"},
    "sectors": {"ru": "общая отрасль: {sectors}", "uz": "umumiy soha: {sectors}", "en": "same sector: {sectors}"},
    "language": {"ru": "общий язык: {languages}", "uz": "umumiy til: {languages}",
                 "en": "common language: {languages}"},
    "interpreter": {"ru": "нужен переводчик", "uz": "tarjimon kerak", "en": "needs an interpreter"},
    "text": {"ru": "похожие описания деятельности", "uz": "faoliyat tavsiflari oʻxshash",
             "en": "similar descriptions of what they do"},
}


def describe(reason: dict, a_name: str, b_name: str, lang: str = "ru") -> str:
    values = {k: (", ".join(v) if isinstance(v, list) else v) for k, v in reason.items()}
    if reason["kind"] == "sectors":
        values["sectors"] = ", ".join(sector_name(sector, lang) for sector in reason["sectors"])
    if reason["kind"] == "language":
        values["languages"] = ", ".join(language_name(code, lang) for code in reason["languages"])
    kind = reason["kind"]
    if kind == "offers":
        values["giver"], values["taker"] = (a_name, b_name) if reason["who"] == "a" else (b_name, a_name)
        values["offered"] = _product_text(reason["offered"], lang)
        values["needed"] = _product_text(reason["needed"], lang)
        if reason["offered"] == reason["needed"]:
            kind = "offers_same"
    return pick(PHRASES[kind], lang).format(**values)


def _product_text(code: str, lang: str) -> str:
    """A product as a company reads it: its name cut at a word, the code after it ('сыры и творог (0406)')."""
    from hamkor.reference.nomenclature import nomenclature

    name = nomenclature().name(code, lang)
    if not name or name == code:
        return code
    return f"{short_name(name[0].lower() + name[1:], 60)} ({code})"
