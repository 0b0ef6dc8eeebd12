"""Run the benchmarks and print one table of figures and ratios against raw baselines measured in the same run.

    python bench/run.py                 # every benchmark, default sizes
    python bench/run.py store --size 1000000
    python bench/run.py certificates sync ui

Each module ``bench/bench_<name>.py`` has ``run(**kw) -> list[dict]`` with rows {name, value, unit, ratio?, target?}.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ALL = ("store", "certificates", "sync", "ui", "reports")


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n## {title}")
    print(f"{'figure':58} {'value':>14} {'unit':10} {'ratio':>8}  target")
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else ""
        value = r["value"]
        shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        print(f"{r['name']:58} {shown:>14} {r['unit']:10} {ratio:>8}  {r.get('target', '')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(ALL))
    parser.add_argument("--size", type=int, help="participants / records / pages, where the benchmark takes one")
    args = parser.parse_args()
    for name in args.names:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        rows = module.run(args.size) if args.size else module.run()
        print_table(f"{name} ({time.perf_counter() - started:.1f} s)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
