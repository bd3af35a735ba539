"""A PDF reply -> the same `DocumentText` as a Word file, rebuilt from the page layout.

A PDF keeps glyphs and their positions, not paragraphs. `read_pdf_pages` reads each
page's characters, rules and tables through PDFium (`pdf_access`, which bounds what an
untrusted file may cost) and rebuilds from them what the respondent typed: lines,
running headers and footers, notes, table cells, columns, paragraphs and lists
(`pdf_layout`, which the words read by OCR on pages that are images go through too).
It also names the pages that hold images and no text (scanned pages).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cuf_extract.document import DocumentText
from cuf_extract.models import IssueCode
from cuf_extract.package import PackageError
from cuf_extract.pdf_access import (
    MAX_PDF_SECONDS,
    no_text_message,
    open_pdf,
    scanned_message,
)
from cuf_extract.pdf_layout import Page, PlacedWord, char_lines, rebuild, word_lines


@dataclass(frozen=True, slots=True)
class PdfText:
    """A PDF's text, and the pages that hold images but no text (scanned pages)."""

    document: DocumentText
    page_count: int
    image_pages: tuple[int, ...] = ()  # 1-based page numbers


def read_pdf_pages(
    data: bytes,
    *,
    name: str,
    max_seconds: float = MAX_PDF_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    page_words: Mapping[int, Sequence[PlacedWord]] | None = None,
) -> PdfText:
    """Read a PDF's text as blocks, headers and footers, and its document information,
    and say which pages are images without text.

    Raises `PackageError` with `encrypted` (a password is needed to open it),
    `unreadable` (damaged, or no text at all: blank pages, drawings), `too_large` (too
    many pages, characters or seconds) or `scanned_pdf` (pages that are images, no text
    layer). `page_words` (1-based page -> words) are the words `ocr_reader` read on
    pages that are images: they stand for those pages' text.
    """
    pages: list[Page] = []
    imaged: set[int] = set()  # pages with images covering much of them (scans)
    with open_pdf(data, name=name, max_seconds=max_seconds, clock=clock) as pdf:
        for number in range(pdf.page_count):
            read = pdf.page(number)
            pages.append(Page(number, read.bottom, read.top,
                              char_lines(read.chars, number, read.tables), read.tables,
                              read.rules))
            if read.images:
                imaged.add(number)
        properties = pdf.properties()
    for page in pages:
        if page_words and page.number + 1 in page_words and not page.lines:
            page.lines = word_lines(page_words[page.number + 1], page.number, page.top)
    if not any(line.text.strip() for page in pages for line in page.lines):
        if imaged:
            raise PackageError(IssueCode.SCANNED_PDF, scanned_message(name))
        # Blank pages, or drawings only: nothing a scan would explain.
        raise PackageError(IssueCode.UNREADABLE, no_text_message(name))
    image_pages = tuple(page.number + 1 for page in pages
                        if page.number in imaged and not page.lines)
    return PdfText(rebuild(pages, properties), len(pages), image_pages)
