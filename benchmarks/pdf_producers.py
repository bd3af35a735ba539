"""Answers read exactly from PDF replies made by other producers (a measurement).

    .venv/bin/python benchmarks/pdf_producers.py [--misses] [--repeat 3]

Reads every PDF of tests/fixtures/external/pdf/producers/ through the whole
extraction (`pipeline.extract_file`) and compares each answer with the expected
answers frozen beside the file (NAME.expected.json). Prints, per producer, the
answers exact out of the answers expected and the seconds per page (best of
--repeat runs); --misses also prints each wrong answer beside the expected one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    import pypdfium2

    from cuf_extract.locate import Matcher
    from cuf_extract.pipeline import InputFile, extract_file
    from cuf_extract.questionnaire import load_questionnaire
    from tests.fixtures.producer_replies import PRODUCERS_DIR, frozen_fixtures, producer_of

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print each wrong answer")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    matcher = Matcher(load_questionnaire())
    exact: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    pages: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    files: dict[str, list[str]] = defaultdict(list)
    misses: list[tuple[str, str, str | None, str | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, expected in frozen_fixtures().items():
            producer = producer_of(name)
            source = PRODUCERS_DIR / name
            path = Path(tmp) / name
            path.write_bytes(source.read_bytes())
            best = float("inf")
            for _ in range(max(1, args.repeat)):
                started = time.perf_counter()
                result = extract_file(InputFile(path=path, display=name), matcher)
                best = min(best, time.perf_counter() - started)
            document = pypdfium2.PdfDocument(str(source))
            pages[producer] += len(document)
            document.close()
            seconds[producer] += best
            got = {a.question: a.text for a in result.answers}
            right = 0
            for qid, want in expected.items():
                if got.get(qid) == want:
                    right += 1
                else:
                    misses.append((name, qid, want, got.get(qid)))
            exact[producer] += right
            total[producer] += len(expected)
            files[producer].append(f"{name} {right}/{len(expected)}")
    print(f"{'producer':<52} {'exact':>7} {'s/page':>7}  files")
    for producer in total:
        print(f"{producer:<52} {exact[producer]:>3}/{total[producer]:<3} "
              f"{seconds[producer] / pages[producer]:>7.3f}  {', '.join(files[producer])}")
    all_exact, all_total = sum(exact.values()), sum(total.values())
    print(f"{'all':<52} {all_exact:>3}/{all_total:<3} ({100 * all_exact / all_total:.1f} %)")
    if args.misses:
        for name, qid, want, got_text in misses:
            print(f"\n--- {name} {qid}\n  expected: {want!r}\n  read:     {got_text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
