"""Bounded, safe reading of an OOXML package (a .docx is a zip of XML parts).

Everything a hostile or broken file could use to exhaust memory or time is checked
from the zip's central directory *before* anything is decompressed: the file size,
the number of entries, each entry's declared size and compression ratio, the total
declared size, the local headers and overlapping entries. Decompression then runs in
chunks and stops as soon as the real output exceeds what was declared (declared sizes
can lie). XML parts are parsed with a hardened parser and any part carrying a DOCTYPE
is refused outright (ECMA-376 Part 2 forbids DTDs in a package), which rules out
external entities (XXE) and entity expansion ("billion laughs").

The limits are module constants; `docs/limits.md` gives the reasoning for each value.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from cuf_extract.models import IssueCode

__all__ = [
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "MIN_COMPRESSION_RATIO",
    "RATIO_GRACE_BYTES",
    "READ_CHUNK_BYTES",
    "OoxmlPackage",
    "PackageError",
    "Relationship",
    "STRICT_NAMESPACES",
    "eocd_entry_count",
    "hardened_parser",
    "has_doctype",
    "parse_xml",
    "transitional_relationship_type",
]

_MIB = 1024 * 1024

#: Largest file read at all. The whole file is held in memory.
MAX_FILE_BYTES = 100 * _MIB
#: Largest number of zip entries (a Word document has a few dozen).
MAX_ENTRIES = 1000
#: Largest declared (and real) uncompressed size of a single entry.
MAX_ENTRY_BYTES = 100 * _MIB
#: Largest XML part parsed. lxml needs several times a part's size in memory, and a
#: questionnaire's document.xml is well under 1 MiB even with long answers.
MAX_XML_PART_BYTES = 25 * _MIB
#: Largest sum of the declared uncompressed sizes of all entries.
MAX_TOTAL_BYTES = 500 * _MIB
#: Smallest compressed/uncompressed ratio accepted (Apache POI ZipSecureFile: 0.01).
MIN_COMPRESSION_RATIO = 0.01
#: Entries up to this uncompressed size are exempt from the ratio check (POI: 100 KB).
RATIO_GRACE_BYTES = 100 * 1024
#: Compressed bytes fed to the decompressor at a time; output is capped per step too.
READ_CHUNK_BYTES = 64 * 1024

_OFFICE_DOCUMENT = "/officeDocument"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

#: Strict Open XML (ISO/IEC 29500 Strict: Word's « Document Word Strict (*.docx) ») names
#: its vocabularies differently from the transitional .docx every reader knows; the
#: package layer (content types, relationships, core properties) is the same. Parts are
#: read as transitional: each Strict namespace (and relationship type) is renamed to
#: its transitional equivalent, so the reader has one vocabulary to know.
STRICT_NAMESPACES = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main":
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/officeDocument/relationships":
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/math":
        "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/customProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://purl.oclc.org/ooxml/officeDocument/sharedTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    "http://purl.oclc.org/ooxml/drawingml/main":
        "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing":
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://purl.oclc.org/ooxml/drawingml/picture":
        "http://schemas.openxmlformats.org/drawingml/2006/picture",
}
_STRICT_MARK = b"http://purl.oclc.org/ooxml/"
#: The relationship kinds whose last segment differs (the others only change prefix).
_STRICT_RELATIONSHIP_KINDS = {"extendedProperties": "extended-properties",
                              "customProperties": "custom-properties"}
_STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
_TRANSITIONAL_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _transitional_name(name: str) -> str:
    """A Clark name ("{namespace}local") with a Strict namespace renamed."""
    if name.startswith("{http://purl.oclc.org/ooxml/"):
        namespace, _, local = name[1:].partition("}")
        if namespace in STRICT_NAMESPACES:
            return f"{{{STRICT_NAMESPACES[namespace]}}}{local}"
    return name


def _to_transitional(root: etree._Element) -> None:
    """Rename a Strict part's elements and attributes to the transitional namespaces
    (in place; only called on parts that mention a Strict namespace)."""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        element.tag = _transitional_name(tag)
        names = [str(name) for name in element.attrib]
        if any(name.startswith("{http://purl.oclc.org/") for name in names):
            items = [(str(name), str(value)) for name, value in element.attrib.items()]
            element.attrib.clear()
            for name, value in items:
                element.set(_transitional_name(name), value)


def transitional_relationship_type(rel_type: str) -> str:
    """A Strict relationship type (…/ooxml/officeDocument/relationships/styles) as its
    transitional equivalent; any other type unchanged."""
    if rel_type.startswith(_STRICT_RELATIONSHIPS):
        kind = rel_type[len(_STRICT_RELATIONSHIPS):]
        return _TRANSITIONAL_RELATIONSHIPS + _STRICT_RELATIONSHIP_KINDS.get(kind, kind)
    return rel_type


_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_STORED = zipfile.ZIP_STORED
_DEFLATED = zipfile.ZIP_DEFLATED


def hardened_parser() -> etree.XMLParser:
    """A new hardened parser (lxml parsers must not be shared between threads).

    No entity resolution, no network, no DTD loading, and libxml2's default size and
    depth safeguards kept (``huge_tree=False``).
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


