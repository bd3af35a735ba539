"""Scans and photos -> the same `DocumentText` as a PDF's text layer, through Tesseract.

Tesseract is optional and found like LibreOffice: the `CUF_EXTRACT_TESSERACT`
environment variable, the PATH, or its usual install folder. It must have its French
data (`fra`). Without it, `read_ocr` raises `scanned_pdf` with a message saying how to
install it (or to ask for the Word file).

- PDF pages that are images (all of a scanned PDF, or the image-only pages of a mixed
  one: typed pages keep their text layer) are rendered by PDFium in grey at 300 dpi
  (fewer for a huge page: `MAX_OCR_PIXELS`) and written as PGM, which Tesseract reads
  without any imaging library here;
- image files (PNG, JPEG, TIFF, multi-page TIFF included) go to Tesseract as they are:
  it decodes them itself. Only their headers are read here, to check the bounds
  (pixels, pages) before anything is decoded;
- Tesseract runs with `--psm 1` (page segmentation with orientation detection, when
  its `osd` data is installed), so an upside-down page is read the right way up; it
  deskews a page turned by a degree or two itself. Its hOCR output gives the lines
  (with their baseline and height) and the words (with their box and confidence);
- the words go through the PDF path's own reconstruction (`pdf_layout`: lines, running
  headers and footers, paragraphs, lists, hyphens): `pdf_layout.read_words` for image
  files, `pdf_reader.read_pdf_pages(page_words=...)` for PDFs, so `locate` never knows
  where the words came from.

Every run is bounded: pages per file, pixels per page, seconds per page and per file;
on expiry Tesseract is killed with its whole process group (see docs/limits.md).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cuf_extract.models import IssueCode
from cuf_extract.package import PackageError

if TYPE_CHECKING:
    from lxml import etree

    from cuf_extract.document import DocumentText
    from cuf_extract.pdf_layout import PlacedWord

__all__ = [
    "LANGUAGE",
    "LOW_CONFIDENCE",
    "MAX_OCR_PAGES",
    "MAX_OCR_PIXELS",
    "OCR_DPI",
    "OCR_FILE_SECONDS",
    "OCR_PAGE_SECONDS",
    "TESSERACT_ENV",
    "ImageInfo",
    "OcrText",
    "Tesseract",
    "engine_fingerprint",
    "find_tesseract",
    "image_info",
    "read_ocr",
]

#: Environment variable naming the tesseract executable (or its folder).
TESSERACT_ENV = "CUF_EXTRACT_TESSERACT"
#: The language data used: the form and its answers are French (English words in them
#: read well enough with it, and `fra+eng` costs 40 % more time per page).
LANGUAGE = "fra"
#: Resolution PDF pages are rendered at for OCR: Tesseract's own recommendation.
OCR_DPI = 300
#: Pages read by OCR in one file: a reply is 2-10 pages; each costs seconds.
MAX_OCR_PAGES = 30
#: Pixels of one page: an A4 page at 600 dpi is 35 million, a 48-megapixel phone
#: photo 48 million. Checked from the image's header before anything is decoded.
MAX_OCR_PIXELS = 50_000_000
#: Seconds for Tesseract to read one page (3-10 s here on a busy 2-core machine).
OCR_PAGE_SECONDS = 120.0
#: Seconds for all the pages of one file.
OCR_FILE_SECONDS = 600.0
#: Below this confidence (0-100) a word is listed as doubtful. Tesseract gives 90-96 to
#: clean print; misread words of the test scans (accents, "l'" read as "1") were below 60.
LOW_CONFIDENCE = 60
#: Largest number of TIFF pages (image file directories) walked when counting them.
_TIFF_MAX_IFDS = MAX_OCR_PAGES + 1

_WINDOWS_TESSERACT = (
    r"C:\Program Files\Tesseract-OCR\tesseract.exe",
    r"C:\Program Files (x86)\Tesseract-OCR\tesseract.exe",
)
_MACOS_TESSERACT = ("/opt/homebrew/bin/tesseract", "/usr/local/bin/tesseract")

ImageFormat = Literal["png", "jpeg", "tiff"]


# --------------------------------------------------------------------------- engine


@dataclass(frozen=True, slots=True)
class Tesseract:
    path: str
    version: str  # "5.3.0"
    languages: frozenset[str]
    tessdata: str | None  # the folder of the language data, as Tesseract names it

    @property
    def has_french(self) -> bool:
        return LANGUAGE in self.languages


@functools.cache
def find_tesseract() -> Tesseract | None:
    """Tesseract, from `CUF_EXTRACT_TESSERACT`, the PATH or its usual folder; None if
    absent or if it does not answer (looked up once per process)."""
    for candidate in _candidates():
        engine = _probe(candidate)
        if engine is not None:
            return engine
    return None


def _candidates() -> list[str]:
    found: list[str] = []
    named = os.environ.get(TESSERACT_ENV, "").strip().strip('"')
    if named:
        path = Path(named)
        exe = "tesseract.exe" if sys.platform == "win32" else "tesseract"
        found.append(str(path / exe) if path.is_dir() else named)
    which = shutil.which("tesseract")
    if which:
        found.append(which)
    if sys.platform == "win32":
        found.extend(c for c in _WINDOWS_TESSERACT if Path(c).is_file())
    elif sys.platform == "darwin":
        found.extend(c for c in _MACOS_TESSERACT if Path(c).is_file())
    return found


def _probe(path: str) -> Tesseract | None:
    try:
        version = _quick([path, "--version"])
        languages = _quick([path, "--list-langs"])
    except (OSError, subprocess.SubprocessError):
        return None
    number = re.search(r"tesseract\s+v?(\d+\.\d+(?:\.\d+)?\S*)", version, re.IGNORECASE)
    if number is None:
        return None
    folder = re.search(r'"(.+?)"', languages)
    names = frozenset(line.strip() for line in languages.splitlines()[1:] if line.strip())
    return Tesseract(path, number[1], names, folder[1] if folder else None)


def _quick(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, timeout=20, check=True,
                          stdin=subprocess.DEVNULL, creationflags=_NO_WINDOW)
    out: bytes = done.stdout + done.stderr
    return out.decode("utf-8", errors="replace")


# No console window flashing on Windows for each page (CREATE_NO_WINDOW).
_NO_WINDOW = 0x08000000 if sys.platform == "win32" else 0


def engine_fingerprint() -> str:
    """What OCR results depend on besides the file: Tesseract's version and its language
    data (size and date of each file used). Part of the cache key of OCR results."""
    engine = find_tesseract()
    if engine is None:
        return "none"
    parts = [engine.path, engine.version]
    if engine.tessdata:
        for language in (LANGUAGE, "osd"):
            with contextlib.suppress(OSError):
                stat = (Path(engine.tessdata) / f"{language}.traineddata").stat()
                parts.append(f"{language}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- images


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: ImageFormat
    width: int
    height: int
    pages: int  # TIFF: pages counted, at most MAX_OCR_PAGES + 1


def image_format(head: bytes) -> ImageFormat | None:
    """The image format from the first bytes (PNG, JPEG, TIFF), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


