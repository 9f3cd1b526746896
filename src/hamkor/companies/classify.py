"""The product classification assistant: free text in Russian, Uzbek or English -> ranked HS headings.

Lexical retrieval, explainable by construction:
- BM25 over the nomenclature's names, one document per HS heading: its English name and its
  subheadings' (HS 2022), its Russian name and the distinct parts of its TN VED lines;
- Snowball stemming for Russian and English; Uzbek normalised (Cyrillic -> Latin, oʻ/gʻ
  apostrophes unified) and turned into English words through a small packaged dictionary, since
  the reference data has no Uzbek names of goods;
- a maintained list of common trade terms per language (`data/trade_terms.tsv`) that points
  straight at headings ("котельное оборудование" -> 8402, 8403, 8404);
- optionally, a boost for headings the region actually trades.
Every hit says why: the words that matched, the trade term, the trade boost.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import snowballstemmer

from hamkor.i18n import Msg, pick
from hamkor.reference.nomenclature import nomenclature

EDITION = "HS2022"
K1, B = 1.2, 0.75
TERM_WEIGHT = 6.0  # a trade term names its headings outright: worth a strong lexical match
TERM_ORDER = 0.5  # up to half the best word score more for a term's first heading, less for each later one
TRADE_BOOST = 0.25  # at most +25 % for the heading the region trades most

UZ_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "'", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h",
}
UZ_ONLY_CYRILLIC = set("ўқғҳ")
APOSTROPHES = "ʻʼ’‘`´"
WORD = re.compile(r"[0-9a-zа-яё'ўқғҳ-]+")
STOPWORDS = {
    "ru": {"и", "в", "на", "для", "из", "с", "или", "по", "от", "не", "прочие", "прочий", "кроме", "их", "том",
           "числе", "без", "до", "при", "а", "к", "о", "у", "же"},
    "en": {"and", "or", "of", "for", "the", "in", "with", "not", "other", "than", "a", "an", "to", "by", "on",
           "whether", "its", "their", "nes", "n.e.c", "including", "excluding", "heading", "no"},
}
UZ_SUFFIXES = ("larining", "laridan", "lariga", "larini", "lari", "lar", "ning", "dan", "ga", "ni", "da", "si",
               "i")


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е")
    for mark in APOSTROPHES:
        text = text.replace(mark, "'")
    return text


def uz_to_latin(text: str) -> str:
    """Uzbek Cyrillic to Latin (the 1995 alphabet), apostrophes unified."""
    return "".join(UZ_CYRILLIC.get(ch, ch) for ch in _normalise(text))


LATIN_TO_CYRILLIC = [("sh", "ш"), ("ch", "ч"), ("ya", "я"), ("yu", "ю"), ("yo", "ё"), ("ts", "ц"), ("o'", "о"),
                     ("g'", "г"), ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
                     ("h", "х"), ("i", "и"), ("j", "ж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
                     ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
                     ("v", "в"), ("x", "х"), ("y", "й"), ("z", "з"), ("'", "")]


def uz_latin_to_russian_letters(word: str) -> str:
    """Uzbek borrows its technical words from Russian (ekskavator, transformator, makaron): written
    back in Cyrillic they meet the Russian names of the nomenclature."""
    out, i = [], 0
    while i < len(word):
        for latin, cyrillic in LATIN_TO_CYRILLIC:
            if word.startswith(latin, i):
                out.append("э" if latin == "e" and i == 0 else cyrillic)
                i += len(latin)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def _uz_key(word: str) -> str:
    return word.replace("'", "")


def _uz_stem(word: str) -> str:
    for suffix in UZ_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@cache
def _stemmer(lang: str):
    return snowballstemmer.stemmer({"ru": "russian", "en": "english"}[lang])


def tokens(text: str, lang: str) -> list[str]:
    """Stemmed tokens of ru or en text, stopwords out; hyphenated words count as their parts
    ("cotton-seed", "хлопок-сырец")."""
    words = [w.strip("'-") for w in WORD.findall(_normalise(text).replace("-", " "))]
    words = [w for w in words if len(w) > 1 and w not in STOPWORDS[lang] and not w.isdigit()]
    return _stemmer(lang).stemWords(words)


def detect_language(text: str) -> str:
    """ru, uz or en: the script, the letters only Uzbek uses, then which vocabulary knows the words."""
    lowered = _normalise(text)
    if any(ch in UZ_ONLY_CYRILLIC for ch in lowered):
        return "uz"
    words = [w.strip("'-") for w in WORD.findall(lowered) if len(w.strip("'-")) > 1]
    uzbek = {_uz_key(w) for w in _uz_dictionary()}
    if re.search("[а-я]", lowered):
        latin = [_uz_key(w) for w in WORD.findall(uz_to_latin(lowered))]
        known_ru = sum(1 for t in tokens(lowered, "ru") if t in classifier().index["ru"].postings)
        known_uz = sum(1 for w in latin if w in uzbek or _uz_stem(w) in uzbek)
        return "uz" if known_uz > known_ru else "ru"
    if "'" in lowered:
        return "uz"
    english = classifier().index["en"].postings
    terms = {key for term in trade_terms() if term.lang == "en" for key in term.keys}
    known_en = sum(1 for t in tokens(lowered, "en") if t in english or t in terms)
    # Words neither English knows: Uzbek, which borrows technical words (ekskavator, transformator)
    return "en" if words and known_en * 2 >= len(words) else "uz"


@cache
def _uz_dictionary() -> dict[str, list[str]]:
    table = resources.files("hamkor.companies").joinpath("data", "uz_en.tsv").read_text("utf-8")
    lines = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    return {_uz_key(uz): en.split() for uz, en in lines[1:]}


def uz_to_english(text: str) -> tuple[str, list[str]]:
    """English words for an Uzbek text, and the Uzbek words that had none."""
    english, unknown = [], []
    dictionary = _uz_dictionary()
    for word in WORD.findall(uz_to_latin(text)):
        key = _uz_key(word.strip("'-"))
        found = dictionary.get(key) or dictionary.get(_uz_stem(key))
        if found:
            english.extend(found)
        elif len(key) > 2:
            unknown.append(word)
            english.append(key)  # many trade words are shared (kabel, transformator…)
    return " ".join(english), unknown


@cache
def _synonyms() -> dict[str, dict[str, str]]:
    table = resources.files("hamkor.companies").joinpath("data", "synonyms.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for lang, word, words in rows[1:]:
        found[lang][_normalise(word)] = words
    return found


def with_synonyms(text: str, lang: str) -> str:
    """The text and, after it, the nomenclature's words for the everyday words in it."""
    table = _synonyms().get(lang, {})
    extra = [table[w] for w in WORD.findall(_normalise(text)) if w in table]
    return " ".join([text, *extra])


