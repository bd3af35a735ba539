"""Which files to read, and what they really are.

`expand_paths` turns command-line arguments (files, folders, glob patterns, which the
tool expands itself because Windows shells do not) into a deduplicated, stably ordered
list of files. `sniff` decides what a file is from its bytes, never its extension, and
reads only what it needs: the first bytes, a zip's central directory and two small
parts, or an OLE compound file's directory. `explain` gives, for every kind that
cannot be extracted, the issue code and one French sentence saying what to do.
"""

from __future__ import annotations

import glob
import os
import re
import stat
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from cuf_extract.mail.sniff import is_msg_storage, looks_like_message
from cuf_extract.models import IssueCode
from cuf_extract.package import (
    MAX_ENTRIES,
    MIN_COMPRESSION_RATIO,
    RATIO_GRACE_BYTES,
    eocd_entry_count,
    parse_xml,
)

__all__ = [
    "CONVERTIBLE_KINDS",
    "JUNK_NAMES",
    "MESSAGE_KINDS",
    "SNIFF_HEAD_BYTES",
    "SNIFF_MAX_PART_BYTES",
    "Expansion",
    "FileKind",
    "Sniffed",
    "expand_paths",
    "is_junk",
    "left_out_by_patterns",
    "explain",
    "sniff",
    "sniff_bytes",
]

#: Bytes read from the start of every file to recognise it.
SNIFF_HEAD_BYTES = 8192
#: Largest declared size of the two zip parts sniff reads ([Content_Types].xml, .rels).
SNIFF_MAX_PART_BYTES = 1024 * 1024
#: Above this many entries sniff does not parse the zip directory (see docs/limits.md).
SNIFF_MAX_ENTRIES = MAX_ENTRIES * 100
#: Most sectors followed in an OLE chain (directory or FAT), against loops and huge files.
CFB_MAX_SECTORS = 4096

#: Operating-system files silently ignored inside folders (compared case-insensitively).
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def is_junk(name: str) -> bool:
    """Files a folder or a pattern never offers as replies: system files, and the owner
    (lock) files Word and LibreOffice keep beside an open document (« ~$port.docx »,
    « .~lock.rapport.odt# »). Named explicitly, a lock file is still examined, and
    reported as one."""
    return (name.casefold() in JUNK_NAMES or name.startswith("~$")
            or (name.startswith(".~lock.") and name.endswith("#")))

_GLOB_CHARS = frozenset("*?[")


class FileKind(StrEnum):
    DOCX = "docx"
    ZIP = "zip"  # a zip archive not inspected yet (sniff(..., inspect_zip=False))
    DOC = "doc"
    ODT = "odt"
    RTF = "rtf"
    WORD_XML = "word_xml"  # Word 2003 XML or Flat OPC (.xml "Document XML Word")
    PDF = "pdf"
    IMAGE = "image"  # PNG, JPEG or TIFF: a scan, a photo, a screenshot (read by OCR)
    EML = "eml"  # a saved e-mail (RFC 5322), read by cuf_extract.mail
    MSG = "msg"  # an Outlook item (OLE compound file of MAPI properties)
    HTML = "html"
    OTHER_OFFICE = "other_office"
    ZIP_OTHER = "zip_other"
    OLE_OTHER = "ole_other"
    ENCRYPTED = "encrypted"
    EMPTY = "empty"
    OWNER_FILE = "owner_file"
    SYSTEM_FILE = "system_file"
    CORRUPT = "corrupt"
    DAMAGED_PDF = "damaged_pdf"  # PDF objects without a PDF header: not text, not Word
    TEXT = "text"
    UNKNOWN = "unknown"
    MISSING = "missing"
    INACCESSIBLE = "inaccessible"


