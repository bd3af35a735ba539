"""Every way respondents fill in the form, through the whole extraction of one file.

The vectors (file builder + expected answers and issues) live in tests/fixtures/variants.py;
this module runs each through `pipeline.extract_file` and compares exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cuf_extract.locate import Matcher
from cuf_extract.models import FileResult
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.variants import EXTERNAL, TEMPLATE_SNIPPETS, VARIANTS, Variant

MATCHER = Matcher(load_questionnaire())


def _extract(variant: Variant, folder: Path) -> FileResult:
    path = folder / f"{variant.name}{variant.suffix}"
    path.write_bytes(variant.build())
    return extract_file(InputFile(path=path, display=path.name), MATCHER)


def _check(variant: Variant, result: FileResult) -> None:
    answers = {a.question: a.text for a in result.answers}
    assert answers == variant.answers
    codes = {issue.code.value for issue in result.issues}
    assert variant.issues <= codes, f"missing issues {variant.issues - codes}; got {codes}"
    assert not variant.absent_issues & codes, f"unexpected {variant.absent_issues & codes}"
    extra = "\n".join(result.extra_text)
    for snippet in variant.extra_contains:
        assert snippet in extra
    for snippet in [*variant.not_in_answers, *TEMPLATE_SNIPPETS]:
        for text in answers.values():
            assert text is None or snippet not in text
    if variant.respondent is not None:
        assert result.respondent == variant.respondent


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant(variant: Variant, tmp_path: Path) -> None:
    _check(variant, _extract(variant, tmp_path))


@pytest.mark.parametrize("variant", EXTERNAL, ids=lambda v: v.name)
def test_external_producer(variant: Variant, tmp_path: Path) -> None:
    if variant.suffix == ".doc":
        from cuf_extract.convert import find_soffice

        if find_soffice() is None:
            pytest.skip("LibreOffice (soffice) is not installed: .doc cannot be converted")
    _check(variant, _extract(variant, tmp_path))
