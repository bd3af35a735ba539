"""Text struck through by the respondent (« rayez la mention inutile »)."""

from __future__ import annotations

from pathlib import Path

import docx

from cuf_extract.docx_reader import read_document
from cuf_extract.locate import Matcher, locate
from cuf_extract.package import OoxmlPackage
from cuf_extract.questionnaire import FormQuestion, Questionnaire

INSTRUCTION = "Oui / Non (rayez la mention inutile)"


def struck_docx(path: Path, pieces: list[tuple[str, bool]]) -> Path:
    """A python-docx document: a question, then one paragraph of (text, struck) runs."""
    document = docx.Document()
    document.add_paragraph("Proposerez-vous un programme de soutien aux jumelages ?")
    paragraph = document.add_paragraph()
    for text, struck in pieces:
        paragraph.add_run(text).font.strike = struck
    document.save(str(path))
    return path


def texts(path: Path) -> list[str]:
    return [b.text for b in read_document(OoxmlPackage.open(path)).blocks]


def test_struck_text_is_shown_as_struck(tmp_path: Path) -> None:
    path = struck_docx(tmp_path / "r.docx", [("Oui / ", False), ("N", True), ("on", True),
                                             (" (rayez la mention inutile)", False)])
    assert texts(path)[1] == "Oui / [barré : Non] (rayez la mention inutile)"


def test_unstruck_and_blank_struck_runs_are_as_typed(tmp_path: Path) -> None:
    path = struck_docx(tmp_path / "r.docx", [("Oui", False), (" ", True), ("/ Non", False)])
    assert texts(path)[1] == "Oui / Non"


def test_an_instruction_line_with_an_option_struck_is_the_answer(tmp_path: Path) -> None:
    questionnaire = Questionnaire(id="t", title="Enquête", questions=(FormQuestion(
        id="Q1", text="Proposerez-vous un programme de soutien aux jumelages ?",
        instructions=(INSTRUCTION,)),))
    path = struck_docx(tmp_path / "r.docx", [("Oui / ", False), ("Non", True),
                                             (" (rayez la mention inutile)", False)])
    blocks = read_document(OoxmlPackage.open(path)).blocks
    located = locate(blocks, Matcher(questionnaire))
    assert located.answers["Q1"] == "Oui / [barré : Non] (rayez la mention inutile)"
