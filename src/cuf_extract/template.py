"""The blank questionnaire as a real .docx, for transcribing free-format replies."""

from __future__ import annotations

from pathlib import Path

from cuf_extract.questionnaire import Questionnaire

EMPTY_LINES_PER_ANSWER = 4


def write_template(questionnaire: Questionnaire, target: Path) -> Path:
    """Write the questionnaire with its questions as a bulleted Word list."""
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
        document.add_paragraph(question.text, style="List Bullet")
        for _ in range(EMPTY_LINES_PER_ANSWER):
            document.add_paragraph()
    for text in questionnaire.closing:
        document.add_paragraph(text)
    document.add_paragraph()
    for text in questionnaire.contact:
        document.add_paragraph(text)

    return atomic_write(target, lambda tmp: document.save(str(tmp)))
