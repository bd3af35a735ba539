"""A PDF's bytes -> its pages as placed characters, ruled tables and rules, and its
document information, read through PDFium (pypdfium2, imported lazily): the only
module that knows PDF. What it gives is plain data for `pdf_layout`.

- characters: each with its baseline, box, advance, font size and weight; UTF-16
  surrogate pairs joined, lone surrogates as U+FFFD, control characters dropped,
  ligatures (and TeX ligature codes, in a TeX font without a ToUnicode map) as
  letters, other characters as PDFium gives them; a size 1 scaled by the text matrix
  read at its real size;
- text drawn turned by a quarter or half turn (a landscape page kept portrait with
  `/Rotate`, a page upside down), when most of a page's characters are: read in its
  own axes, not one letter per line;
- filled form fields (AcroForm): their values are not in the page's text; each text
  field's value is placed where the field stands (a line per paragraph), a check box
  or radio button as ☒ / ☐ right after the printed label on its left;
- drawings: ruling lines drawing a grid are a table, other horizontal rules are kept
  (a footnote separator is one); a small filled dot left of a line is its bullet; a
  tagged PDF's ActualText stands where the text layer has no character; images
  covering much of a page are counted (scans);
- struck-through text (a thin horizontal path across characters between their
  baseline and x-height, over most of its length: not an underline, not a rule) is
  marked on its characters: LibreOffice and Word print tracked deletions, when
  changes are shown, and struck-through runs that way.

Untrusted input: the caller bounds the file size; here the inflated size of the
compressed streams PDFium would decode (checked before PDFium opens the file), the
page count, the characters per page, the drawing objects read per page and the time
spent on one file are bounded, and going over ends with `PackageError(too_large)`.
"""

from __future__ import annotations

import bisect
import ctypes
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from cuf_extract.dates import iso_from_pdf
from cuf_extract.document import Properties
from cuf_extract.models import IssueCode
from cuf_extract.package import PackageError
from cuf_extract.pdf_layout import Char, Table, cluster

#: More pages than any reply; a 500-page PDF is the wrong file (see docs/limits.md).
MAX_PDF_PAGES = 200
#: Characters read per page: a dense A4 page holds about 6,000.
MAX_CHARS_PER_PAGE = 50_000
#: Drawing objects inspected per page to find table rules.
MAX_PATHS_PER_PAGE = 5_000
#: Seconds spent on one PDF before giving up (checked between pages and every 1,000
#: characters: PDFium itself cannot be interrupted while it parses one page).
MAX_PDF_SECONDS = 30.0

#: Largest decompressed size of one Flate stream that PDFium would decode to read text
#: (page content, fonts, object streams; images are never decoded for text), and of
#: all of them together: a 600 KB "PDF bomb" inflating to 400 MB cost PDFium 850 MB.
MAX_STREAM_INFLATED_BYTES = 32 * 1024 * 1024
MAX_TOTAL_INFLATED_BYTES = 128 * 1024 * 1024

_LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
    # Adobe's private-use fi and fl (Mac Roman fonts).
    "\uf001": "fi", "\uf002": "fl",
}
# pdfLaTeX's Type 1 fonts without a ToUnicode map: PDFium gives the ligatures' codes in
# the font's TeX encoding, T1 (Cork: 0x1B-0x1F) or OT1 (0x0B-0x0F; 0x0D, read as a line
# break, is left alone). Trusted only from a TeX font (Computer Modern, cm-super, EC,
# Latin Modern) or a font without a name (pdfTeX's bitmap Type 3 fonts, made when the
# Type 1 ones are not installed): elsewhere they are control characters, dropped.
_TEX_LIGATURES = {0x1B: "ff", 0x1C: "fi", 0x1D: "fl", 0x1E: "ffi", 0x1F: "ffl",
                  0x0B: "ff", 0x0C: "fi", 0x0E: "ffi", 0x0F: "ffl"}
_TEX_FONT = re.compile(
    rb"^(?:[A-Z]{6}\+)?(?:CM[A-Z]{1,4}\d|SF[A-Z]{2}\d|EC[A-Z]{2}\d|TC[A-Z]{2}\d|LM[A-Z])")