#: Kinds LibreOffice can turn into a .docx (see `cuf_extract.convert`).
CONVERTIBLE_KINDS = frozenset({FileKind.DOC, FileKind.ODT, FileKind.RTF, FileKind.WORD_XML})
#: Saved messages: each expands into the documents it carries (see `cuf_extract.mail`).
MESSAGE_KINDS = frozenset({FileKind.EML, FileKind.MSG})


@dataclass(frozen=True, slots=True)
class Sniffed:
    kind: FileKind
    detail: str = ""  # for developers (logs, --debug); never shown as is to users


@dataclass(frozen=True, slots=True)
class Expansion:
    files: tuple[Path, ...]
    unmatched: tuple[str, ...]


# -- expansion -------------------------------------------------------------------------


def _is_glob(arg: str) -> bool:
    return any(char in _GLOB_CHARS for char in arg)


def _name_key(path: Path) -> tuple[str, str]:
    return (path.name.casefold(), path.name)


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _folder_files(folder: Path, *, recursive: bool) -> list[Path]:
    """Regular files of `folder`, sorted by name case-insensitively; junk left out."""
    if not recursive:
        try:
            entries = [p for p in folder.iterdir() if not is_junk(p.name)]
        except OSError:
            return []
        return sorted((p for p in entries if _is_regular(p)), key=_name_key)
    found: list[Path] = []
    # os.walk does not follow symbolic links to folders: no loops.
    for root, dirs, files in os.walk(folder, onerror=None):
        # Hidden folders (the tool's own .cuf-extract backups and cache, .git) and the
        # __MACOSX folder of zips made on a Mac hold no replies.
        dirs[:] = sorted((d for d in dirs if not d.startswith(".") and d != "__MACOSX"),
                         key=lambda d: (d.casefold(), d))
        base = Path(root)
        for name in sorted(files, key=lambda f: (f.casefold(), f)):
            path = base / name
            if not is_junk(name) and _is_regular(path):
                found.append(path)
    relative_key = {
        p: tuple((part.casefold(), part) for part in p.relative_to(folder).parts) for p in found
    }
    return sorted(found, key=lambda p: relative_key[p])


def _case_insensitive(pattern: str) -> str:
    """`pattern` matching letters in either case, as Windows users expect ("*.docx").

    Only the path components holding wildcards are changed (a drive letter or a literal
    folder name is left alone); a letter becomes ``[xX]`` and a class ``[a-c]`` becomes
    ``[a-cA-C]``.
    """
    parts = re.split(r"([/\\])", pattern)
    out: list[str] = []
    for part in parts:
        if not _is_glob(part):
            out.append(part)
            continue
        chars: list[str] = []
        i = 0
        while i < len(part):
            char = part[i]
            if char == "[":
                close = part.find("]", i + 2 if part[i + 1 : i + 2] in ("!", "]") else i + 1)
                if close > 0:
                    body = part[i + 1 : close]
                    negate = body.startswith("!")
                    content = body[1:] if negate else body
                    # A "]" can only come first in a class: leave it out of the copy.
                    extra = content.swapcase().replace("]", "")
                    extra = extra if extra != content.replace("]", "") else ""
                    chars.append(f"[{'!' if negate else ''}{content}{extra}]")
                    i = close + 1
                    continue
                chars.append("[[]")  # an unclosed "[" is a literal character
                i += 1
                continue
            if char.lower() != char.upper() and len(char.lower()) == len(char.upper()) == 1:
                chars.append(f"[{char.lower()}{char.upper()}]")
            else:
                chars.append(char)
            i += 1
        out.append("".join(chars))
    return "".join(out)


def _glob_files(pattern: str, *, recursive: bool) -> list[Path] | None:
    """Files matched by `pattern` (folders matched are expanded); None if nothing matched."""
    matches = glob.glob(_case_insensitive(pattern), recursive=True)
    matches = sorted(set(matches), key=lambda m: (m.casefold(), m))
    if not matches:
        return None
    found: list[Path] = []
    for match in matches:
        path = Path(match)
        if path.is_dir():
            found.extend(_folder_files(path, recursive=recursive))
        elif not is_junk(path.name) and _is_regular(path):
            found.append(path)
    return found


