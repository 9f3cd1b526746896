"""Build the packaged reference files from the raw public data in ../shared/data/raw.

Run once when the raw data changes: ``python scripts/build_reference.py [RAW_DIR]``.
The output (``src/hamkor/reference/data``) is committed, so a user never needs the raw data.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "hamkor" / "reference" / "data"
ROMAN = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI",
    "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI",
]  # fmt: skip

NBSP = "\u00a0"
# A footnote marker is a number glued to a word or a closing parenthesis, followed by ")":
# "судов5)", "(H2S)1)". "(кроме 4412)" is a real parenthesis and must stay.
FOOTNOTE = re.compile(r"(?<=[а-яёa-z\)])\d{1,2}\)")


# The raw TN VED text lost every character outside its code page to "?": "г/м?", "см?", "?С", "4,4?-".
# Each rule puts back the one character its context leaves no doubt about (area or volume, a degree, a
# minus, a primed locant, a Greek letter in a named compound); a test checks that no "?" is left.
SYMBOLS_LOST = [
    (r"г/м\?", "г/м²", "grams per square metre"),
    (r"кгс·м/см\?", "кгс·м/см²", "impact toughness, kgf·m per square centimetre"),
    (r"(массой 1 м)\?", r"\1²", "paper and board: mass of one square metre"),
    (r"(площад\w* [^\t;:]{0,40}?\d м)\?", r"\1²", "an area"),
    (r"(\d м)\? \(28 квадр", r"\1² (28 квадр", "an area, said again in square feet"),
    (r"(лицевой стороной [^\t;:]{0,30}?\d см)\?", r"\1²", "an area of a face"),
    (r"(\d м)\?(/ч|/мин)", r"\1³\2", "a flow, cubic metres per hour or minute"),
    (r"(\d (?:см|м|дм))\?", r"\1³", "a volume (capacity, cylinder, tank) — areas are matched above"),
    (r"(\d) \?С\b", r"\1 °С", "a temperature"),
    (r"\?(\d+ °С)", r"−\1", "a temperature below zero"),
    (r"(\d|N),(\d|N)\?-", r"\1,\2′-", "chemical locants: 4,4′-, N,N′-"),
    (r"(\d)\?,(\d)", r"\1′,\2", "chemical locants: 3,3′,4,4′"),
    (r"(\d)\?-", r"\1′-", "a primed locant"),
    (r"1-нафтиламин \(\?-нафтиламин", "1-нафтиламин (α-нафтиламин", "1-naphthylamine is alpha"),
    (r"2-нафтиламин \(\?-нафтиламин", "2-нафтиламин (β-нафтиламин", "2-naphthylamine is beta"),
    (r"\?-метилст", "α-метилст", "TN VED 3911: vinyltoluene and alpha-methylstyrene copolymers"),
    (r"\?-аланин", "β-аланин", "TN VED 2922 49: beta-alanine"),
    (r"3-\?,12-\?-дигидрокси-5-\?-холан", "3-α,12-α-дигидрокси-5-β-холан", "deoxycholic acid"),
    (r"\(\?-капролактам|\?-капролактам", lambda m: m.group(0).replace("?", "ε"), "epsilon-caprolactam"),
]


def restore_symbols(text: str) -> str:
    for pattern, replacement, _why in SYMBOLS_LOST:
        text = re.sub(pattern, replacement, text)
    return text


def clean(text: str) -> str:
    text = text.replace(NBSP, " ")
    while match := FOOTNOTE.search(text):
        if text.count(")") > text.count("("):
            text = text[: match.start()] + text[match.end() :]  # the marker's ")" was never opened
        else:
            text = text[: match.start()] + ")" + text[match.end() :]  # keep a real closing ")"
    return re.sub(r"\s+", " ", text).strip()


def sentence_case(text: str) -> str:
    """FNS files write section, chapter and heading names in capitals; a brief needs them readable."""
    text = clean(text)
    if text.upper() != text:
        return text
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]


def dash_depth(short_name: str) -> tuple[int, str]:
    text = clean(short_name)
    depth = 0
    while text.startswith("-"):
        depth += 1
        text = text[1:].lstrip()
    return depth, text


def significant(code10: str) -> str:
    return code10.rstrip("0")


def display_names(lines: list[tuple[str, str]], heading_name: str) -> dict[str, str]:
    """Join each dash-indented short name with its parents' names within one heading.

    The files hold only the lines that carry a code, so a parent row may be missing; a
    preceding line counts as a parent only when its code (trailing zeros stripped) is a
    prefix of the child's, otherwise "- - - прочие" would be hung under an unrelated sibling.
    """
    result: dict[str, str] = {}
    stack: list[tuple[int, str, str]] = []  # (depth, significant code, text)
    for code, short in lines:
        depth, text = dash_depth(short)
        while stack and (stack[-1][0] >= depth or not code.startswith(stack[-1][1])):
            stack.pop()
        parts = [part for _, _, part in stack] + [text]
        joined = heading_name + ": " + "; ".join(parts) if depth else text
        result[code] = joined
        stack.append((depth, significant(code), text))
    return result


def write_tsv(name: str, header: list[str], rows: list[list[str]]) -> None:
    path = OUT / name
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows")


def build_hs(raw: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    for edition, folder, file in (
        ("HS2022", "hs2022-en", "harmonized-system.csv"),
        ("HS2017", "hs2017-en", "harmonized-system-hs2017.csv"),
    ):
        with open(raw / folder / "sections.csv", encoding="utf-8-sig") as handle:
            for rec in csv.DictReader(handle):
                name = rec["name"][:1].upper() + rec["name"][1:]
                rows.append([edition, "section", rec["section"], "", name])
        with open(raw / folder / file, encoding="utf-8-sig") as handle:
            for rec in csv.DictReader(handle):
                if not rec.get("hscode") or rec["level"] not in {"2", "4", "6"}:
                    continue
                level = {"2": "chapter", "4": "heading", "6": "subheading"}[rec["level"]]
                parent = rec["section"] if level == "chapter" else rec["parent"]
                if parent == "TOTAL":
                    parent = ""  # chapter 99 "not specified according to kind" is in no section
                rows.append([edition, level, rec["hscode"], parent, clean(rec["description"])])
    return rows


def build_tnved(raw: Path, hs6: dict[str, set[str]]) -> tuple[list[list[str]], list[str]]:
    """Russian names for HS levels plus the 10-digit national lines."""
    fns = raw / "tnved-fns-txt"
    rows: list[list[str]] = []
    with open(fns / "sections_current.derived.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            number = int(rec["section"])
            if number <= len(ROMAN):  # section 22 is the FIFA-2018 pseudo-section
                rows.append(["section", ROMAN[number - 1], "", sentence_case(rec["name_ru"]), "", "2022", ""])
    with open(fns / "chapters_current.derived.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            number = int(rec["section"])
            section = ROMAN[number - 1] if number <= len(ROMAN) else ""
            rows.append(["chapter", rec["chapter2"], section, sentence_case(rec["name_ru"]), "", "2022", ""])

    heading_names: dict[str, tuple[str, str, str]] = {}
    with open(fns / "headings_current.derived.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            heading_names[rec["heading4"]] = (sentence_case(rec["name_ru"]), "2022", "")

    lines22: dict[str, list[tuple[str, str]]] = {}
    with open(raw / "tnved2022-ru" / "tnved2022_subheadings_10digit.derived.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            lines22.setdefault(rec["heading4"], []).append((rec["code10"], rec["name_short"]))

    lines17: dict[str, list[tuple[str, str]]] = {}
    with open(raw / "tnved2017-ru-10digit" / "TNVED4_ACTUAL.TXT", encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("|")
            if len(parts) < 4:
                continue
            lines17.setdefault(parts[0] + parts[1], []).append((parts[0] + parts[1] + parts[2], parts[3]))

    # Older validity periods of the heading file name some headings the current one lacks.
    historic: dict[str, tuple[str, str]] = {}
    with open(fns / "TNVED3.TXT", encoding="cp866") as handle:
        next(handle)
        for line in handle:
            parts = line.split("|")
            if len(parts) >= 5:
                historic[parts[0] + parts[1]] = (parts[2], parts[3])

    # The 2022 files lack ~270 headings: take their lines (and, where the 2017 file or the
    # heading history names it, the heading itself) from the 2017 edition.
    missing_names: list[str] = []
    for heading, lines in lines17.items():
        if heading in lines22:
            continue
        whole = [short for code, short in lines if code.endswith("000000")]
        if whole and not whole[0].lstrip().startswith("-"):
            heading_names[heading] = (sentence_case(whole[0]), "2017", "name from the 2017 edition")
        elif heading in historic:
            heading_names[heading] = (sentence_case(historic[heading][0]), "2017",
                                      "name from the heading file's history (valid from "
                                      + historic[heading][1] + ")")
        else:
            missing_names.append(heading)

    for heading, (name, edition, note) in sorted(heading_names.items()):
        if heading.startswith("99"):
            continue
        rows.append(["heading", heading, heading[:2], name, "", edition, note])

    for edition, source in (("2022", lines22), ("2017", lines17)):
        for heading, lines in sorted(source.items()):
            if heading.startswith("99") or (edition == "2017" and heading in lines22):
                continue
            # Without a Russian heading name the line still needs context a reader can use.
            name = heading_names.get(heading, ("", "", ""))[0] or f"Товарная позиция {heading}"
            joined = display_names(sorted(lines), name)
            hs_edition = "HS2022" if edition == "2022" else "HS2017"
            for code, short in sorted(lines):
                parent = code[:6] if code[:6] in hs6[hs_edition] else heading
                _, text = dash_depth(short)
                rows.append(["national", code, parent, joined[code], text, edition, ""])
    return rows, missing_names


def build_concordance(raw: Path) -> list[list[str]]:
    with open(raw / "hs-concordance-unsd" / "hs2022_hs2017_correlation.csv", encoding="utf-8") as handle:
        return [[r["hs2022"], r["hs2017"], r["relationship"]] for r in csv.DictReader(handle)]


def build_countries(raw: Path) -> list[list[str]]:
    rows = []
    path = raw / "country-names-ru-uz" / "countries_iso3166_ru_uz.derived.csv"
    with open(path, encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            rows.append([r["alpha2"], r["alpha3"], r["numeric"], r["name_en_cldr"], r["name_ru_cldr"],
                         r["name_uz_latn_cldr"], r["name_uz_cyrl_cldr"], r["name_en_iso"], r["name_ru_iso_codes"]])
    # stat.uz spells partners its own way; keep its names as aliases for the importer.
    return rows


def uzstat_aliases(raw: Path) -> list[list[str]]:
    aliases: dict[str, set[str]] = {}
    for file in ("sdmx_data_1105.csv", "sdmx_data_1176.csv"):
        with open(raw / "uzstat-trade-by-country" / file, encoding="utf-8-sig") as handle:
            for r in csv.DictReader(handle):
                aliases.setdefault(r["Code"].zfill(3), set()).update(
                    {r["Klassifikator"], r["Klassifikator_ru"], r["Klassifikator_en"]})
    return [[code, name] for code, names in sorted(aliases.items()) for name in sorted(names) if name]


def main() -> None:
    raw = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "raw"
    OUT.mkdir(parents=True, exist_ok=True)
    hs_rows = build_hs(raw)
    write_tsv("hs.tsv.gz", ["edition", "level", "code", "parent", "name_en"], hs_rows)
    hs6 = {"HS2022": set(), "HS2017": set()}
    for edition, level, code, _, _ in hs_rows:
        if level == "subheading":
            hs6[edition].add(code)
    tnved_rows, missing = build_tnved(raw, hs6)
    tnved_rows = [[*row[:3], restore_symbols(row[3]), restore_symbols(row[4]), *row[5:]] for row in tnved_rows]
    write_tsv("tnved.tsv.gz", ["level", "code", "parent", "name_ru", "short_name_ru", "edition", "note"],
              tnved_rows)
    write_tsv("hs2022_hs2017.tsv.gz", ["hs2022", "hs2017", "relationship"], build_concordance(raw))
    write_tsv("countries.tsv.gz", ["alpha2", "alpha3", "numeric", "name_en", "name_ru", "name_uz",
                                   "name_uz_cyrl", "name_en_iso", "name_ru_iso"], build_countries(raw))
    write_tsv("uzstat_partner_names.tsv.gz", ["numeric", "name"], uzstat_aliases(raw))
    (OUT / "tnved_headings_without_russian_name.json").write_text(
        json.dumps(sorted(missing), indent=0) + "\n", encoding="utf-8")
    print(f"{len(missing)} TN VED headings have no Russian name in any source file")


if __name__ == "__main__":
    main()
