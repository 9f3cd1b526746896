"""Matchmaking and classification: 5,000 x 5,000 companies scored, HS search latency and accuracy.

Targets (issue 6): all pair scores for 5,000 x 5,000 companies in < 5 s (vectorised, sparse);
classification p50 < 20 ms per query; the evaluation accuracy printed beside it. The baseline in
the same run is the straightforward way: the same scores pair by pair in Python, timed on a
sample of pairs and scaled to the whole grid. Run: `make bench` (or
`python benchmarks/companies.py [--companies N]`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from hamkor.companies.classify import classifier, search
from hamkor.companies.evaluate import evaluate, labelled_queries
from hamkor.companies.matching import LEVELS, WEIGHTS, Profile, score_pairs, suggest
from hamkor.reference.nomenclature import nomenclature

WORDS = ("котлы трубы шины пряжа хлопок ткань фрукты овощи удобрения машины оборудование мука сыр лекарства "
         "cotton yarn boilers tyres fabric fruit vegetables fertilizers machinery flour").split()
SECTORS = ("machinery", "textiles", "food", "chemicals", "mining", "timber", "pharmaceuticals", "agriculture")


def companies(count: int, start: int, rng: random.Random) -> list[Profile]:
    headings = [e.code for e in nomenclature().entries("HS2022", "heading")]
    subheadings = [e.code for e in nomenclature().entries("HS2022", "subheading")]
    out = []
    for n in range(count):
        out.append(Profile(start + n, f"company {start + n}",
                           tuple(rng.sample(subheadings, 3)), tuple(rng.sample(headings, 3)),
                           tuple(rng.sample(SECTORS, rng.randint(1, 2))),
                           tuple(rng.sample(("ru", "uz", "en"), rng.randint(1, 2))),
                           " ".join(rng.choices(WORDS, k=10))))
    return out


def pair_by_pair(a: Profile, b: Profile, trade: dict[str, float]) -> float:
    """The same score for one pair, written the obvious way (the baseline)."""
    def level(offers, needs):
        def cut(code, lv):
            return code[:lv] if len(code) >= lv or lv == LEVELS[0][0] else None
        return max((w for lv, w in LEVELS for o in offers for n in needs
                    if cut(o, lv) is not None and cut(o, lv) == cut(n, lv)), default=0.0)

    ab, ba = level(a.offers, b.needs), level(b.offers, a.needs)
    comp = min(1.0, max(ab, ba) + 0.25 * min(ab, ba))
    words_a, words_b = set(a.text.split()), set(b.text.split())
    text = len(words_a & words_b) / ((len(words_a) * len(words_b)) ** 0.5 or 1)
    sectors = float(bool(set(a.sectors) & set(b.sectors)))
    shared = {o[:4] for o in a.offers} & {n[:4] for n in b.needs}
    traded = min(1.0, sum(trade.get(code, 0.0) for code in shared))
    language = float(bool(set(a.languages) & set(b.languages)))
    parts = {"complementarity": comp, "text": text, "sectors": sectors, "trade": traded, "language": language}
    return sum(WEIGHTS[k] * v for k, v in parts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=5000, help="companies in each group")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(11)
    a, b = companies(args.companies, 0, rng), companies(args.companies, 10**6, rng)
    headings = [e.code for e in nomenclature().entries("HS2022", "heading")]
    trade = {code: rng.random() for code in rng.sample(headings, 300)}
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        scores = score_pairs(a, b, trade, trade)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    kept = suggest(scores, top=5)
    suggest_time = time.perf_counter() - started
    median = statistics.median(timings)
    sample = [(rng.randrange(len(a)), rng.randrange(len(b))) for _ in range(20000)]
    started = time.perf_counter()
    for i, j in sample:
        pair_by_pair(a[i], b[j], trade)
    per_pair = (time.perf_counter() - started) / len(sample)
    baseline = per_pair * len(a) * len(b)
    print(f"matching {len(a)} x {len(b)} = {len(a) * len(b):,} pairs: median {median:.2f} s of {args.runs} "
          f"(target < 5 s: {'met' if median < 5 else 'NOT met'}); top-5 suggestions with reasons {suggest_time:.2f} s "
          f"({len(kept):,} kept)")
    print(f"baseline pair by pair in Python: {per_pair * 1e6:.1f} µs a pair -> {baseline:.0f} s for the grid "
          f"(measured on {len(sample):,} pairs); speed-up {baseline / median:.0f}x")

    started = time.perf_counter()
    classifier()
    build = time.perf_counter() - started
    queries = labelled_queries()
    latencies = []
    for query in queries * 3:
        started = time.perf_counter()
        search(query.text, limit=5)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
    print(f"classification: index built in {build:.2f} s; p50 {p50:.2f} ms, p95 {p95:.2f} ms per query over "
          f"{len(latencies)} queries (target p50 < 20 ms: {'met' if p50 < 20 else 'NOT met'})")
    for key, acc in evaluate(queries).items():
        print(f"  accuracy {key:8} {acc.queries:4} queries: top-1 {acc.top1_share:6.1%}  top-5 {acc.top5_share:6.1%}")
    np.asarray(scores.total).sum()  # keep the grid alive until here


if __name__ == "__main__":
    main()