def _identity(path: Path) -> object:
    """What makes two paths the same file: device and inode, else the resolved path."""
    try:
        info = path.stat()
    except OSError:
        return path.resolve()
    if info.st_ino:
        return (info.st_dev, info.st_ino)
    return path.resolve()


def _excluded(path: Path, excluded: Sequence[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == ex or resolved.is_relative_to(ex) for ex in excluded)


def expand_paths(
    args: Sequence[str], *, recursive: bool = False, exclude: Collection[Path] = ()
) -> Expansion:
    """Expand files, folders and glob patterns into a deduplicated list of files.

    Order: the order of `args`; inside a folder or a pattern, by name case-insensitively
    (recursive folders by relative path). A file reached twice (two arguments, a link,
    a different spelling) is kept once, where first met. Files (or folders) in `exclude`
    — the tool's own outputs — are left out. An argument is *unmatched* when it names no
    existing file, no folder with a file, and no pattern match; excluded files still
    count as matches.
    """
    # Excluded files are known by their identity (no path resolved per file: that costs
    # a system call per folder level); excluded folders by their resolved path.
    excluded_files = {_identity(Path(p)) for p in exclude if not Path(p).is_dir()}
    excluded = [Path(p).resolve() for p in exclude if Path(p).is_dir()]
    files: list[Path] = []
    seen: set[object] = set()
    unmatched: list[str] = []
    for arg in args:
        path = Path(arg)
        candidates: list[Path] | None
        if path.is_dir():
            candidates = _folder_files(path, recursive=recursive) or None
        elif path.exists() or path.is_symlink():
            candidates = [path] if _is_regular(path) else None
        elif _is_glob(arg):
            candidates = _glob_files(arg, recursive=recursive) or None
        else:
            candidates = None
        if candidates is None:
            unmatched.append(arg)
            continue
        for candidate in candidates:
            key = _identity(candidate)
            if key in excluded_files or (excluded and _excluded(candidate, excluded)):
                continue
            if key not in seen:
                seen.add(key)
                files.append(candidate)
    return Expansion(tuple(files), tuple(unmatched))


# Reply formats a folder may hold, by extension, as staff name them.
_REPLY_FORMATS = {".pdf": "PDF", ".doc": ".doc", ".docx": "Word", ".docm": "Word",
                  ".odt": ".odt", ".rtf": ".rtf"}


def left_out_by_patterns(args: Sequence[str], files: Collection[Path],
                         exclude: Collection[Path] = ()) -> list[tuple[Path, dict[str, int]]]:
    """For each pattern argument (« reponses/*.docx »), the replies of other formats in
    its folder that no argument reached: [(folder, {"PDF": 2, ".odt": 1})]. A folder
    named whole, or a file, leaves nothing out."""
    reached = {_identity(f) for f in files}
    excluded = [Path(p).resolve() for p in exclude]
    found: list[tuple[Path, dict[str, int]]] = []
    seen: set[object] = set()
    for arg in args:
        path = Path(arg)
        if path.exists() or not _is_glob(arg) or _is_glob(str(path.parent)):
            continue
        folder = path.parent
        if not folder.is_dir() or _identity(folder) in seen:
            continue
        seen.add(_identity(folder))
        counts: dict[str, int] = {}
        for candidate in _folder_files(folder, recursive=False):
            kind = _REPLY_FORMATS.get(candidate.suffix.casefold())
            if kind is None or _identity(candidate) in reached:
                continue
            if excluded and _excluded(candidate, excluded):
                continue
            counts[kind] = counts.get(kind, 0) + 1
        if counts:
            found.append((folder, counts))
    return found


# -- sniffing ----------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_APPLE_DOUBLE_MAGIC = b"\x00\x05\x16\x07"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

_WORD_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.document.macroenabled.main+xml",
        "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    }
)
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ODF_TEXT = "application/vnd.oasis.opendocument.text"


