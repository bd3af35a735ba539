"""Scans and photos read by OCR: the project's typed reply rasterised, turned, compressed,
thresholded, and read back through Tesseract into the same answers; the bounds on
hostile images; and what happens without Tesseract."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz.fuzz import ratio

from cuf_extract import checks, ocr_reader
from cuf_extract.inputs import FileKind, sniff
from cuf_extract.locate import Matcher
from cuf_extract.models import FileResult, IssueCode
from cuf_extract.ocr_reader import (
    Tesseract,
    find_tesseract,
    image_info,
    read_ocr,
)
from cuf_extract.package import PackageError
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures import scans
from tests.fixtures.variants import EXPECTED

MATCHER = Matcher(load_questionnaire())
ENGINE = find_tesseract()
needs_tesseract = pytest.mark.skipif(
    ENGINE is None or not ENGINE.has_french,
    reason="Tesseract with its French data (tesseract-ocr-fra) is not installed")

Q5_START, Q5_END = "Nous proposerons", "publiés chaque année."


def _extract(tmp_path: Path, name: str, data: bytes) -> FileResult:
    path = tmp_path / name
    path.write_bytes(data)
    return extract_file(InputFile(path=path, display=name), MATCHER)


def _assert_answers(result: FileResult, expected: dict[str, str | None]) -> None:
    answers = {a.question: a.text for a in result.answers}
    for qid, text in expected.items():
        if text is None:
            assert answers[qid] is None, (qid, answers[qid])  # blanks stay blank
        else:
            assert answers[qid] is not None, qid
            assert ratio(answers[qid], text) >= 95, (qid, answers[qid], text)


def _ocr_pages_message(result: FileResult) -> str:
    found = [i for i in result.issues if i.code is IssueCode.OCR and i.question is None]
    assert len(found) == 1, result.issues
    assert "relisez-les avant publication" in found[0].message
    assert found[0].severity.value == "warning"
    return found[0].message


# --------------------------------------------------------------------------- scans


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FileResult]:
    """Every kind of scan, made and read once for the module (OCR costs seconds a page)."""
    if ENGINE is None or not ENGINE.has_french:
        pytest.skip("Tesseract with its French data (tesseract-ocr-fra) is not installed")
    pytest.importorskip("PIL", reason="Pillow makes the scans (pip install -e '.[dev]')")
    folder = tmp_path_factory.mktemp("scans")
    source = scans.source_bytes()
    grey150 = scans.pages(150)
    turned = [scans.turned(grey150[0], 1.5), grey150[1].rotate(180), grey150[2]]
    made = {
        # A copier's grey scan at 300 dpi, the answer to question 5 left blank.
        "copieur_300.pdf": scans.blank_out(source, Q5_START, Q5_END),
        # 150 dpi, JPEG-compressed, the first page turned by 1.5°, the second upside down;
        # the third keeps its text layer (signed pages scanned and put back).
        "signe_150.pdf": scans.mixed_pdf(
            source, scans.image_pdf(turned, 150, quality=50), scanned_pages=[0, 1]),
        # A fax: 1-bit pages at 200 dpi in one TIFF.
        "fax.tif": scans.fax_tiff(scans.pages(200)),
        # A scrolling screenshot: every page one under the other in one PNG.
        "capture.png": scans.tall_screenshot(grey150),
        # A phone photo of page 2 on cream paper, as JPEG, held sideways (the pixels
        # turned by 90°, as phones store them with an EXIF orientation tag).
        "photo.jpg": scans.jpeg(scans.tinted(scans.pages(200)[1]).rotate(90, expand=True),
                                quality=70),
        # The same page 2 with its text layer: what the photo must give.
        "page2.pdf": _one_page(source, 1),
    }
    return {name: _extract(folder, name, data) for name, data in made.items()}


def _one_page(data: bytes, index: int) -> bytes:
    import io

    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(data)
    out = pdfium.PdfDocument.new()
    out.import_pages(source, [index])
    buffer = io.BytesIO()
    out.save(buffer)
    out.close()
    source.close()
    return buffer.getvalue()


def test_grey_scan_gives_every_answer_and_keeps_the_blank(scanned: dict[str, FileResult]) -> None:
    result = scanned["copieur_300.pdf"]
    _assert_answers(result, {**EXPECTED, "Q5": None})
    assert "pages 1, 2, 3 sur 3" in _ocr_pages_message(result)
    codes = {i.code.value for i in result.issues}
    assert "missing_answer" in codes and "scanned_pdf" not in codes and "from_pdf" not in codes
    assert result.status.value == "warning"


def test_turned_upside_down_and_compressed_pages_of_a_mixed_pdf(
    scanned: dict[str, FileResult],
) -> None:
    result = scanned["signe_150.pdf"]
    _assert_answers(result, EXPECTED)
    # Only the scanned pages are named: the third kept its text layer, read as a PDF.
    assert "pages 1, 2 sur 3" in _ocr_pages_message(result)
    assert "from_pdf" in {i.code.value for i in result.issues}


def test_fax_tiff_with_several_pages(scanned: dict[str, FileResult]) -> None:
    result = scanned["fax.tif"]
    _assert_answers(result, EXPECTED)
    assert "pages 1, 2, 3 sur 3" in _ocr_pages_message(result)


def test_tall_screenshot_png(scanned: dict[str, FileResult]) -> None:
    result = scanned["capture.png"]
    _assert_answers(result, EXPECTED)
    assert "page 1 sur 1" in _ocr_pages_message(result)


def test_photo_of_one_page_reads_what_its_text_layer_gives(
    scanned: dict[str, FileResult],
) -> None:
    typed = {a.question: a.text for a in scanned["page2.pdf"].answers}
    assert any(typed.values()) and not all(typed.values())  # the page holds some answers
    _assert_answers(scanned["photo.jpg"], typed)


def test_doubtful_words_are_named_under_their_answer(scanned: dict[str, FileResult]) -> None:
    for result in scanned.values():
        answers = {a.question: a.text or "" for a in result.answers}
        for issue in result.issues:
            if issue.code is IssueCode.OCR and issue.question is not None:
                words = checks.doubtful_words_in(issue)
                assert words, issue
                for word in words:
                    assert word in answers[issue.question], (word, issue)


def test_a_scan_where_ocr_reads_nothing_stays_scanned_pdf(tmp_path: Path) -> None:
    if ENGINE is None or not ENGINE.has_french:
        pytest.skip("Tesseract with its French data is not installed")
    pytest.importorskip("PIL")
    from PIL import Image

    blank = Image.new("L", (1240, 1754), 255)
    result = _extract(tmp_path, "vide.pdf", scans.image_pdf([blank, blank], 150))
    assert [i.code.value for i in result.issues] == ["scanned_pdf"]
    assert "aucun texte" in result.issues[0].message
    assert all(a.text is None for a in result.answers)


# Two lines of a page as they stand upright (200 × 300 px, y down): "Oui nous" then
# "voulons", « nous » read with a low confidence.
_UPRIGHT_WORDS = [(1, "Oui", (20, 20, 60, 32), 95), (1, "nous", (70, 20, 100, 32), 40),
                  (2, "voulons", (20, 40, 80, 52), 91)]
_UPRIGHT_SIZE = (200, 300)


def _turned(box: tuple[int, int, int, int], angle: int) -> tuple[int, int, int, int]:
    """Where an upright box lies in the image of the page turned by `angle` (hOCR's
    textangle: the text's turn, counter-clockwise), as Tesseract reports it."""
    x0, y0, x1, y1 = box
    width, height = _UPRIGHT_SIZE
    if angle == 90:  # the image is 300 wide, 200 high; the text runs upwards
        return y0, width - x1, y1, width - x0
    if angle == 180:
        return width - x1, height - y1, width - x0, height - y0
    if angle == 270:  # the text runs downwards
        return height - y1, x0, height - y0, x1
    return box


def _hocr(angle: int) -> bytes:
    width, height = _UPRIGHT_SIZE
    image = (height, width) if angle in (90, 270) else (width, height)
    lines = []
    for number in (1, 2):
        words = [(text, _turned(box, angle), conf)
                 for line, text, box, conf in _UPRIGHT_WORDS if line == number]
        x0 = min(b[0] for _, b, _ in words)
        y0 = min(b[1] for _, b, _ in words)
        x1 = max(b[2] for _, b, _ in words)
        y1 = max(b[3] for _, b, _ in words)
        spans = "".join(f"<span class='ocrx_word' title='bbox {b[0]} {b[1]} {b[2]} {b[3]}; "
                        f"x_wconf {conf}'>{text}</span>" for text, b, conf in words)
        lines.append(f"<span class='ocr_line' title='bbox {x0} {y0} {x1} {y1}; "
                     f"textangle {angle}; x_size 12'>{spans}</span>")
    return (f"<html xmlns='http://www.w3.org/1999/xhtml'><body><div class='ocr_page' "
            f"title='bbox 0 0 {image[0]} {image[1]}'>{''.join(lines)}</div></body></html>"
            ).encode()


@pytest.mark.parametrize("angle", [0, 90, 180, 270])
def test_a_turned_page_reads_in_order_the_right_way_up(tmp_path: Path, angle: int) -> None:
    """A scan put in upside down, or a photo held sideways: Tesseract gives each line's
    turn and boxes in the image as it is; the words come out upright, in reading order,
    and a word read with a low confidence is named."""
    engine = _stand_in(tmp_path)
    (tmp_path / "page.hocr").write_bytes(_hocr(angle))
    ocr = ocr_reader.read_ocr(scans.png_header(300, 300), name="scan.png", kind="image",
                              engine=engine)
    assert [b.text for b in ocr.document.blocks] in (["Oui nous voulons"],
                                                     ["Oui nous", "voulons"])
    assert ocr.doubtful == ((1, "nous"),)


def test_hocr_of_a_page_held_sideways_reads_in_order(tmp_path: Path) -> None:
    # Two lines of a page turned 90° counter-clockwise (text running upwards), in an
    # image 300 wide and 200 high, as Tesseract wrote them (boxes written by hand from
    # its output, not from the rule above).
    engine = _stand_in(tmp_path)
    (tmp_path / "page.hocr").write_bytes(b"""<html xmlns="http://www.w3.org/1999/xhtml"><body>
    <div class='ocr_page' title='bbox 0 0 300 200'>
    <span class='ocr_line' title="bbox 20 40 32 180; textangle 90; x_size 12">
    <span class='ocrx_word' title='bbox 20 140 32 180; x_wconf 95'>Oui</span>
    <span class='ocrx_word' title='bbox 20 100 32 130; x_wconf 40'>nous</span></span>
    <span class='ocr_line' title="bbox 40 40 52 180; textangle 90; x_size 12">
    <span class='ocrx_word' title='bbox 40 120 52 180; x_wconf 91'>voulons</span></span>
    </div></body></html>""")
    ocr = ocr_reader.read_ocr(scans.png_header(300, 200), name="photo.png", kind="image",
                              engine=engine)
    assert " ".join(b.text for b in ocr.document.blocks) == "Oui nous voulons"
    assert ocr.doubtful == ((1, "nous"),)


# --------------------------------------------------------------------------- without Tesseract


@pytest.mark.usefixtures("no_ocr")
@pytest.mark.parametrize(("name", "data"), [
    ("scan.png", scans.png_header(1200, 1700)),
    ("scan.pdf", (scans.PDF_DIR / "image_only.pdf").read_bytes()),
])
def test_without_tesseract_scans_say_how_to_install_it(
    tmp_path: Path, name: str, data: bytes,
) -> None:
    result = _extract(tmp_path, name, data)
    assert [i.code.value for i in result.issues] == ["scanned_pdf"]
    message = result.issues[0].message
    assert "Tesseract" in message and "Word" in message and "cuf-extract modele" in message
    assert result.status.value == "error"


def test_tesseract_without_french_data_says_so() -> None:
    engine = Tesseract("tesseract", "5.3.0", frozenset({"eng", "osd"}), None)
    with pytest.raises(PackageError) as error:
        read_ocr(scans.png_header(10, 10), name="x.png", kind="image", engine=engine)
    assert error.value.code is IssueCode.SCANNED_PDF
    assert "tesseract-ocr-fra" in error.value.message


def test_found_through_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if sys.platform == "win32":
        pytest.skip("a shell script stands for tesseract")
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo "tesseract 5.9.1"; '
                    'else echo \'List of available languages in "/nowhere/" (2):\'; '
                    "echo fra; echo osd; fi\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(ocr_reader.TESSERACT_ENV, str(tmp_path))  # a folder, as on Windows
    monkeypatch.setenv("PATH", "")
    ocr_reader.find_tesseract.cache_clear()
    try:
        engine = ocr_reader.find_tesseract()
        assert engine is not None and engine.path == str(fake) and engine.version == "5.9.1"
        assert engine.has_french and engine.tessdata == "/nowhere/"
    finally:
        ocr_reader.find_tesseract.cache_clear()


# --------------------------------------------------------------------------- hostile images


@pytest.mark.parametrize(("data", "code"), [
    (scans.png_header(100_000, 100_000), IssueCode.TOO_LARGE),  # a decompression bomb
    (scans.png_header(1000, 1000)[:-12], IssueCode.UNREADABLE),  # cut short: no IEND
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
     b"\xff\xc0\x00\x0b\x08\x04\x00\x03\x00\x01\x01\x11\x00"
     b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34" * 500, IssueCode.UNREADABLE),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", IssueCode.UNREADABLE),  # no frame at all
    (scans.tiff_pages(10_000), IssueCode.TOO_LARGE),
    (scans.tiff_pages(3, loop=True), IssueCode.UNREADABLE),
    (b"II*\x00\xff\xff\xff\x7f", IssueCode.UNREADABLE),  # first directory past the end
])
def test_hostile_image_headers_are_refused_before_decoding(data: bytes, code: IssueCode) -> None:
    with pytest.raises(PackageError) as error:
        image_info(data, name="x")
    assert error.value.code is code
    assert "« x »" in error.value.message


