"""PDF replies made by other producers, read through the whole extraction.

The PDFs in tests/fixtures/external/pdf/producers/ were made by WeasyPrint, Typst,
XeLaTeX and pdfLaTeX (pandoc), wkhtmltopdf, reportlab and LibreOffice with other page
settings (`make_producer_pdfs.py`; commands in that folder's README). Each answer is
compared exactly with the answers frozen beside its file. The answers read wrongly
today are `KNOWN_MISSES`, marked xfail(strict=True): a fix that makes one right fails
this test until it is taken off the list, so progress (and regressions) show.
`benchmarks/pdf_producers.py` prints the same comparison as a table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from cuf_extract.locate import Matcher
from cuf_extract.models import FileResult
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.producer_replies import PRODUCERS_DIR, frozen_fixtures

MATCHER = Matcher(load_questionnaire())
FIXTURES = frozen_fixtures()


#: (file, question) -> why the answer read today is not the expected one.
KNOWN_MISSES: dict[tuple[str, str], str] = {
}

CASES = [
    pytest.param(name, qid, id=f"{name.removesuffix('.pdf')}-{qid}",
                 marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[name, qid])]
                 if (name, qid) in KNOWN_MISSES else [])
    for name, answers in FIXTURES.items()
    for qid in answers
]


@cache
def _result(name: str, folder: Path) -> FileResult:
    path = folder / name
    path.write_bytes((PRODUCERS_DIR / name).read_bytes())
    return extract_file(InputFile(path=path, display=name), MATCHER)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("producers")


def test_the_frozen_set_is_there() -> None:
    # Every producer of the set has its files; a lost fixture must not pass silently.
    prefixes = {name.split("_", 1)[0] for name in FIXTURES}
    assert prefixes == {"weasyprint", "typst", "xelatex", "pdflatex", "wkhtmltopdf",
                        "reportlab", "lo"}
    assert all((PRODUCERS_DIR / name).is_file() for name in FIXTURES)
    assert set(KNOWN_MISSES) <= {(n, q) for n, a in FIXTURES.items() for q in a}


@pytest.mark.parametrize(("name", "qid"), CASES)
def test_answer_exact(name: str, qid: str, folder: Path) -> None:
    result = _result(name, folder)
    answers = {a.question: a.text for a in result.answers}
    assert answers.get(qid) == FIXTURES[name][qid]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_read_without_error(name: str, folder: Path) -> None:
    # Whatever the answers, each file is read as a PDF: no error, the proofreading note.
    result = _result(name, folder)
    codes = {issue.code.value for issue in result.issues}
    assert "from_pdf" in codes
    assert not {"unreadable", "scanned_pdf", "encrypted", "too_large"} & codes
