"""Run every benchmark module in bench/ (files named *_bench.py), or the ones named on the command line."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.endswith("_bench"))
    chosen = [name for name in names if not argv or name in argv or name.removesuffix("_bench") in argv]
    status = 0
    for name in chosen:
        print(f"== {name}", flush=True)
        status |= importlib.import_module(f"bench.{name}").main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