def image_info(data: bytes, *, name: str) -> ImageInfo:
    """Size and page count from the header only; raises `PackageError` (`unreadable`
    for a damaged or truncated image, `too_large` past the bounds)."""
    kind = image_format(data[:8])
    try:
        if kind == "png":
            info = _png(data)
        elif kind == "jpeg":
            info = _jpeg(data)
        elif kind == "tiff":
            info = _tiff(data)
        else:
            info = None
    except (struct.error, IndexError, ValueError):
        info = None
    if info is None:
        raise PackageError(IssueCode.UNREADABLE, _damaged_image(name))
    if info.pages > MAX_OCR_PAGES:
        raise PackageError(IssueCode.TOO_LARGE, (
            f"« {name} » est une image de plus de {MAX_OCR_PAGES} pages, bien plus qu’un "
            "questionnaire : vérifiez qu’il s’agit du bon fichier ; sinon demandez le "
            "fichier Word."))
    if info.width * info.height > MAX_OCR_PIXELS:
        raise PackageError(IssueCode.TOO_LARGE, _too_many_pixels(name, info.width, info.height))
    return info


def _png(data: bytes) -> ImageInfo | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height or b"IEND" not in data[-32:]:
        return None  # an image cut short (interrupted download) has no IEND chunk
    return ImageInfo("png", width, height, 1)


