"""The publication as a Word document, made with python-docx.

Only built-in styles (Title, Subtitle, Heading 1, Heading 2, List Bullet, List Number
and their « 2 »/« 3 » levels), so that the staff can restyle the whole document from
Word's style gallery. Every numbered list gets a numbering instance of its own that
restarts at its first number: python-docx's « List Number » style otherwise shares one
instance across the document, and the second answer's list would go on at 4, 5, 6.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cuf_extract.publication import (
    NO_ANSWER,
    NOT_REPLIED_HEADING,
    AnswerBlock,
    ListBlock,
    Paragraph,
    Publication,
    french_long_date,
)
from cuf_extract.writers import clean_text
from cuf_extract.writers.atomic import OutputError, atomic_write

if TYPE_CHECKING:
    from docx.document import Document

__all__ = ["LANGUAGE", "intro_lines", "write_publication_docx"]

LANGUAGE = "fr-FR"
_MAX_LIST_DEPTH = 3  # Word's built-in list styles go to « List Bullet 3 »
_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _text(text: str) -> str:
    """python-docx refuses characters XML cannot hold: they are shown as U+FFFD."""
    return clean_text(text)[0]


def intro_lines(publication: Publication) -> tuple[str, str]:
    """The line under the title and the sentence before the list of organisations."""
    byline = (f"Réponses publiées par {publication.publisher} "
              f"le {french_long_date(publication.date)}")
    count = len(publication.entries)
    if count == 0:
        replied = "Aucune organisation n'a répondu."
    elif count == 1:
        replied = "Une organisation a répondu :"
    else:
        replied = f"{count} organisations ont répondu :"
    return byline, replied


class _Numbering:
    """New numbering instances (w:num) for numbered lists, each restarting."""

    def __init__(self, document: Document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self._root: Any = document.part.numbering_part.element
        self._next = 1 + max(
            (int(num.get(qn("w:numId"))) for num in self._root.iterchildren(qn("w:num"))),
            default=0,
        )
        self._abstract: dict[str, str] = {}
        self._document = document

    def _abstract_of(self, style_name: str) -> str:
        """The abstract numbering behind a built-in list style."""
        if style_name not in self._abstract:
            style: Any = self._document.styles[style_name].element
            num_id = style.xpath("./w:pPr/w:numPr/w:numId/@w:val")[0]
            abstract = self._root.xpath(
                f"./w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")[0]
            self._abstract[style_name] = str(abstract)
        return self._abstract[style_name]

    def restart(self, style_name: str, start: int) -> str:
        """A new w:num for `style_name`'s list, starting at `start`; returns its id."""
        from docx.oxml import OxmlElement

        qn = self._qn
        num_id = str(self._next)
        self._next += 1
        num = OxmlElement("w:num", {qn("w:numId"): num_id})
        abstract = OxmlElement("w:abstractNumId", {qn("w:val"): self._abstract_of(style_name)})
        override = OxmlElement("w:lvlOverride", {qn("w:ilvl"): "0"})
        override.append(OxmlElement("w:startOverride", {qn("w:val"): str(start)}))
        num.append(abstract)
        num.append(override)
        # w:num elements follow every w:abstractNum; the default template has nothing
        # after them (no w:numIdMacAtCleanup).
        self._root.append(num)
        return num_id


def _list_style(ordered: bool, depth: int) -> str:
    base = "List Number" if ordered else "List Bullet"
    level = min(depth, _MAX_LIST_DEPTH - 1)
    return base if level == 0 else f"{base} {level + 1}"


