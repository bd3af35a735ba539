"""Damage the PDF fixtures at random and read each copy (a robustness check, not a test).

    .venv/bin/python benchmarks/pdf_fuzz.py [-n 400] [--seed 7] [--set all|own|producers]

The sources are the PDF fixtures of tests/fixtures/external/pdf/ ("own") and the other
producers' replies of its producers/ folder ("producers"; WeasyPrint, Typst, LaTeX,
wkhtmltopdf, reportlab, LibreOffice with other settings), both by default. Each copy
gets 1-20 random bytes overwritten and, one time in three, is truncated at a random
point. Every copy must be read or end with a `PackageError` (never another
exception, a crash of PDFium or a hang); prints the outcomes per source set and the
slowest read.
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
    from cuf_extract.pdf_reader import read_pdf_pages
    from tests.fixtures.pdf_sources import PDF_DIR
    from tests.fixtures.producer_replies import PRODUCERS_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--set", choices=["all", "own", "producers"], default="all")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources: list[tuple[str, bytes]] = []
    if args.set in ("all", "own"):
        sources += [("own", p.read_bytes()) for p in sorted(PDF_DIR.glob("*.pdf"))]
    if args.set in ("all", "producers"):
        sources += [("producers", p.read_bytes()) for p in sorted(PRODUCERS_DIR.glob("*.pdf"))]
    outcomes: dict[str, Counter[str]] = {}
    slowest = 0.0
    for _ in range(args.n):
        origin, original = rng.choice(sources)
        counts = outcomes.setdefault(origin, Counter())
        data = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 1 / 3:
            data = data[: rng.randrange(len(data))]
        started = time.perf_counter()
        try:
            read_pdf_pages(bytes(data), name="copie.pdf")
            counts["read"] += 1
        except PackageError as error:
            counts[error.code.value] += 1
        except Exception as error:  # what this script is looking for
            counts[f"BUG {type(error).__name__}"] += 1
        slowest = max(slowest, time.perf_counter() - started)
    for origin, counts in outcomes.items():
        print(origin, dict(counts))
    print(f"slowest {slowest:.2f} s")
    return 1 if any(k.startswith("BUG") for c in outcomes.values() for k in c) else 0


if __name__ == "__main__":
    sys.exit(main())
