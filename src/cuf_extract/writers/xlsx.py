"""The combined spreadsheet: one row per file, the questions, and every issue.

Every text cell goes through `safe_cell_text`: stored as a string (never a formula),
characters XML 1.0 cannot hold replaced by U+FFFD, OOXML escapes (``_x0041_``) kept
literal, and text longer than Excel's cell limit cut with a visible French marker.
`write_xlsx` says which files had cells cut or characters replaced.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cuf_extract.campaign import position_cells
from cuf_extract.dates import french_date, parse_french_date, parse_iso
from cuf_extract.layout import (
    COLUMN_CHANGE,
    COLUMN_DATE,
    COLUMN_EXTRA,
    COLUMN_FILE,
    COLUMN_ISSUES,
    COLUMN_NOTES,
    COLUMN_QUESTION_ID,
    COLUMN_QUESTION_KIND,
    COLUMN_QUESTION_TEXT,
    COLUMN_RECEIVED,
    COLUMN_SENDER,
    COLUMN_STATUS,
    RECIPIENT_COLUMNS,
    SHEET_ANSWERS,
    SHEET_ISSUES,
    SHEET_QUESTIONS,
    SHEET_RECIPIENTS,
    SHEET_STATE,
    SHEET_SYNTHESIS,
    STAFF_COLUMNS,
    TRUNCATION_MARKER,
    UNLISTED_COLUMNS,
    UNLISTED_TITLE,
    answer_digest,
    extracted_columns,
    position_column,
    state_header,
)
from cuf_extract.models import (
    AbsentFile,
    Campaign,
    ChangeKind,
    FileHistory,
    FileResult,
    KeptFile,
    Run,
    StaffValue,
    Status,
)
from cuf_extract.recipients import STATE_LABELS, RecipientsStatus, RecipientState
from cuf_extract.text import EXCEL_CELL_LIMIT, cell_text, fits_a_cell, utf16_length
from cuf_extract.writers import (
    CHANGE_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    clean_text,
    issue_line,
    sender_cell,
)
from cuf_extract.writers.atomic import OutputError, atomic_write
from cuf_extract.writers.sheet_rows import CellStyle, SheetRows, Text, Typed

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from cuf_extract.questionnaire import Questionnaire

__all__ = [
    "EXCEL_MAX_CELL_LENGTH",
    "EXCEL_MAX_ROWS",
    "SafeText",
    "XlsxResult",
    "file_link",
    "file_links",
    "safe_cell_text",
    "write_xlsx",
]

EXCEL_MAX_CELL_LENGTH = EXCEL_CELL_LIMIT  # UTF-16 code units (text.py)
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_HYPERLINKS = 65_530  # per worksheet
EXCEL_MAX_LINK_LENGTH = 2_079

# Cells Excel would turn into a formula if a user edited them: shown with a quote prefix.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
_NOTE_FONT = Font(italic=True, color="9C0006")
_AUTOMATIC_FONT = Font(italic=True, color="808080")  # a position the staff did not confirm
_POSITION_FILL = PatternFill("solid", fgColor="7030A0")  # filled by the tool, for the staff
_STAFF_FILL = PatternFill("solid", fgColor="375623")  # staff columns: a green header
_ABSENT_STYLE = (PatternFill("solid", fgColor="D9D9D9"), Font(color="595959", italic=True))
_STATUS_STYLES: dict[Status, tuple[PatternFill, Font]] = {
    Status.OK: (PatternFill("solid", fgColor="C6EFCE"), Font(color="006100", bold=True)),
    Status.WARNING: (PatternFill("solid", fgColor="FFEB9C"), Font(color="9C5700", bold=True)),
    Status.ERROR: (PatternFill("solid", fgColor="FFC7CE"), Font(color="9C0006", bold=True)),
    Status.SKIPPED: (PatternFill("solid", fgColor="EDEDED"), Font(color="595959", bold=True)),
}
# Data cells (see `writers.sheet_rows`): most wrap; a status cell is coloured too.
_WRAP_STYLE = CellStyle(alignment=_WRAP)
_AUTOMATIC_STYLE = CellStyle(font=_AUTOMATIC_FONT, alignment=_WRAP)
_LINK_STYLE = CellStyle(named="Hyperlink", alignment=_WRAP)
_NOTE_STYLE = CellStyle(font=_NOTE_FONT)
_PART_TITLE_STYLE = CellStyle(font=Font(bold=True, color="1F4E78", size=12))
_PART_HEADER_STYLE = CellStyle(font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_HEADER_ALIGN)


_STATUS_CELL_STYLES = {status: CellStyle(font=font, fill=fill, alignment=_WRAP)
                       for status, (fill, font) in _STATUS_STYLES.items()}
_ABSENT_CELL_STYLE = CellStyle(font=_ABSENT_STYLE[1], fill=_ABSENT_STYLE[0], alignment=_WRAP)
_DATE_STYLE = replace(_WRAP_STYLE, number_format="DD/MM/YYYY")
_DATE_TIME_STYLE = replace(_WRAP_STYLE, number_format="DD/MM/YYYY HH:MM")


@lru_cache(maxsize=64)
def _quoted(style: CellStyle | None) -> CellStyle:
    """The same look with the quote prefix: one instance per look (see `CellStyle`)."""
    return replace(style or CellStyle(), quote_prefix=True)


def _text(value: str, style: CellStyle | None) -> Text:
    """A cell of already safe text; one that Excel would take for a formula if edited
    gets the quote prefix."""
    return Text(value, _quoted(style) if value.startswith(_FORMULA_START) else style)


@dataclass(frozen=True)
class SafeText:
    """A text ready for a cell, and what had to be changed to make it so."""

    value: str
    replaced: bool
    truncated: bool


def safe_cell_text(text: str) -> SafeText:
    """Make `text` storable in an Excel cell, visibly marking every change.

    Invalid XML characters become U+FFFD; an underscore starting ``_xHHHH_`` is escaped
    so Excel shows the text as typed; text over 32,767 UTF-16 code units is cut and ends
    with `TRUNCATION_MARKER`.
    """
    value, replaced = cell_text(text)
    truncated = not fits_a_cell(value)
    if truncated:
        budget = EXCEL_MAX_CELL_LENGTH - utf16_length(TRUNCATION_MARKER)
        # Cut in UTF-16; a surrogate pair split at the end is dropped whole.
        head = value.encode("utf-16-le")[: 2 * budget].decode("utf-16-le", "ignore")
        value = head + TRUNCATION_MARKER
    return SafeText(value, replaced, truncated)


@dataclass(frozen=True)
class XlsxResult:
    """What `write_xlsx` wrote and changed. Files are named by `FileResult.path`."""

    path: Path
    replaced_files: tuple[str, ...] = ()
    rows_cut: tuple[str, ...] = ()  # sheet names cut at Excel's row limit


@dataclass
class _Tracker:
    replaced: dict[str, None] = field(default_factory=dict)

    def safe(self, text: str, owner: str | None) -> str:
        safe = safe_cell_text(text)
        if owner is not None and safe.replaced:
            self.replaced[owner] = None
        return safe.value

    def put(self, cell: Cell, text: str, owner: str | None = None) -> None:
        """A header cell (an openpyxl cell, for its comment)."""
        value = self.safe(text, owner)
        cell.value = value
        cell.data_type = "s"  # never a formula nor an error code
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True

    def text(self, text: str, owner: str | None = None,
             style: CellStyle | None = _WRAP_STYLE) -> Text:
        """A data cell of text (see `writers.sheet_rows`): never a formula."""
        return _text(self.safe(text, owner), style)


def _cell(ws: Worksheet, *, row: int, column: int) -> Cell:
    """A new cell for a write-only sheet, placed so that a hyperlink can point at it."""
    cell = WriteOnlyCell(ws)
    cell.row, cell.column = row, column
    return cell


def _iri_quote(path: str) -> str | None:
    """Percent-encode what a link target cannot hold; None if the path is not encodable."""
    out: list[str] = []
    for char in path:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return None
        if code < 0x21 or code == 0x7F or char in '"%#<>?[\\]^`{|}:':
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def file_link(path: str, *, inputs_base: Path, workbook_dir: Path) -> str | None:
    """The hyperlink target for an input file: relative to the workbook's folder if possible.

    Relative paths in `path` are taken from `inputs_base`. Across drives (Windows) the
    link is an absolute ``file:`` URI. None when no usable link can be made.
    """
    absolute = Path(os.path.abspath(inputs_base / path))
    try:
        relative = os.path.relpath(absolute, os.path.abspath(workbook_dir))
    except ValueError:  # another drive: an absolute URI
        drive, rest = os.path.splitdrive(str(absolute))
        quoted = _iri_quote(rest.replace(os.sep, "/"))
        if quoted is None:
            return None
        if drive.startswith(("\\\\", "//")):  # UNC share: file://server/share/...
            share = _iri_quote(drive.replace("\\", "/").lstrip("/"))
            if share is None:
                return None
            link = f"file://{share}{quoted}"
        elif drive:  # C:/...
            link = f"file:///{drive}{quoted}"
        else:
            link = f"file://{quoted}"
    else:
        quoted = _iri_quote(relative.replace(os.sep, "/"))
        if quoted is None:
            return None
        link = quoted
    return link if len(link) <= EXCEL_MAX_LINK_LENGTH else None


def file_links(*, inputs_base: Path, workbook_dir: Path) -> Callable[[str], str | None]:
    """`file_link` for many files: the folder's link is worked out once per folder."""
    folders: dict[str, str | None] = {}

    def link(path: str) -> str | None:
        parent, name = os.path.split(path)
        if not name:
            return file_link(path, inputs_base=inputs_base, workbook_dir=workbook_dir)
        if parent not in folders:
            folders[parent] = file_link(parent or os.curdir, inputs_base=inputs_base,
                                        workbook_dir=workbook_dir)
        folder, quoted = folders[parent], _iri_quote(name)
        if folder is None or quoted is None:
            return None
        if folder == os.curdir:
            full = quoted
        else:
            full = f"{folder}{'' if folder.endswith('/') else '/'}{quoted}"
        return full if len(full) <= EXCEL_MAX_LINK_LENGTH else None

    return link


