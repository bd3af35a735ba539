"""The bundled example replies (README's first command) give the answers they were
written with, and the committed files are the ones the script makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuf_extract.pipeline import InputFile, extract_files
from cuf_extract.questionnaire import load_questionnaire
from examples.make_examples import EXPECTED, FILES, PDF_FILES

REPLIES = Path(__file__).resolve().parents[1] / "examples" / "replies"


def test_examples_give_their_expected_answers() -> None:
    files = [InputFile(path=p, display=p.name) for p in sorted(REPLIES.iterdir())]
    run = extract_files(files, load_questionnaire())
    results = {f.name: f for f in run.files}
    assert set(results) == set(EXPECTED)
    for name, (status, answers) in EXPECTED.items():
        assert results[name].status.value == status, name
        assert {a.question: a.text for a in results[name].answers} == {
            **dict.fromkeys(load_questionnaire().question_ids), **answers
        }, name


@pytest.mark.parametrize("name", sorted(FILES))
def test_committed_examples_are_up_to_date(name: str) -> None:
    assert (REPLIES / name).read_bytes() == FILES[name]()


def test_every_expected_example_is_made_by_the_script() -> None:
    # PDFs come from LibreOffice, not byte-for-byte reproducible: made, not compared.
    assert set(EXPECTED) == set(FILES) | set(PDF_FILES)
