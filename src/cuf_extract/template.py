"""The blank questionnaire as a real .docx, for transcribing free-format replies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cuf_extract.questionnaire import Questionnaire

EMPTY_LINES_PER_ANSWER = 4


def write_template(questionnaire: Questionnaire, target: Path) -> Path:
    """Write the questionnaire with its questions as a bulleted Word list; each question's
    section heading above it, its sub-points, notes (italic) and instruction lines below."""
    import docx  # heavy: only when a template is asked for

    from cuf_extract.writers.atomic import atomic_write

    document = docx.Document()
    core = document.core_properties
    core.title = questionnaire.title.replace("\n", " ")
    core.author = questionnaire.owner[0] if questionnaire.owner else ""

    title = document.add_paragraph(style="Title")
    lines = questionnaire.title.split("\n")
    for i, line in enumerate(lines):
        run = title.add_run(line)
        if i < len(lines) - 1:
            run.add_break()
    for text in questionnaire.intro:
        document.add_paragraph(text)
    if questionnaire.lead_in:
        document.add_paragraph(questionnaire.lead_in)
    for question in questionnaire.questions:
        for line in question.section.split("\n") if question.section else ():
            document.add_paragraph(line, style="Heading 1")
        document.add_paragraph(question.text, style="List Bullet")
        for text in question.subpoints:
            _sub_item(document.add_paragraph(text, style="List Bullet"))
        for text in question.notes:
            document.add_paragraph().add_run(text).italic = True
        for text in question.instructions:
            document.add_paragraph(text)
        for _ in range(EMPTY_LINES_PER_ANSWER):
            document.add_paragraph()
    for text in questionnaire.closing:
        document.add_paragraph(text)
    document.add_paragraph()
    for text in questionnaire.contact:
        document.add_paragraph(text)

    return atomic_write(target, lambda tmp: document.save(str(tmp)))


def _sub_item(paragraph: Any) -> None:
    """Make a "List Bullet" paragraph an item of the second level of the same list (the
    questions' list): Word's "List Bullet 2" style is a separate list, which would make
    sub-points look like questions."""
    style_numbering = paragraph.style.element.pPr.numPr
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = 1
    numbering.get_or_add_numId().val = style_numbering.numId.val
