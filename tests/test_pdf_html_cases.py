"""Replies printed to PDF by Chromium in layouts that lose the paragraph spacing
(`tests/fixtures/pdf_html_cases.py`): every answer read exactly, as from Word."""

from __future__ import annotations

import pytest

from cuf_extract.locate import Matcher
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.pdf_html_cases import CASES, LETTER_CLOSING, LETTER_SIGNATURE, PDF_DIR, Case
from tests.fixtures.variants import TEMPLATE_SNIPPETS

MATCHER = Matcher(load_questionnaire())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_chromium_reply_gives_the_exact_answers(case: Case) -> None:
    path = PDF_DIR / case.name
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    assert {a.question: a.text for a in result.answers} == case.answers
    assert "question_missing" not in {i.code.value for i in result.issues}
    for answer in result.answers:
        for snippet in [*TEMPLATE_SNIPPETS, *LETTER_CLOSING, *LETTER_SIGNATURE]:
            assert answer.text is None or snippet not in answer.text, (answer.question, snippet)


def test_letter_closing_and_signature_go_to_the_extra_text() -> None:
    path = PDF_DIR / "chromium_letter_closing.pdf"
    result = extract_file(InputFile(path=path, display=path.name), MATCHER)
    extra = "\n".join(result.extra_text)
    for line in [*LETTER_CLOSING, *LETTER_SIGNATURE]:
        assert line in extra
