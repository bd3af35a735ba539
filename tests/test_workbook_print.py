"""The workbook's « Date du document » as date cells (and older workbooks' text dates
still read), and the print set-up of its sheets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.campaign import compare, read_previous
from cuf_extract.publication import build_publication
from cuf_extract.writers.xlsx import fits_to_width, row_height, shown_cells
from tests.test_cli import run_cli
from tests.test_publication import edit_rows, reply

DATE = "Date du document"


def _column(sheet: object, title: str) -> int:
    return next(c.column for c in sheet[1] if c.value == title)  # type: ignore[index]


def _campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> Path:
    replies = tmp_path / "replies"
    replies.mkdir()
    # Same organisation twice: the later document date decides (day, then time of day).
    (replies / "a-matin.docx").write_bytes(reply("Alpha", "2020-02-09T08:15:00Z"))
    (replies / "a-soir.docx").write_bytes(reply("Alpha", "2020-02-09T18:40:00Z"))
    (replies / "b.docx").write_bytes(reply("Beta", "2020-01-31T10:00:00Z"))
    run_cli("replies", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    edit_rows(tmp_path / "reponses.xlsx", {name: {"Organisation (corrigée)": org}
                                           for name, org in (("a-matin.docx", "Alpha"),
                                                             ("a-soir.docx", "Alpha"),
                                                             ("b.docx", "Beta"))})
    return tmp_path / "reponses.xlsx"


def test_document_dates_are_date_cells_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    workbook = _campaign(tmp_path, monkeypatch, capsys)
    sheet = openpyxl.load_workbook(workbook)["Réponses"]
    column = _column(sheet, DATE)
    cells = {Path(str(sheet.cell(row=r, column=1).value)).name: sheet.cell(row=r, column=column)
             for r in range(2, sheet.max_row + 1)}
    assert cells["a-soir.docx"].value == datetime(2020, 2, 9, 18, 40)
    assert cells["a-soir.docx"].number_format == "DD/MM/YYYY HH:MM"
    assert cells["b.docx"].is_date
    # The newest version of Alpha is the evening one: the time of day counts.
    publication = build_publication(workbook, today=date(2026, 3, 1))
    assert [e.file for e in publication.entries] == ["replies/a-soir.docx", "replies/b.docx"]
    # A rerun reads the date cells back: no « modified by hand » note for them.
    code, out, _ = run_cli("replies", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert "modifiée à la main" not in out
    notes = openpyxl.load_workbook(workbook)["Réponses"]
    assert all(not cell.value for cell in next(
        notes.iter_cols(min_col=_column(notes, "Notes"), max_col=_column(notes, "Notes"),
                        min_row=2)))


def test_older_workbooks_with_text_dates_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    workbook = _campaign(tmp_path, monkeypatch, capsys)
    book = openpyxl.load_workbook(workbook)
    sheet = book["Réponses"]
    column = _column(sheet, DATE)
    for row in range(2, sheet.max_row + 1):  # as the tool wrote them before: text
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell.value, datetime):
            cell.value = cell.value.strftime("%d/%m/%Y %H:%M")
            cell.number_format = "General"
    book.save(workbook)
    publication = build_publication(workbook, today=date(2026, 3, 1))
    assert [e.file for e in publication.entries] == ["replies/a-soir.docx", "replies/b.docx"]
    from cuf_extract.pipeline import InputFile, extract_files
    from cuf_extract.questionnaire import load_questionnaire

    files = sorted((tmp_path / "replies").iterdir())
    run = extract_files([InputFile(path=f, display=f"replies/{f.name}") for f in files],
                        load_questionnaire())
    previous = read_previous(workbook, [q.id for q in run.questionnaire.questions])
    assert previous is not None
    campaign = compare(run, previous, shown_cells=shown_cells(run), today="01/03/2026")
    assert campaign.hand_edits == ()
    # And a date the staff really changed is still seen as a hand edit.
    sheet.cell(row=2, column=column).value = "01/01/2019 10:00"
    book.save(workbook)
    previous = read_previous(workbook, [q.id for q in run.questionnaire.questions])
    assert previous is not None
    campaign = compare(run, previous, shown_cells=shown_cells(run), today="01/03/2026")
    assert len(campaign.hand_edits) == 1 and DATE in campaign.hand_edits[0]


def test_print_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    workbook = _campaign(tmp_path, monkeypatch, capsys)
    book = openpyxl.load_workbook(workbook)
    answers = book["Réponses"]
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.print_title_rows == "$1:$1", sheet.title
    # « Réponses » is far too wide for one page: printed at 85 %, not shrunk to nothing,
    # its file column repeated on every page.
    assert not answers.sheet_properties.pageSetUpPr.fitToPage
    assert answers.page_setup.scale == 85
    assert answers.print_title_cols == "$A:$A"
    # « Questions » (two columns) fits one page wide and stays legible.
    assert book["Questions"].sheet_properties.pageSetUpPr.fitToPage
    assert book["Questions"].page_setup.fitToWidth == 1
    # Rows holding wrapped text are as tall as their text.
    heights = [answers.row_dimensions[r].height for r in range(2, answers.max_row + 1)]
    assert all(h is not None and h >= 30 for h in heights)


@pytest.mark.parametrize(("texts", "height"), [
    ([("court", 20)], None),
    ([("un\ndeux", 20)], 30.0),
    ([("x" * 66, 60)], None),  # 66 characters fit a 60-wide column
    ([("x" * 67, 60)], 30.0),
    ([("x" * 10_000, 60)], 409.0),  # Excel's highest row
])
def test_row_height(texts: list[tuple[str, int]], height: float | None) -> None:
    assert row_height(texts) == height


def test_fit_to_width_only_when_legible() -> None:
    assert fits_to_width([12, 100])
    assert not fits_to_width([60] * 10)