def _add_list(document: Document, numbering: _Numbering, block: ListBlock, depth: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style = _list_style(block.ordered, depth)
    num_id = numbering.restart(style, block.start) if block.ordered else None
    for item in block.items:
        paragraph = document.add_paragraph(_text(item.text), style=style)
        if num_id is not None:
            num_pr = OxmlElement("w:numPr")
            num_pr.append(OxmlElement("w:ilvl", {qn("w:val"): "0"}))
            num_pr.append(OxmlElement("w:numId", {qn("w:val"): num_id}))
            p_pr: Any = paragraph._p.get_or_add_pPr()
            p_pr.pStyle.addnext(num_pr)  # numPr comes right after pStyle (CT_PPr order)
        for child in item.children:
            _add_list(document, numbering, child, depth + 1)


def _add_answer(document: Document, numbering: _Numbering,
                blocks: Sequence[AnswerBlock]) -> None:
    if not blocks:
        document.add_paragraph().add_run(NO_ANSWER).italic = True
        return
    for block in blocks:
        if isinstance(block, Paragraph):
            document.add_paragraph(_text(block.text))
        else:
            _add_list(document, numbering, block, 0)


def _add_field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES) that Word and LibreOffice compute when shown."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    run_with(OxmlElement("w:fldChar", {qn("w:fldCharType"): "begin"}))
    instr = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(OxmlElement("w:fldChar", {qn("w:fldCharType"): "separate"}))
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(text)
    run_with(OxmlElement("w:fldChar", {qn("w:fldCharType"): "end"}))


def _footer(document: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" sur ")
    _add_field(paragraph, "NUMPAGES", "1")


def _properties(document: Document, publication: Publication) -> None:
    from lxml import etree

    core = document.core_properties
    core.title = _text(" ".join(publication.title.split()))
    core.author = core.last_modified_by = _text(publication.publisher)
    core.subject = "Réponses au questionnaire"
    core.language = LANGUAGE
    core.keywords = ""
    core.comments = ""
    core.revision = 1
    core.created = core.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    # The organisation that publishes, as Word's « Société » (docProps/app.xml).
    for part in document.part.package.parts:
        if str(part.partname) == "/docProps/app.xml":
            root = etree.fromstring(part.blob)
            company = root.find(f"{{{_APP_NS}}}Company")
            if company is None:
                company = etree.SubElement(root, f"{{{_APP_NS}}}Company")
            company.text = _text(publication.publisher)
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _french(document: Document) -> None:
    """French as the default language: Word checks spelling and hyphenates in French."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles: Any = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    if r_pr is None:
        return
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def build_document(publication: Publication) -> Document:
    """The publication as a python-docx document (not saved)."""
    import docx

    document = docx.Document()
    _properties(document, publication)
    _french(document)
    _footer(document)
    numbering = _Numbering(document)

    title = document.add_paragraph(style="Title")
    lines = [line.strip() for line in publication.title.split("\n") if line.strip()]
    for index, line in enumerate(lines):
        run = title.add_run(_text(line))
        if index < len(lines) - 1:
            run.add_break()
    byline, replied = intro_lines(publication)
    document.add_paragraph(_text(byline), style="Subtitle")
    document.add_paragraph(replied)
    for organisation in publication.organisations:
        document.add_paragraph(_text(organisation), style="List Bullet")

    for question in publication.questions:
        document.add_heading(_text(question.text), level=1)
        for entry in publication.entries:
            document.add_heading(_text(entry.organisation), level=2)
            _add_answer(document, numbering, entry.answers.get(question.id, ()))

    if publication.not_replied:
        document.add_heading(NOT_REPLIED_HEADING, level=1)
        for name in publication.not_replied:
            document.add_paragraph(_text(name), style="List Bullet")
    return document


def _verify(path: Path) -> None:
    """The written file is a whole zip whose document part parses."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as package:
            bad = package.testzip()
            if bad is not None:
                raise OutputError(f"La publication écrite est abîmée ({bad}).")
            etree.fromstring(package.read("word/document.xml"))
    except OutputError:
        raise
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise OutputError(f"La publication écrite ne peut pas être relue ({exc}).") from exc


def write_publication_docx(publication: Publication, target: Path) -> Path:
    """Write the .docx atomically; returns the path written (a dated name beside `target`
    when `target` is open in Word)."""
    document = build_document(publication)
    return atomic_write(Path(target), lambda tmp: document.save(str(tmp)), _verify)