# Printing on A4 landscape: the width left by Excel's default margins (0.7" a side), in
# points, and the smallest scale still legible (11 pt text printed at 8 pt). A column of
# width w (in characters of the default font) is about 7w + 5 pixels, 0.75 pt a pixel.
_PRINTABLE_WIDTH_PT = 842 - 2 * 0.7 * 72
_LEGIBLE_SCALE = 0.72
_PAPER_A4 = 9  # ECMA-376 ST_PaperSize


def _width_pt(widths: Sequence[int]) -> float:
    return sum((7 * width + 5) * 0.75 for width in widths)


def fits_to_width(widths: Sequence[int]) -> bool:
    """Whether a sheet of these column widths, fitted to one page wide, stays legible."""
    return _PRINTABLE_WIDTH_PT / _width_pt(widths) >= _LEGIBLE_SCALE


def _print_setup(ws: Worksheet, widths: Sequence[int]) -> None:
    """A4 landscape, the title row on every page. Fitted to one page wide only when that
    keeps the text legible (`fits_to_width`); otherwise printed at 85 %, over then down
    (a row's columns on consecutive pages), its first column on every page too."""
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = _PAPER_A4
    if fits_to_width(widths):
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        if ws.sheet_properties.pageSetUpPr is not None:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        return
    ws.page_setup.scale = 85
    ws.page_setup.pageOrder = "overThenDown"
    ws.print_title_cols = "A:A"


