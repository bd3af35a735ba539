"""One way into a file: a path -> the documents it holds, or the issue saying why not.

`read_document_file` sniffs the file's bytes (`inputs`), looks its kind up in `READERS`
and returns what that reader returns: a `FileText`, never an exception for a bad file.
Extraction (`pipeline`) and deriving a questionnaire from a form (`derive`) both come in
here, so a file is bounded, converted and read the same way for both.

A reader takes a `Source` (the path, its sniffed kind, the run's LibreOffice
`Converter`, whether formatting is wanted) and returns a `FileText`: the SHA-256 of the
file's bytes, and either its documents (one for Word and PDF; a container such as an
e-mail may hold several, each with a label saying where it was found) with the notes
saying how they were read, or the one issue that stopped reading. Adding a format is
one entry in `READERS`; see docs/design.md, *One way into a file*.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cuf_extract import checks, inputs
from cuf_extract.checks import make_issue
from cuf_extract.inputs import FileKind
from cuf_extract.models import Issue, IssueCode
from cuf_extract.package import MAX_FILE_BYTES, OoxmlPackage, PackageError

if TYPE_CHECKING:
    from cuf_extract.convert import Converter
    from cuf_extract.document import DocumentText

__all__ = [
    "READERS",
    "SKIPPED_KINDS",
    "FileText",
    "FoundDocument",
    "Reader",
    "Source",
    "read_bounded",
    "read_document_bytes",
    "read_document_file",
]

#: Kinds that are never replies (Word's lock files, macOS resource files): not read.
SKIPPED_KINDS = frozenset({FileKind.OWNER_FILE, FileKind.SYSTEM_FILE})


@dataclass(frozen=True, slots=True)
class FoundDocument:
    """One document found in a file."""

    document: DocumentText
    label: str = ""  # where in the file it was found ("" for the file itself)
    notes: tuple[Issue, ...] = ()  # how this document was read
    doubtful: tuple[str, ...] = ()  # words OCR read with low confidence (checks.doubtful_words)


@dataclass(frozen=True, slots=True)
class FileText:
    """A file as read: its documents and how they were read, or why it could not be."""

    kind: FileKind
    sha256: str | None = None
    documents: tuple[FoundDocument, ...] = ()
    notes: tuple[Issue, ...] = ()  # how the file was read (converted, from a PDF…)
    error: Issue | None = None  # set when nothing could be read; `documents` is then empty


@dataclass(frozen=True, slots=True)
class Source:
    """What a reader gets: the file, what its bytes say it is, and how to read it."""

    path: Path
    kind: FileKind
    converter: Converter
    formatting: bool = False  # Block.bold/italic, for reading a blank form's layout


Reader = Callable[[Source], FileText]


def read_document_file(
    path: Path,
    converter: Converter,
    *,
    formatting: bool = False,
    kinds: Collection[FileKind] | None = None,
) -> FileText:
    """The documents in `path`, or the issue that says why it cannot be read.

    `kinds` limits the kinds read (a blank form must be a Word document); any other
    kind gets the error of a file that is not one. Never raises for a bad file.
    """
    kind = inputs.sniff(path, inspect_zip=False).kind  # a zip is opened once, below
    if kind in SKIPPED_KINDS:
        return FileText(kind, error=checks.owner_file(path.name))
    reader = READERS.get(kind)
    if reader is None or (kinds is not None and kind not in kinds):
        return _not_read(path, kind)
    return reader(Source(path, kind, converter, formatting))


def read_document_bytes(data: bytes, name: str, converter: Converter) -> FileText:
    """A document held in memory (an e-mail attachment named `name`), read as
    `read_document_file` reads a file: Word and PDF from the bytes; a kind LibreOffice
    converts through a copy in a private temporary folder, never beside the inputs."""
    kind = inputs.sniff_bytes(data, name=name).kind  # the zip inspected: an .odt is known
    sha = hashlib.sha256(data).hexdigest()
    if kind in SKIPPED_KINDS:
        return FileText(kind, error=checks.owner_file(name))
    if kind in inputs.CONVERTIBLE_KINDS:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="cuf-extract-attachment-",
                                         ignore_cleanup_errors=True) as folder:
            copy = Path(folder) / _file_name(name)
            copy.write_bytes(data)
            read = _read_converted(Source(copy, kind, converter))
        return FileText(read.kind, sha, read.documents, read.notes, read.error)
    if kind is FileKind.DOCX:
        try:
            package = OoxmlPackage.from_bytes(data, name=name)
        except PackageError as exc:
            return FileText(kind, sha, error=make_issue(exc.code, exc.message))
        return _word(Source(Path(_file_name(name)), kind, converter), package, sha)
    if kind is FileKind.PDF:
        return _pdf_text(data, name, sha)
    if kind is FileKind.IMAGE:  # a scan or a photo attached to a message
        return _ocr_text(data, name, kind)
    return FileText(kind, sha, error=_explained(kind, name))


def _file_name(name: str) -> str:
    """`name` as a file name any system accepts (for a temporary copy)."""
    cleaned = "".join("_" if c in '<>:"/\\|?*' or c < " " else c for c in name).strip(" .")
    return cleaned[-120:] or "document"


def read_bounded(path: Path) -> bytes:
    """The bytes of `path`, refused (TOO_LARGE) above MAX_FILE_BYTES before reading.
    Raises OSError when the file cannot be read."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PackageError(IssueCode.TOO_LARGE, checks.too_large_message(path.name, size))
    with path.open("rb") as handle:
        # read(n) allocates n bytes up front: ask for what stat() announced (and one more
        # byte, to see a file that grew since).
        data = handle.read(size + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PackageError(IssueCode.TOO_LARGE, checks.too_large_message(path.name, len(data)))
    return data


# --------------------------------------------------------------------------- readers


def _read_package(source: Source) -> FileText:
    """A zip: a Word document is read; an .odt (or another zip LibreOffice reads) is
    converted; any other zip is explained."""
    data, error = _bytes(source.path)
    if data is None:
        return FileText(source.kind, error=error)
    sha = hashlib.sha256(data).hexdigest()
    try:
        package = OoxmlPackage.from_bytes(data, name=source.path.name)
    except PackageError as exc:
        return FileText(source.kind, sha, error=make_issue(exc.code, exc.message))
    kind = _classify(package)
    if kind is not FileKind.DOCX:
        if kind in inputs.CONVERTIBLE_KINDS:
            return _read_converted(Source(source.path, kind, source.converter,
                                          source.formatting))
        return FileText(kind, sha, error=_explained(kind, source.path.name))
    return _word(source, package, sha)


def _read_converted(source: Source) -> FileText:
    """.doc, .odt, .rtf, Word XML: converted to .docx by LibreOffice in a temporary
    folder, then read as Word; explained when LibreOffice is not installed."""
    path = source.path
    sha = sha256_or_none(path)
    if not source.converter.available:
        return FileText(source.kind, sha, error=_explained(source.kind, path.name))
    with source.converter.convert(path, source.kind) as conversion:
        if not conversion.ok or conversion.docx is None:
            message = conversion.message or f"« {path.name} » n’a pas pu être converti."
            return FileText(source.kind, sha,
                            error=make_issue(IssueCode.UNSUPPORTED_FORMAT, message))
        try:
            data = read_bounded(conversion.docx)
        except PackageError as exc:
            return FileText(source.kind, sha, error=make_issue(exc.code, exc.message))
    sha = sha or hashlib.sha256(data).hexdigest()
    try:
        package = OoxmlPackage.from_bytes(data, name=path.name)
    except PackageError as exc:
        return FileText(source.kind, sha, error=make_issue(exc.code, exc.message))
    read = _word(source, package, sha)
    note = checks.converted_note(path.name, source.kind.value)
    return read if read.error else FileText(read.kind, sha, read.documents, (*read.notes, note))


def _read_pdf(source: Source) -> FileText:
    """A PDF with a text layer, rebuilt into blocks by `pdf_reader`."""
    data, error = _bytes(source.path)
    if data is None:
        return FileText(source.kind, error=error)
    return _pdf_text(data, source.path.name, hashlib.sha256(data).hexdigest())


def _pdf_text(data: bytes, name: str, sha: str) -> FileText:
    from cuf_extract.pdf_reader import read_pdf_pages

    try:
        pdf = read_pdf_pages(data, name=name)
    except PackageError as exc:
        if exc.code is IssueCode.SCANNED_PDF:  # no text layer at all: a scan
            return _ocr_text(data, name, FileKind.PDF)
        return FileText(FileKind.PDF, sha, error=make_issue(exc.code, exc.message))
    if pdf.image_pages and _ocr_available():  # some pages scanned: those are read by OCR
        return _ocr_text(data, name, FileKind.PDF)
    notes = [checks.from_pdf_note(name)]
    if pdf.image_pages:
        notes.append(checks.scanned_pages(name, pdf.image_pages, pdf.page_count))
    return FileText(FileKind.PDF, sha, (FoundDocument(pdf.document),), tuple(notes))


def _read_image(source: Source) -> FileText:
    """A scan, a photo, a screenshot (PNG, JPEG, TIFF): read by OCR."""
    data, error = _bytes(source.path)
    if data is None:
        return FileText(source.kind, error=error)
    return _ocr_text(data, source.path.name, source.kind)


def _ocr_text(data: bytes, name: str, kind: FileKind) -> FileText:
    """An image, or a PDF with pages that are only images, read by `ocr_reader` when
    Tesseract is installed; else `scanned_pdf`, saying how to install it."""
    from cuf_extract.ocr_reader import read_ocr

    sha = hashlib.sha256(data).hexdigest()
    try:
        ocr = read_ocr(data, name=name, kind="pdf" if kind is FileKind.PDF else "image")
    except PackageError as exc:
        return FileText(kind, sha, error=make_issue(exc.code, exc.message))
    notes = [checks.ocr_note(name, ocr.read_pages, ocr.page_count)]
    if len(ocr.read_pages) + len(ocr.blank_pages) < ocr.page_count:
        notes.append(checks.from_pdf_note(name))  # the other pages kept their text layer
    if ocr.blank_pages:
        notes.append(checks.ocr_blank_pages(name, ocr.blank_pages, ocr.page_count))
    doubtful = tuple(dict.fromkeys(word for _, word in ocr.doubtful))
    return FileText(kind, sha, (FoundDocument(ocr.document, doubtful=doubtful),), tuple(notes))


def _ocr_available() -> bool:
    from cuf_extract.ocr_reader import find_tesseract

    engine = find_tesseract()
    return engine is not None and engine.has_french


#: The reader of each kind of file. A kind without an entry is explained
#: (`inputs.explain`), not read.
READERS: dict[FileKind, Reader] = {
    FileKind.DOCX: _read_package,
    FileKind.ZIP: _read_package,
    FileKind.PDF: _read_pdf,
    FileKind.IMAGE: _read_image,
    **{kind: _read_converted for kind in inputs.CONVERTIBLE_KINDS},
}


# --------------------------------------------------------------------------- helpers


def _word(source: Source, package: OoxmlPackage, sha: str) -> FileText:
    from cuf_extract.docx_reader import read_document

    try:
        document = read_document(package, formatting=source.formatting)
    except PackageError as exc:
        return FileText(FileKind.DOCX, sha, error=make_issue(exc.code, exc.message))
    return FileText(FileKind.DOCX, sha, (FoundDocument(document),))


def _bytes(path: Path) -> tuple[bytes | None, Issue | None]:
    try:
        return read_bounded(path), None
    except OSError as exc:
        code, message = inputs.explain(FileKind.INACCESSIBLE, path.name)
        return None, make_issue(code, f"{message} ({exc.strerror})")
    except PackageError as exc:
        return None, make_issue(exc.code, exc.message)


def _classify(package: OoxmlPackage) -> FileKind:
    """What the opened zip holds (a Word document, an .odt, a spreadsheet…)."""

    def read(name: str) -> bytes | None:
        if not package.has(name):
            return None
        if package.entry_size(name) > inputs.SNIFF_MAX_PART_BYTES:
            raise ValueError(f"{name}: too large to sniff")
        return package.read_bytes(name)

    try:
        return inputs.classify_package(set(package.names()), read).kind
    except (ValueError, PackageError):
        return FileKind.CORRUPT


def _not_read(path: Path, kind: FileKind) -> FileText:
    return FileText(kind, sha256_or_none(path), error=_explained(kind, path.name))


def _explained(kind: FileKind, name: str) -> Issue:
    try:
        code, message = inputs.explain(kind, name)
    except ValueError:  # a kind that is read elsewhere but not asked for here
        code, message = IssueCode.UNSUPPORTED_FORMAT, f"« {name} » n’est pas un document Word."
    return make_issue(code, message)


def sha256_or_none(path: Path) -> str | None:
    """The file's SHA-256, or None when it cannot be read or is over the size limit."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
