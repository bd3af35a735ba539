"""Rows written as text by `writers.sheet_rows` give the workbook openpyxl's own cell
writer gives: same sheet XML, same styles, same hyperlinks."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from cuf_extract.writers import sheet_rows
from cuf_extract.writers.sheet_rows import CellStyle, SheetRows, Text, Typed

WRAP = CellStyle(alignment=Alignment(wrap_text=True, vertical="top"))
QUOTED = CellStyle(alignment=Alignment(wrap_text=True, vertical="top"), quote_prefix=True)
STATUS = CellStyle(font=Font(color="006100", bold=True),
                   fill=PatternFill("solid", fgColor="C6EFCE"),
                   alignment=Alignment(wrap_text=True, vertical="top"))
LINK = CellStyle(named="Hyperlink", alignment=Alignment(wrap_text=True, vertical="top"))
DATE = CellStyle(alignment=Alignment(wrap_text=True), number_format="DD/MM/YYYY")

# Rows of (cell, hyperlink target or None); None cells are left out, as openpyxl does.
ROWS: list[list[tuple[Text | Typed | None, str | None]]] = [
    [(Text("parti a.docx", LINK), "../r%C3%A9ponses/parti%20a.docx"),
     (Text("OK", STATUS), None), (None, None),
     (Text("Oui → dès 2026 ; « vraiment » & <b>gras</b> \"cité\" 'apostrophe'", WRAP), None)],
    [(Text(" espace devant", WRAP), None), (Text("espace derrière\u00a0", WRAP), None),
     (Text("   ", WRAP), None), (Text("", WRAP), None), (Text("a\r\nb\n\tc"), None),
     (Text("=1+1", QUOTED), None), (Text("-moins", QUOTED), None),
     (Text("emoji \U0001F600 et 漢字 et _x0041_"), None)],
    [],
    [(Typed(42, WRAP), None), (Typed(2.5, WRAP), None), (Typed(True, WRAP), None),
     (Typed(datetime(2026, 11, 30, 9, 15), DATE), None), (Typed("=SUM(1,2)", WRAP), None),
     (Typed("#N/A", WRAP), None), (Typed("-", WRAP), None), (Typed("", WRAP), None),
     (Typed(None, WRAP), None), (Typed(None), None), (Typed("note libre", WRAP), None)],
    [(Text("x" * 5000 + " fin ", WRAP), "https://example.org/a?b=1&c=2")],
    [(Typed(datetime(2020, 2, 9), DATE), None),
     (Typed(datetime(2020, 2, 9, 18, 40, 13, 500), DATE), None),
     (Typed(datetime(1900, 1, 1), DATE), None), (Typed(datetime(9999, 12, 31, 23, 59), DATE),
                                                 None)],
]


def _header(ws: object) -> None:
    ws.append(["Fichier", "Statut", "Vide", "Texte"])  # type: ignore[attr-defined]


def _with_sheet_rows() -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Feuille")
    _header(ws)
    rows = SheetRows(ws)
    for row in ROWS:
        links = {column: target for column, (_, target) in enumerate(row, start=1) if target}
        rows.append([cell for cell, _ in row], links=links)
    rows.close()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_openpyxl_cells() -> bytes:
    """The same rows through openpyxl's cell objects, as the writer did before."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Feuille")
    _header(ws)
    for row in ROWS:
        line: list[WriteOnlyCell | None] = []
        for cell, target in row:
            if cell is None:
                line.append(None)
                continue
            made = WriteOnlyCell(ws, value=cell.value)
            if isinstance(cell, Text):
                made.data_type = "s"
            if cell.style is not None:
                cell.style.apply(made)
            if target:
                made.hyperlink = target
            line.append(made)
        ws.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        # core.xml holds the time of writing.
        return {name: package.read(name) for name in package.namelist()
                if name != "docProps/core.xml"}


@pytest.mark.parametrize("flush", [None, 1, 300])
def test_rows_as_text_give_the_bytes_of_openpyxls_cell_writer(
    flush: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if flush is not None:  # rows going through the temporary file, in one or many pieces
        monkeypatch.setattr(sheet_rows, "_FLUSH_CHARS", flush)
    ours, theirs = _parts(_with_sheet_rows()), _parts(_with_openpyxl_cells())
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name


def test_rows_read_back_as_written() -> None:
    ws = load_workbook(io.BytesIO(_with_sheet_rows()))["Feuille"]
    assert ws.max_row == 1 + len(ROWS)
    assert ws["A2"].hyperlink.target == "../r%C3%A9ponses/parti%20a.docx"
    assert ws["A2"].style == "Hyperlink" and ws["A2"].alignment.wrap_text
    assert ws["B2"].fill.fgColor.rgb == "00C6EFCE" and ws["B2"].font.b
    assert ws["C2"].value is None
    assert ws["D2"].value.startswith("Oui → dès 2026 ; « vraiment » & <b>")
    assert [ws.cell(3, c).value for c in range(1, 9)] == [
        " espace devant", "espace derrière\u00a0", "   ", None, "a\r\nb\n\tc", "=1+1",
        "-moins", "emoji \U0001F600 et 漢字 et _x0041_"]
    assert ws["F3"].data_type == "s" and ws["F3"].quotePrefix
    assert [c.value for c in ws[4]] == [None] * ws.max_column  # the empty row
    assert [ws.cell(5, c).value for c in range(1, 8)] == [
        42, 2.5, True, datetime(2026, 11, 30, 9, 15), "=SUM(1,2)", "#N/A", "-"]
    assert ws["E5"].data_type == "f" and ws["F5"].data_type == "e"
    assert ws["D5"].number_format == "DD/MM/YYYY"
    assert ws["K5"].value == "note libre"
    assert ws["A6"].value.endswith(" fin ") and len(ws["A6"].value) == 5005
    assert ws["A6"].hyperlink.target == "https://example.org/a?b=1&c=2"
    assert [ws.cell(7, c).value for c in range(1, 5)] == [
        datetime(2020, 2, 9), datetime(2020, 2, 9, 18, 40, 13), datetime(1900, 1, 1),
        datetime(9999, 12, 31, 23, 59)]  # read back to the second, as openpyxl reads it


def test_a_row_height_is_written_and_read_back() -> None:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Feuille")
    _header(ws)
    rows = SheetRows(ws)
    rows.append([Text("une\ndeux\ntrois", WRAP)], height=45)
    rows.append([Text("une", WRAP)])
    rows.close()
    out = io.BytesIO()
    workbook.save(out)
    back = load_workbook(io.BytesIO(out.getvalue()))["Feuille"]
    assert back.row_dimensions[2].height == 45
    assert back.row_dimensions[3].height is None
    with zipfile.ZipFile(out) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    # No customHeight: Excel may still fit the row again once a cell is edited.
    assert b'<row r="2" ht="45">' in sheet and b'<row r="3">' in sheet


@pytest.mark.parametrize("text", ["nul\x00", "bip\x07", "\ufffe", "\ud800"])
def test_text_xml_cannot_hold_is_refused(text: str) -> None:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Feuille")
    _header(ws)
    rows = SheetRows(ws)
    with pytest.raises(ValueError):
        rows.append([Text(text)])
    rows.close()  # the sheet stays whole: the row was refused before any of it was kept
    assert load_workbook(_saved(workbook))["Feuille"].max_row == 1


def _saved(workbook: Workbook) -> io.BytesIO:
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out