def _header(ws: Worksheet, tracker: _Tracker, titles: Sequence[str], widths: Sequence[int],
            *, comments: dict[str, str] | None = None,
            fills: dict[str, PatternFill] | None = None) -> None:
    """The sheet's first row, its column widths and its print set-up."""
    cells: list[Cell] = []
    for column, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = _cell(ws, row=1, column=column)
        tracker.put(cell, title)
        cell.font = _HEADER_FONT
        cell.fill = (fills or {}).get(title, _HEADER_FILL)
        cell.alignment = _HEADER_ALIGN
        if comments and title in comments:
            cell.comment = Comment(comments[title], "cuf-extract", height=160, width=320)
        ws.column_dimensions[get_column_letter(column)].width = width
        cells.append(cell)
    ws.freeze_panes = "A2"
    _print_setup(ws, widths)
    ws.append(cells)


def _capped(items: Sequence[object]) -> tuple[int, int]:
    """How many data rows fit under a header, and how many are left out (0 if all fit)."""
    room = EXCEL_MAX_ROWS - 1
    if len(items) <= room:
        return len(items), 0
    kept = room - 1  # one row for the note
    return kept, len(items) - kept


def _finish(ws: Worksheet, rows: SheetRows, tracker: _Tracker, *, kept: int, left_out: int,
            columns: int, what: str) -> int:
    """Close a sheet of `kept` data rows: a note when rows were left out at Excel's
    limit, and the auto-filter. Returns the number of rows written."""
    last = kept + 1
    if left_out:
        last = rows.append([tracker.text(
            f"… {left_out} {what} de plus ne tiennent pas dans la feuille : "
            "voir le rapport HTML et le JSON.", style=_NOTE_STYLE)])
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{kept + 1}"
    return last


def raw_cells(result: FileResult, run: Run) -> dict[str, str]:
    """The extracted columns of a file's row, as text before `safe_cell_text`."""
    values = [
        result.path,
        result.respondent or "",
        SOURCE_LABELS[result.respondent_source] if result.respondent_source else "",
        STATUS_LABELS[result.status],
        *(result.answer(q.id) or "" for q in run.questionnaire.questions),
        "\n\n".join(result.extra_text),
        "\n".join(issue_line(issue) for issue in result.issues),
        french_date(result.document_date),
        sender_cell(result.sender_name, result.sender_address),
        french_date(parse_iso(result.received)),
    ]
    columns = extracted_columns([q.id for q in run.questionnaire.questions])
    return dict(zip(columns, values, strict=True))


def shown_cells(run: Run) -> dict[str, dict[str, str]]:
    """Every file's extracted cells exactly as the sheet will hold them."""
    return {
        result.path: {c: safe_cell_text(v).value for c, v in raw_cells(result, run).items()}
        for result in run.files
    }


def _column_layout(run: Run, campaign: Campaign) -> list[str]:
    """Extracted columns, with the change and the staff's main columns after the status,
    and columns the staff added themselves at the end."""
    extracted = list(extracted_columns([q.id for q in run.questionnaire.questions]))
    cut = extracted.index(COLUMN_STATUS) + 1
    added = [c for c in campaign.staff_columns if c not in STAFF_COLUMNS]
    return _with_position_columns(
        [*extracted[:cut], COLUMN_CHANGE, *STAFF_COLUMNS, *extracted[cut:], *added], run)


def _with_position_columns(titles: list[str], run: Run) -> list[str]:
    """Each question's answer column followed by its Position column."""
    question_ids = {q.id for q in run.questionnaire.questions}
    out: list[str] = []
    for title in titles:
        out.append(title)
        if title in question_ids:
            out.append(position_column(title))
    return out


def _position_comments(run: Run) -> dict[str, str]:
    return {
        position_column(q.id): (
            f"Position de la réponse à {q.id}, lue par l’outil : en gris italique, suivie "
            "de « (à confirmer) », c’est une proposition automatique, recalculée à chaque "
            "exécution. Tapez la vôtre : oui, non, nuancé ou non précisé. Ce que vous "
            "tapez est gardé d’une exécution à l’autre (et compté dans la feuille "
            "« Synthèse ») ; effacez la cellule pour revenir à la proposition de l’outil."
        )
        for q in run.questionnaire.questions
    }