def sniff(path: Path, *, inspect_zip: bool = True) -> Sniffed:
    """What `path` really is, from its bytes (and, for lock files, its name).

    With `inspect_zip=False` a zip archive is returned as `FileKind.ZIP` without opening
    it: the caller opens it once, bounded, and classifies it with `classify_package`.
    """
    name = path.name
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Sniffed(FileKind.INACCESSIBLE, "not a regular file")
        # Word may keep its owner file locked: decide from the name, before opening.
        if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
            return Sniffed(FileKind.OWNER_FILE, f"lock file of an open document, {info.st_size} B")
        with path.open("rb") as handle:
            return _sniff_handle(handle, name, info.st_size, inspect_zip=inspect_zip)
    except FileNotFoundError:
        return Sniffed(FileKind.MISSING, "file not found")
    except PermissionError as error:
        return Sniffed(FileKind.INACCESSIBLE, str(error))
    except OSError as error:
        return Sniffed(FileKind.INACCESSIBLE, f"{type(error).__name__}: {error}")


# PNG, JPEG, TIFF (little- and big-endian): what scanners, phones and fax software write.
_IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def sniff_bytes(data: bytes, *, name: str = "", inspect_zip: bool = True) -> Sniffed:
    """What a file held in memory is (an e-mail attachment): as `sniff`, from its bytes."""
    import io

    return _sniff_handle(io.BytesIO(data), name, len(data), inspect_zip=inspect_zip)


def _sniff_handle(handle: BinaryIO, name: str, size: int, *, inspect_zip: bool) -> Sniffed:
    head = handle.read(SNIFF_HEAD_BYTES)
    if name.startswith("._") and (
        head.startswith(_APPLE_DOUBLE_MAGIC)
        or not head.startswith((*_ZIP_MAGICS, _OLE_MAGIC))
    ):
        return Sniffed(FileKind.SYSTEM_FILE, "macOS AppleDouble resource file")
    if not head:
        return Sniffed(FileKind.EMPTY, "0 bytes")
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(handle) if inspect_zip else Sniffed(FileKind.ZIP, "zip")
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(handle, size)
    return _sniff_head(head)


def _sniff_head(head: bytes) -> Sniffed:
    if b"%PDF-" in head[:1024]:
        return Sniffed(FileKind.PDF, "PDF header")
    if head.startswith(_IMAGE_MAGICS):
        return Sniffed(FileKind.IMAGE, f"image header {head[:4].hex()}")
    text = _decode_head(head)
    stripped = text.lstrip("\ufeff \t\r\n\f\v\x00").lower() if text is not None else ""
    if stripped.startswith("{\\rtf"):
        return Sniffed(FileKind.RTF, "RTF header")
    if looks_like_message(head):
        return Sniffed(FileKind.EML, "e-mail message (RFC 5322 headers)")
    if stripped.startswith("mime-version:"):
        return Sniffed(FileKind.HTML, "MHTML (Word 'Web page, single file')")
    if stripped.startswith(("<html", "<!doctype html", "<head", "<meta")):
        return Sniffed(FileKind.HTML, "HTML")
    if stripped.startswith(("<?xml", "<!--")):
        if "<?mso-application" in stripped and "word.document" in stripped:
            return Sniffed(FileKind.WORD_XML, "Word 2003 XML / Flat OPC (mso-application)")
        if "<pkg:package" in stripped or "<w:worddocument" in stripped:
            return Sniffed(FileKind.WORD_XML, "Word XML")
        if "<html" in stripped:
            return Sniffed(FileKind.HTML, "XHTML")
    if _looks_like_pdf_body(head):
        return Sniffed(FileKind.DAMAGED_PDF, "PDF objects without a %PDF- header")
    if text is not None and _looks_like_text(text):
        return Sniffed(FileKind.TEXT, "plain text")
    return Sniffed(FileKind.UNKNOWN, f"unrecognised header {head[:8].hex()}")


