"""OCR speed and accuracy: seconds per page at 150 and 300 dpi, answers found.

    .venv/bin/python benchmarks/ocr_speed.py [--repeat 2]

Needs Tesseract with its French data, and Pillow (a development dependency) to make
the scans from LibreOffice's PDF of the typed reply (`tests/fixtures/scans.py`). For
each kind of scan: seconds per page (median of the runs; « cpu/p »: Tesseract's CPU
seconds per page, what a quiet machine would take on one core), the share of answers at
least 95 % similar to the typed text and the share exact, and Tesseract's peak
memory (largest resident size of a child process). « exact* » counts answers exact once
the typographic apostrophe and the straight one are taken as one.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz.fuzz import ratio  # noqa: E402

from cuf_extract.locate import Matcher  # noqa: E402
from cuf_extract.ocr_reader import find_tesseract  # noqa: E402
from cuf_extract.pipeline import InputFile, extract_file  # noqa: E402
from cuf_extract.questionnaire import load_questionnaire  # noqa: E402
from tests.fixtures import scans  # noqa: E402
from tests.fixtures.variants import EXPECTED  # noqa: E402


def kinds() -> dict[str, tuple[str, Callable[[], bytes], int]]:
    """name -> (file name, bytes, pages)."""
    source = scans.source_bytes()
    return {
        "PDF 150 dpi grey": ("a.pdf", lambda: scans.image_pdf(scans.pages(150), 150), 3),
        "PDF 300 dpi grey": ("b.pdf", lambda: scans.image_pdf(scans.pages(300), 300), 3),
        "PDF 150 dpi JPEG q50, turned 1.5° / 180°": ("c.pdf", lambda: scans.image_pdf(
            [scans.turned(p, 1.5) if i == 0 else p.rotate(180) if i == 1 else p
             for i, p in enumerate(scans.pages(150))], 150, quality=50), 3),
        "TIFF 150 dpi grey": ("d.tif", lambda: _tiff(scans.pages(150)), 3),
        "TIFF 300 dpi grey": ("e.tif", lambda: _tiff(scans.pages(300)), 3),
        "TIFF 200 dpi 1-bit fax": ("f.tif", lambda: scans.fax_tiff(scans.pages(200)), 3),
        "PNG 150 dpi tall screenshot": ("g.png", lambda: scans.tall_screenshot(
            scans.pages(150)), 3),
        "PDF 300 dpi, Q5 blank": ("h.pdf", lambda: scans.blank_out(
            source, "Nous proposerons", "publiés chaque année."), 3),
    }


def _tiff(pages: list) -> bytes:  # type: ignore[type-arg]
    from io import BytesIO

    out = BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return out.getvalue()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _apostrophes(text: str | None) -> str | None:
    return None if text is None else text.replace("\u2019", "'")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    engine = find_tesseract()
    if engine is None or not engine.has_french:
        print("Tesseract with its French data is not installed", file=sys.stderr)
        return 1
    print(f"tesseract {engine.version}, {sys.platform}")
    matcher = Matcher(load_questionnaire())
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'kind':44} {'s/page':>7} {'cpu/p':>6} {'>=95%':>6} {'exact':>6} {'exact*':>6}")
        for label, (name, build, count) in kinds().items():
            path = Path(folder) / name
            path.write_bytes(build())
            expected = dict(EXPECTED)
            if "blank" in label:
                expected["Q5"] = None
            times = []
            result = None
            cpu = _children_cpu()
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = extract_file(InputFile(path=path, display=name), matcher)
                times.append(time.perf_counter() - started)
            assert result is not None
            answers = {a.question: a.text for a in result.answers}
            close = sum(1 for q, t in expected.items() if (answers[q] is None) == (t is None)
                        and (t is None or ratio(answers[q] or "", t) >= 95))
            exact = sum(1 for q, t in expected.items() if answers[q] == t)
            # exact*: exact once the typographic apostrophe and the straight one are
            # taken as one (OCR reads either for the other).
            loose = sum(1 for q, t in expected.items()
                        if _apostrophes(answers[q]) == _apostrophes(t))
            cpu = (_children_cpu() - cpu) / args.repeat / count
            print(f"{label:44} {statistics.median(times) / count:7.2f} {cpu:6.2f} "
                  f"{close / len(expected):6.0%} {exact / len(expected):6.0%} "
                  f"{loose / len(expected):6.0%}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of one tesseract run: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
