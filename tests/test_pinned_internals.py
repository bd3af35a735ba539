"""The private parts of openpyxl and typer the tool relies on are still there.

writers/sheet_rows.py writes the workbook's rows itself, through openpyxl internals
(`ws._hyperlinks`, `openpyxl.cell._writer.write_cell`, `ws._writer.out`, and
`ws._writer.cleanup` in writers/xlsx.py); cli.py catches typer's vendored click
`UsageError` (`typer._click`). pyproject.toml caps both libraries to the minor version
tested. Before raising a cap, run this file against the new version: a failure names
what moved and where it is used.
"""

from __future__ import annotations

import re
import tomllib
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
import typer
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.xml.functions import xmlfile

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"


def _pin(name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(lowest, first excluded) minor versions of `name` in pyproject's dependencies."""
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"][
        "dependencies"]
    spec = next(d for d in dependencies if re.match(rf"{name}\b", d))
    low = re.search(r">=(\d+)\.(\d+)", spec)
    high = re.search(r"<(\d+)\.(\d+)", spec)
    assert low and high, f"{name} must be capped to a minor version in pyproject: {spec!r}"
    return ((int(low[1]), int(low[2])), (int(high[1]), int(high[2])))


@pytest.mark.parametrize(("name", "version"), [
    ("openpyxl", openpyxl.__version__), ("typer", typer.__version__)])
def test_the_installed_version_is_within_the_pin(name: str, version: str) -> None:
    low, high = _pin(name)
    installed = tuple(int(part) for part in version.split(".")[:2])
    assert low <= installed < high, (
        f"{name} {version} is outside the tested range {low}..{high} in pyproject.toml")


def test_openpyxl_write_only_internals_used_by_sheet_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("Réponses")
    ws.append(["Fichier"])
    ws.append(["reponse.docx"])
    # sheet_rows.SheetRows.append: links are added to the sheet's hyperlink list.
    assert isinstance(getattr(ws, "_hyperlinks", None), list), "ws._hyperlinks moved"
    ws._hyperlinks.append(Hyperlink(ref="A2", target="reponse.docx"))
    # sheet_rows.SheetRows._typed: one cell through openpyxl's own cell writer.
    from openpyxl.cell._writer import write_cell

    cell = WriteOnlyCell(ws, value=3.5)
    cell.row, cell.column = 3, 2
    out = BytesIO()
    with xmlfile(out) as xf:
        write_cell(xf, ws, cell, cell.has_style)
    assert out.getvalue().decode("ascii") == '<c r="B3" t="n"><v>3.5</v></c>'
    # sheet_rows.SheetRows.close: the closed sheet's XML is a file at ws._writer.out.
    ws.close()
    sheet = Path(ws._writer.out)
    assert sheet.is_file(), "ws._writer.out moved"
    assert sheet.read_bytes().count(b"</sheetData>") == 1
    # writers/xlsx._discard removes the temporary files of an unsaved workbook.
    assert callable(ws._writer.cleanup), "ws._writer.cleanup moved"
    book.save(tmp_path / "c.xlsx")
    read = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert read["Réponses"]["A2"].hyperlink.target == "reponse.docx"


def test_typer_vendored_click_used_by_the_cli() -> None:
    from typer._click.exceptions import UsageError

    app = typer.Typer()

    @app.command()
    def run(name: str) -> None:  # pragma: no cover - never reached
        raise AssertionError(name)

    with pytest.raises(UsageError) as caught:  # cli.main catches exactly this
        app(["--unknown"], standalone_mode=False)
    assert "--unknown" in caught.value.message
