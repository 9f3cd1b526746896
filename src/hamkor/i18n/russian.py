"""Russian grammar the brief needs: territory names in the genitive ("партнёр Алтайского края").

Region names follow a few patterns (adjective + край/область/округ, Республика + name, a city), so a
handful of endings decline all of Russia's federal subjects; countries decline by their ending where
that is safe. Where no rule is sure, None: the caller then writes the name in quotes after a noun in
the nominative ("страны «…»"), which is always grammatical.
"""

from __future__ import annotations

NOUNS = {"край": "края", "область": "области", "округ": "округа", "республика": "республики",
         "город": "города"}
ADJECTIVE_ENDINGS = (("ский", "ского"), ("цкий", "цкого"), ("ной", "ного"), ("ый", "ого"), ("ий", "его"),
                     ("ская", "ской"), ("цкая", "цкой"), ("ая", "ой"), ("яя", "ей"))
CITIES = {"Москва": "Москвы", "Санкт-Петербург": "Санкт-Петербурга", "Севастополь": "Севастополя"}
COUNTRIES = {"Беларусь": "Беларуси", "Китай": "Китая", "Израиль": "Израиля", "Япония": "Японии"}


def _adjective(word: str) -> str | None:
    for ending, genitive in ADJECTIVE_ENDINGS:
        if word.endswith(ending):
            stem = word[: -len(ending)]
            # -кий/-гий/-хий take -ого, not -его (Алтайский -> Алтайского is covered by -ский)
            if ending == "ий" and stem and stem[-1] in "кгх":
                return stem + "ого"
            return stem + genitive
    return None


def region_genitive(name: str) -> str | None:
    """"Алтайский край" -> "Алтайского края", "Республика Алтай" -> "Республики Алтай"; what follows a
    dash stays as it is ("Ханты-Мансийского автономного округа — Югра"), as official texts write it."""
    if name in CITIES:
        return CITIES[name]
    main, dash, rest = name.partition(" — ")
    words = main.split()
    if not words:
        return None
    if words[0].lower() == "республика":  # "Республика Алтай": only the noun declines
        return " ".join(["Республики", *words[1:]]) + (dash + rest if dash else "")
    out, declined_noun = [], False
    for word in words:
        lower = word.lower()
        if lower in NOUNS:
            out.append(NOUNS[lower] if word.islower() else NOUNS[lower].capitalize())
            declined_noun = True
        elif declined_noun or word.startswith("("):
            out.append(word)  # "(Якутия)" and what follows the noun stay
        else:
            declined = _adjective(word.split("-")[-1])
            if declined is None:
                return None
            out.append("-".join([*word.split("-")[:-1], declined]) if "-" in word else declined)
    return (" ".join(out) + (dash + rest if dash else "")) if declined_noun else None


def country_genitive(name: str) -> str | None:
    """"Узбекистан" -> "Узбекистана", "Россия" -> "России"; None where the ending is not a sure guide."""
    if name in COUNTRIES:
        return COUNTRIES[name]
    if " " in name or "-" in name:
        return None
    if name.endswith("ия"):
        return name[:-2] + "ии"
    if name.endswith(("стан", "ан", "ын", "ен", "ам", "ор", "ал", "ир")):
        return name + "а"
    return None
