"""The data rows of a write-only openpyxl sheet, written as SpreadsheetML text.

openpyxl builds a cell object per cell, runs its value through its type checks twice and
streams it through lxml one element at a time: on a campaign workbook (600 replies,
about 30,000 cells) that was most of the time of an unchanged rerun. Here a row of text
cells is one formatted string, in the exact bytes openpyxl's lxml cell writer gives
(ASCII with character references, ``&#13;`` for a carriage return, ``xml:space`` when
the text starts or ends with white space), and a naive datetime as openpyxl writes it
(« Date du document »). Anything else (a number, a formula or a boolean the staff
typed, a date with a time zone) goes through openpyxl's own cell writer.

The sheet itself stays openpyxl's: its header row (with the comments), column widths,
panes, filter, validations and hyperlinks. The rows go to a temporary file as they are
made (memory does not grow with the workbook); `SheetRows.close` closes the sheet, then
puts the rows in front of its ``</sheetData>``; `Workbook.save` then packs it as usual.
Styles are registered in the workbook through a prototype cell per `CellStyle`, so
styles.xml is openpyxl's too.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.hyperlink import Hyperlink

if TYPE_CHECKING:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["CellStyle", "SheetRows", "Text", "Typed"]

# What XML 1.0 cannot hold: lxml refuses it, so does this writer (a caller's bug: text
# for cells is cleaned beforehand, see `writers.clean_text`).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SHEET_DATA_END = b"</sheetData>"
_FLUSH_CHARS = 1 << 20  # rows kept in memory before they go to the temporary file


@dataclass(frozen=True, eq=False)
class CellStyle:
    """A cell's look, applied the way the writer would apply it to an openpyxl cell.

    Compared and hashed by identity: hashing openpyxl's style objects walks all their
    fields, which cost more than writing the cell. Keep one instance per look (module
    constants); another instance of the same look only costs one more prototype cell.
    """

    font: Font | None = None
    fill: PatternFill | None = None
    alignment: Alignment | None = None
    named: str | None = None  # a named style ("Hyperlink"), applied first
    quote_prefix: bool = False
    number_format: str | None = None

    def apply(self, cell: Cell) -> None:
        if self.named is not None:
            cell.style = self.named
        if self.font is not None:
            cell.font = self.font
        if self.fill is not None:
            cell.fill = self.fill
        if self.alignment is not None:
            cell.alignment = self.alignment
        if self.quote_prefix:
            cell.quotePrefix = True
        if self.number_format is not None:
            cell.number_format = self.number_format


class Text(NamedTuple):
    """A text cell (always stored as text, never a formula)."""

    value: str
    style: CellStyle | None = None


class Typed(NamedTuple):
    """A cell whose type openpyxl decides from the value: a staff member's number, date,
    boolean, or a text starting with « = » that stays their formula."""

    value: object
    style: CellStyle | None = None


RowCell = Text | Typed | None


def escape(text: str) -> str:
    """Text content as lxml serialises it in an ASCII document (before the final
    ``xmlcharrefreplace`` encoding done per sheet)."""
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, "
                         "no NULL bytes or control characters")
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class SheetRows:
    """Rows appended after those openpyxl already wrote in `ws` (its header)."""

    def __init__(self, ws: Worksheet, *, first_row: int = 2) -> None:
        self._ws = ws
        self._parts: list[str] = []
        self._pending = 0  # characters in `_parts`
        self._spill: IO[bytes] | None = None  # made once the rows outgrow `_FLUSH_CHARS`
        self._style_ids: dict[CellStyle, str] = {}
        self._date_style_ids: dict[tuple[str, CellStyle | None], str] = {}
        self._letters: list[str] = [""]
        self.next_row = first_row

    def _letter(self, column: int) -> str:
        while len(self._letters) <= column:
            self._letters.append(get_column_letter(len(self._letters)))
        return self._letters[column]

    def _style_attribute(self, style: CellStyle | None) -> str:
        if style is None:
            return ""
        found = self._style_ids.get(style)
        if found is None:
            cell = WriteOnlyCell(self._ws)
            style.apply(cell)
            found = f' s="{cell.style_id}"' if cell.has_style else ""
            self._style_ids[style] = found
        return found

    def _date_style_attribute(self, value: datetime, style: CellStyle | None) -> str:
        """A date cell's style, registered as openpyxl's cell would: made with its date
        value first (which adds openpyxl's default date format to the workbook), then
        styled."""
        key = ("date", style)
        found = self._date_style_ids.get(key)
        if found is None:
            prototype = WriteOnlyCell(self._ws, value=value)
            if style is not None:
                style.apply(prototype)
            found = f' s="{prototype.style_id}"' if prototype.has_style else ""
            self._date_style_ids[key] = found
        return found

    def append(self, cells: Sequence[RowCell], *, links: dict[int, str] | None = None,
               height: float | None = None) -> int:
        """Write one row: `cells[i]` goes in column i + 1 (None: no cell). `links` maps
        a column to a hyperlink target; `height` (points) is written as the row's `ht`
        without `customHeight`, so Excel still fits the row again when a cell is
        edited, and LibreOffice, which does not fit rows on opening, shows wrapped text
        whole. Returns the row's number."""
        row = self.next_row
        self.next_row += 1
        parts = [f'<row r="{row}" ht="{height:g}">' if height else f'<row r="{row}">']
        for column, cell in enumerate(cells, start=1):
            if cell is None or (cell.value is None and cell.style is None):
                continue  # what openpyxl leaves out too
            ref = f"{self._letter(column)}{row}"
            if isinstance(cell, Typed) and not isinstance(cell.value, str):
                workbook: Any = self._ws.parent
                if (isinstance(cell.value, datetime) and type(cell.value) is datetime
                        and cell.value.tzinfo is None and not workbook.iso_dates):
                    # « Date du document » on every row: openpyxl's bytes for a naive
                    # datetime (its serial number, "%.16g"), without its cell writer
                    # (80 µs a cell).
                    days = to_excel(cell.value, workbook.epoch)  # type: ignore[no-untyped-call]
                    serial = "%.16g" % days  # noqa: UP031
                    style = self._date_style_attribute(cell.value, cell.style)
                    parts.append(f'<c r="{ref}"{style} t="n"><v>{serial}</v></c>')
                    continue
                parts.append(self._typed(ref, row, column, cell))
                continue
            if isinstance(cell, Typed):
                assert isinstance(cell.value, str)
                if cell.value.startswith("=") or _is_error_code(cell.value):
                    parts.append(self._typed(ref, row, column, cell))
                    continue
                value = cell.value
            else:
                value = cell.value
            style = self._style_attribute(cell.style)
            if not value:
                parts.append(f'<c r="{ref}"{style} t="inlineStr"></c>')
                continue
            space = ' xml:space="preserve"' if value != value.strip() else ""
            parts.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>'
                         f"{escape(value)}</t></is></c>")
        parts.append("</row>")
        text = "".join(parts)
        self._parts.append(text)
        self._pending += len(text)
        if self._pending >= _FLUSH_CHARS:
            self._flush()
        for column, target in (links or {}).items():
            self._ws._hyperlinks.append(  # type: ignore[attr-defined]
                Hyperlink(ref=f"{self._letter(column)}{row}", target=target))
        return row

    def _typed(self, ref: str, row: int, column: int, cell: Text | Typed) -> str:
        """One cell through openpyxl's own cell writer (its type rules, dates, formulas)."""
        from openpyxl.cell._writer import write_cell
        from openpyxl.xml.functions import xmlfile

        value: Any = cell.value  # what openpyxl takes: checked by its type rules
        openpyxl_cell = WriteOnlyCell(self._ws, value=value)
        openpyxl_cell.row, openpyxl_cell.column = row, column
        if cell.style is not None:
            cell.style.apply(openpyxl_cell)
        out = BytesIO()
        with xmlfile(out) as xf:
            write_cell(xf, self._ws, openpyxl_cell, openpyxl_cell.has_style)
        return out.getvalue().decode("ascii")

    def _flush(self) -> None:
        if self._spill is None:
            # Removed by the system once closed (by `close`, `discard`, or when dropped).
            self._spill = tempfile.TemporaryFile()  # noqa: SIM115
        self._spill.write(self._encoded())
        self._parts.clear()
        self._pending = 0

    def _encoded(self) -> bytes:
        return "".join(self._parts).encode("ascii", "xmlcharrefreplace")

    def discard(self) -> None:
        """Drop the rows (the workbook is not being saved)."""
        self._parts.clear()
        if self._spill is not None:
            self._spill.close()

    def close(self) -> None:
        """Close the sheet (openpyxl writes its tail) and put the rows into it."""
        ws = self._ws
        ws.close()  # type: ignore[attr-defined]  # a write-only sheet
        path = Path(ws._writer.out)  # type: ignore[attr-defined]
        data = path.read_bytes()  # small: the header row and the sheet's set-up
        if data.count(_SHEET_DATA_END) != 1:
            raise RuntimeError(f"sheet {ws.title!r}: no single </sheetData> to write rows to")
        head, tail = data.split(_SHEET_DATA_END)
        with path.open("wb") as out:
            out.write(head)
            if self._spill is not None:
                with self._spill:
                    self._spill.seek(0)
                    shutil.copyfileobj(self._spill, out, 1 << 20)
            out.write(self._encoded())
            out.write(_SHEET_DATA_END + tail)
        self._parts.clear()


def _is_error_code(value: str) -> bool:
    from openpyxl.cell.cell import ERROR_CODES

    return value in ERROR_CODES