def _decode_head(head: bytes) -> str | None:
    """Decode the first bytes as text (UTF-16 with BOM, UTF-8, then cp1252), or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3:  # a character cut by the read boundary
            return head[: error.start].decode("utf-8")
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:
        return None


_PDF_OBJECT = re.compile(rb"(?:^|[\r\n])\s*\d+\s+\d+\s+obj\b")
_PDF_END_OBJECT = re.compile(rb"\bendobj\b")


def _looks_like_pdf_body(head: bytes) -> bool:
    """A PDF whose header is damaged or cut off: "%PDF" further in, or numbered objects
    ("12 0 obj" … "endobj"). Its text is PDF syntax, not a reply typed as text."""
    return b"%PDF-" in head or (
        _PDF_OBJECT.search(head) is not None and _PDF_END_OBJECT.search(head) is not None)


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f")
    return controls == 0 and "\ufffd" not in text


def _read_small_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > SNIFF_MAX_PART_BYTES or (
        info.file_size > RATIO_GRACE_BYTES
        and info.compress_size / info.file_size < MIN_COMPRESSION_RATIO
    ):
        raise ValueError(f"{name}: declared size {info.file_size} refused")
    with archive.open(info) as member:
        return member.read(SNIFF_MAX_PART_BYTES + 1)


def _sniff_zip(handle: BinaryIO) -> Sniffed:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - 22 - 0xFFFF))
    count = eocd_entry_count(handle.read())
    if count is None:
        return Sniffed(FileKind.CORRUPT, "zip without end-of-central-directory (truncated?)")
    if count > SNIFF_MAX_ENTRIES:
        # Too many entries to inspect cheaply; the package reader refuses it as too large.
        return Sniffed(FileKind.DOCX, f"zip of {count} entries, not inspected")
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return _classify_zip(archive)
    except Exception as error:  # zipfile raises many types on damaged directories
        return Sniffed(FileKind.CORRUPT, f"{type(error).__name__}: {error}")


def _classify_zip(archive: zipfile.ZipFile) -> Sniffed:
    return classify_package(set(archive.namelist()), lambda name: _read_small_part(archive, name))


def classify_package(names: Collection[str], read: Callable[[str], bytes | None]) -> Sniffed:
    """What a zip archive holds, from its entry names and a reader of small entries
    (`read` returns None for a missing entry). Shared by `sniff` and the pipeline, which
    classifies the package it has already opened instead of reading the zip twice."""
    if "[Content_Types].xml" not in names:
        mimetype = read("mimetype")
        if mimetype is not None:
            value = mimetype.decode("ascii", errors="replace").strip()
            if value.startswith(_ODF_TEXT):
                return Sniffed(FileKind.ODT, value)
            if value.startswith("application/vnd.oasis.opendocument."):
                return Sniffed(FileKind.OTHER_OFFICE, value)
        return Sniffed(FileKind.ZIP_OTHER, "zip without [Content_Types].xml")
    types_data = read("[Content_Types].xml")
    rels_data = read("_rels/.rels")
    assert types_data is not None
    if rels_data is None:
        if "word/document.xml" in names:
            return Sniffed(FileKind.CORRUPT, "Word package without _rels/.rels")
        return Sniffed(FileKind.ZIP_OTHER, "OPC package without _rels/.rels")
    rels = parse_xml(rels_data, where="_rels/.rels")
    main: str | None = None
    for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
            main = rel.get("Target", "").replace("\\", "/").lstrip("/")
            break
    if main is None:
        if "word/document.xml" in names:
            return Sniffed(FileKind.CORRUPT, "Word package without an officeDocument relationship")
        return Sniffed(FileKind.ZIP_OTHER, "OPC package without an officeDocument relationship")
    content_type = _content_type(parse_xml(types_data, where="[Content_Types].xml"), main)
    if content_type in _WORD_TYPES:
        if main not in names:
            return Sniffed(FileKind.CORRUPT, f"main part {main} missing")
        return Sniffed(FileKind.DOCX, f"{main}: {content_type}")
    if content_type is None:
        return Sniffed(FileKind.CORRUPT, f"no content type for {main}")
    return Sniffed(FileKind.OTHER_OFFICE, f"{main}: {content_type}")


def _content_type(types: etree._Element, part: str) -> str | None:
    """The content type of `part` (OPC: overrides first, then defaults by extension)."""
    wanted = "/" + part.casefold()
    for override in types.iter(f"{{{_CT_NS}}}Override"):
        if override.get("PartName", "").casefold() == wanted:
            return override.get("ContentType", "").casefold()
    extension = part.rsplit(".", 1)[-1].casefold() if "." in part else ""
    for default in types.iter(f"{{{_CT_NS}}}Default"):
        if default.get("Extension", "").casefold() == extension:
            return default.get("ContentType", "").casefold()
    return None


# -- OLE compound files (CFB, [MS-CFB]) ------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_MAX_REGULAR = 0xFFFFFFFA
_NOSTREAM = 0xFFFFFFFF


class _Cfb:
    """Just enough of a compound-file reader to list the root storage's streams."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self._handle = handle
        self._size = size
        header = self._read_at(0, 512)
        if len(header) < 512:
            raise ValueError("header truncated")
        shift = int.from_bytes(header[0x1E:0x20], "little")
        if shift not in (9, 12):
            raise ValueError(f"sector shift {shift}")
        self.sector_size = 1 << shift
        self._first_dir = int.from_bytes(header[0x30:0x34], "little")
        self._mini_cutoff = int.from_bytes(header[0x38:0x3C], "little")
        difat = [int.from_bytes(header[i : i + 4], "little") for i in range(0x4C, 0x200, 4)]
        next_difat = int.from_bytes(header[0x44:0x48], "little")
        per_sector = self.sector_size // 4
        for _ in range(CFB_MAX_SECTORS):
            if next_difat > _MAX_REGULAR:
                break
            sector = self._sector(next_difat)
            words = [int.from_bytes(sector[i : i + 4], "little") for i in range(0, len(sector), 4)]
            difat.extend(words[: per_sector - 1])
            next_difat = words[-1] if words else _ENDOFCHAIN
        self._fat_sectors = [s for s in difat if s <= _MAX_REGULAR]
        self._fat_cache: dict[int, bytes] = {}

    def _read_at(self, offset: int, length: int) -> bytes:
        self._handle.seek(offset)
        return self._handle.read(length)

    def _sector(self, number: int) -> bytes:
        offset = (number + 1) * self.sector_size
        if offset >= self._size:  # (the last sector may be short: some tools write that)
            raise ValueError(f"sector {number} beyond end of file")
        return self._read_at(offset, self.sector_size)

    def _next(self, sector: int) -> int:
        per_sector = self.sector_size // 4
        index, slot = divmod(sector, per_sector)
        if index >= len(self._fat_sectors):
            raise ValueError(f"sector {sector} not covered by the FAT")
        fat = self._fat_cache.get(index)
        if fat is None:
            fat = self._sector(self._fat_sectors[index])
            self._fat_cache[index] = fat
        return int.from_bytes(fat[slot * 4 : slot * 4 + 4], "little")

    def _chain(self, start: int) -> Iterator[int]:
        seen: set[int] = set()
        sector = start
        while sector <= _MAX_REGULAR:
            if sector in seen or len(seen) >= CFB_MAX_SECTORS:
                raise ValueError("sector chain loops or is too long")
            seen.add(sector)
            yield sector
            sector = self._next(sector)

    def root_streams(self) -> dict[str, tuple[int, int, int]]:
        """Root storage children: name -> (object type, start sector, size)."""
        raw = b"".join(self._sector(s) for s in self._chain(self._first_dir))
        entries = [raw[i : i + 128] for i in range(0, len(raw) - 127, 128)]
        if not entries:
            raise ValueError("empty directory")

        def field(entry: bytes, start: int, length: int) -> int:
            return int.from_bytes(entry[start : start + length], "little")

        children: dict[str, tuple[int, int, int]] = {}
        pending = [field(entries[0], 0x4C, 4)]
        visited: set[int] = set()
        while pending:
            index = pending.pop()
            if index == _NOSTREAM or index in visited or index >= len(entries):
                continue
            visited.add(index)
            entry = entries[index]
            length = min(field(entry, 0x40, 2), 64)
            name = entry[: max(0, length - 2)].decode("utf-16-le", errors="replace")
            size = field(entry, 0x78, 4 if self.sector_size == 512 else 8)
            children[name] = (entry[0x42], field(entry, 0x74, 4), size)
            pending.extend((field(entry, 0x44, 4), field(entry, 0x48, 4)))
        return children

    def stream_head(self, start: int, size: int, length: int) -> bytes | None:
        """The first bytes of a stream stored in regular sectors (None if in the mini stream)."""
        if size < self._mini_cutoff or start > _MAX_REGULAR:
            return None
        return self._sector(start)[: min(length, size)]


