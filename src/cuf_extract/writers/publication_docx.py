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

from cuf_extract.publication_model import (
    FREE_FORMAT_HEADING,
    FREE_FORMAT_NOTE,
    NO_ANSWER,
    NOT_REPLIED_HEADING,
    SYNTHESIS_HEADING,
    SYNTHESIS_NOTE,
    AnswerBlock,
    ListBlock,
    Paragraph,
    Publication,
    intro_lines,
    one_line_title,
    question_heading,
    synthesis_cells,
    synthesis_header,
)
from cuf_extract.writers import clean_text
from cuf_extract.writers.atomic import OutputError, atomic_write

if TYPE_CHECKING:
    from docx.document import Document

__all__ = ["LANGUAGE", "write_publication_docx"]

LANGUAGE = "fr-FR"
# A4 (210 × 297 mm) with 2.5 cm margins, as French documents are set; in twips.
_PAGE_WIDTH, _PAGE_HEIGHT, _MARGIN = 11906, 16838, 1417
_TEXT_WIDTH = _PAGE_WIDTH - 2 * _MARGIN
_MAX_LIST_DEPTH = 3  # Word's built-in list styles go to « List Bullet 3 »
_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _text(text: str) -> str:
    """python-docx refuses characters XML cannot hold: they are shown as U+FFFD."""
    return clean_text(text)[0]


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


class _Body:
    """Appends paragraphs to the document body.

    python-docx's `add_paragraph` looks the style up by name in styles.xml and scans
    the body for its w:sectPr on every call: quadratic, 20 s for 1,000 replies. Here
    style ids are resolved once and each paragraph goes straight before the w:sectPr.
    """

    def __init__(self, document: Document) -> None:
        from docx.oxml.ns import qn

        self._document = document
        self._body: Any = document.element.body
        self._sect_pr: Any = self._body.find(qn("w:sectPr"))
        self._style_ids: dict[str, str] = {}

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = str(self._document.styles[name].style_id)
        return self._style_ids[name]

    def add(self, text: str = "", style: str | None = None, *, num_id: str | None = None,
            italic: bool = False) -> None:
        """A paragraph of `text` (XML-safe) in `style`, in the numbering `num_id` if given."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph as DocxParagraph

        p: Any = OxmlElement("w:p")  # a CT_P, through python-docx's element classes
        if style is not None:
            p_pr = OxmlElement("w:pPr")
            p_pr.append(OxmlElement("w:pStyle", {qn("w:val"): self._style_id(style)}))
            if num_id is not None:  # numPr comes right after pStyle (CT_PPr order)
                num_pr = OxmlElement("w:numPr")
                num_pr.append(OxmlElement("w:ilvl", {qn("w:val"): "0"}))
                num_pr.append(OxmlElement("w:numId", {qn("w:val"): num_id}))
                p_pr.append(num_pr)
            p.append(p_pr)
        if self._sect_pr is not None:
            self._sect_pr.addprevious(p)
        else:
            self._body.append(p)
        if text:
            run = DocxParagraph(p, self._document._body).add_run(_text(text))
            if italic:
                run.italic = True


def _list_style(ordered: bool, depth: int) -> str:
    base = "List Number" if ordered else "List Bullet"
    level = min(depth, _MAX_LIST_DEPTH - 1)
    return base if level == 0 else f"{base} {level + 1}"


def _add_list(body: _Body, numbering: _Numbering, block: ListBlock, depth: int) -> None:
    style = _list_style(block.ordered, depth)
    num_id = numbering.restart(style, block.start) if block.ordered else None
    for item in block.items:
        body.add(item.text, style, num_id=num_id)
        for child in item.children:
            _add_list(body, numbering, child, depth + 1)


def _add_answer(body: _Body, numbering: _Numbering, blocks: Sequence[AnswerBlock]) -> None:
    if not blocks:
        body.add(NO_ANSWER, italic=True)
        return
    for block in blocks:
        if isinstance(block, Paragraph):
            body.add(block.text)
        else:
            _add_list(body, numbering, block, 0)


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
    body = _Body(document)

    _page(document)
    document.add_paragraph(_text(one_line_title(publication.title)), style="Title")
    byline, replied = intro_lines(publication)
    body.add(byline, "Subtitle")
    body.add(replied)
    for organisation in publication.organisations:
        body.add(organisation, "List Bullet")
    if publication.synthesis:
        _add_synthesis(document, body, publication)

    by_question = publication.by_question
    for question in publication.questions:
        body.add(question_heading(question.text), "Heading 1")
        for entry in by_question:
            body.add(entry.organisation, "Heading 2")
            _add_answer(body, numbering, entry.answers.get(question.id, ()))
    if publication.free_format:
        body.add(FREE_FORMAT_HEADING, "Heading 1")
        body.add(FREE_FORMAT_NOTE)
        for entry in publication.free_format:
            body.add(entry.organisation, "Heading 2")
            _add_answer(body, numbering, entry.free_text)

    if publication.not_replied:
        body.add(NOT_REPLIED_HEADING, "Heading 1")
        for name in publication.not_replied:
            body.add(name, "List Bullet")
    return document


def _page(document: Document) -> None:
    """A4 portrait, 2.5 cm margins (python-docx's template is US Letter, 1.25″)."""
    from docx.shared import Twips

    section = document.sections[0]
    section.page_width, section.page_height = Twips(_PAGE_WIDTH), Twips(_PAGE_HEIGHT)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(_MARGIN))


