"""convert: LibreOffice found where it is installed, conversions on a copy, time limits."""

from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest

from cuf_extract import convert
from cuf_extract.convert import ConversionResult, convert_to_docx, find_soffice
from cuf_extract.inputs import FileKind, sniff
from tests.conftest import LIBREOFFICE_TEXT as TEXT
from tests.conftest import open_package

SOFFICE = find_soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as soffice")


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Questionnaire", level=1)
    document.add_paragraph(TEXT)
    document.save(str(path))
    return path


def docx_text(path: Path) -> str:
    package = open_package(path)
    return "".join(package.read_xml(package.main_document()).itertext())


@pytest.fixture
def foreign(libreoffice_made: dict[str, Path]) -> dict[str, Path]:
    return libreoffice_made


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice profile shared by the conversions of this module (faster)."""
    return tmp_path_factory.mktemp("profile")


def fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


# -- find_soffice -----------------------------------------------------------------------


def test_find_soffice_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_soffice() is None or sys.platform in ("darwin", "win32")
    script = fake_soffice(tmp_path, "exit 0")
    assert find_soffice() == script


def test_find_soffice_in_the_usual_places(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(Path, "is_file", lambda self: str(self) == convert._MACOS_SOFFICE)
    assert find_soffice() == convert._MACOS_SOFFICE
    monkeypatch.setattr(sys, "platform", "win32")
    x86 = convert._WINDOWS_SOFFICE[1]
    monkeypatch.setattr(Path, "is_file", lambda self: str(self) == x86)
    assert find_soffice() == x86
    monkeypatch.setattr(sys, "platform", "linux")
    assert find_soffice() is None


# -- real conversions -------------------------------------------------------------------


@needs_soffice
@pytest.mark.parametrize("fmt", ["doc", "odt"])
def test_converts_a_copy_to_docx(foreign: dict[str, Path], profile: Path, fmt: str) -> None:
    assert SOFFICE is not None
    original = foreign[fmt]
    before = (original.read_bytes(), original.stat().st_mtime_ns)
    siblings = sorted(original.parent.iterdir())
    with convert_to_docx(original, soffice=SOFFICE, profile_dir=profile) as result:
        assert result.ok, result.detail
        assert result.docx is not None and result.message is None
        assert sniff(result.docx).kind is FileKind.DOCX
        assert TEXT in docx_text(result.docx)
        converted = result.docx
    assert not converted.exists()  # the temporary folder is gone
    assert (original.read_bytes(), original.stat().st_mtime_ns) == before
    assert sorted(original.parent.iterdir()) == siblings  # nothing written beside it


@needs_soffice
def test_misleading_extension_is_fixed_by_kind(
    foreign: dict[str, Path], profile: Path, tmp_path: Path
) -> None:
    assert SOFFICE is not None
    renamed = tmp_path / "reponse.docx"
    shutil.copyfile(foreign["doc"], renamed)
    kind = sniff(renamed).kind
    assert kind is FileKind.DOC
    with convert_to_docx(renamed, soffice=SOFFICE, kind=kind, profile_dir=profile) as result:
        assert result.ok, result.detail
        assert result.docx is not None and TEXT in docx_text(result.docx)


@needs_soffice
def test_fresh_profile_by_default(foreign: dict[str, Path]) -> None:
    assert SOFFICE is not None
    start = time.perf_counter()
    result = convert_to_docx(foreign["odt"], soffice=SOFFICE)
    elapsed = time.perf_counter() - start
    print(f"\nodt -> docx with a fresh LibreOffice profile: {elapsed:.1f} s")
    try:
        assert result.ok, result.detail
    finally:
        result.cleanup()
        result.cleanup()  # idempotent


# -- failures -------------------------------------------------------------------------


@posix_only
def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    soffice = fake_soffice(tmp_path, f"sleep 60 & echo $! > '{marker}'\nsleep 60")
    source = make_docx(tmp_path / "lent.doc")
    start = time.perf_counter()
    result = convert_to_docx(source, soffice=soffice, timeout=1)
    assert time.perf_counter() - start < 10
    assert not result.ok and result.docx is None
    assert result.message is not None
    assert result.message.startswith("« lent.doc » n’a pas pu être converti par LibreOffice")
    assert "délai de 1 s" in result.message
    child = int(marker.read_text())
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # A killed child of the fake soffice may linger as a zombie for a moment.
        try:
            state = Path(f"/proc/{child}/stat").read_text().split()[2]
        except OSError:
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("the grandchild process survived the timeout")


@posix_only
def test_soffice_failure_gives_a_french_message(tmp_path: Path) -> None:
    soffice = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded'\nexit 1")
    result = convert_to_docx(make_docx(tmp_path / "x.odt"), soffice=soffice)
    assert not result.ok
    assert result.message is not None and "Enregistrer sous" in result.message
    assert "could not be loaded" in result.detail


@posix_only
def test_success_without_output_is_a_failure(tmp_path: Path) -> None:
    result = convert_to_docx(make_docx(tmp_path / "x.odt"), soffice=fake_soffice(tmp_path, ":"))
    assert not result.ok


def test_missing_soffice_or_input(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "x.doc")
    result = convert_to_docx(source, soffice=str(tmp_path / "nope" / "soffice"))
    assert not result.ok and result.message is not None
    assert "ne peut pas être lancé" in result.message
    result = convert_to_docx(tmp_path / "absent.doc", soffice=str(tmp_path))
    assert not result.ok and result.message is not None
    assert "« absent.doc »" in result.message


def test_result_is_a_context_manager() -> None:
    with ConversionResult(ok=False, message="m") as result:
        assert result.message == "m"


def make_odt_web(path: Path) -> Path:
    """An .odt of the "HTML document" kind (mimetype text-web), as LibreOffice saves a
    reply it opened from a web page or an e-mail: Writer/Web has no default .docx
    export, so the filter must be named."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
               f'office:version="1.3"><office:body><office:text><text:p>{TEXT}</text:p>'
               '</office:text></office:body></office:document-content>')
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text-web"/>'
        '<manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text-web",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


@needs_soffice
def test_odt_saved_from_a_web_page_converts(tmp_path: Path, profile: Path) -> None:
    assert SOFFICE is not None
    original = make_odt_web(tmp_path / "reponse.odt")
    with convert_to_docx(original, soffice=SOFFICE, profile_dir=profile) as result:
        assert result.ok, result.detail
        assert result.docx is not None
        assert TEXT in docx_text(result.docx)
