"""The fast reading of the previous workbook gives exactly what openpyxl reads, or declines."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from cuf_extract import campaign, workbook_reader
from cuf_extract.campaign import other_campaign, read_previous
from cuf_extract.convert import find_soffice
from cuf_extract.layout import SHEET_ANSWERS, SHEET_RECIPIENTS, SHEET_STATE
from cuf_extract.questionnaire import load_questionnaire
from cuf_extract.workbook_reader import read_plain_sheets
from tests.conftest import run_cli, type_in_sheet
from tests.fixtures.builder import questionnaire_doc, text_p

QIDS = ["Q1", "Q2", "Q3", "Q4", "Q5"]
SHEETS = (SHEET_ANSWERS, SHEET_STATE, SHEET_RECIPIENTS)
# What staff type, of every kind a cell holds: kept as typed from run to run.
STAFF = {
    "replies/a.docx": {"Notes": "Relu.\nÀ rappeler _x0041_ ", "Statut de suivi": 3,
                       "Organisation (corrigée)": 2.5, "Reçu le": datetime(2020, 2, 7),
                       "Position Q1": "nuancé"},
    "replies/b.docx": {"Notes": True, "Reçu le": datetime(2020, 2, 8, 14, 30),
                       "Statut de suivi": "  à relancer  "},
}


def run(folder: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> None:
    run_cli("replies", *extra, cwd=folder, monkeypatch=monkeypatch)


def type_in(path: Path, typed: dict[str, dict[str, object]]) -> None:
    """The staff's edits, saved by openpyxl (shared strings, as Excel saves)."""
    type_in_sheet(path, SHEET_ANSWERS, typed)
    workbook = openpyxl.load_workbook(path)
    relance = workbook[SHEET_RECIPIENTS]
    relance.cell(row=2, column=6, value=datetime(2020, 2, 12))
    relance.cell(row=3, column=6, value="par courriel")
    workbook.save(path)


