"""Damage the PDF fixtures at random and read each copy (a robustness check, not a test).

    .venv/bin/python benchmarks/pdf_fuzz.py [-n 400] [--seed 7]

Each copy gets 1-20 random bytes overwritten and, one time in three, is truncated at
a random point. Every copy must be read or end with a `PackageError` (never another
exception, a crash of PDFium or a hang); prints the outcomes and the slowest read.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    from cuf_extract.package import PackageError
    from cuf_extract.pdf_reader import read_pdf
    from tests.fixtures.pdf_sources import PDF_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = [p.read_bytes() for p in sorted(PDF_DIR.glob("*.pdf"))]
    outcomes: Counter[str] = Counter()
    slowest = 0.0
    for _ in range(args.n):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 1 / 3:
            data = data[: rng.randrange(len(data))]
        started = time.perf_counter()
        try:
            read_pdf(bytes(data), name="copie.pdf")
            outcomes["read"] += 1
        except PackageError as error:
            outcomes[error.code.value] += 1
        except Exception as error:  # what this script is looking for
            outcomes[f"BUG {type(error).__name__}"] += 1
        slowest = max(slowest, time.perf_counter() - started)
    print(dict(outcomes), f"slowest {slowest:.2f} s")
    return 1 if any(k.startswith("BUG") for k in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
