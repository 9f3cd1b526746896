"""Complexity + export potential on a synthetic world of 250 locations x 5,000 HS6 products (one year).

Targets (issue 5): complexity + potential for one pair < 2 s, peak RSS < 4 GiB; the same complexity
through the `ecomplexity` package (Harvard Growth Lab, PyPI) in the same run: >= 20x slower than
ours, with ECI correlation > 0.9999. Each side runs in a child process of its own, so that its peak
RSS is its own. Run: `make bench` (or `python benchmarks/opportunities.py [--runs N]`).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import time

import numpy as np

LOCATIONS, PRODUCTS, SEED = 250, 5000, 7


def synthetic_world(locations: int = LOCATIONS, products: int = PRODUCTS, seed: int = SEED):
    """Nested like real trade: capable locations make most products, simple products are made widely."""
    rng = np.random.default_rng(seed)
    capability = rng.uniform(0, 1, locations)
    complexity = rng.uniform(0, 1, products)
    reach = 1 / (1 + np.exp(-(capability[:, None] - complexity[None, :] + 0.1) * 8))
    present = rng.random((locations, products)) < reach
    size = rng.lognormal(22, 1.5, locations)
    world = present * rng.lognormal(0, 1.5, (locations, products)) * reach
    world *= (size / np.maximum(world.sum(axis=1), 1e-9))[:, None]
    # The market's imports from each exporter (a gravity-like share of what each exports)
    bilateral = world * rng.beta(0.3, 8, (locations, products))
    history = np.stack([bilateral.sum(axis=0) * (1 - 0.04 * y) for y in range(5)])
    log_distance = np.log(rng.uniform(300, 15000, locations))
    return world, bilateral, history, log_distance


def ours(queue, runs: int, locations: int, products: int) -> None:
    from hamkor.opportunities.analysis import _trim_masks
    from hamkor.opportunities.complexity import complexity, density, outlook, proximity
    from hamkor.opportunities.potential import Assumptions, export_potential, project

    world, bilateral, history, log_distance = synthetic_world(locations, products)
    timings, eci = [], None
    for _ in range(runs):
        started = time.perf_counter()
        rows, cols = _trim_masks(world)
        trimmed = world[np.ix_(rows, cols)]
        result = complexity(trimmed)
        phi = proximity(result.m)
        exporter = 0
        density_row = density(result.m[exporter:exporter + 1], phi)
        coi, cog = outlook(result.m, phi, result.pci)
        supply, demand = project(world, exporter, history, Assumptions())
        potential = export_potential(supply, bilateral, demand, log_distance)
        timings.append(time.perf_counter() - started)
        eci = result.eci
    assert density_row.shape == (1, trimmed.shape[1]) and np.isfinite(potential.potential).all()
    queue.put({"timings": timings, "eci": eci.tolist(), "shape": list(trimmed.shape), "coi": coi.shape[0],
               "cog": list(cog.shape), "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})


def baseline(queue, locations: int, products: int) -> None:
    import contextlib
    import io
    import warnings

    import pandas as pd
    from ecomplexity import ecomplexity

    from hamkor.opportunities.analysis import _trim_masks

    world, *_ = synthetic_world(locations, products)
    rows, cols = _trim_masks(world)
    trimmed = world[np.ix_(rows, cols)]
    loc, prod = np.nonzero(trimmed >= 0)
    frame = pd.DataFrame({"year": 2024, "loc": loc, "prod": prod, "val": trimmed[loc, prod]})
    started = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # it prints despite verbose=False
        warnings.simplefilter("ignore")
        out = ecomplexity(frame, {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}, verbose=False)
    elapsed = time.perf_counter() - started
    eci = out.groupby("loc")["eci"].first().sort_index().to_numpy()
    queue.put({"timings": [elapsed], "eci": eci.tolist(),
               "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})


def in_child(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(queue, *args))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of ours (the median is reported)")
    parser.add_argument("--locations", type=int, default=LOCATIONS)
    parser.add_argument("--products", type=int, default=PRODUCTS)
    args = parser.parse_args()
    size = (args.locations, args.products)
    mine = in_child(ours, args.runs, *size)
    median = statistics.median(mine["timings"])
    gib = mine["rss"] / 2**30
    rows, cols = mine["shape"]
    print(f"world {args.locations} x {args.products} (after trimming {rows} x {cols}), one year")
    print(f"hamkor complexity (ECI, PCI, proximity, density, COI, COG) + potential for one pair: "
          f"median {median:.3f} s of {len(mine['timings'])} runs (target < 2 s: {'met' if median < 2 else 'NOT met'})")
    print(f"hamkor peak RSS {gib:.2f} GiB (target < 4 GiB: {'met' if gib < 4 else 'NOT met'})")
    theirs = in_child(baseline, *size)
    their_time = theirs["timings"][0]
    correlation = float(np.corrcoef(mine["eci"], theirs["eci"])[0, 1])
    ratio = their_time / median
    print(f"ecomplexity 0.5.3 (same data, ECI/PCI/density/COI/COG): {their_time:.2f} s, peak RSS "
          f"{theirs['rss'] / 2**30:.2f} GiB")
    print(f"speed-up {ratio:.1f}x (target >= 20x: {'met' if ratio >= 20 else 'NOT met'}); "
          f"ECI correlation {correlation:.8f} (target > 0.9999: {'met' if correlation > 0.9999 else 'NOT met'})")


if __name__ == "__main__":
    main()
