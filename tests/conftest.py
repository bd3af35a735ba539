"""Fixtures shared by several test modules."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import docx
import openpyxl
import pytest

from cuf_extract.cli import main
from cuf_extract.convert import find_soffice
from cuf_extract.package import OoxmlPackage
from cuf_extract.reading import read_bounded

SOFFICE = find_soffice()

# --------------------------------------------------------------------------- slow tests

# Marked `slow` (deselect with `pytest -m "not slow"`): LibreOffice, Hypothesis, a fresh
# interpreter or a process pool, or simply over about a second. CI runs them all.
SLOW_MODULES = frozenset({"test_convert", "test_rerun_imports", "test_docs"})
SLOW_TESTS = frozenset({
    "test_parallel_run_works_with_the_spawn_start_method",
    "test_parallel_and_sequential_runs_give_the_same_results",
    "test_every_hostile_file_gets_its_own_result",
    "test_mutated_replies_never_crash_the_tool",
    "test_installed_entry_points",
    "test_package_import_stays_light",
    "test_decompression_bomb_200_mb_is_refused_from_the_directory",
    "test_high_ratio_entry_under_the_size_limit_is_refused",
    "test_time_limit_stops_a_slow_pdf",
    "test_an_oversized_xml_part_is_refused_before_parsing",
    "test_external_producer[libreoffice_reply_doc]",  # converted by LibreOffice
    "test_replies_saved_by_libreoffice_give_their_exact_answers",  # .odt: converted
    "test_ctrl_c_says_what_happened_to_the_workbook",  # a fresh interpreter, interrupted
    "test_check_prints_to_a_terminal_without_the_characters",  # a fresh interpreter
    "test_report_fits_the_screen",
    "test_a_staff_position_survives_and_an_automatic_one_follows_the_answer",  # 3 runs
    "test_relance_and_staff_columns_survive_reruns",  # 3 runs
    "test_a_scan_where_ocr_reads_nothing_stays_scanned_pdf",  # Tesseract on two pages
    "test_a_hung_tesseract_is_killed_with_its_process_group",  # waits for its time limit
    "test_ten_thousand_parts_are_bounded",  # a message of 10,000 parts
    "test_damaged_messages_never_stop_the_batch",  # every damaged message, through the CLI
})


def _is_slow(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    if module is not None and module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
        return True
    if item.name in SLOW_TESTS or item.name.split("[", 1)[0] in SLOW_TESTS:
        return True
    if "libreoffice_made" in getattr(item, "fixturenames", ()):
        return True
    if "scanned" in getattr(item, "fixturenames", ()):  # test_ocr: scans read by Tesseract
        return True
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return True
    return any("LibreOffice" in str(mark.kwargs.get("reason", ""))
               for mark in item.iter_markers("skipif"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
LIBREOFFICE_TEXT = "Réponse convertie : oui, nous soutenons la coopération décentralisée."


def open_package(path: Path) -> OoxmlPackage:
    """`path` opened as production opens it: a bounded read, then the zip checked."""
    return OoxmlPackage.from_bytes(read_bounded(path), name=path.name)


@pytest.fixture(scope="session")
def libreoffice_made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A .doc and an .odt written by LibreOffice from one python-docx document (made once
    per test session: each LibreOffice start costs about a second)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    source = folder / "réponse parti.docx"  # a non-ASCII name, as respondents send
    document = docx.Document()
    document.add_heading("Questionnaire", level=1)
    document.add_paragraph(LIBREOFFICE_TEXT)
    document.save(str(source))
    made = {}
    for fmt in ("doc", "odt"):
        subprocess.run(
            [SOFFICE, "--headless", "--norestore", "--convert-to", fmt, "--outdir", str(folder),
             f"-env:UserInstallation={(folder / 'profile').as_uri()}", str(source)],
            check=True, capture_output=True, timeout=120,
        )
        made[fmt] = folder / f"réponse parti.{fmt}"
        assert made[fmt].is_file()
    return made


# --------------------------------------------------------------------------- the CLI


def run_cli(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str, str]:
    """Run `cuf-extract ARGS` in-process in `cwd`; return (exit code, stdout, stderr)
    (stdout and stderr are "" without `capsys`)."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["cuf-extract", *args])
    monkeypatch.setenv("COLUMNS", "200")  # stable rich tables
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr() if capsys is not None else ("", "")
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


# --------------------------------------------------------------------------- workbooks


def sheet_rows(path: Path, sheet: str = "Réponses") -> list[dict[str, object]]:
    """The rows of a workbook's sheet, as read by openpyxl, by column title."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def answers_sheet(path: Path) -> list[dict[str, object]]:
    """The « Réponses » sheet's rows by column title."""
    return sheet_rows(path, "Réponses")


def type_in_sheet(path: Path, sheet: str, typed: Mapping[str, Mapping[str, object]], *,
                  key: Callable[[object], str] = str, key_column: int | str = 1) -> None:
    """Type values as staff do in Excel, and save with openpyxl: `typed[row key][column
    title] = value`, the row found by `key(its value in key_column)` (a column number or
    title; the first column, the file, by default); a column title not in the sheet is
    added at its end. Fails when a key matches no row."""
    workbook = openpyxl.load_workbook(path)
    worksheet = workbook[sheet]
    header = [c.value for c in worksheet[1]]
    column = key_column if isinstance(key_column, int) else header.index(key_column) + 1
    for title in {t for cells in typed.values() for t in cells} - set(header):
        header.append(title)
        worksheet.cell(row=1, column=len(header), value=title)
    missing = set(typed)
    for row in range(2, worksheet.max_row + 1):
        found = key(worksheet.cell(row=row, column=column).value)
        missing.discard(found)
        for title, value in typed.get(found, {}).items():
            worksheet.cell(row=row, column=header.index(title) + 1, value=value)
    assert not missing, f"no row for {sorted(missing)} in {sheet}"
    workbook.save(path)


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Tesseract: scanned pages are not read."""
    from cuf_extract import ocr_reader

    monkeypatch.setattr(ocr_reader, "find_tesseract", lambda: None)