def _position_list(ws: Worksheet, titles: Sequence[str], run: Run, last_row: int) -> None:
    """A drop-down list of the four positions in each Position column (a warning, not a
    refusal, for anything else: what staff type is theirs)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if last_row < 2:
        return
    validation = DataValidation(
        type="list", formula1='"oui,non,nuancé,non précisé"', allow_blank=True,
        errorStyle="warning", showErrorMessage=True, errorTitle="Position",
        error="Positions prévues : oui, non, nuancé, non précisé.",
    )
    for q in run.questionnaire.questions:
        letter = get_column_letter(titles.index(position_column(q.id)) + 1)
        validation.add(f"{letter}2:{letter}{last_row}")
    ws.data_validations.append(validation)


# « Depuis la dernière fois » of a row this run was not asked to read.
KEPT_CHANGE = "non relu (fichier non demandé cette fois) : ligne gardée telle quelle"

_WIDTHS = {COLUMN_FILE: 32, COLUMN_CHANGE: 24, COLUMN_STATUS: 15, COLUMN_EXTRA: 45,
           COLUMN_ISSUES: 40, COLUMN_DATE: 20, COLUMN_NOTES: 40,
           COLUMN_SENDER: 32, COLUMN_RECEIVED: 18}


def _answers_sheet(
    ws: Worksheet,
    run: Run,
    campaign: Campaign,
    tracker: _Tracker,
    *,
    inputs_base: Path,
    workbook_dir: Path,
) -> tuple[SheetRows, int, bool]:
    """Fill "Réponses"; return (its rows, rows written, whether rows were cut)."""
    questions = {q.id: q for q in run.questionnaire.questions}
    titles = _column_layout(run, campaign)
    positions = set(_position_comments(run))
    widths = [60 if t in questions else 18 if t in positions else _WIDTHS.get(t, 24)
              for t in titles]
    comments = {
        qid: clean_text(
            f"{q.id} : {q.text}\n\nColonne remplie par l’outil : un texte modifié ici à la "
            "main est déplacé dans « Notes » à la prochaine exécution ; corrigez plutôt le "
            "fichier Word."
        )[0]
        for qid, q in questions.items()
    } | _position_comments(run)
    _header(ws, tracker, titles, widths, comments=comments,
            fills=dict.fromkeys(campaign.staff_columns, _STAFF_FILL)
            | dict.fromkeys(positions, _POSITION_FILL))
    index_of = {title: i for i, title in enumerate(titles)}
    link_to = file_links(inputs_base=inputs_base, workbook_dir=workbook_dir)
    file_index, status_index = index_of[COLUMN_FILE], index_of[COLUMN_STATUS]
    sheet = SheetRows(ws)

    items: list[FileResult | KeptFile | AbsentFile] = [*run.files, *campaign.kept,
                                                       *campaign.absent]
    kept, left_out = _capped(items)
    links = 0
    for item in items[:kept]:
        owner = item.path
        status: Status | None
        if isinstance(item, FileResult):
            cells = raw_cells(item, run)
            history = campaign.history.get(item.path)
            staff = history.staff if history else ()
            change = (CHANGE_LABELS[history.change] + (f" ({history.detail})"
                      if history.detail else "")) if history else ""
            status = item.status
        elif isinstance(item, KeptFile):
            cells = dict(item.cells)  # as they were, hand edits included
            cells[COLUMN_FILE] = item.path
            if item.status is None:
                cells[COLUMN_STATUS] = CHANGE_LABELS[ChangeKind.ABSENT]
            staff = item.staff
            change = KEPT_CHANGE + (f" ; renommé (ancien nom : {item.renamed_from})"
                                    if item.renamed_from else "")
            status = item.status
        else:
            cells = dict(item.cells)
            cells[COLUMN_STATUS] = CHANGE_LABELS[ChangeKind.ABSENT]
            staff = item.staff
            change = "absent : fichier retiré du dossier ou introuvable"
            status = None
        cells[COLUMN_CHANGE] = change
        line: list[Text | Typed | None] = [None] * len(titles)
        for title, value in cells.items():
            if title in index_of:
                line[index_of[title]] = tracker.text(value, owner)
        dated = parse_french_date(cells.get(COLUMN_DATE, ""))
        if dated is not None and COLUMN_DATE in index_of:  # a date, sorted as a date
            line[index_of[COLUMN_DATE]] = Typed(dated, _DATE_TIME_STYLE if " " in cells[
                COLUMN_DATE].strip() else _DATE_STYLE)
        for title, staff_value in staff:
            if title in index_of:
                line[index_of[title]] = _staff_cell(staff_value)
        for qid, (text, automatic) in position_cells(item, campaign, list(questions)).items():
            line[index_of[position_column(qid)]] = tracker.text(
                text, style=_AUTOMATIC_STYLE if automatic else _WRAP_STYLE)
        name_cell = line[file_index]
        # A reply that came in an e-mail links to the message it came in.
        target = (item.message or item.path) if isinstance(item, FileResult) else item.path
        link = link_to(target) if links < EXCEL_MAX_HYPERLINKS and status is not None else None
        if link is None or not isinstance(name_cell, Text):
            link = None
        else:
            line[file_index] = _text(name_cell.value, _LINK_STYLE)
            links += 1
        status_cell = line[status_index]
        if isinstance(status_cell, Text):
            line[status_index] = _text(status_cell.value, _STATUS_CELL_STYLES[status]
                                       if status is not None else _ABSENT_CELL_STYLE)
        height = row_height([(cell.value, widths[column]) for column, cell in enumerate(line)
                             if cell is not None and isinstance(cell.value, str)])
        sheet.append(line, links={file_index + 1: link} if link is not None else None,
                     height=height)
    _position_list(ws, titles, run, kept + 1)
    last = _finish(ws, sheet, tracker, kept=kept, left_out=left_out, columns=len(titles),
                   what="fichiers")
    return sheet, last, bool(left_out)


# Row heights for wrapped text: a line of 11 pt Calibri is 15 pt high, and a column of
# width w holds about 1.1 w characters of ordinary text (w counts the digit « 0 », wider
# than most letters). Excel's highest row is 409 pt: a longer answer is cut in print,
# whole in the cell.
_LINE_PT, _MAX_ROW_PT = 15, 409


def row_height(texts: Sequence[tuple[str, int]]) -> float | None:
    """The height in points for a row whose wrapped cells hold these (text, column
    width) pairs; None for a single line (the sheet's default height)."""
    lines = 1
    for text, width in texts:
        per_line = max(int(width * 1.1), 1)
        lines = max(lines, sum(max(1, -(-len(line) // per_line))
                               for line in text.split("\n")))
    return None if lines == 1 else float(min(lines * _LINE_PT, _MAX_ROW_PT))


def _staff_cell(value: StaffValue, style: CellStyle | None = _WRAP_STYLE) -> Typed:
    """Staff cells go back as the staff typed them (a formula they wrote stays one)."""
    if isinstance(value, str):
        return Typed(clean_text(value)[0], style)
    return Typed(value, style)


def state_rows(run: Run, campaign: Campaign, shown_cells: dict[str, dict[str, str]]
               ) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the hidden state sheet for this run (`layout.state_header`):
    what the next run reads back to tell the staff's edits from the tool's cells."""
    question_ids = [q.id for q in run.questionnaire.questions]
    columns = extracted_columns(question_ids)
    rows: list[list[str]] = []
    for result in run.files:
        cells = shown_cells.get(result.path, {})
        rows.append([result.path, result.sha256 or "", result.status.value,
                     *(answer_digest(result.answer(q)) for q in question_ids),
                     *(cells.get(c, "") for c in columns)])
    for kept in campaign.kept:
        digests, written = dict(kept.digests), dict(kept.written) | {COLUMN_FILE: kept.path}
        rows.append([kept.path, kept.sha256 or "", kept.status.value if kept.status else "",
                     *(digests.get(q, "") for q in question_ids),
                     *(written.get(c, "") for c in columns)])
    for absent in campaign.absent:
        # As the sheet shows it: its status cell says « absent » (see `_answers_sheet`).
        cells = dict(absent.cells) | {COLUMN_STATUS: CHANGE_LABELS[ChangeKind.ABSENT]}
        digests = dict(absent.digests)
        rows.append([absent.path, absent.sha256 or "", "",
                     *(digests.get(q, "") for q in question_ids),
                     *(cells.get(c, "") for c in columns)])
    # The automatic positions written (how staff edits are told apart); the questionnaire
    # marker's column, last, holds no cells.
    items: list[FileResult | KeptFile | AbsentFile] = [*run.files, *campaign.kept,
                                                       *campaign.absent]
    for values, item in zip(rows, items, strict=True):
        positions = position_cells(item, campaign, question_ids)
        values.extend(text if automatic else ""
                      for text, automatic in (positions.get(q, ("", False))
                                              for q in question_ids))
    return state_header(run.questionnaire), rows


def _state_sheet(
    ws: Worksheet, run: Run, campaign: Campaign, shown: dict[str, dict[str, str]]
) -> tuple[SheetRows, int]:
    """The hidden sheet with what this run wrote, read back by the next run."""
    ws.sheet_state = "hidden"
    header, rows = state_rows(run, campaign, shown)
    ws.append([_text_cell(ws, value) for value in header])
    sheet = SheetRows(ws)
    for values in rows:
        # Already safe: copies of cells above; stored as text, whatever they look like.
        sheet.append([Text(value) for value in values])
    return sheet, len(rows) + 1


def _text_cell(ws: Worksheet, value: str) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _questions_sheet(ws: Worksheet, run: Run, tracker: _Tracker) -> tuple[SheetRows, int]:
    _header(ws, tracker, [COLUMN_QUESTION_ID, COLUMN_QUESTION_TEXT, COLUMN_QUESTION_KIND],
            [12, 100, 14],
            comments={COLUMN_QUESTION_KIND: (
                "« fermée » : une question à laquelle on répond oui ou non (les réponses "
                "ont une position) ; « ouverte » : sans position. Se change dans le "
                "questionnaire (clé kind), pas ici.")})
    sheet = SheetRows(ws)
    for question in run.questionnaire.questions:
        sheet.append([tracker.text(question.id, style=None), tracker.text(question.text),
                      tracker.text(question.kind.value, style=None)])
    return sheet, len(run.questionnaire.questions) + 1


def _issues_sheet(ws: Worksheet, run: Run, tracker: _Tracker
                  ) -> tuple[SheetRows, int, bool]:
    titles = ["Fichier", "Gravité", "Code", "Question", "Message"]
    _header(ws, tracker, titles, [32, 15, 22, 10, 90])
    sheet = SheetRows(ws)
    rows: list[tuple[FileResult, int]] = [
        (result, index) for result in run.files for index in range(len(result.issues))
    ]
    kept, left_out = _capped(rows)
    for result, index in rows[:kept]:
        issue = result.issues[index]
        values = [
            result.path,
            SEVERITY_LABELS[issue.severity],
            issue.code.value,
            issue.question or "",
            issue.message,
        ]
        sheet.append([tracker.text(value, result.path) for value in values])
    last = _finish(ws, sheet, tracker, kept=kept, left_out=left_out, columns=len(titles),
                   what="problèmes")
    return sheet, last, bool(left_out)


_RECIPIENT_STYLES: dict[RecipientState, CellStyle] = {
    RecipientState.REPLIED: _STATUS_CELL_STYLES[Status.OK],
    RecipientState.NOT_REPLIED: _STATUS_CELL_STYLES[Status.ERROR],
    RecipientState.TO_CHECK: _STATUS_CELL_STYLES[Status.WARNING],
    RecipientState.REMOVED: _ABSENT_CELL_STYLE,
}


def _recipients_sheet(ws: Worksheet, status: RecipientsStatus, tracker: _Tracker
                      ) -> tuple[SheetRows, int]:
    """Fill « Destinataires »: each listed organisation, whether it replied, the staff's
    « Relance » column; below, the replies from organisations not on the list. Returns
    its rows and the number of rows written."""
    relance = RECIPIENT_COLUMNS[-1]
    titles = [*RECIPIENT_COLUMNS, *status.extra_columns]
    _header(ws, tracker, titles, [40, 30, 16, 40, 50, 24, *(24 for _ in status.extra_columns)],
            fills=dict.fromkeys([relance, *status.extra_columns], _STAFF_FILL),
            comments={relance: "Colonne à vous : date ou note de relance. Elle est gardée "
                               "d’une exécution à l’autre, par nom d’organisation."})
    sheet = SheetRows(ws)
    row = 1
    for item in status.rows:
        row += 1
        values = [item.recipient.name,
                  " | ".join((*item.recipient.aliases, *item.recipient.addresses)),
                  STATE_LABELS[item.state], "\n".join(item.replies), "\n".join(item.to_check)]
        line: list[Text | Typed | None] = [tracker.text(value) for value in values]
        line[2] = tracker.text(values[2], style=_RECIPIENT_STYLES[item.state])
        typed = dict(item.extra)
        for title in titles[len(values):]:
            staff = item.relance if title == relance else typed.get(title)
            if staff is None:
                line.append(Typed(None, _WRAP_STYLE))  # an empty cell, wrapping if typed in
            elif isinstance(staff, datetime):
                line.append(_staff_cell(staff, _DATE_STYLE if staff.time() == time()
                                        else _DATE_TIME_STYLE))
            else:
                line.append(_staff_cell(staff))
        sheet.append(line)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(titles))}{row}"
    if not status.unlisted:
        return sheet, row
    sheet.append([])
    sheet.append([tracker.text(UNLISTED_TITLE, style=_PART_TITLE_STYLE)])
    sheet.append([tracker.text(text, style=_PART_HEADER_STYLE) for text in UNLISTED_COLUMNS])
    row += 3
    for reply in status.unlisted:
        row += 1
        maybe = " ou ".join(f"« {name} »" for name in reply.candidates)
        values = [reply.organisation or "(organisation inconnue)", reply.path,
                  f"{maybe} ({reply.reason}) : à vérifier" if maybe else ""]
        sheet.append([tracker.text(value) for value in values])
    return sheet, row


# oui, non, nuancé, non précisé: the report's colours.
_POSITION_COLOURS = ("2E7D32", "C62828", "F0A500", "9E9E9E")
_SYNTHESIS_COMMENTS = {
    "Question": "Le texte complet des questions est dans la feuille « Questions ».",
    "Encore automatiques": "Positions proposées par l’outil que personne n’a encore "
    "confirmées dans la feuille « Réponses » (colonnes « Position Q… »).",
    "Sans réponse": "Fichiers sans réponse à cette question et sans position saisie.",
    "Saisies non reconnues": "Positions tapées qui ne sont ni oui, ni non, ni nuancé, ni "
    "non précisé : gardées dans « Réponses », comptées nulle part. Corrigez-les.",
}


_OPEN_TITLE = "Questions ouvertes : pas de position automatique"
_OPEN_TITLE_FONT = Font(bold=True, color="1F4E78", size=12)
_OPEN_COLUMNS = ("Question", "Réponses à lire", "Positions saisies", "Sans réponse")
_OPEN_NOTE = ("On ne répond pas à ces questions par oui ou non (« Quelle place… ? », "
              "« Comment… ? ») : lisez les réponses dans la feuille « Réponses ». Si une "
              "question est en fait fermée, changez son « kind » dans le fichier du "
              "questionnaire et relancez.")

EXCLUDED_TITLES = ("Non comptées (non publiées)", "Organisation", "Raison")


def _synthesis_sheet(ws: Worksheet, run: Run, campaign: Campaign, tracker: _Tracker) -> int:
    """One row per closed question, one column per position (staff positions counted over
    the automatic ones), the share still automatic, and a stacked bar chart of it all;
    the replies not counted, right of the table; then, apart, the open questions, which
    get no automatic position."""
    from openpyxl.chart import BarChart, Reference

    from cuf_extract.models import Position
    from cuf_extract.positions import synthesis_table

    table = synthesis_table(run, campaign)
    closed = [item for item in table if not item.is_open]
    opened = [item for item in table if item.is_open]
    titles = ["Question", *(p.value for p in Position), "Total", "Encore automatiques",
              "Part automatique", "Sans réponse", "Saisies non reconnues"]
    comments = {
        **_SYNTHESIS_COMMENTS,
        **{p.value: f"Réponses « {p.value} » : positions saisies, sinon proposées par "
                    "l’outil." for p in Position},
    }
    # The replies not counted (not to be published) are listed apart, right of the table.
    excluded = list(campaign.excluded)
    apart = len(titles) + 2
    if excluded:
        titles = [*titles, *([""] * (apart - 1 - len(titles))), *EXCLUDED_TITLES]
    _header(ws, tracker, titles,
            [12, 10, 10, 10, 12, 10, 20, 18, 16, 22, 4, 32, 28, 50][:len(titles)],
            comments=comments)
    lines: list[list[Cell]] = []
    for row, item in enumerate(closed, start=2):
        label = _cell(ws, row=row, column=1)
        tracker.put(label, item.question)
        values: list[int | float] = [
            *(item.count(p) for p in Position), item.total, item.still_automatic,
            item.share_automatic, item.no_answer, item.unrecognised,
        ]
        line = [label]
        for column, value in enumerate(values, start=2):
            cell = _cell(ws, row=row, column=column)
            cell.value = value
            if isinstance(value, float):
                cell.number_format = "0 %"
            line.append(cell)
        lines.append(line)
    for index, reply in enumerate(excluded):
        row = index + 2
        if index >= len(lines):
            lines.append([])
        line = lines[index]
        line.extend([_cell(ws, row=row, column=c) for c in range(len(line) + 1, apart)])
        for offset, text in enumerate((reply.path, reply.organisation, reply.reason)):
            cell = _cell(ws, row=row, column=apart + offset)
            tracker.put(cell, text)
            line.append(cell)
    for line in lines:
        ws.append(line)
    rows = len(lines) + 1
    if opened:
        ws.append([])
        title = _cell(ws, row=rows + 2, column=1)
        tracker.put(title, _OPEN_TITLE)
        title.font = _OPEN_TITLE_FONT
        note = _cell(ws, row=rows + 3, column=1)
        tracker.put(note, _OPEN_NOTE)
        note.font = _AUTOMATIC_FONT
        ws.append([title])
        ws.append([note])
        header: list[Cell] = []
        for column, text in enumerate(_OPEN_COLUMNS, start=1):
            cell = _cell(ws, row=rows + 4, column=column)
            tracker.put(cell, text)
            cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
            header.append(cell)
        ws.append(header)
        rows += 4
        for item in opened:
            rows += 1
            label = _cell(ws, row=rows, column=1)
            tracker.put(label, item.question)
            line = [label]
            for column, value in enumerate(
                    (item.open_answers, sum(item.confirmed.values()), item.no_answer),
                    start=2):
                cell = _cell(ws, row=rows, column=column)
                cell.value = value
                line.append(cell)
            ws.append(line)
    if closed:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "Positions par question"
        chart.y_axis.title = "Réponses"
        chart.x_axis.scaling.orientation = "maxMin"  # Q1 at the top, as in the table
        chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides axes otherwise
        chart.y_axis.majorUnit = max(1, -(-max(item.total for item in closed) // 10))
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(Position), min_row=1,
                                 max_row=len(closed) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(closed) + 1))
        for series, colour in zip(chart.series, _POSITION_COLOURS, strict=True):
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
        chart.height, chart.width = 4 + 1.2 * len(closed), 18
        ws.add_chart(chart, f"A{rows + 3}")
    return rows


def _discard(workbook: Workbook) -> None:
    """Close a write-only workbook that was not saved, removing its temporary files
    (left open, its row streams fail noisily when garbage-collected)."""
    for sheet in workbook.worksheets:
        with contextlib.suppress(Exception):
            sheet.close()
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def verify_workbook(path: Path, expected: dict[str, int]) -> None:
    """Read the written workbook back and check its sheets and row counts.

    It reads the package itself (every part's CRC checked, every sheet's XML parsed to
    the end by expat) rather than loading it into openpyxl objects: the same proof that
    the file is whole and holds the rows, for a tenth of the time on a large workbook.
    """
    import zipfile
    from xml.parsers.expat import ExpatError

    from lxml import etree

    def fail(why: str) -> OutputError:
        return OutputError(f"Le tableur écrit ne peut pas être relu ({why}).")

    try:
        with zipfile.ZipFile(path) as package:
            workbook = etree.fromstring(package.read("xl/workbook.xml"))
            rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
            targets = {
                rel.get("Id"): rel.get("Target", "").lstrip("/").removeprefix("xl/")
                for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
            }
            sheets = [
                (sheet.get("name"), targets.get(sheet.get(f"{{{_DOC_REL_NS}}}id")))
                for sheet in workbook.iter(f"{{{_SHEET_NS}}}sheet")
            ]
            if [name for name, _ in sheets] != list(expected):
                raise OutputError(
                    "Le tableur écrit ne contient pas les feuilles attendues "
                    f"({', '.join(str(name) for name, _ in sheets)})."
                )
            for name, target in sheets:
                if target is None:
                    raise fail(f"feuille « {name} » introuvable")
                with package.open(f"xl/{target}") as part:
                    found = count_sheet_rows(part)
                if found != expected[str(name)]:
                    raise OutputError(
                        f"La feuille « {name} » du tableur écrit a {found} lignes au lieu "
                        f"de {expected[str(name)]}."
                    )
    except OutputError:
        raise
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, ExpatError) as exc:
        raise fail(str(exc)) from exc


# A row's start tag as openpyxl writes it (no prefix: the sheet's default namespace).
# Five bytes: never whole inside the four kept from the previous chunk.
_ROW_TAG = re.compile(rb"<row[\s/>]")


def count_sheet_rows(part: IO[bytes]) -> int:
    """The rows of a sheet, parsed to its end without building a tree (memory stays flat
    whatever the answers' length). A "<row" in the XML is always a tag: in text and
    attribute values "<" is escaped, and the writer puts no comment or CDATA there."""
    from xml.parsers.expat import ParserCreate

    parser = ParserCreate()
    found, tail = 0, b""
    while chunk := part.read(1 << 16):
        parser.Parse(chunk, False)
        window = tail + chunk
        found += len(_ROW_TAG.findall(window))
        tail = window[-4:]
    parser.Parse(b"", True)
    return found


def _ordered(keys: Iterable[str], run: Run) -> tuple[str, ...]:
    wanted = set(keys)
    return tuple(dict.fromkeys(r.path for r in run.files if r.path in wanted))


def write_xlsx(
    run: Run,
    target: Path,
    *,
    inputs_base: Path,
    campaign: Campaign | None = None,
    shown: dict[str, dict[str, str]] | None = None,
    recipients: RecipientsStatus | None = None,
    questionnaire: Questionnaire | None = None,
) -> XlsxResult:
    """Write the spreadsheet for `run` to `target` atomically.

    `inputs_base` is the folder the relative `FileResult.path` values are relative to
    (usually the current directory). `shown` is `shown_cells(run)` when the caller has
    already computed it (to compare with the previous run). `recipients` adds the
    « Destinataires » sheet (see `cuf_extract.recipients`). `questionnaire` gives the
    workbook's title and author properties, which `cuf-extract publication` reads back
    as the publication's title and publisher. The returned
    `XlsxResult.path` may differ from
    `target` when the target was open in Excel (see `atomic_write`).
    """
    target = Path(target)
    workbook_dir = target.absolute().parent
    tracker = _Tracker()
    # Write-only: rows stream to a temporary file as they are made, so memory does not
    # grow with the number of cells (openpyxl keeps every cell object otherwise).
    workbook = Workbook(write_only=True)
    if questionnaire is not None:
        workbook.properties.title = clean_text(questionnaire.title)[0]
        if questionnaire.owner:
            workbook.properties.creator = clean_text(questionnaire.owner[0])[0]
    answers = workbook.create_sheet(SHEET_ANSWERS)
    if campaign is None:
        campaign = Campaign(
            staff_columns=STAFF_COLUMNS,
            history={r.path: FileHistory(change=ChangeKind.NEW) for r in run.files},
        )
    answer_sheet, answer_rows, answers_cut = _answers_sheet(
        answers, run, campaign, tracker, inputs_base=inputs_base, workbook_dir=workbook_dir
    )
    question_sheet, question_rows = _questions_sheet(workbook.create_sheet(SHEET_QUESTIONS),
                                                     run, tracker)
    issue_sheet, issue_rows, issues_cut = _issues_sheet(workbook.create_sheet(SHEET_ISSUES),
                                                        run, tracker)
    sheets = [answer_sheet, question_sheet, issue_sheet]
    recipient_rows = None
    if recipients is not None:
        recipient_sheet, recipient_rows = _recipients_sheet(
            workbook.create_sheet(SHEET_RECIPIENTS), recipients, tracker)
        sheets.append(recipient_sheet)
    synthesis_rows = _synthesis_sheet(workbook.create_sheet(SHEET_SYNTHESIS), run, campaign,
                                      tracker)
    state_sheet, state_rows_count = _state_sheet(
        workbook.create_sheet(SHEET_STATE), run, campaign,
        shown if shown is not None else shown_cells(run))
    sheets.append(state_sheet)
    expected = {
        SHEET_ANSWERS: answer_rows,
        SHEET_QUESTIONS: question_rows,
        SHEET_ISSUES: issue_rows,
        **({SHEET_RECIPIENTS: recipient_rows} if recipient_rows is not None else {}),
        SHEET_SYNTHESIS: synthesis_rows,
        SHEET_STATE: state_rows_count,
    }

    try:
        for sheet in sheets:
            sheet.close()
        written = atomic_write(target, workbook.save, lambda path: verify_workbook(path, expected))
    except BaseException:
        for sheet in sheets:
            sheet.discard()
        _discard(workbook)
        raise
    cut = tuple(
        name for name, was_cut in ((SHEET_ANSWERS, answers_cut), (SHEET_ISSUES, issues_cut))
        if was_cut
    )
    return XlsxResult(
        path=written,
        replaced_files=_ordered(tracker.replaced, run),
        rows_cut=cut,
    )
