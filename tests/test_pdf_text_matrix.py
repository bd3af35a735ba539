"""Text set at font size 1 and scaled by the text matrix (`/F1 1 Tf 11 0 0 11 x y Tm`),
as the Adobe PDF Library and Acrobat PDFMaker write it: PDFium reports size 1, and the
gap rule measured against a glyph's height split words (« Secu rity »)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cuf_extract.locate import Matcher
from cuf_extract.pdf_reader import read_pdf_pages
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.builder import FORM
from tests.fixtures.pdf_mapped import Piece, mapped_text_pdf
from tests.fixtures.variants import ANSWERS, EXPECTED


def scaled_reply(*, matrix: bool) -> bytes:
    lines: list[tuple[float, float, list[Piece]]] = []
    y = 800.0
    lines.append((40, y, [FORM.title]))
    for qid, question in FORM.questions:
        y -= 26
        lines.append((40, y, [question]))
        for text in ANSWERS[qid]:
            y -= 26
            lines.append((40, y, [text]))
    return mapped_text_pdf([lines], size=11, mediabox=(1300, 842), matrix=matrix)


@pytest.mark.parametrize("matrix", [False, True])
def test_text_scaled_by_the_matrix_reads_like_plain_text(matrix: bool, tmp_path: Path) -> None:
    path = tmp_path / "reply.pdf"
    path.write_bytes(scaled_reply(matrix=matrix))
    result = extract_file(InputFile(path=path, display=path.name),
                          Matcher(load_questionnaire()))
    assert {a.question: a.text for a in result.answers} == EXPECTED


def test_words_are_the_ones_drawn() -> None:
    drawn = " ".join([FORM.title, *(f"{q} {' '.join(ANSWERS[qid])}"
                                    for qid, q in FORM.questions)]).split()
    document = read_pdf_pages(scaled_reply(matrix=True), name="x").document
    ours = " ".join(b.text for b in document.blocks)
    assert ours.split() == drawn


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_no_word_pdftotext_keeps_whole_is_split(tmp_path: Path) -> None:
    """pdftotext is not split by the matrix either (it may join two words where this
    hand-made font's widths mislead it: « L’OCCASIONDES »)."""
    path = tmp_path / "reply.pdf"
    path.write_bytes(scaled_reply(matrix=True))
    theirs = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                            timeout=60).stdout.decode("utf-8").split()
    document = read_pdf_pages(path.read_bytes(), name="x.pdf").document
    ours = " ".join(b.text for b in document.blocks).split()
    i = 0
    for word in theirs:
        if ours[i] == word:
            i += 1
        else:
            assert ours[i] + ours[i + 1] == word, (word, ours[i:i + 2])
            i += 2
    assert i == len(ours)