# "<!DOCTYPE" in UTF-8/ASCII, UTF-16 LE and UTF-16 BE (the encodings OOXML allows).
_DOCTYPE_PATTERNS = tuple(
    re.compile(re.escape("<!DOCTYPE".encode(encoding)))
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


class PackageError(Exception):
    """The package cannot be read safely. `message` is French and says what to do."""

    def __init__(self, code: IssueCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Relationship:
    """One relationship of a part. `target` is a part name unless `external`."""

    id: str
    type: str
    target: str
    external: bool = False


def _mb(size: int) -> str:
    """A size in French megabytes ("1,5 Mo")."""
    value = size / 1_000_000
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return text.replace(".", ",") + " Mo"


def _damaged(name: str, what: str) -> PackageError:
    return PackageError(
        IssueCode.UNREADABLE,
        f"« {name} » est endommagé ou incomplet ({what}) : demandez un nouvel envoi, ou "
        "ouvrez-le dans Word et enregistrez-le de nouveau.",
    )


def _too_large(name: str, what: str) -> PackageError:
    return PackageError(
        IssueCode.TOO_LARGE,
        f"« {name} » ne peut pas être lu sans risque ({what}) : demandez un nouvel envoi, ou "
        "recopiez les réponses dans un questionnaire vierge (commande « cuf-extract modele »).",
    )


def eocd_entry_count(data: bytes) -> int | None:
    """The entry count announced by a zip's end-of-central-directory record.

    `data` is the whole file or at least its last 64 KiB + 22 bytes. Returns None when
    no record is found. Used to refuse absurd archives before `zipfile` builds one
    object per entry.
    """
    start = max(0, len(data) - 22 - 0xFFFF)
    pos = data.rfind(b"PK\x05\x06", start)
    if pos < 0 or pos + 22 > len(data):
        return None
    total = int.from_bytes(data[pos + 10 : pos + 12], "little")
    if total == 0xFFFF:  # Zip64: the real count is in the Zip64 end record.
        locator = pos - 20
        if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
            offset = int.from_bytes(data[locator + 8 : locator + 16], "little")
            if 0 <= offset <= len(data) - 56 and data[offset : offset + 4] == b"PK\x06\x06":
                total = int.from_bytes(data[offset + 32 : offset + 40], "little")
    return total


def has_doctype(data: bytes) -> bool:
    """True if the bytes contain a DOCTYPE declaration (UTF-8 or UTF-16)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return any(pattern.search(data) for pattern in _DOCTYPE_PATTERNS)
    return _DOCTYPE_PATTERNS[0].search(data) is not None  # UTF-8: the common case


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's hardened parser: making one per part costs as much as a small parse."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = hardened_parser()
    return parser


def parse_xml(data: bytes, *, where: str = "") -> etree._Element:
    """Parse an XML part with the hardened parser; refuse any DOCTYPE.

    Raises `ValueError` (with an English developer message) when the XML is not
    well-formed or declares a DOCTYPE; `OoxmlPackage.read_xml` turns it into a
    `PackageError`.
    """
    if has_doctype(data):
        raise ValueError(f"{where}: DOCTYPE declaration refused (DTDs are forbidden in OOXML)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise ValueError(f"{where}: malformed XML: {error}") from error
    if not isinstance(root, etree._Element):
        raise ValueError(f"{where}: no root element")
    docinfo = root.getroottree().docinfo
    # (`doctype` and `system_url` are missing from lxml-stubs, hence getattr.)
    if docinfo.internalDTD is not None or getattr(docinfo, "doctype", "") or docinfo.public_id:
        raise ValueError(f"{where}: DOCTYPE declaration refused (DTDs are forbidden in OOXML)")
    return root


def _rels_name(part: str) -> str:
    """The relationships part of `part` ("" is the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _resolve_target(source: str, target: str) -> str:
    """Resolve a relationship target (a relative URI) to a part name."""
    target = unquote(target.split("#", 1)[0]).replace("\\", "/")
    joined = target if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
    normalized = posixpath.normpath("/" + joined)  # a leading "/" stops ".." escaping
    return normalized.lstrip("/")


class OoxmlPackage:
    """A zip package whose central directory has been checked against the limits."""

    def __init__(self, name: str, data: bytes, archive: zipfile.ZipFile) -> None:
        self.name = name
        self._data = data
        self._archive = archive
        self._infos = {info.filename: info for info in archive.infolist()}
        self._data_offsets: dict[str, int] = {}
        self._check_directory()

    # -- opening -----------------------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes, *, name: str = "document.docx") -> OoxmlPackage:
        """Check an in-memory package; `name` is used in messages."""
        if len(data) > MAX_FILE_BYTES:
            raise _too_large(name, f"le fichier dépasse {_mb(MAX_FILE_BYTES)}")
        count = eocd_entry_count(data)
        if count is not None and count > MAX_ENTRIES:
            raise _too_large(
                name, f"l’archive annonce {count} éléments, la limite est {MAX_ENTRIES}"
            )
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except Exception as error:  # zipfile raises many types on damaged directories
            raise _damaged(name, "ce n’est pas une archive zip lisible") from error
        return cls(name, data, archive)

    def _check_directory(self) -> None:
        name = self.name
        infos = self._archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _too_large(name, f"{len(infos)} éléments, la limite est {MAX_ENTRIES}")
        if len(self._infos) != len(infos):
            raise _damaged(name, "plusieurs éléments portent le même nom")
        total = 0
        spans: list[tuple[int, int, str]] = []
        for info in infos:
            entry = info.filename
            if info.file_size > MAX_ENTRY_BYTES:
                raise _too_large(
                    name,
                    f"l’élément « {entry} » ferait {_mb(info.file_size)} une fois décompressé, "
                    f"la limite est {_mb(MAX_ENTRY_BYTES)}",
                )
            if (
                info.file_size > RATIO_GRACE_BYTES
                and info.compress_size / info.file_size < MIN_COMPRESSION_RATIO
            ):
                raise _too_large(
                    name,
                    f"l’élément « {entry} » est anormalement compressé ({_mb(info.compress_size)} "
                    f"pour {_mb(info.file_size)}), comme une « bombe de décompression »",
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise _too_large(
                    name,
                    f"son contenu ferait plus de {_mb(MAX_TOTAL_BYTES)} une fois décompressé",
                )
            if info.flag_bits & 0x1:
                raise _damaged(name, f"l’élément « {entry} » est chiffré dans l’archive zip")
            if info.compress_type not in (_STORED, _DEFLATED):
                raise _damaged(
                    name, f"l’élément « {entry} » utilise une compression inconnue de Word"
                )
            start = self._locate_data(info)
            spans.append((info.header_offset, start + info.compress_size, entry))
        spans.sort()
        for (_, end, first), (next_start, _, second) in zip(spans, spans[1:], strict=False):
            if next_start < end:
                raise _damaged(name, f"les éléments « {first} » et « {second} » se chevauchent")

    def _locate_data(self, info: zipfile.ZipInfo) -> int:
        """Check the local header of `info`; return where its compressed data starts."""
        offset = info.header_offset
        end = offset + _LOCAL_HEADER.size
        if offset < 0 or end > len(self._data):
            raise _damaged(self.name, f"l’élément « {info.filename} » est tronqué")
        fields = _LOCAL_HEADER.unpack_from(self._data, offset)
        if fields[0] != _LOCAL_SIGNATURE:
            raise _damaged(self.name, f"l’en-tête de l’élément « {info.filename} » est abîmé")
        start: int = end + int(fields[9]) + int(fields[10])
        if start + info.compress_size > len(self._data):
            raise _damaged(self.name, f"l’élément « {info.filename} » est tronqué")
        self._data_offsets[info.filename] = start
        return start

    # -- reading -----------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        """Every entry name, in archive order."""
        return tuple(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def entry_size(self, name: str) -> int:
        """The declared uncompressed size of an entry (checked against the limits)."""
        return self._infos[name].file_size

    def read_bytes(self, name: str) -> bytes:
        """Decompress one entry in chunks, stopping as soon as it exceeds what was declared."""
        info = self._infos.get(name)
        if info is None:
            raise _damaged(self.name, f"l’élément « {name} » manque")
        start = self._data_offsets[name]
        raw = memoryview(self._data)[start : start + info.compress_size]
        limit = min(info.file_size, MAX_ENTRY_BYTES)
        if info.compress_type == _STORED:
            if len(raw) != info.file_size:
                raise _damaged(self.name, f"la taille de l’élément « {name} » est incohérente")
            out = bytes(raw)
        else:
            out = self._inflate(name, raw, limit)
        if len(out) != info.file_size:
            raise _damaged(self.name, f"la taille de l’élément « {name} » est incohérente")
        if zlib.crc32(out) != info.CRC:
            raise _damaged(self.name, f"l’élément « {name} » est corrompu (somme de contrôle)")
        return out

    def _inflate(self, name: str, raw: memoryview, limit: int) -> bytes:
        decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
        chunks: list[bytes] = []
        produced = 0
        position = 0
        try:
            while not decompressor.eof:
                pending = decompressor.unconsumed_tail
                if not pending:
                    if position >= len(raw):
                        break
                    pending = bytes(raw[position : position + READ_CHUNK_BYTES])
                    position += len(pending)
                # At most limit + 1 bytes: enough to know the limit is exceeded.
                chunk = decompressor.decompress(pending, max(1, limit + 1 - produced))
                produced += len(chunk)
                if produced > limit:
                    raise _too_large(
                        self.name,
                        f"l’élément « {name} » est plus grand que ce qu’annonce l’archive",
                    )
                chunks.append(chunk)
        except zlib.error as error:
            raise _damaged(self.name, f"l’élément « {name} » ne se décompresse pas") from error
        if not decompressor.eof:
            raise _damaged(self.name, f"l’élément « {name} » est tronqué")
        return b"".join(chunks)

    def read_xml(self, name: str) -> etree._Element:
        """Parse one XML part with the hardened parser; a DOCTYPE is refused."""
        return self.parse_part(name, self.read_xml_bytes(name))

    def read_xml_bytes(self, name: str) -> bytes:
        """An XML part's bytes, not parsed, within the size limit of XML parts (for a
        caller that keys what it derives from a part by the part's content)."""
        info = self._infos.get(name)
        if info is not None and info.file_size > MAX_XML_PART_BYTES:
            raise _too_large(
                self.name, f"l’élément « {name} » fait {_mb(info.file_size)}, bien plus "
                "qu’un questionnaire")
        return self.read_bytes(name)

    def parse_part(self, name: str, data: bytes) -> etree._Element:
        """Parse the bytes of part `name` (from `read_xml_bytes`) as `read_xml` does."""
        try:
            root = parse_xml(data, where=name)
        except ValueError as error:
            if has_doctype(data):
                raise PackageError(
                    IssueCode.UNREADABLE,
                    f"« {self.name} » contient une déclaration interdite dans un document Word "
                    f"(DOCTYPE dans « {name} ») et n’est pas lu par précaution : ouvrez-le dans "
                    "Word et enregistrez-le de nouveau, ou demandez un nouvel envoi.",
                ) from error
            raise _damaged(self.name, f"le XML de « {name} » est invalide") from error
        if _STRICT_MARK in data:
            _to_transitional(root)
        return root

    def relationships(self, part: str) -> tuple[Relationship, ...]:
        """The relationships of `part` ("" for the package); () when it has none."""
        rels = _rels_name(part)
        if not self.has(rels):
            return ()
        root = self.read_xml(rels)
        found: list[Relationship] = []
        for element in root.iter(f"{{{_REL_NS}}}Relationship"):
            rel_id = element.get("Id", "")
            rel_type = transitional_relationship_type(element.get("Type", ""))
            target = element.get("Target", "")
            external = element.get("TargetMode", "Internal") == "External"
            resolved = target if external else _resolve_target(part, target)
            found.append(Relationship(rel_id, rel_type, resolved, external))
        return tuple(found)

    def main_document(self) -> str:
        """The part name of the main document, from the package relationships."""
        for rel in self.relationships(""):
            if rel.type.endswith(_OFFICE_DOCUMENT) and not rel.external:
                if not self.has(rel.target):
                    raise _damaged(self.name, f"le document principal « {rel.target} » manque")
                return rel.target
        raise _damaged(self.name, "le document principal n’est pas déclaré")