def _sniff_ole(handle: BinaryIO, size: int) -> Sniffed:
    try:
        cfb = _Cfb(handle, size)
        streams = cfb.root_streams()
    except (ValueError, OSError) as error:
        return Sniffed(FileKind.CORRUPT, f"OLE compound file unreadable: {error}")
    names = set(streams)
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        return Sniffed(
            FileKind.ENCRYPTED, "OOXML encrypted with a password (ECMA-376 Agile/Standard)"
        )
    if "WordDocument" in names:
        _, start, stream_size = streams["WordDocument"]
        try:
            fib = cfb.stream_head(start, stream_size, 12)
        except (ValueError, OSError):
            fib = None
        # FIB: wIdent 0xA5EC, then flags at offset 0x0A; fEncrypted is bit 0x0100.
        if (
            fib is not None
            and len(fib) >= 12
            and fib[:2] == b"\xec\xa5"
            and int.from_bytes(fib[0x0A:0x0C], "little") & 0x0100
        ):
            return Sniffed(FileKind.ENCRYPTED, "Word 97-2003 document with a password")
        return Sniffed(FileKind.DOC, "Word 97-2003 binary document")
    if is_msg_storage(names):
        return Sniffed(FileKind.MSG, "Outlook item (.msg)")
    listed = ", ".join(sorted(names)[:8])
    return Sniffed(FileKind.OLE_OTHER, f"OLE compound file: {listed}")