# Text widths are estimated, not measured (no font file is read). The table's font is
# the body's, Calibri 11 pt in Word; LibreOffice without Calibri or its metric twin
# Carlito falls back to DejaVu Sans, much wider: the estimate is DejaVu Sans Bold's
# (measured in a LibreOffice PDF: capitals and digits about 8.5 pt, lower case about
# 7.2 pt, « m » and « w » 10 pt), so a title given that width fits in either. The
# test renders the table through LibreOffice to check.
_WIDE = frozenset("mwMW")
_CELL_PADDING = 2 * 108 + 100  # Word's default cell margins (0.19 cm a side), and slack


def _text_twips(text: str) -> int:
    def char(c: str) -> int:
        if c in _WIDE:
            return 200
        if c.isspace():
            return 70
        return 170 if c.isupper() or c.isdigit() else 145

    return sum(map(char, text)) + _CELL_PADDING


def synthesis_widths(header: Sequence[str], rows: Sequence[Sequence[str]],
                     available: int = _TEXT_WIDTH) -> list[int]:
    """Each column's width in twips, sized to its content: the whole title on one line
    when the table fits the page so, else its longest word (a title then wraps between
    words, never inside one); never narrower than the column's widest cell."""
    def widest(column: int, whole: bool) -> int:
        title = header[column]
        words = [title] if whole else title.split()
        cells = [row[column] for row in rows]
        return max(_text_twips(text) for text in [*words, *cells])

    columns = range(len(header))
    widths = [widest(c, whole=True) for c in columns]
    if sum(widths) > available:
        widths = [widest(c, whole=False) for c in columns]
    return widths


def _add_synthesis(document: Document, body: _Body, publication: Publication) -> None:
    """The positions table: one row per question (by its id), a column per position,
    columns sized to their content, counts aligned right, the title row repeated."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips

    body.add(SYNTHESIS_HEADING, "Heading 1")
    body.add(SYNTHESIS_NOTE)
    header = synthesis_header()
    lines = [tuple(_text(text) for text in synthesis_cells(line))
             for line in publication.synthesis]
    widths = synthesis_widths(header, lines)
    table = document.add_table(rows=1 + len(lines), cols=len(header))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: Word and LibreOffice keep the widths given
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tbl_pr: Any = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(widths)))
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Twips(width)
    header_row: Any = table.rows[0]._tr
    header_row.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
    for values, row, bold in ((header, table.rows[0], True),
                              *((line, row, False) for line, row in zip(
                                  lines, table.rows[1:], strict=True))):
        for column, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Twips(widths[column])
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.bold = bold
            if column > 0:  # counts, and their titles, aligned right
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    body.add()  # a blank line between the table and the questions' key
    for line in publication.synthesis:
        body.add(f"{line.question.id}\u00a0: {question_heading(line.question.text)}")


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