@pytest.fixture
def rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workbook as the tool rewrites it on a rerun, carrying staff cells of every kind."""
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "a.docx").write_bytes(questionnaire_doc(
        {"Q1": [text_p("Oui, _x0041_ et « guillemets » ; = pas une formule")],
         "Q2": [text_p("Non.")]}))
    (replies / "b.docx").write_bytes(questionnaire_doc({q: [text_p(f"Réponse B {q}.")]
                                                        for q in QIDS}))
    (tmp_path / "destinataires.txt").write_text("Parti A\nParti B | PB\n", encoding="utf-8")
    run(tmp_path, monkeypatch, "--destinataires", "destinataires.txt")
    type_in(tmp_path / "reponses.xlsx", STAFF)
    run(tmp_path, monkeypatch)  # rewritten by the tool, staff cells carried over
    return tmp_path / "reponses.xlsx"


def openpyxl_rows(path: Path, name: str) -> list[list[object]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [trimmed(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()


def trimmed(row: object) -> list[object]:
    values = list(row)  # type: ignore[call-overload]
    while values and values[-1] is None:
        values.pop()
    return values


def through_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_reader, "read_plain_sheets", lambda *a, **k: None)


def test_the_tools_workbook_reads_the_same_as_through_openpyxl(rewritten: Path) -> None:
    sheets = read_plain_sheets(rewritten, SHEETS)
    assert sheets is not None, "a workbook the tool wrote is read without openpyxl"
    assert set(sheets) == set(SHEETS)
    for name in SHEETS:
        assert [trimmed(r) for r in sheets[name]] == openpyxl_rows(rewritten, name)
    header = sheets[SHEET_ANSWERS][0]
    row = next(r for r in sheets[SHEET_ANSWERS] if r and r[0] == "replies/a.docx")
    cells = dict(zip(header, row, strict=False))
    # Values of every kind come back with their type: dates, numbers, text as typed.
    assert cells["Reçu le"] == datetime(2020, 2, 7)
    assert cells["Statut de suivi"] == 3 and cells["Organisation (corrigée)"] == 2.5
    assert cells["Notes"] == "Relu.\nÀ rappeler _x0041_ "
    assert cells["Position Q1"] == "nuancé"


def test_the_previous_rows_are_the_same_through_both_readers(
    rewritten: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = read_previous(rewritten, QIDS)
    questionnaire = load_questionnaire(None).ref()
    assert other_campaign(rewritten, questionnaire) is None
    through_openpyxl(monkeypatch)
    assert read_previous(rewritten, QIDS) == fast
    assert other_campaign(rewritten, questionnaire) is None
    assert fast is not None and fast.recipients is not None
    staff = {row.path: row.staff for row in fast.rows}
    assert staff["replies/b.docx"]["Reçu le"] == datetime(2020, 2, 8, 14, 30)
    assert staff["replies/b.docx"]["Notes"] is True
    assert {r.name: r.relance for r in fast.recipients} == {
        "Parti A": datetime(2020, 2, 12), "Parti B": "par courriel"}


def test_a_workbook_saved_again_by_openpyxl_reads_the_same(
    rewritten: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(rewritten).save(resaved)  # styles and parts rewritten
    fast = read_previous(resaved, QIDS)
    assert fast is not None and len(fast.rows) == 2
    through_openpyxl(monkeypatch)
    assert read_previous(resaved, QIDS) == fast


def test_a_formula_typed_by_the_staff_sends_the_workbook_to_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "a.docx").write_bytes(questionnaire_doc({"Q1": [text_p("Oui.")]}))
    run(tmp_path, monkeypatch)
    type_in_answers = {"replies/a.docx": {"Notes": "=1+1"}}
    workbook = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    sheet = workbook[SHEET_ANSWERS]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Notes") + 1, value=type_in_answers[
        "replies/a.docx"]["Notes"])
    workbook.save(tmp_path / "reponses.xlsx")
    run(tmp_path, monkeypatch)
    path = tmp_path / "reponses.xlsx"
    assert read_plain_sheets(path, SHEETS) is None  # a formula: openpyxl reads it
    previous = read_previous(path, QIDS)
    assert previous is not None and previous.rows[0].staff["Notes"] == "=1+1"


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 not a zip", None])
def test_a_damaged_workbook_is_left_to_openpyxl(tmp_path: Path, damage: bytes | None) -> None:
    path = tmp_path / "reponses.xlsx"
    if damage is None:  # a zip without a workbook part
        import zipfile

        with zipfile.ZipFile(path, "w") as package:
            package.writestr("xl/other.xml", "<x/>")
    else:
        path.write_bytes(damage)
    assert read_plain_sheets(path, SHEETS) is None
    with pytest.raises(campaign.PreviousUnreadable):
        read_previous(path, QIDS)


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_saved_by_another_program_is_read_by_openpyxl(
    rewritten: Path, tmp_path: Path
) -> None:
    soffice = find_soffice()
    assert soffice is not None
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "calc"), str(rewritten)],
        capture_output=True, timeout=120, text=True, check=False,
    )
    converted = tmp_path / "calc" / rewritten.name
    if not converted.is_file():
        pytest.skip(f"LibreOffice Calc could not convert the workbook: {done.stderr}")
    assert read_plain_sheets(converted, SHEETS) is None  # shared strings: openpyxl
    again, before = read_previous(converted, QIDS), read_previous(rewritten, QIDS)
    assert again is not None and before is not None
    assert [(r.path, r.sha256, r.digests, r.positions_shown) for r in again.rows] == [
        (r.path, r.sha256, r.digests, r.positions_shown) for r in before.rows]
    # A date and time and text come back alike (Calc turns a boolean into =TRUE()).
    for name in ("Reçu le", "Statut de suivi"):
        assert again.rows[1].staff[name] == before.rows[1].staff[name]


def sheet_with(tmp_path: Path, rows_xml: str, *, before: str = "") -> Path:
    """A workbook whose « Réponses » sheet holds `rows_xml` as its sheetData."""
    import zipfile

    made = tmp_path / "made.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    workbook.create_sheet(SHEET_ANSWERS).append(["x"])
    workbook.save(made)
    path = tmp_path / "variant.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = (f'<worksheet xmlns="{NS}">{before}<sheetData>{rows_xml}</sheetData>'
                        "</worksheet>").encode()
            target.writestr(name, data)
    return path


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


@pytest.mark.parametrize(("rows_xml", "before"), [
    # Row 2 missing, a gap between cells, cells without a reference, numbers, booleans.
    (f'<row r="1">{inline("A1", "Fichier")}{inline("C1", " Notes ")}</row>'
     f'<row r="3"><c r="A3" t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c>'
     f'<c><v>2.5</v></c><c r="F3" t="b"><v>1</v></c><c r="G3" t="str"><v>=x</v></c>'
     f'<c r="H3"/><c r="I3" t="inlineStr"><is/></c></row>', ""),
    # A dimension pads every row to its last column and ends the sheet at its last row.
    (f'<row r="1">{inline("A1", "Fichier")}</row><row r="2">{inline("B2", "b")}</row>'
     f'<row r="4">{inline("E4", "beyond the last column")}</row>'
     f'<row r="5">{inline("A5", "beyond the last row")}</row>', '<dimension ref="A1:D4"/>'),
])
def test_rows_are_read_as_openpyxl_reads_them(tmp_path: Path, rows_xml: str,
                                              before: str) -> None:
    path = sheet_with(tmp_path, rows_xml, before=before)
    sheets = read_plain_sheets(path, [SHEET_ANSWERS])
    assert sheets is not None
    assert [trimmed(r) for r in sheets[SHEET_ANSWERS]] == openpyxl_rows(path, SHEET_ANSWERS)
    first = read_plain_sheets(path, [SHEET_ANSWERS], first_row_only=True)
    assert first is not None and first[SHEET_ANSWERS] == sheets[SHEET_ANSWERS][:1]


@pytest.mark.parametrize("rows_xml", [
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',  # a shared string
    '<row r="1"><c r="A1" t="inlineStr"><is><r><t>rich</t></r></is></c></row>',
    '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>',  # a formula
    '<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>',  # an error
    '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>',
    '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>',  # cells out of order
    '<row r="1"><c r="A1"><v>1</v></c><extLst/></row>',  # openpyxl takes it for a cell
])
def test_what_openpyxl_alone_reads_exactly_is_declined(tmp_path: Path, rows_xml: str) -> None:
    assert read_plain_sheets(sheet_with(tmp_path, rows_xml), [SHEET_ANSWERS]) is None
