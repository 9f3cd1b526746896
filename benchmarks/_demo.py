"""What the benchmarks that run on the demo share: its data folder, built when none is given."""

from __future__ import annotations

import time
from pathlib import Path


def demo_data_dir(given: str | None, folder: str) -> str:
    """`given` (a folder with the demo already built), else the demo built into `folder` now."""
    if given is not None:
        return given
    from hamkor.config import Settings
    from hamkor.demo.build import build_demo

    started = time.perf_counter()
    build_demo(Settings(data_dir=Path(folder)))
    print(f"demo built in {time.perf_counter() - started:.0f} s")
    return folder
