"""How the candidate PDF libraries read the PDF fixtures (the table in benchmarks/README.md).

    .venv/bin/pip install pdfminer.six pypdf   # the two candidates not chosen
    .venv/bin/python benchmarks/pdf_libraries.py

For each library, in a fresh child process per (library, file) so that peak memory
(ru_maxrss, whole process: Python, the library and its C allocations) is its own:

- ms/page: opening the file and getting every character with its position (what a
  layout-based reader needs: PDFium char boxes, pdfminer's LTChar layout, pypdf's
  visitor callbacks), median of 5 runs;
- paragraphs: of the expected answer paragraphs (tests/fixtures/pdf_sources.py), how
  many appear whole in the library's plain text once its lines are joined with spaces —
  what reading order, spaces and hyphens cost before any reconstruction;
- table rows: in the question/answer table, whether each question comes right before
  its own answer (rows kept together) or all questions come first (columns);
- hostile files: what a truncated file, a page-tree loop and a 100,000-page file give.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIBRARIES = ("pypdfium2", "pdfminer.six", "pypdf")

CHILD = r'''
import json, resource, sys, time
lib, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
times, pages, text, error = [], 0, "", None
def run():
    global pages, text
    if lib == "pypdfium2":
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(path)
        pages = len(doc)
        parts = []
        for i in range(min(pages, 1000)):
            tp = doc[i].get_textpage()
            for k in range(tp.count_chars()):
                tp.get_charbox(k)
            parts.append(tp.get_text_range())
        text = "\n".join(parts).replace("\r\n", "\n")
    elif lib == "pdfminer.six":
        from pdfminer.high_level import extract_pages, extract_text
        n = 0
        for _ in extract_pages(path, maxpages=1000):
            n += 1
        pages = n
        text = extract_text(path, maxpages=1000)
    else:
        import pypdf
        reader = pypdf.PdfReader(path)
        pages = len(reader.pages)
        parts = []
        for page in reader.pages[:1000]:
            page.extract_text(visitor_text=lambda *a: None)
            parts.append(page.extract_text())
        text = "\n".join(parts)
try:
    for _ in range(repeat):
        t0 = time.perf_counter(); run(); times.append(time.perf_counter() - t0)
except Exception as exc:
    error = f"{type(exc).__name__}: {str(exc)[:50]}"
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "pages": pages, "text": text, "error": error, "rss": rss}))
'''


def child(lib: str, path: Path, repeat: int = 5, timeout: float = 120) -> dict[str, object]:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, lib, str(path), str(repeat)],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"error": f"crashed ({done.returncode})",
                "seconds": time.perf_counter() - started}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def joined(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\ufffe", "-")
                  .replace("\x02", "-"))


def main() -> None:
    import tempfile

    from tests.fixtures.pdf_builder import many_pages_pdf, reference_loop_pdf
    from tests.fixtures.pdf_sources import PDF_DIR, PDF_VARIANTS
    from tests.fixtures.variants import FORM

    tmp = Path(tempfile.mkdtemp(prefix="pdf-libs-"))
    hostile = {"truncated": (PDF_DIR / "lo_letterhead_footer.pdf").read_bytes()[:20_000],
               "page loop": reference_loop_pdf(), "100,000 pages": many_pages_pdf()}
    for name, data in hostile.items():
        (tmp / f"{name}.pdf").write_bytes(data)

    rows = []
    for lib in LIBRARIES:
        per_page, rss, found, total = [], [], 0, 0
        for variant in PDF_VARIANTS:
            result = child(lib, PDF_DIR / variant.name)
            if result.get("error"):
                print(lib, variant.name, result["error"])
                continue
            pages = int(result["pages"])  # type: ignore[call-overload]
            per_page.append(statistics.median(result["times"]) * 1000 / pages)  # type: ignore[arg-type]
            rss.append(float(result["rss"]))  # type: ignore[arg-type]
            text = joined(str(result["text"]))
            for answer in variant.answers.values():
                for paragraph in (answer or "").split("\n"):
                    if paragraph:
                        total += 1
                        found += joined(paragraph) in text
        table = child(lib, PDF_DIR / "lo_qa_table.pdf", repeat=1)
        text = joined(str(table.get("text", "")))
        q = [text.find(joined(FORM.q(qid))[:40]) for qid in ("Q1", "Q2")]
        a1 = text.find("Oui. Notre parti")
        rows_kept = 0 <= q[0] < a1 < q[1]
        outcomes = []
        for name in hostile:
            started = time.perf_counter()
            result = child(lib, tmp / f"{name}.pdf", repeat=1, timeout=60)
            elapsed = time.perf_counter() - started
            what = result.get("error") or f"{result.get('pages')} pages read"
            outcomes.append(f"{name}: {str(what).split(':')[0]} ({elapsed:.1f} s)")
        rows.append((lib, statistics.median(per_page), max(rss), f"{found}/{total}",
                     "rows" if rows_kept else "columns", "; ".join(outcomes)))
    shutil.rmtree(tmp, ignore_errors=True)
    print("| Library | ms/page | peak RSS MB | answer paragraphs whole | table read by | "
          "hostile files |")
    print("|---|---|---|---|---|---|")
    for lib, ms, mb, paragraphs, table_order, hostile_text in rows:
        print(f"| {lib} | {ms:.1f} | {mb:.0f} | {paragraphs} | {table_order} | "
              f"{hostile_text} |")


if __name__ == "__main__":
    main()