# A bold font's name: "LiberationSerif-Bold", "Arial,Bold", "Calibri-BoldItalic",
# "SourceSansPro-Black", "Helvetica-Heavy", "OpenSans-Semibold", "CMBX10" (TeX).
_BOLD_FONT = re.compile(rb"bold|black|heavy|demi|semibold|^(?:[A-Z]{6}\+)?CMBX",
                        re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PdfPage:
    """One page as read: its characters in content-stream order, its ruled tables, its
    other horizontal rules (y, x0, x1), the images covering much of it (a scan), and its
    box in user space (its origin need not be 0, 0; a turned page's in its text's axes)."""

    number: int  # from 0
    bottom: float
    top: float
    chars: list[Char]
    tables: list[Table]
    rules: list[tuple[float, float, float]]
    images: int


class OpenPdf:
    """A PDF opened by `open_pdf`: its page count, its pages read one at a time, its
    document information."""

    def __init__(self, pdfium: Any, document: Any, page_count: int, *, name: str,
                 started: float, max_seconds: float, clock: Callable[[], float]) -> None:
        self._pdfium, self._document, self._name = pdfium, document, name
        self._started, self._max_seconds, self._clock = started, max_seconds, clock
        self.page_count = page_count

    def page(self, number: int) -> PdfPage:
        """Page `number` (from 0), once the time spent on the file is checked."""
        if self._clock() - self._started > self._max_seconds:
            raise PackageError(IssueCode.TOO_LARGE, _slow_message(self._name))
        return _read_page(self._pdfium, self._document, number, self._name, self._started,
                          self._max_seconds, self._clock)

    def properties(self) -> Properties:
        return _properties(_metadata(self._pdfium, self._document))


@contextmanager
def open_pdf(
    data: bytes,
    *,
    name: str,
    max_seconds: float = MAX_PDF_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[OpenPdf]:
    """Open a PDF within the bounds above, and close it after the `with` block.

    Raises `PackageError` with `encrypted` (a password is needed to open it),
    `unreadable` (damaged: PDFium fails, now or while reading a page) or `too_large`
    (compressed streams, pages, characters or seconds over the limits).
    """
    import pypdfium2 as pdfium  # lazily: only PDF replies pay for it

    started = clock()
    if _inflates_too_much(data):
        raise PackageError(IssueCode.TOO_LARGE, (
            f"« {name} » contient des données compressées démesurées (plus de "
            f"{MAX_TOTAL_INFLATED_BYTES // (1024 * 1024)} Mo une fois décompressées) : ce "
            "n’est pas un questionnaire ordinaire, il n’a pas été lu. Vérifiez qu’il s’agit "
            "du bon fichier ; sinon demandez le fichier Word."))
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
            raise PackageError(IssueCode.ENCRYPTED, _encrypted_message(name)) from None
        raise PackageError(IssueCode.UNREADABLE, _damaged_message(name)) from None
    try:
        count = len(document)
        if count > MAX_PDF_PAGES:
            raise PackageError(IssueCode.TOO_LARGE, (
                f"« {name} » est un PDF de {count} pages, bien plus qu’un questionnaire : "
                "vérifiez qu’il s’agit du bon fichier ; sinon reportez ses réponses à la main."))
        _init_forms(pdfium, document)
        yield OpenPdf(pdfium, document, count, name=name, started=started,
                      max_seconds=max_seconds, clock=clock)
    except pdfium.PdfiumError:
        raise PackageError(IssueCode.UNREADABLE, _damaged_message(name)) from None
    finally:
        document.close()


# -- untrusted input, and the messages of a PDF that cannot be read --------------------


_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")


def _inflates_too_much(data: bytes) -> bool:
    """Whether the Flate streams PDFium would decode for text exceed the limits.

    Each stream is inflated in bounded steps and the output thrown away, so this costs
    time in proportion to the real content (milliseconds for a reply), never memory.
    Streams with other filters, images and streams that fail to inflate (encrypted,
    damaged: PDFium judges those) are skipped.
    """
    total = 0
    for match in _STREAM_START.finditer(data):
        head = data[max(0, match.start() - 2048):match.start()]
        head = head[head.rfind(b" obj") + 1:] if b" obj" in head else head
        if b"/Image" in head:
            continue
        found = _FILTERS.search(head)
        if found is None:
            continue
        names = re.findall(rb"/([A-Za-z0-9]+)", found.group(1))
        if not names or any(n not in (b"FlateDecode", b"Fl") for n in names):
            continue
        size = _inflated_size(data, match.end(), len(names), MAX_STREAM_INFLATED_BYTES + 1)
        total += size
        if size > MAX_STREAM_INFLATED_BYTES or total > MAX_TOTAL_INFLATED_BYTES:
            return True
    return False


def _inflated_size(data: bytes, start: int, layers: int, cap: int) -> int:
    import zlib

    def raw() -> Iterator[bytes]:
        for offset in range(start, len(data), 65536):
            yield data[offset:offset + 65536]

    def inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
        decoder = zlib.decompressobj()
        for chunk in chunks:
            pending = chunk
            while pending and not decoder.eof:  # after eof the tail is never consumed
                out = decoder.decompress(pending, 1 << 20)
                if out:
                    yield out
                pending = decoder.unconsumed_tail
            if decoder.eof:
                return

    stream: Iterator[bytes] = raw()
    for _ in range(min(layers, 4)):
        stream = inflate(stream)
    size = 0
    try:
        for piece in stream:
            size += len(piece)
            if size >= cap:
                break
    except zlib.error:
        pass
    return size


def _encrypted_message(name: str) -> str:
    return (f"« {name} » est un PDF protégé par un mot de passe : demandez au parti une "
            "version sans mot de passe (ou le fichier Word), puis relancez.")


def _damaged_message(name: str) -> str:
    return (f"« {name} » est un PDF endommagé ou incomplet (envoi interrompu ?) : essayez de "
            "l’ouvrir ; s’il ne s’ouvre pas, demandez au parti de le renvoyer, ou le fichier "
            "Word.")


def _slow_message(name: str) -> str:
    return (f"« {name} » est un PDF trop lourd à lire (plus de {MAX_PDF_SECONDS:.0f} secondes)"
            " : vérifiez qu’il s’agit du bon fichier ; sinon demandez le fichier Word ou "
            "reportez ses réponses à la main.")


def no_text_message(name: str) -> str:
    return (f"« {name} » est un PDF sans aucun texte (pages blanches, ou seulement des "
            "dessins) : vérifiez qu’il s’agit du bon fichier ; sinon demandez au parti de "
            "le renvoyer, ou le fichier Word.")


def scanned_message(name: str) -> str:
    return (f"« {name} » est un PDF sans texte (pages scannées ou photographiées) : il ne peut "
            "pas être lu automatiquement. Demandez au parti le fichier Word, ou recopiez ses "
            "réponses dans un questionnaire vierge (commande « cuf-extract modele ») puis "
            "relancez.")


# -- characters ------------------------------------------------------------------------


def _read_page(
    pdfium: Any, document: Any, number: int, name: str, started: float, max_seconds: float,
    clock: Callable[[], float],
) -> PdfPage:
    import ctypes

    raw = pdfium.raw
    page = document[number]
    try:
        _, bottom_edge, _, top_edge = page.get_bbox()
        textpage = page.get_textpage()
        try:
            tp = textpage.raw
            count = raw.FPDFText_CountChars(tp)
            if count > MAX_CHARS_PER_PAGE:
                raise PackageError(IssueCode.TOO_LARGE, (
                    f"« {name} » a une page de plus de {MAX_CHARS_PER_PAGE} caractères, bien "
                    "plus qu’un questionnaire : vérifiez qu’il s’agit du bon fichier ; sinon "
                    "reportez ses réponses à la main."))
            x, y = ctypes.c_double(), ctypes.c_double()
            left, right, bottom, top = (ctypes.c_double() for _ in range(4))
            font_name = ctypes.create_string_buffer(128)
            matrix = raw.FS_MATRIX()
            loose = raw.FS_RECTF()
            font_flags = ctypes.c_int()
            bold_fonts: dict[bytes, bool] = {}
            chars: list[Char] = []
            paired = -1  # the low surrogate joined to the character before it
            for index in range(count):
                if index % 1000 == 999 and clock() - started > max_seconds:
                    raise PackageError(IssueCode.TOO_LARGE, _slow_message(name))
                if index == paired:
                    continue
                code = raw.FPDFText_GetUnicode(tp, index)
                if code in (0x0D, 0x0A) or code == 0:
                    continue
                if (code == 0x20 and chars and chars[-1].text.isspace()
                        and raw.FPDFText_IsGenerated(tp, index) == 1):
                    continue  # PDFium's space for a wide gap after a drawn one (NBSP)
                if 0xD800 <= code <= 0xDFFF:
                    # PDFium gives UTF-16 code units: a character beyond U+FFFF is two,
                    # and a font's ToUnicode map may give a lone one.
                    low = raw.FPDFText_GetUnicode(tp, index + 1) if index + 1 < count else 0
                    if code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        paired = index + 1
                    else:
                        code = 0xFFFD
                raw.FPDFText_GetFontInfo(tp, index, font_name, 128, font_flags)
                char: str | None
                if code < 0x20 and code in _TEX_LIGATURES and (
                        not font_name.value or _TEX_FONT.match(font_name.value)):
                    char = _TEX_LIGATURES[code]  # a TeX font without a ToUnicode map
                else:
                    char = _char_text(code)
                if char is None:
                    continue
                raw.FPDFText_GetCharOrigin(tp, index, x, y)
                raw.FPDFText_GetCharBox(tp, index, left, right, bottom, top)
                size = raw.FPDFText_GetFontSize(tp, index)
                if size <= 2 and raw.FPDFText_GetMatrix(tp, index, matrix):
                    # Set at size 1 and scaled by the text matrix (the Adobe PDF Library,
                    # Acrobat PDFMaker): the matrix's vertical scale is the real size.
                    size *= (matrix.c ** 2 + matrix.d ** 2) ** 0.5
                height_box = top.value - bottom.value
                if size <= 2 and height_box > 0:
                    size = height_box
                x0, x1 = left.value, right.value
                if x1 <= x0:  # spaces have empty boxes
                    x0 = x1 = x.value
                bold = bold_fonts.get(font_name.value)
                if bold is None:
                    bold = bold_fonts[font_name.value] = _BOLD_FONT.search(
                        font_name.value) is not None
                advance: tuple[float | None, float | None] = (None, None)
                if raw.FPDFText_GetLooseCharBox(tp, index, loose) and loose.right > loose.left:
                    advance = loose.left, loose.right
                chars.append(Char(char, x0, x1, y.value, max(size, 1.0), index, bold=bold,
                                  adv0=advance[0], adv1=advance[1]))
            upright = _upright(raw, tp, page.get_bbox(), chars)
            if upright is not None:
                chars, bottom_edge, top_edge = upright
            else:
                chars = _add_fields(chars, _form_chars(raw, document, page, count, name))
        finally:
            textpage.close()
        tables, horizontal, images, strokes, dots, actual = _rules(pdfium, page)
        if upright is not None:  # rules are drawn in the page's own axes: not used
            tables, horizontal, strokes, dots, actual = [], [], [], [], []
    finally:
        page.close()
    if strokes:
        _mark_struck(chars, strokes)
    if dots:
        chars = _shape_bullets(chars, dots)
    if actual:
        chars = _actual_texts(chars, actual)
    rules = [(y, x0, x1) for y, x0, x1 in horizontal
             if not any(t.bottom - 2 <= y <= t.top + 2 for t in tables)]
    return PdfPage(number, bottom_edge, top_edge, chars, tables, rules, images)


def _char_text(code: int) -> str | None:
    """The character PDFium reports as `code` (surrogates already joined), as text;
    None for a control character, which no font draws and no writer could store."""
    if code in (0x02, 0xFFFE):  # PDFium: a hyphen at a line end
        return "\x02"
    if code in (0x09, 0x0B, 0x0C):
        return " "
    if code < 0x20 or 0x7F <= code <= 0x9F or code == 0xFFFF:
        return None
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd"
    char = chr(code)
    return _LIGATURES.get(char, char)


def whole_characters(text: str) -> str:
    """`text` as valid Unicode: surrogate pairs (a UTF-16 string decoded code unit by
    code unit) joined, lone surrogates replaced by U+FFFD."""
    if not _SURROGATES.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


_SURROGATES = re.compile("[\ud800-\udfff]")


# -- rotated text ----------------------------------------------------------------------


def _upright(raw: Any, tp: Any, bbox: tuple[float, float, float, float],
             chars: list[Char]) -> tuple[list[Char], float, float] | None:
    """A page whose text is drawn turned by a quarter or half turn (a landscape page
    kept portrait with `/Rotate`, a page upside down): its characters in the text's own
    axes (x along the reading direction, y up the glyphs), and the page's bottom and top
    in those axes; None when most of the text is upright (the common case: a sample of
    the characters' angles is read, nothing else)."""
    import ctypes
    import math

    votes: Counter[int] = Counter()
    for char in chars[:200]:
        if char.text.isspace():
            continue
        angle = raw.FPDFText_GetCharAngle(tp, char.index)  # radians, clockwise; -1: none
        if angle >= 0:
            votes[(4 - round(math.degrees(angle) / 90)) % 4] += 1  # quarter turns, ccw
    if not votes:
        return None
    quarter, count = votes.most_common(1)[0]
    if quarter == 0 or count < 0.6 * sum(votes.values()):
        return None
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    turned: list[Char] = []
    for char in chars:
        raw.FPDFText_GetCharOrigin(tp, char.index, x, y)
        raw.FPDFText_GetCharBox(tp, char.index, left, right, bottom, top)
        if quarter == 1:  # reading up the page
            start, end, base, origin = bottom.value, top.value, -x.value, y.value
        elif quarter == 3:  # reading down the page
            start, end, base, origin = -top.value, -bottom.value, x.value, -y.value
        else:  # upside down
            start, end, base, origin = -right.value, -left.value, -y.value, -x.value
        if end <= start:  # spaces have empty boxes
            start = end = origin
        turned.append(replace(char, x0=start, x1=end, base=base))
    page_left, page_bottom, page_right, page_top = bbox
    edges = {1: (-page_right, -page_left), 3: (page_left, page_right),
             2: (-page_top, -page_bottom)}[quarter]
    return turned, edges[0], edges[1]


# -- drawings: rules and tables, ActualText, bullets, strike lines ---------------------


def _rules(
    pdfium: Any, page: Any,
) -> tuple[list[Table], list[tuple[float, float, float]], int, list[_Stroke], list[_Dot],
           list[_Actual]]:
    """Tables drawn with ruling lines (thin path objects), the horizontal rules
    (y, x0, x1), the number of images covering much of the page (scans), every thin
    horizontal path (strike lines are among them), every small filled dot or square
    (list bullets drawn as shapes) and the objects a tagged PDF gives an ActualText."""
    raw = pdfium.raw
    horizontal: list[tuple[float, float, float]] = []  # (y, x0, x1)
    strokes: list[_Stroke] = []
    dots: list[_Dot] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    vertical: list[tuple[float, float, float]] = []  # (x, y0, y1)
    images = 0
    image_area = 0.0
    left, bottom, right, top = page.get_bbox()
    page_area = max((right - left) * (top - bottom), 1.0)
    actual: list[_Actual] = []
    for seen, obj in enumerate(page.get_objects(max_depth=2)):
        if seen >= MAX_PATHS_PER_PAGE:
            break
        if raw.FPDFPageObj_CountMarks(obj.raw) > 0:
            text = _actual_text(raw, obj.raw)
            if text:
                actual.append((*obj.get_bounds(), text))
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            # A scan fills the page (maybe in strips); a logo or a signature does not.
            x0, y0, x1, y1 = obj.get_bounds()
            area = (x1 - x0) * (y1 - y0)
            images += area >= 0.4 * page_area
            image_area += area
            continue
        if obj.type != raw.FPDF_PAGEOBJ_PATH:
            continue
        x0, y0, x1, y1 = obj.get_bounds()
        width, height = x1 - x0, y1 - y0
        if height <= 3 and width >= 1 and width > 2 * height:
            strokes.append((y0, y1, x0, x1))
        if height <= 3 and width >= 20:
            horizontal.append(((y0 + y1) / 2, x0, x1))
        elif width <= 3 and height >= 10:
            vertical.append(((x0 + x1) / 2, y0, y1))
        elif (DOT_MIN <= width <= DOT_MAX and DOT_MIN <= height <= DOT_MAX
              and 0.6 * height <= width <= 1.6 * height
              and raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke) and fill.value):
            dots.append((x0, y0, x1, y1))
    tables: list[Table] = []
    # Vertical rules overlapping in height belong to one table.
    for x, y0, y1 in sorted(vertical, key=lambda v: -v[2]):
        for table in tables:
            if y0 < table.top and y1 > table.bottom:
                table.top, table.bottom = max(table.top, y1), min(table.bottom, y0)
                table.xs.append(x)
                break
        else:
            tables.append(Table(top=y1, bottom=y0, xs=[x], rows=[]))
    found: list[Table] = []
    for table in tables:
        xs = cluster(sorted(table.xs))
        if len(xs) < 3:  # one column: a box or a frame, read as ordinary text
            continue
        ys = cluster(sorted(
            (y for y, hx0, hx1 in horizontal
             if table.bottom - 2 <= y <= table.top + 2 and hx0 < xs[1] and hx1 > xs[-2]),
            reverse=True))
        rows = sorted({table.top, *ys, table.bottom}, reverse=True)
        found.append(Table(top=table.top, bottom=table.bottom, xs=xs, rows=cluster(rows)))
    if not images and image_area >= 0.4 * page_area:
        images = 1
    return found, horizontal, images, strokes, dots, actual


_Actual = tuple[float, float, float, float, str]  # x0, y0, x1, y1, the text it stands for
# Longest ActualText read (an emoji, a symbol, a word drawn as paths).
MAX_ACTUAL_TEXT = 200


def _actual_text(raw: Any, obj: Any) -> str | None:
    """The ActualText of an object's marked content (`/Span << /ActualText (…) >> BDC`):
    what a tagged PDF says a glyph, image or drawing stands for. Read as bytes, since
    PDFium's string value mangles characters outside the BMP (LibreOffice's emoji)."""
    size = ctypes.c_ulong()
    for n in range(min(raw.FPDFPageObj_CountMarks(obj), 8)):
        mark = raw.FPDFPageObj_GetMark(obj, n)
        if not mark or not raw.FPDFPageObjMark_GetParamBlobValue(
                mark, b"ActualText", None, 0, ctypes.byref(size)):
            continue
        length = min(size.value, 2 * MAX_ACTUAL_TEXT + 2)
        buffer = (ctypes.c_ubyte * max(length, 1))()
        if not raw.FPDFPageObjMark_GetParamBlobValue(
                mark, b"ActualText", buffer, length, ctypes.byref(size)):
            continue
        data = bytes(buffer)[:min(size.value, length)]
        if data.startswith(b"\xfe\xff"):
            text = data[2:].decode("utf-16-be", "replace")
        elif data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8", "replace")
        else:
            text = data.decode("latin-1")
        text = "".join(c for c in text if c.isprintable())
        return text or None
    return None


def _actual_texts(chars: list[Char], actual: list[_Actual]) -> list[Char]:
    """A tagged PDF's ActualText where the text layer has nothing: a glyph no font
    could map (LibreOffice's emoji drawn with a fallback font, « Oui 👍 ») or a drawing.
    Where the text layer has characters already, it is the same text: not added."""
    merged = list(chars)
    for x0, y0, x1, y1, text in actual:
        middle = (y0 + y1) / 2
        row = [c for c in merged if not c.text.isspace()
               and c.base - 0.4 * c.size <= middle <= c.base + c.size]
        if not row or any(x0 - 0.5 <= (c.x0 + c.x1) / 2 <= x1 + 0.5 for c in row):
            continue
        before = [c for c in row if c.x1 <= x0 + 0.5]
        near = max(before, key=lambda c: c.x1) if before else min(row, key=lambda c: c.x0)
        added = [Char(ch, x0, max(x0, x1), near.base, near.size, near.index)
                 for ch in whole_characters(text)]
        at = next(n for n, c in enumerate(merged) if c is near)
        if before:  # after the character before it, and the spaces that follow it
            at += 1
            while at < len(merged) and merged[at].text.isspace() and (
                    merged[at].x1 <= x0 + 0.5):
                at += 1
        merged[at:at] = added
    return merged


_Dot = tuple[float, float, float, float]  # a small filled path: x0, y0, x1, y1
# A bullet drawn as a shape (Chromium, wkhtmltopdf: a filled disc or square) measures
# 3.8 pt beside 12 pt text, 5.8 pt beside 20 pt text: between 1.5 and 10 pt, at most
# half the text's size (a check box drawn as a square is as tall as the text, and
# stroked, not filled).
DOT_MIN, DOT_MAX = 1.5, 10.0
DOT_MAX_SIZE_RATIO = 0.5


def _shape_bullets(chars: list[Char], dots: list[_Dot]) -> list[Char]:
    """A dot drawn left of a line's first character, at its x-height, with no text
    before it on the line, is that line's bullet: added as a "•" character so the line
    reads as a list item, as when the font draws the bullet."""
    added: list[Char] = []
    visible = [c for c in chars if not c.text.isspace()]
    for x0, y0, x1, y1 in dots:
        middle = (y0 + y1) / 2
        beside = [c for c in visible
                  if 0 <= middle - c.base <= 0.7 * c.size and x1 - x0 <= DOT_MAX_SIZE_RATIO
                  * c.size and c.x0 > x1 - 0.5 and c.x0 - x1 <= 3 * c.size]
        if not beside:
            continue
        first = min(beside, key=lambda c: c.x0)
        if any(abs(c.base - first.base) <= 0.35 * first.size and c.x1 <= x0 + 0.5
               and x0 - c.x1 <= 6 * first.size for c in visible):
            continue  # text before it on the line: a dot in the text, not a bullet
        added.append(Char("•", x0, x1, first.base, first.size, first.index))
    if not added:
        return chars
    # In the reading order, just before the character the bullet stands beside.
    order = {id(c): n for n, c in enumerate(chars)}
    before = {id(min((c for c in chars if c.index == a.index), key=lambda c: order[id(c)]))
              for a in added}
    merged: list[Char] = []
    pending = {a.index: a for a in added}
    for char in chars:
        if id(char) in before and char.index in pending:
            merged.append(pending.pop(char.index))
        merged.append(char)
    return merged


_Stroke = tuple[float, float, float, float]  # a thin horizontal path: y0, y1, x0, x1
# Where a strike line crosses a character, in font sizes above its baseline: LibreOffice
# strikes at 0.28 (double strike: 0.19 and 0.31); other producers use the font's own
# strikeout position, which fonts put near mid x-height (not measured here). Underlines
# lie below the baseline (-0.1), overlines and table rules above the capitals (0.7 up).
STRIKE_LOW, STRIKE_HIGH = 0.12, 0.5


def _mark_struck(chars: list[Char], strokes: list[_Stroke]) -> None:
    """Mark the characters a strike line crosses: a thin horizontal path between their
    baseline and x-height, lying over them for most of its length (a rule drawn across
    a wider space, a table border, an underline or a separator rule is not one)."""
    order = sorted((c for c in chars if c.x1 > c.x0 and not c.text.isspace()),
                   key=lambda c: c.base)
    if not order:
        return
    bases = [c.base for c in order]
    largest = max(c.size for c in order)
    for y0, y1, x0, x1 in strokes:
        middle = (y0 + y1) / 2
        first = bisect.bisect_left(bases, middle - STRIKE_HIGH * largest)
        last = bisect.bisect_right(bases, middle)
        hits = [
            c for c in order[first:last]
            if STRIKE_LOW * c.size <= middle - c.base <= STRIKE_HIGH * c.size
            and y1 - y0 <= 0.25 * c.size and x0 - 1 <= (c.x0 + c.x1) / 2 <= x1 + 1]
        if not hits:
            continue
        # The line covers the characters it crosses, give or take a space at each end
        # (a deleted "ne " is struck with its space, whose box PDFium leaves empty).
        width = x1 - x0
        extent = max(c.x1 for c in hits) - min(c.x0 for c in hits)
        inked = sum(c.x1 - c.x0 for c in hits)
        if extent + 0.7 * hits[0].size >= 0.8 * width and inked >= 0.4 * width:
            for char in hits:
                char.struck = True


# -- filled form fields ----------------------------------------------------------------


#: Most form fields read on one page (a questionnaire has a few dozen).
MAX_FIELDS_PER_PAGE = 500
_CHECKED, _UNCHECKED = "\u2612", "\u2610"  # ☒ ☐, as Word's check box content controls


def _init_forms(pdfium: Any, document: Any) -> None:
    """Load the form (AcroForm) of a PDF that has one, before any page: its fields'
    values are not in the pages' text, only in the fields."""
    if pdfium.raw.FPDF_GetFormType(document.raw) != pdfium.raw.FORMTYPE_NONE:
        document.init_forms()


def _form_chars(raw: Any, document: Any, page: Any, start: int, name: str) -> list[Char]:
    """The values of the page's filled form fields as characters placed where the
    fields stand, so they are read like typed text: a text field's value (each of its
    lines one paragraph, squeezed into the field's width), a check box or radio button
    as ☒ or ☐ beside its printed label. Empty fields, hidden fields, buttons and
    signatures give nothing. `start` numbers the characters after the page's own; the
    page's characters and its fields' together are bounded like the page's alone."""
    import ctypes

    formenv = getattr(document, "formenv", None)
    if formenv is None:
        return []
    form = formenv.raw
    chars: list[Char] = []
    count = min(raw.FPDFPage_GetAnnotCount(page.raw), MAX_FIELDS_PER_PAGE)
    rect = raw.FS_RECTF()
    font_size = ctypes.c_float()
    for number in range(count):
        annot = raw.FPDFPage_GetAnnot(page.raw, number)
        if not annot:
            continue
        try:
            if (raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_WIDGET
                    or raw.FPDFAnnot_GetFlags(annot) & raw.FPDF_ANNOT_FLAG_HIDDEN
                    or not raw.FPDFAnnot_GetRect(annot, rect)):
                continue
            kind = raw.FPDFAnnot_GetFormFieldType(form, annot)
            left, right = min(rect.left, rect.right), max(rect.left, rect.right)
            bottom, top = min(rect.bottom, rect.top), max(rect.bottom, rect.top)
            if kind in (raw.FPDF_FORMFIELD_CHECKBOX, raw.FPDF_FORMFIELD_RADIOBUTTON):
                mark = _CHECKED if raw.FPDFAnnot_IsChecked(form, annot) else _UNCHECKED
                height = top - bottom
                chars.append(Char(mark, left, right, bottom + 0.2 * height,
                                  max(0.9 * height, 1.0), start + len(chars)))
                continue
            if kind not in (raw.FPDF_FORMFIELD_TEXTFIELD, raw.FPDF_FORMFIELD_COMBOBOX,
                            raw.FPDF_FORMFIELD_LISTBOX):
                continue
            value = _field_value(raw, form, annot)
            if value is None or start + len(chars) + len(value) > MAX_CHARS_PER_PAGE:
                raise PackageError(IssueCode.TOO_LARGE, (
                    f"« {name} » a une page de plus de {MAX_CHARS_PER_PAGE} caractères (champs "
                    "de formulaire compris), bien plus qu’un questionnaire : vérifiez qu’il "
                    "s’agit du bon fichier ; sinon reportez ses réponses à la main."))
            paragraphs = [_typed(p) for p in re.split(r"\r\n|\r|\n", value)]
            paragraphs = [p for p in paragraphs if p]
            if not paragraphs:
                continue
            size = 10.0
            if raw.FPDFAnnot_GetFontSize(form, annot, font_size) and font_size.value > 0:
                size = float(font_size.value)
            # One line per paragraph, two line steps apart (a paragraph each), from the
            # field's top; a one-line field's value on its middle.
            step = 2.0 * 1.2 * size
            base = top - 1.1 * size if len(paragraphs) > 1 or top - bottom > 2.5 * size else (
                bottom + max(top - bottom - size, 0.0) / 2 + 0.2 * size)
            for paragraph in paragraphs:
                width = min(0.5 * size, (right - left - 4.0) / len(paragraph))
                x = left + 2.0
                for letter in paragraph:
                    chars.append(Char(letter, x, x + width, base, size, start + len(chars)))
                    x += width
                base -= step
        finally:
            raw.FPDFPage_CloseAnnot(annot)
    return chars


def _add_fields(chars: list[Char], fields: list[Char]) -> list[Char]:
    """The page's characters with the form's: a check box's mark goes into the stream
    right after the printed text ending to its left on its baseline (« Oui ☒ Non ☐ »
    is then one line, as when the boxes are typed), anything else after the page's
    text."""
    if not fields:
        return chars
    order = sorted(range(len(chars)), key=lambda i: chars[i].base)
    bases = [chars[i].base for i in order]
    after: dict[int, list[Char]] = {}
    tail: list[Char] = []
    for mark in fields:
        if mark.text not in (_CHECKED, _UNCHECKED):
            tail.append(mark)
            continue
        best = -1
        for k in range(bisect.bisect_left(bases, mark.base - 20.0),
                       bisect.bisect_right(bases, mark.base + 20.0)):
            char = chars[order[k]]
            if (abs(char.base - mark.base) <= 0.35 * max(char.size, mark.size)
                    and char.x1 <= mark.x0 + 1.0 and (best < 0 or char.x1 >= chars[best].x1)):
                best = order[k]
        if best < 0:
            tail.append(mark)
        else:
            after.setdefault(best, []).append(replace(mark, index=chars[best].index))
    out: list[Char] = []
    for i, char in enumerate(chars):
        out.append(char)
        out.extend(sorted(after.get(i, ()), key=lambda c: c.x0))
    return out + tail


def _typed(text: str) -> str:
    """A field's text as page text is read: whole characters, no control characters
    (which no writer could store), a hyphen mark (U+0002) as a hyphen."""
    kept = (_char_text(ord(ch)) for ch in whole_characters(text))
    return "".join(ch for ch in kept if ch is not None).replace("\x02", "-").strip()


def _field_value(raw: Any, form: Any, annot: Any) -> str | None:
    """A field's value; None when it is longer than a page may hold."""
    import ctypes

    length = raw.FPDFAnnot_GetFormFieldValue(form, annot, None, 0)
    if length <= 2:
        return ""
    if length > 2 * MAX_CHARS_PER_PAGE + 2:  # UTF-16 and its terminator
        return None
    buffer = ctypes.create_string_buffer(length)
    raw.FPDFAnnot_GetFormFieldValue(
        form, annot, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), length)
    return buffer.raw[: length - 2].decode("utf-16-le", errors="replace")