def _jpeg(data: bytes) -> ImageInfo | None:
    offset = 2
    size: tuple[int, int] | None = None
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2:offset + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[offset + 5:offset + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            # In entropy-coded data 0xFF is always followed by 0x00 or a restart marker,
            # so FF D9 is the end-of-image marker: without it, the file was cut short.
            if size is None or not size[0] or not size[1] or b"\xff\xd9" not in data[offset:]:
                return None
            return ImageInfo("jpeg", size[0], size[1], 1)
        offset += 2 + length
    return None


def _tiff(data: bytes) -> ImageInfo | None:
    order = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack(order + "I", data[4:8])
    seen: set[int] = set()
    pages = 0
    width = height = 0
    while offset and pages <= _TIFF_MAX_IFDS:
        if offset in seen or offset + 2 > len(data):
            return None  # a loop, or a directory past the end of the file
        seen.add(offset)
        (count,) = struct.unpack(order + "H", data[offset:offset + 2])
        end = offset + 2 + 12 * count
        if end + 4 > len(data):
            return None
        page_width = page_height = 0
        for entry in range(offset + 2, end, 12):
            tag, kind = struct.unpack(order + "HH", data[entry:entry + 4])
            if tag in (256, 257):
                value = (struct.unpack(order + "H", data[entry + 8:entry + 10])[0] if kind == 3
                         else struct.unpack(order + "I", data[entry + 8:entry + 12])[0])
                if tag == 256:
                    page_width = value
                else:
                    page_height = value
        if not page_width or not page_height:
            return None
        if page_width * page_height > width * height:
            width, height = page_width, page_height
        pages += 1
        (offset,) = struct.unpack(order + "I", data[end:end + 4])
    return ImageInfo("tiff", width, height, pages) if pages else None


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class OcrText:
    """What OCR read in one file."""

    document: DocumentText
    page_count: int
    read_pages: tuple[int, ...]  # 1-based pages whose words came from OCR
    blank_pages: tuple[int, ...]  # pages read by OCR where it found no text
    doubtful: tuple[tuple[int, str], ...]  # (page, word) read with low confidence


@dataclass(frozen=True, slots=True)
class _OcrWord:
    text: str
    x0: float
    x1: float
    base: float
    size: float
    line: int
    confidence: int


@dataclass(frozen=True, slots=True)
class _OcrPage:
    width: float
    height: float
    words: tuple[_OcrWord, ...]


Clock = Callable[[], float]


def read_ocr(
    data: bytes,
    *,
    name: str,
    kind: Literal["pdf", "image"],
    engine: Tesseract | None = None,
    clock: Clock = time.monotonic,
) -> OcrText:
    """Read an image file, or the image-only pages of a PDF, by OCR.

    Raises `PackageError`: `scanned_pdf` when Tesseract (or its French data) is missing
    or when it finds no text at all, `too_large` past the bounds, `unreadable` for a
    damaged image, and the PDF reader's own errors.
    """
    engine = engine or find_tesseract()
    if engine is None or not engine.has_french:
        raise PackageError(IssueCode.SCANNED_PDF, missing_message(name, kind, engine))
    with tempfile.TemporaryDirectory(prefix="cuf-extract-ocr-",
                                     ignore_cleanup_errors=True) as folder:
        if kind == "pdf":
            return _read_pdf(data, name, engine, Path(folder), clock)
        return _read_image(data, name, engine, Path(folder), clock)


def _read_image(data: bytes, name: str, engine: Tesseract, folder: Path,
                clock: Clock) -> OcrText:
    from cuf_extract.pdf_layout import read_words

    info = image_info(data, name=name)
    source = folder / f"image.{'jpg' if info.format == 'jpeg' else info.format}"
    source.write_bytes(data)
    seconds = min(OCR_FILE_SECONDS, OCR_PAGE_SECONDS * info.pages)
    pages = _tesseract(engine, source, name, seconds, dpi=None)
    # No reliable resolution in a photo: pages are measured as A4 (595 points wide),
    # so the layout rules meet the sizes they expect.
    placed = _aligned([_placed(page, 595.0 / page.width) for page in pages])
    read = tuple(n for n, page in enumerate(pages, 1) if page.words)
    if not read:
        raise PackageError(IssueCode.SCANNED_PDF, _nothing_read(name, "image"))
    return OcrText(read_words(placed), len(pages), read,
                   tuple(n for n, page in enumerate(pages, 1) if not page.words),
                   _doubtful(pages))


def _read_pdf(data: bytes, name: str, engine: Tesseract, folder: Path,
              clock: Clock) -> OcrText:
    import pypdfium2 as pdfium

    from cuf_extract.pdf_reader import read_pdf_pages

    try:
        first = read_pdf_pages(data, name=name)
        count, targets = first.page_count, first.image_pages
    except PackageError as exc:
        if exc.code is not IssueCode.SCANNED_PDF:
            raise
        document = pdfium.PdfDocument(data)  # opened a moment ago by read_pdf_pages
        try:
            count = len(document)
        finally:
            document.close()
        targets = tuple(range(1, count + 1))
    if len(targets) > MAX_OCR_PAGES:
        raise PackageError(IssueCode.TOO_LARGE, (
            f"« {name} » a {len(targets)} pages scannées, plus que les {MAX_OCR_PAGES} que "
            "l’outil lit par reconnaissance de caractères : vérifiez qu’il s’agit du bon "
            "fichier ; sinon demandez le fichier Word."))
    started = clock()
    words: dict[int, Sequence[PlacedWord]] = {}
    pages: list[_OcrPage] = []
    blank: list[int] = []
    for number in targets:
        left = OCR_FILE_SECONDS - (clock() - started)
        if left <= 0:
            raise PackageError(IssueCode.TOO_LARGE, _slow_message(name))
        image, scale = _render(pdfium, data, number, folder)
        found = _tesseract(engine, image, name, min(OCR_PAGE_SECONDS, left),
                           dpi=round(72 * scale))
        image.unlink()
        page = found[0] if found else _OcrPage(1.0, 1.0, ())
        pages.append(page)
        if page.words:
            words[number] = _placed(page, 1 / scale)[1]
        else:
            blank.append(number)
    for number, (_, aligned) in zip(words, _aligned([(0.0, w) for w in words.values()]),
                                    strict=True):
        words[number] = aligned
    try:
        pdf = read_pdf_pages(data, name=name, page_words=words)
    except PackageError as exc:
        if exc.code is IssueCode.SCANNED_PDF:
            raise PackageError(exc.code, _nothing_read(name, "pdf")) from None
        raise
    return OcrText(pdf.document, count, tuple(sorted(words)), tuple(blank), _doubtful(
        pages, targets))


def _render(pdfium: object, data: bytes, number: int, folder: Path) -> tuple[Path, float]:
    """Page `number` (1-based) as a grey PGM image at `OCR_DPI` (less for a page so large
    it would pass `MAX_OCR_PIXELS`), and the scale from points to its pixels."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        page = document[number - 1]
        try:
            width, height = page.get_size()
            scale = OCR_DPI / 72
            area = max(width * height, 1.0)
            if area * scale * scale > MAX_OCR_PIXELS:
                scale = math.sqrt(MAX_OCR_PIXELS / area)
            bitmap = page.render(scale=scale, grayscale=True)
            try:
                columns, rows, stride = bitmap.width, bitmap.height, bitmap.stride
                buffer = memoryview(bitmap.buffer).cast("B")
                path = folder / f"page-{number}.pgm"
                with path.open("wb") as out:
                    out.write(f"P5\n{columns} {rows}\n255\n".encode("ascii"))
                    if stride == columns:
                        out.write(buffer[:columns * rows])
                    else:
                        for row in range(rows):
                            out.write(buffer[row * stride:row * stride + columns])
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()
    return path, scale


def _tesseract(engine: Tesseract, image: Path, name: str, seconds: float,
               dpi: int | None) -> list[_OcrPage]:
    """Run Tesseract on `image` (all its pages) and read its hOCR output; on expiry it is
    killed with its process group."""
    from cuf_extract.convert import kill_group

    osd = "osd" in engine.languages
    command = [engine.path, str(image), "stdout", "-l", LANGUAGE, "--psm", "1" if osd else "3"]
    if dpi is not None:
        command += ["--dpi", str(dpi)]
    command.append("hocr")
    # One thread per Tesseract: on a busy 2-core machine its OpenMP threads spin and a
    # page took 40 s instead of 4; parallelism comes from the tool's worker processes.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    options: dict[str, object] = {}
    if sys.platform == "win32":
        options["creationflags"] = _NO_WINDOW | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=image.parent, env=env,
            **options,  # type: ignore[call-overload]
        )
    except OSError:
        raise PackageError(IssueCode.SCANNED_PDF, missing_message(name, "image", None)) from None
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        kill_group(process)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.communicate(timeout=5)
        raise PackageError(IssueCode.TOO_LARGE, _slow_message(name)) from None
    if process.returncode != 0 or not output.strip():
        raise PackageError(IssueCode.UNREADABLE, _damaged_image(name))
    return _parse_hocr(output)


_TITLE_BOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")


def _title(element: etree._Element) -> str:
    return str(element.get("title", ""))


def _number(title: str, key: str, default: float) -> float:
    match = re.search(rf"\b{key} (-?[\d.]+)", title)
    return float(match[1]) if match else default


def _box(title: str) -> tuple[int, int, int, int] | None:
    match = _TITLE_BOX.search(title)
    if match is None:
        return None
    x0, y0, x1, y1 = (int(v) for v in match.groups())
    return x0, y0, x1, y1


def _parse_hocr(data: bytes) -> list[_OcrPage]:
    """Tesseract's hOCR -> pages of words in pixels, y down, the right way up."""
    from lxml import etree

    # Tesseract's own output, but its words come from the image: no DTD, no entities.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=True)
    root = etree.fromstring(data, parser)
    if root is None:
        return []
    pages: list[_OcrPage] = []
    line_number = 0
    for page in root.iter("{*}div"):
        if page.get("class") != "ocr_page":
            continue
        page_box = _box(_title(page))
        if page_box is None:
            continue
        width, height = page_box[2], page_box[3]
        lines = [line for line in page.iter("{*}span")
                 if str(line.get("class", "")).startswith("ocr_")
                 and _box(_title(line)) is not None]
        # With `--psm 1` Tesseract reads a page turned by 90°, 180° or 270° (a scan put
        # in upside down, a phone photo whose orientation is only in its EXIF tag) and
        # says so per line ("textangle"), its boxes staying in the image as given.
        angles = Counter(round(_number(_title(line), "textangle", 0.0)) % 360
                         for line in lines)
        angle = angles.most_common(1)[0][0] if angles else 0
        upright = (height, width) if angle in (90, 270) else (width, height)
        words: list[_OcrWord] = []
        for line in lines:
            title = _title(line)
            box = _box(title)
            assert box is not None
            line_number += 1
            size = _number(title, "x_size", float(box[3] - box[1]))
            found: list[tuple[str, float, float, float, int]] = []
            for word in line.iter("{*}span"):
                if word.get("class") != "ocrx_word":
                    continue
                text = " ".join("".join(str(t) for t in word.itertext()).split())
                word_box = _box(_title(word))
                if not text or word_box is None:
                    continue
                x0, x1, bottom = _upright(word_box, angle, width, height)
                found.append((text, x0, x1, bottom, int(_number(_title(word), "x_wconf", 0))))
            if angle == 0:
                base = box[3] + _baseline(title)
            else:
                # No baseline in hOCR for a turned line: a word of two letters or more
                # reaches it, and those without descenders stop there, so it is the
                # highest of their bottoms.
                bottoms = [b for t, _, _, b, _ in found if sum(c.isalnum() for c in t) >= 2]
                base = min(bottoms, default=max((b for *_, b, _ in found), default=0.0))
            words.extend(_OcrWord(text, x0, x1, base, size, line_number, confidence)
                         for text, x0, x1, _, confidence in found)
        pages.append(_OcrPage(float(upright[0]), float(upright[1]), tuple(words)))
    return pages


def _upright(box: tuple[int, int, int, int], angle: int, width: int,
             height: int) -> tuple[float, float, float]:
    """A word's box in an image of `width` × `height` whose text is turned by `angle`
    (hOCR's textangle, counter-clockwise) -> left, right and bottom once upright."""
    x0, y0, x1, y1 = box
    if angle == 180:
        return width - x1, width - x0, height - y0
    if angle == 90:
        return height - y1, height - y0, x1
    if angle == 270:
        return y0, y1, width - x0
    return x0, x1, y1


def _baseline(title: str) -> float:
    """The baseline's offset from the bottom of the line's box, at its left end (hOCR's
    "baseline slope offset"); a skewed line's words still share it, so it stays one line."""
    match = re.search(r"baseline (-?[\d.]+) (-?[\d.]+)", title)
    return float(match[2]) if match else 0.0


# Tesseract's x_size (the line's height, ascenders to descenders) against the type size
# the PDF reader's rules are calibrated on: 44 px at 300 dpi (10.56 pt) for the 11 pt
# body of LibreOffice's rendering of the test replies, whose baselines OCR put within
# 0.3 pt of the text layer's.
_SIZE_PER_X_SIZE = 1.04


# A list's bullet (Symbol and Wingdings bullets, arrows, squares) has no letter shape:
# Tesseract reads it as whatever marks come close ("*__", "»", "¢", "©", "e"). Marks
# without letters or digits opening a line, apart from its text, are read as a bullet;
# typed punctuation that opens lines stays as read.
_LINE_OPENERS = frozenset({"-", "–", "—", "«", "“", '"', "(", "[", "'", "‘", "…", "..."})


def _placed(page: _OcrPage, scale: float) -> tuple[float, list[PlacedWord]]:
    """A page's words in points (`scale`: points per pixel), for `pdf_layout`.

    Tesseract measures each line's height on its own letters (a line without capitals
    or descenders is smaller), so sizes within a fifth of the page's usual size are
    taken as that size: a paragraph's lines then have one size, as in a text layer.
    """
    from cuf_extract.pdf_layout import PlacedWord

    usual = statistics.median(w.size for w in page.words) if page.words else 0.0
    words: list[PlacedWord] = []
    for index, w in enumerate(page.words):
        size = usual if abs(w.size - usual) <= 0.2 * usual else w.size
        text = w.text
        opens = index == 0 or page.words[index - 1].line != w.line
        followed = index + 1 < len(page.words) and page.words[index + 1].line == w.line
        if opens and followed and _bullet_like(w, page.words[index + 1], size):
            text = "•"
        elif (index and words and words[-1].text == "•" and _marks(page.words[index - 1].text)
              and page.words[index - 1].line == w.line and _marks(text)):
            continue  # the rest of a bullet read as two marks ("- __")
        # OCR boxes hold the ink; a text layer's boxes the letters' advance, a little
        # wider (side bearings): "le" 7.5 pt wide by OCR, 9.8 pt by PDFium at 11 pt. The
        # PDF reader judges whether a line ended short by its next line's first word.
        pad = size * scale * _SIZE_PER_X_SIZE
        words.append(PlacedWord(text, w.x0 * scale - 0.05 * pad, w.x1 * scale + 0.1 * pad,
                                w.base * scale, max(pad, 1.0), w.line))
    return page.height * scale, words


def _aligned(
    pages: Sequence[tuple[float, Sequence[PlacedWord]]],
) -> list[tuple[float, Sequence[PlacedWord]]]:
    """The pages shifted sideways so that their text ends at the same right edge.

    A scanner or a phone places each sheet a little differently, but the PDF reader takes
    one right margin for the whole document and judges a line that stops short of it as
    the end of a paragraph: on a page placed 5 pt further left, every line would be one.
    The right edge of a page is where its long lines (five words or more) end.
    """
    from dataclasses import replace

    edges: list[float | None] = []
    for _, words in pages:
        lines: dict[int, list[PlacedWord]] = {}
        for word in words:
            lines.setdefault(word.line, []).append(word)
        ends = [max(w.x1 for w in line) for line in lines.values() if len(line) >= 5]
        edges.append(max(ends) if ends else None)
    target = max((e for e in edges if e is not None), default=None)
    if target is None:
        return list(pages)
    return [(height, words) if edge is None else
            (height, [replace(w, x0=w.x0 + target - edge, x1=w.x1 + target - edge)
                      for w in words])
            for (height, words), edge in zip(pages, edges, strict=True)]


def _marks(text: str) -> bool:
    return len(text) <= 3 and not any(c.isalnum() for c in text)


def _bullet_like(word: _OcrWord, following: _OcrWord, size: float) -> bool:
    """A line's first word that is a bullet misread: marks standing apart from the text,
    or a typed-looking opener followed by more marks ("- __", "* _")."""
    if not _marks(word.text) or following.x0 - word.x1 <= 0.3 * size:
        return False
    return word.text not in _LINE_OPENERS or _marks(following.text)


_WORD_CHARS = re.compile(r"\w", re.UNICODE)


def _doubtful(pages: Sequence[_OcrPage],
              numbers: Sequence[int] | None = None) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    for index, page in enumerate(pages):
        number = numbers[index] if numbers is not None else index + 1
        out.extend((number, w.text) for w in page.words
                   if w.confidence < LOW_CONFIDENCE and _WORD_CHARS.search(w.text))
    return tuple(out)


# --------------------------------------------------------------------------- messages


def missing_message(name: str, kind: Literal["pdf", "image"], engine: Tesseract | None) -> str:
    what = ("est un PDF sans texte (pages scannées ou photographiées)" if kind == "pdf"
            else "est une image (scan, photo ou capture d’écran)")
    if engine is not None:
        need = ("les données françaises de Tesseract ne sont pas installées (paquet "
                "« tesseract-ocr-fra », ou cochez « French » dans l’installateur Windows)")
    else:
        need = ("Tesseract, le logiciel de reconnaissance de caractères, n’est pas installé "
                "(voir « Installer » dans le guide)")
    return (f"« {name} » {what} : il ne peut être lu que par reconnaissance de caractères, "
            f"et {need}. Installez-le puis relancez, ou demandez au parti le fichier Word, ou "
            "recopiez ses réponses dans un questionnaire vierge (commande « cuf-extract "
            "modele »).")


def _nothing_read(name: str, kind: Literal["pdf", "image"]) -> str:
    what = "PDF sans texte" if kind == "pdf" else "image"
    return (f"« {name} » est un {what} où la reconnaissance de caractères n’a trouvé aucun "
            "texte (écriture manuscrite, image floue ou trop petite ?) : demandez au parti le "
            "fichier Word, ou recopiez ses réponses dans un questionnaire vierge (commande "
            "« cuf-extract modele ») puis relancez.")


def _damaged_image(name: str) -> str:
    return (f"« {name} » est une image endommagée ou incomplète (envoi interrompu ?) : "
            "essayez de l’ouvrir ; si elle ne s’ouvre pas entièrement, demandez au parti de la "
            "renvoyer, ou le fichier Word.")


def _too_many_pixels(name: str, width: int, height: int) -> str:
    return (f"« {name} » est une image de {width} × {height} pixels, bien plus qu’une page "
            "scannée : vérifiez qu’il s’agit du bon fichier ; sinon demandez une version plus "
            "petite, ou le fichier Word.")


def _slow_message(name: str) -> str:
    return (f"« {name} » est trop long à lire par reconnaissance de caractères (plus de "
            f"{OCR_FILE_SECONDS:.0f} secondes, ou {OCR_PAGE_SECONDS:.0f} secondes pour une "
            "page) : vérifiez qu’il s’agit du bon fichier ; sinon demandez le fichier Word ou "
            "reportez ses réponses à la main.")