@dataclass(frozen=True)
class TradeTerm:
    lang: str
    term: str
    keys: tuple[str, ...]  # normalised, stemmed words that must all be in the query
    codes: tuple[str, ...]


def _term_keys(term: str, lang: str) -> tuple[str, ...]:
    if lang == "uz":
        return tuple(_uz_stem(_uz_key(w)) for w in WORD.findall(uz_to_latin(term)))
    return tuple(tokens(term, lang))


@cache
def trade_terms() -> list[TradeTerm]:
    table = resources.files("hamkor.companies").joinpath("data", "trade_terms.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    return [TradeTerm(lang, term, _term_keys(term, lang), tuple(codes.split())) for lang, term, codes in rows[1:]]


@cache
def _groups() -> list[TradeTerm]:
    table = resources.files("hamkor.companies").joinpath("data", "groups.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    return [TradeTerm(lang, term, _term_keys(term, lang), tuple(codes.split())) for lang, term, codes in rows[1:]]


def group_extent(text: str, lang: str | None = None) -> tuple[str, tuple[str, ...]] | None:
    """(the group's phrase, what it covers) when the text names a group of goods as a whole — «текстиль»,
    «qishloq xoʻjaligi», "chemicals" — the longest phrase that matches; None for a text that names things."""
    lang = lang or detect_language(text)
    _, keys = _queries(text, lang)
    found = [g for g in _groups() if g.lang == lang and g.keys and set(g.keys) <= keys]
    if not found:
        return None
    best = max(found, key=lambda g: len(g.keys))
    return best.term, best.codes


@dataclass
class Hit:
    code: str  # HS heading
    name: dict[str, str]
    score: float
    why: list[str] = field(default_factory=list)
    detail: str | None = None  # the finer line that matches best (subheading or TN VED)

    def label(self, lang: str) -> str:
        return pick(self.name, lang, "")


PURPOSE_WEIGHT = 0.35  # "оборудование для добычи урана" is equipment: what it is for only breaks ties
PURPOSE_MARKERS = {"ru": " для ", "en": " for "}
UZ_PURPOSE = " uchun "
# Words that name equipment in general: with a purpose after them, the answer is a machine, a tool or an
# instrument (chapters 82, 84-90), never the goods the purpose mentions (uranium ore, grain, milk).
EQUIPMENT_WORDS = {"ru": ("оборудован", "машин", "установк", "станк", "станок", "инструмент", "прибор", "аппарат",
                          "агрегат", "устройств", "техник", "линии", "линия", "комплекс"),
                   "en": ("equipment", "machine", "machinery", "tool", "instrument", "apparatus", "plant", "device",
                          "unit", "line"),
                   "uz": ("uskuna", "mashina", "asbob", "stanok", "jihoz", "qurilma", "apparat", "agregat", "texnika",
                          "liniya")}
EQUIPMENT_CHAPTERS = ("82", "84", "85", "86", "87", "88", "89", "90")
OBJECT_DAMPING = 0.3  # goods outside those chapters keep a third of their score
UZ_EQUIPMENT = ("uskuna", "mashina", "asbob", "stanok", "jihoz", "qurilma", "apparat", "agregat")


def split_purpose(text: str, lang: str) -> tuple[str, str]:
    """The thing named and what it is for: "насосы для перекачки нефти" -> ("насосы", "перекачки нефти"),
    "neft uchun nasoslar" -> ("nasoslar", "neft"), "geologiya qidiruv uskunalari" -> ("uskunalari",
    "geologiya qidiruv"). Without a purpose, the whole text and ""."""
    padded = f" {_normalise(text).strip()} "
    if lang in PURPOSE_MARKERS and PURPOSE_MARKERS[lang] in padded:
        head, purpose = padded.split(PURPOSE_MARKERS[lang], 1)
        return (head.strip(), purpose.strip()) if head.strip() and purpose.strip() else (text, "")
    if lang == "uz":
        if UZ_PURPOSE in padded:
            purpose, head = padded.split(UZ_PURPOSE, 1)
            return (head.strip(), purpose.strip()) if head.strip() and purpose.strip() else (text, "")
        words = padded.split()
        if len(words) > 1 and words[-1].startswith(UZ_EQUIPMENT):  # izofat: "X Y-i", Y the thing
            return words[-1], " ".join(words[:-1])
    return text, ""


def _queries(text: str, lang: str) -> tuple[dict[str, list[str]], set[str]]:
    """The stemmed words to look up per field (Uzbek through English and its Russian loanwords), and the
    keys trade terms are matched on."""
    if lang == "uz":
        english, _ = uz_to_english(text)
        latin = WORD.findall(uz_to_latin(text))
        borrowed = " ".join(uz_latin_to_russian_letters(_uz_stem(_uz_key(w))) for w in latin)
        return ({"en": tokens(with_synonyms(english, "en"), "en"), "ru": tokens(borrowed, "ru")},
                {_uz_stem(_uz_key(w)) for w in latin})
    field_lang = lang if lang in ("ru", "en") else "en"
    return {field_lang: tokens(with_synonyms(text, field_lang), field_lang)}, set(tokens(text, field_lang))


class Bm25:
    """Okapi BM25 over token lists (one field)."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.lengths = [len(d) for d in documents]
        self.average = sum(self.lengths) / max(len(documents), 1)
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, document in enumerate(documents):
            for term, count in Counter(document).items():
                self.postings[term].append((index, count))
        n = len(documents)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def scores(self, query: list[str]) -> dict[int, tuple[float, set[str]]]:
        found: dict[int, tuple[float, set[str]]] = {}
        for term in set(query):
            for index, count in self.postings.get(term, ()):
                norm = K1 * (1 - B + B * self.lengths[index] / self.average)
                gain = self.idf[term] * count * (K1 + 1) / (count + norm)
                score, terms = found.get(index, (0.0, set()))
                found[index] = (score + gain, terms | {term})
        return found


class Classifier:
    def __init__(self) -> None:
        nom = nomenclature()
        self.headings = [e for e in nom.entries(EDITION, "heading")]
        self.where = {e.code: i for i, e in enumerate(self.headings)}
        english: list[list[str]] = [[] for _ in self.headings]
        russian: list[list[str]] = [[] for _ in self.headings]
        self.lines: dict[str, list[tuple[str, str, set[str]]]] = defaultdict(list)  # heading -> finer lines
        seen_segments: dict[str, set[str]] = defaultdict(set)
        for entry in nom.entries(EDITION):
            head = entry.code[:4]
            if head not in self.where or entry.level not in ("heading", "subheading", "national"):
                continue
            i = self.where[head]
            if entry.names.get("en"):
                words = tokens(entry.names["en"], "en")
                english[i] += words if entry.level != "heading" else words * 2  # the heading's own name counts more
                if entry.level == "subheading":
                    self.lines[head].append((entry.code, entry.names["en"], set(words)))
            if entry.names.get("ru"):
                text = entry.names["ru"]
                if entry.level == "national":
                    # TN VED lines repeat their heading (and subheading) before colons: each distinct
                    # segment counts once, so that a heading without a Russian name of its own (about
                    # a hundred) still gets one from its lines.
                    self.lines[head].append((entry.code, text, set(tokens(text, "ru"))))
                    for segment in (part.strip() for part in text.split(":")):
                        if segment and segment not in seen_segments[head]:
                            seen_segments[head].add(segment)
                            russian[i] += tokens(segment, "ru")
                else:
                    russian[i] += tokens(text, "ru") * 2
        self.index = {"en": Bm25(english), "ru": Bm25(russian)}

    def search(self, text: str, lang: str | None = None, limit: int = 10,
               traded: dict[str, float] | None = None) -> list[Hit]:
        """Ranked headings for the text; traded: heading -> weight 0..1 of what the region trades."""
        text = text.strip()
        if not text:
            return []
        lang = lang or detect_language(text)
        why: dict[int, list[str]] = defaultdict(list)
        total: dict[int, float] = defaultdict(float)
        head, purpose = split_purpose(text, lang)
        query: list[str] = []
        query_keys: set[str] = set()
        for part, weight in ((head, 1.0), (purpose, PURPOSE_WEIGHT)):
            if not part:
                continue
            queries, keys = _queries(part, lang)
            query_keys |= keys
            query += [t for words in queries.values() for t in words]
            for field_lang, words in queries.items():
                for index, (score, matched) in self.index[field_lang].scores(words).items():
                    total[index] += score * weight
                    why[index].append(Msg("words: %(words)s" if weight == 1.0 else "purpose: %(words)s",
                                          words=", ".join(sorted(matched))))
        if purpose and any(word.startswith(EQUIPMENT_WORDS.get(lang, ())) for word in head.split()):
            for index in list(total):
                if not self.headings[index].code.startswith(EQUIPMENT_CHAPTERS):
                    total[index] *= OBJECT_DAMPING
        best = max(total.values(), default=1.0)
        for term in trade_terms():
            if term.lang == lang and term.keys and set(term.keys) <= query_keys:
                for position, code in enumerate(term.codes):
                    # a term lists its headings in the order a person means them: the first gains most, so
                    # new tyres stand before retreaded ones whatever the words of their names score
                    weight = TERM_ORDER * (3 if len(term.keys) > 1 else 1)  # a whole phrase matched says more
                    order = weight * max(best, 1.0) * (len(term.codes) - position) / len(term.codes)
                    for head in [h for h in self.where if h.startswith(code)] if len(code) == 2 else [code]:
                        if head in self.where:
                            i = self.where[head]
                            total[i] += TERM_WEIGHT * max(best, 1.0) / 10 + TERM_WEIGHT + order
                            why[i].append(Msg("trade term «%(term)s»", term=term.term))
        if traded:
            for index in list(total):
                weight = traded.get(self.headings[index].code, 0.0)
                if weight > 0:
                    total[index] *= 1 + TRADE_BOOST * weight
                    why[index].append(Msg("the region trades it"))
        ranked = sorted(total.items(), key=lambda item: (-item[1], self.headings[item[0]].code))[:limit]
        hits = []
        for index, score in ranked:
            entry = self.headings[index]
            hits.append(Hit(entry.code, dict(entry.names), round(score, 3), why[index],
                            self._finest(entry.code, query)))
        return hits

    def _finest(self, head: str, query: list[str]) -> str | None:
        """The subheading or TN VED line sharing most words with the query (ties: the shorter code)."""
        wanted = set(query)
        scored = [(len(words & wanted), -len(code), code) for code, _, words in self.lines.get(head, ())]
        scored = [s for s in scored if s[0] > 0]
        return max(scored)[2] if scored else None


@cache
def classifier() -> Classifier:
    return Classifier()


def search(text: str, lang: str | None = None, limit: int = 10, traded: dict[str, float] | None = None) -> list[Hit]:
    return classifier().search(text, lang, limit, traded)