# -- document information --------------------------------------------------------------


def _metadata(pdfium: Any, document: Any) -> dict[str, str]:
    """The document information dictionary's text values. Read here rather than with
    pypdfium2's helper, which fails on a lone surrogate (a damaged or hand-made PDF)."""
    import ctypes

    info: dict[str, str] = {}
    for key in ("Title", "Author", "CreationDate", "ModDate"):
        name = (key + "\x00").encode("ascii")
        size = pdfium.raw.FPDF_GetMetaText(document.raw, name, None, 0)
        if size <= 2:
            continue
        buffer = ctypes.create_string_buffer(size)
        pdfium.raw.FPDF_GetMetaText(document.raw, name, buffer, size)
        value = whole_characters(buffer.raw[:size - 2].decode("utf-16-le", "surrogatepass"))
        value = "".join(ch for ch in value if _char_text(ord(ch)) is not None)
        if value:
            info[key] = value
    return info


def _properties(info: dict[str, str]) -> Properties:
    def clean(key: str) -> str | None:
        value = " ".join((info.get(key) or "").split())
        return value or None

    return Properties(
        title=clean("Title"),
        creator=clean("Author"),
        created=iso_from_pdf(info.get("CreationDate")),
        modified=iso_from_pdf(info.get("ModDate")) or iso_from_pdf(info.get("CreationDate")),
    )