def test_a_real_header_is_measured() -> None:
    info = image_info(scans.tiff_pages(3), name="x")
    assert (info.format, info.width, info.height, info.pages) == ("tiff", 1, 1, 3)
    assert image_info(scans.png_header(1240, 1754), name="x").width == 1240


@pytest.mark.parametrize(("name", "data", "code"), [
    ("bombe.png", scans.png_header(100_000, 100_000), "too_large"),
    ("fax.tif", scans.tiff_pages(10_000), "too_large"),
    ("coupee.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 40, "unreadable"),
    ("vide.png", b"", "unreadable"),
])
def test_hostile_images_end_with_a_clean_issue(
    tmp_path: Path, name: str, data: bytes, code: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    if data:
        assert sniff(path).kind is FileKind.IMAGE
    engine = ENGINE or Tesseract("tesseract", "5", frozenset({"fra"}), None)
    if data:
        with pytest.raises(PackageError) as error:
            read_ocr(data, name=name, kind="image", engine=engine)
        assert error.value.code.value == code
    result = extract_file(InputFile(path=path, display=name), MATCHER)
    assert result.status.value == "error"
    if ENGINE is not None or not data:
        assert [i.code.value for i in result.issues] == [code]


def test_a_hung_tesseract_is_killed_with_its_process_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if sys.platform == "win32":
        pytest.skip("a shell script stands for tesseract")
    marker = tmp_path / "child.pid"
    fake = tmp_path / "tesseract"
    # Starts a child that would outlive it, then hangs, as Tesseract on a pathological image.
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {marker}\nsleep 300\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(ocr_reader, "OCR_PAGE_SECONDS", 1.0)
    engine = Tesseract(str(fake), "5.3.0", frozenset({"fra"}), None)
    with pytest.raises(PackageError) as error:
        read_ocr(scans.png_header(100, 100), name="x.png", kind="image", engine=engine)
    assert error.value.code is IssueCode.TOO_LARGE
    assert not _alive(int(marker.read_text()))


def _alive(pid: int) -> bool:
    try:
        state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                               text=True, check=False).stdout.strip()
    except OSError:
        return False
    return bool(state) and not state.startswith("Z")


def test_cached_ocr_results_depend_on_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cuf_extract import cache as cache_module
    from cuf_extract.cache import ResultCache
    from cuf_extract.checks import make_issue

    result = FileResult(path="a.png", name="a.png", sha256="ab" * 32, status="warning",
                        respondent=None, answers=(),
                        issues=(make_issue(IssueCode.OCR, "lu par OCR"),))
    monkeypatch.setattr(cache_module, "_ocr_fingerprint", lambda: "tesseract-5.3")
    store = ResultCache(tmp_path / "cache", questionnaire_digest="q")
    store.put(result)
    assert store.get(result.sha256 or "", "a.png", "a.png") is not None
    monkeypatch.setattr(cache_module, "_ocr_fingerprint", lambda: "tesseract-5.4")
    assert store.get(result.sha256 or "", "a.png", "a.png") is None


# --------------------------------------------------------------------------- a stand-in engine


_CANNED_HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><body>
<div class='ocr_page' title='image "x"; bbox 0 0 1240 1754'>
<span class='ocr_line' title="bbox 150 200 700 240; baseline 0 -8; x_size 46">
<span class='ocrx_word' title='bbox 150 200 350 240; x_wconf 93'>Réponse</span>
<span class='ocrx_word' title='bbox 370 200 700 240; x_wconf 41'>manuscrite</span>
</span></div></body></html>"""


def _stand_in(tmp_path: Path, name: str = "tesseract") -> Tesseract:
    """A script that answers like Tesseract with a canned hOCR page, and counts its runs."""
    if sys.platform == "win32":
        pytest.skip("a shell script stands for tesseract")
    (tmp_path / "page.hocr").write_text(_CANNED_HOCR, encoding="utf-8")
    fake = tmp_path / name
    fake.write_text(f"#!/bin/sh\necho run >> {tmp_path / 'runs'}\ncat {tmp_path / 'page.hocr'}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return Tesseract(str(fake), "5.3.0", frozenset({"fra", "osd"}), None)


def _runs(tmp_path: Path) -> int:
    runs = tmp_path / "runs"
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def test_a_rerun_takes_ocr_results_from_the_cache_until_the_engine_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cuf_extract import cache as cache_module
    from cuf_extract.cache import ResultCache
    from cuf_extract.pipeline import extract_files

    engine = _stand_in(tmp_path)
    monkeypatch.setattr(ocr_reader, "find_tesseract", lambda: engine)
    monkeypatch.setattr(cache_module, "_ocr_fingerprint", lambda: "5.3.0")
    scan = tmp_path / "scan.png"
    scan.write_bytes(scans.png_header(1240, 1754))
    questionnaire = load_questionnaire()

    def run() -> FileResult:
        store = ResultCache(tmp_path / "cache", questionnaire_digest="q")
        (result,) = extract_files([InputFile(path=scan, display=scan.name)], questionnaire,
                                  cache=store).files
        return result

    first = run()
    assert _runs(tmp_path) == 1
    assert "Réponse manuscrite" in "\n".join(first.extra_text)
    assert "page 1 sur 1" in _ocr_pages_message(first)
    assert run().extra_text == first.extra_text and _runs(tmp_path) == 1  # from the cache
    monkeypatch.setattr(cache_module, "_ocr_fingerprint", lambda: "5.4.0")  # upgraded
    run()
    assert _runs(tmp_path) == 2


def test_too_many_scanned_pages_are_refused_before_any_ocr(tmp_path: Path) -> None:
    from tests.fixtures.pdf_builder import text_pages_pdf

    engine = _stand_in(tmp_path)
    count = ocr_reader.MAX_OCR_PAGES + 1
    data = text_pages_pdf([[] for _ in range(count)], image_pages=range(count))
    with pytest.raises(PackageError) as error:
        read_ocr(data, name="x.pdf", kind="pdf", engine=engine)
    assert error.value.code is IssueCode.TOO_LARGE
    assert _runs(tmp_path) == 0


def test_the_report_highlights_the_doubtful_words_of_each_answer() -> None:
    from cuf_extract.checks import doubtful_words, doubtful_words_in
    from cuf_extract.models import Answer, Run
    from cuf_extract.writers.report_html import render_report

    questionnaire = load_questionnaire()
    qids = list(questionnaire.question_ids)
    answers = (Answer(question=qids[0], text="Oui, l'action <internationale> & d'Afrique."),
               Answer(question=qids[1], text="Non."))
    issues = doubtful_words(["d'Afrique", "<internationale>", "absent"], answers, qids)
    assert [(i.question, doubtful_words_in(i)) for i in issues] == [
        (qids[0], ["d'Afrique", "<internationale>"])]  # as listed, only those in the answer
    result = FileResult(path="scan.png", name="scan.png", sha256="ab" * 32, status="warning",
                        respondent=None, answers=answers, issues=tuple(issues))
    page = render_report(Run(questionnaire=questionnaire.ref(), files=(result,)))
    assert ('<mark title="lu avec doute">&lt;internationale&gt;</mark> &amp; '
            '<mark title="lu avec doute">d&#x27;Afrique</mark>.') in page
    assert page.count("<mark") == 2


@pytest.mark.usefixtures("no_ocr")
def test_an_image_held_in_memory_goes_to_ocr_too() -> None:
    from cuf_extract.convert import Converter
    from cuf_extract.reading import read_document_bytes

    read = read_document_bytes(scans.png_header(1240, 1754), "scan.png", Converter())
    assert read.kind is FileKind.IMAGE
    assert read.error is not None and read.error.code is IssueCode.SCANNED_PDF
    assert "Tesseract" in read.error.message
