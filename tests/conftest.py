"""Fixtures shared by several test modules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest

from cuf_extract.convert import find_soffice
from cuf_extract.package import OoxmlPackage
from cuf_extract.reading import read_bounded

SOFFICE = find_soffice()
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


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Tesseract: scanned pages are not read."""
    from cuf_extract import ocr_reader

    monkeypatch.setattr(ocr_reader, "find_tesseract", lambda: None)
