"""PDF replies through the command line: extraction of a folder and `check FILE`."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from cuf_extract.cli import EXIT_FLAGGED
from cuf_extract.models import Run
from tests.conftest import run_cli
from tests.fixtures.pdf_sources import PDF_DIR
from tests.fixtures.variants import BY_NAME, EXPECTED


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.mark.usefixtures("no_ocr")  # image_only.pdf: as without Tesseract (see test_ocr.py)
def test_folder_of_pdf_and_word_replies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "replies"
    folder.mkdir()
    for name in ("lo_letterhead_footer.pdf", "image_only.pdf", "lo_answers_below_password.pdf"):
        shutil.copyfile(PDF_DIR / name, folder / name)
    # A PDF renamed .docx is still read as a PDF: the bytes decide.
    shutil.copyfile(PDF_DIR / "lo_qa_table.pdf", folder / "tableau.docx")
    (folder / "word.docx").write_bytes(BY_NAME["questions_retyped"].build())
    before = _digest(folder)
    code, out, err = run_cli("replies", "--json", "out.json", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    # The two PDFs read are counted in the summary, to proofread (their status unchanged).
    assert "À relire\u00a0: 2\u00a0réponses lues dans un PDF" in " ".join(out.split(" \n"))
    report = (tmp_path / "reponses-rapport.html").read_text(encoding="utf-8")
    to_proofread = report[report.index('<section id="a-relire">'):]
    to_proofread = to_proofread[:to_proofread.index("</section>")]
    assert "lo_letterhead_footer.pdf" in to_proofread and "tableau.docx" in to_proofread
    assert "image_only.pdf" not in to_proofread and "word.docx" not in to_proofread
    assert _digest(folder) == before  # inputs untouched, nothing written beside them
    run = Run.model_validate_json((tmp_path / "out.json").read_text(encoding="utf-8"))
    results = {f.name: f for f in run.files}
    letter = results["lo_letterhead_footer.pdf"]
    assert letter.status.value == "warning"  # only because word.docx has the same answers
    assert {i.code.value for i in letter.issues} == {"from_pdf", "extra_text", "duplicate_file"}
    assert {a.question: a.text for a in letter.answers} == EXPECTED
    assert "from_pdf" in {i.code.value for i in letter.issues}
    assert results["image_only.pdf"].issues[0].code.value == "scanned_pdf"
    assert results["lo_answers_below_password.pdf"].issues[0].code.value == "encrypted"
    assert "from_pdf" in {i.code.value for i in results["tableau.docx"].issues}
    # The Word reply and the PDF letter give the same answers: a duplicate, across formats.
    assert "duplicate_file" in {i.code.value for i in results["word.docx"].issues}
    assert "image_only.pdf" in err and "cuf-extract modele" in err


def test_check_command_reads_a_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copyfile(PDF_DIR / "lo_qa_table.pdf", tmp_path / "r.pdf")
    code, out, _ = run_cli("check", "r.pdf", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_FLAGGED  # Q4 is unanswered in the table
    assert "ont été lues dans un PDF" in " ".join(out.split())  # the from_pdf note
    assert "Pas encore. Un module" in out