# -- explanations ---------------------------------------------------------------------

_ASK_WORD = "demandez le fichier Word (.docx)"
_TEMPLATE = "recopiez les réponses dans un questionnaire vierge (commande « cuf-extract modele »)"
_SAVE_AS = (
    "ouvrez-le dans Word ou LibreOffice et choisissez « Enregistrer sous » au format "
    "Document Word (.docx), ou installez LibreOffice pour que l’outil le convertisse lui-même"
)


def explain(kind: FileKind, name: str) -> tuple[IssueCode, str]:
    """The issue code and one French sentence for a file that cannot be extracted.

    For the convertible kinds (doc, odt, rtf, Word XML) the sentence is the one for
    when LibreOffice is not installed. Raises ValueError for `docx`, `pdf`, `image` and
    the messages (`eml`, `msg`), which are read (`pdf_reader`, `ocr_reader` and
    `cuf_extract.mail` say why one could not be).
    """
    q = f"« {name} »"
    table: dict[FileKind, tuple[IssueCode, str]] = {
        FileKind.ENCRYPTED: (
            IssueCode.ENCRYPTED,
            f"{q} est protégé par un mot de passe : demandez une version sans mot de passe, "
            "ou ouvrez-le dans Word, retirez la protection et enregistrez-le.",
        ),
        FileKind.DOC: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un document Word ancien (.doc, Word 97-2003) : {_SAVE_AS}.",
        ),
        FileKind.ODT: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un document OpenDocument (.odt) : {_SAVE_AS}.",
        ),
        FileKind.RTF: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un document RTF : {_SAVE_AS}.",
        ),
        FileKind.WORD_XML: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un document « XML Word » : {_SAVE_AS}.",
        ),
        FileKind.HTML: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est une page web (HTML), pas un document Word : ouvrez-le dans Word et "
            "choisissez « Enregistrer sous » au format Document Word (.docx).",
        ),
        FileKind.OTHER_OFFICE: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un tableur ou une présentation, pas un document Word : vérifiez que "
            f"le bon fichier a été envoyé, et {_ASK_WORD}.",
        ),
        FileKind.ZIP_OTHER: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est une archive (zip), pas un document Word : décompressez-la et "
            "donnez à l’outil les fichiers qu’elle contient.",
        ),
        FileKind.OLE_OTHER: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un fichier Office ancien qui n’est pas un document Word (tableur "
            f"Excel 97-2003 ?) : vérifiez que le bon fichier a été envoyé, et {_ASK_WORD}.",
        ),
        FileKind.DAMAGED_PDF: (
            IssueCode.UNREADABLE,
            f"{q} est un PDF endommagé (son début est illisible : téléchargement ou copie "
            f"interrompus ?) : demandez un nouvel envoi, ou {_ASK_WORD}.",
        ),
        FileKind.TEXT: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} est un simple fichier texte, pas un document Word : {_TEMPLATE}.",
        ),
        FileKind.UNKNOWN: (
            IssueCode.UNSUPPORTED_FORMAT,
            f"{q} n’est pas un document Word et son format n’est pas reconnu : vérifiez que "
            f"le bon fichier a été envoyé, et {_ASK_WORD}.",
        ),
        FileKind.EMPTY: (
            IssueCode.UNREADABLE,
            f"{q} est vide (0 octet) : l’envoi a échoué, demandez à le recevoir de nouveau.",
        ),
        FileKind.CORRUPT: (
            IssueCode.UNREADABLE,
            f"{q} ne peut pas être lu, le fichier est endommagé ou incomplet (téléchargement "
            "interrompu ?) : demandez un nouvel envoi.",
        ),
        FileKind.OWNER_FILE: (
            IssueCode.OWNER_FILE,
            f"{q} est un fichier temporaire que Word ou LibreOffice crée pendant qu’un "
            "document est ouvert : il ne contient pas de réponses et peut être ignoré ou supprimé.",
        ),
        FileKind.SYSTEM_FILE: (
            IssueCode.OWNER_FILE,
            f"{q} est un fichier technique créé par macOS (il accompagne le vrai document) : "
            "il ne contient pas de réponses et peut être ignoré ou supprimé.",
        ),
        FileKind.MISSING: (
            IssueCode.UNREADABLE,
            f"{q} est introuvable : vérifiez qu’il n’a pas été déplacé ou supprimé.",
        ),
        FileKind.INACCESSIBLE: (
            IssueCode.UNREADABLE,
            f"{q} ne peut pas être ouvert : vérifiez que vous avez le droit de le lire et "
            "qu’il n’est pas verrouillé par un autre programme.",
        ),
    }
    table[FileKind.ZIP] = table[FileKind.ZIP_OTHER]  # only met when not classified further
    try:
        return table[kind]
    except KeyError:
        raise ValueError(f"{kind} files are extracted, not explained") from None
