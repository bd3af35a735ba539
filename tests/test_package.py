"""OoxmlPackage: limits checked from the central directory, bounded reads, hardened XML."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cuf_extract import package, reading
from cuf_extract.convert import Converter
from cuf_extract.models import IssueCode
from cuf_extract.package import OoxmlPackage, PackageError, Relationship
from cuf_extract.reading import read_document_file
from tests.conftest import open_package

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def document_xml(text: str = "Bonjour") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )


def build_zip(
    parts: Mapping[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def minimal_docx(document: bytes | str | None = None, **extra: bytes | str) -> bytes:
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "word/document.xml": document if document is not None else document_xml(),
    }
    parts.update(extra)
    return build_zip(parts)


def write(tmp_path: Path, data: bytes, name: str = "x.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def zeros_zip(path: Path, size: int, *, name: str = "word/document.xml") -> None:
    """A valid docx plus one entry of `size` zeros, written in streaming mode."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        with archive.open(name, "w", force_zip64=False) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)


def central_records(data: bytes) -> list[int]:
    """Offsets of the central-directory records of a zip without comment or Zip64."""
    eocd = data.rindex(b"PK\x05\x06")
    count = int.from_bytes(data[eocd + 10 : eocd + 12], "little")
    offset = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
    records = []
    for _ in range(count):
        assert data[offset : offset + 4] == b"PK\x01\x02"
        records.append(offset)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_len + extra_len + comment_len
    return records


def patch_entry(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite fields of the central record (and local header) of entry `name`."""
    out = bytearray(data)
    for record in central_records(data):
        name_len = int.from_bytes(data[record + 28 : record + 30], "little")
        if data[record + 46 : record + 46 + name_len].decode() != name:
            continue
        local = int.from_bytes(data[record + 42 : record + 46], "little")
        if "file_size" in fields:
            struct.pack_into("<I", out, record + 24, fields["file_size"])
            struct.pack_into("<I", out, local + 22, fields["file_size"])
        if "header_offset" in fields:
            struct.pack_into("<I", out, record + 42, fields["header_offset"])
        if "crc" in fields:
            struct.pack_into("<I", out, record + 16, fields["crc"])
            struct.pack_into("<I", out, local + 14, fields["crc"])
        if "method" in fields:
            struct.pack_into("<H", out, record + 10, fields["method"])
            struct.pack_into("<H", out, local + 8, fields["method"])
        return bytes(out)
    raise AssertionError(f"no entry {name}")


def refused(call: Callable[[], object], code: IssueCode) -> PackageError:
    with pytest.raises(PackageError) as caught:
        call()
    assert caught.value.code is code, caught.value.message
    assert caught.value.message.startswith("« ")
    return caught.value


def measured(call: Callable[[], object]) -> tuple[float, int, BaseException | None]:
    """Run `call`; return (seconds, peak traced bytes, exception raised)."""
    tracemalloc.start()
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        call()
    except PackageError as caught:
        error = caught
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, error


# -- ordinary packages ---------------------------------------------------------------


def test_reads_a_python_docx_document(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Réponse du parti")
    path = tmp_path / "reponse.docx"
    document.save(str(path))
    pkg = open_package(path)
    main = pkg.main_document()
    assert main == "word/document.xml"
    assert pkg.has(main) and not pkg.has("/word/document.xml")
    root = pkg.read_xml(main)
    assert "Réponse du parti" in "".join(root.itertext())
    targets = {rel.target for rel in pkg.relationships(main)}
    assert "word/styles.xml" in targets
    assert all(pkg.has(target) for target in targets)


def test_relationship_targets_are_resolved_from_the_source_folder(tmp_path: Path) -> None:
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="t/styles" Target="styles.xml"/>'
        '<Relationship Id="rId2" Type="t/image" Target="media/image%201.png"/>'
        '<Relationship Id="rId3" Type="t/custom" Target="../customXml/item1.xml"/>'
        '<Relationship Id="rId4" Type="t/abs" Target="/word/footer1.xml"/>'
        '<Relationship Id="rId5" Type="t/escape" Target="../../../etc/passwd"/>'
        '<Relationship Id="rId6" Type="t/hyperlink" Target="https://example.org/a b" '
        'TargetMode="External"/>'
        "</Relationships>"
    )
    data = minimal_docx(**{"word/_rels/document.xml.rels": rels})
    pkg = open_package(write(tmp_path, data))
    assert pkg.relationships("word/document.xml") == (
        Relationship("rId1", "t/styles", "word/styles.xml"),
        Relationship("rId2", "t/image", "word/media/image 1.png"),
        Relationship("rId3", "t/custom", "customXml/item1.xml"),
        Relationship("rId4", "t/abs", "word/footer1.xml"),
        Relationship("rId5", "t/escape", "etc/passwd"),
        Relationship("rId6", "t/hyperlink", "https://example.org/a b", external=True),
    )
    assert pkg.relationships("word/styles.xml") == ()


def test_stored_entries_are_read(tmp_path: Path) -> None:
    data = build_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "word/document.xml": document_xml("stocké"),
        },
        compression=zipfile.ZIP_STORED,
    )
    pkg = OoxmlPackage.from_bytes(data)
    assert "stocké" in "".join(pkg.read_xml(pkg.main_document()).itertext())


def test_missing_main_document_relationship_is_unreadable() -> None:
    pkg = OoxmlPackage.from_bytes(build_zip({"[Content_Types].xml": CONTENT_TYPES}))
    refused(pkg.main_document, IssueCode.UNREADABLE)
    refused(lambda: pkg.read_bytes("word/document.xml"), IssueCode.UNREADABLE)


# -- damaged files ---------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.99])
def test_truncated_zip_is_unreadable(tmp_path: Path, cut: float) -> None:
    data = minimal_docx()
    path = write(tmp_path, data[: int(len(data) * cut)])
    error = refused(lambda: open_package(path), IssueCode.UNREADABLE)
    assert "x.docx" in error.message


def test_not_a_zip_and_missing_file_are_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, b"<html><body>Hello</body></html>")
    refused(lambda: open_package(path), IssueCode.UNREADABLE)
    with Converter() as converter:
        read = read_document_file(tmp_path / "absent.docx", converter)
    assert read.error is not None and read.error.code is IssueCode.UNREADABLE


def test_bad_crc_is_unreadable() -> None:
    data = patch_entry(minimal_docx(), "word/document.xml", crc=0x12345678)
    pkg = OoxmlPackage.from_bytes(data)
    refused(lambda: pkg.read_bytes("word/document.xml"), IssueCode.UNREADABLE)


def test_unknown_compression_method_is_unreadable() -> None:
    data = patch_entry(minimal_docx(), "word/document.xml", method=12)  # bzip2
    refused(lambda: OoxmlPackage.from_bytes(data), IssueCode.UNREADABLE)


def test_overlapping_entries_are_unreadable() -> None:
    data = minimal_docx()
    first = central_records(data)[0]
    offset = int.from_bytes(data[first + 42 : first + 46], "little")
    data = patch_entry(data, "word/document.xml", header_offset=offset)
    refused(lambda: OoxmlPackage.from_bytes(data), IssueCode.UNREADABLE)


def test_malformed_xml_is_unreadable() -> None:
    pkg = OoxmlPackage.from_bytes(minimal_docx("<w:document><unclosed>"))
    error = refused(lambda: pkg.read_xml("word/document.xml"), IssueCode.UNREADABLE)
    assert "word/document.xml" in error.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_bytes_only_ever_raise_package_error(data: st.DataObject) -> None:
    original = bytearray(minimal_docx(**{"word/_rels/document.xml.rels": PACKAGE_RELS}))
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del original[data.draw(st.integers(0, len(original))) :]
    try:
        pkg = OoxmlPackage.from_bytes(bytes(original))
        for name in pkg.names():
            pkg.read_xml(name)
        pkg.relationships(pkg.main_document())
    except PackageError as error:
        assert error.code in (IssueCode.UNREADABLE, IssueCode.TOO_LARGE)


# -- XML attacks ------------------------------------------------------------------------


def test_xxe_is_refused_and_the_file_never_leaks(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-SECRET")
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    pkg = open_package(write(tmp_path, minimal_docx(document)))
    error = refused(lambda: pkg.read_xml("word/document.xml"), IssueCode.UNREADABLE)
    assert "DOCTYPE" in error.message
    assert "MOT-DE-PASSE-SECRET" not in error.message + str(error.__cause__)
    # Defence in depth: even without the DOCTYPE refusal the parser resolves nothing.
    root = etree.fromstring(document.encode(), package.hardened_parser())
    assert "MOT-DE-PASSE-SECRET" not in etree.tostring(root, encoding="unicode")


def test_billion_laughs_is_refused_fast() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    document = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    pkg = OoxmlPackage.from_bytes(minimal_docx(document))
    start = time.perf_counter()
    refused(lambda: pkg.read_xml("word/document.xml"), IssueCode.UNREADABLE)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_doctype_in_utf16_is_refused(encoding: str) -> None:
    document = document_xml().replace("UTF-8", "UTF-16")
    document = document.replace("?>", '?><!DOCTYPE w:document SYSTEM "http://x/y.dtd">', 1)
    data = document.encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff".encode(encoding)) + data
    pkg = OoxmlPackage.from_bytes(minimal_docx(data))
    refused(lambda: pkg.read_xml("word/document.xml"), IssueCode.UNREADABLE)


def test_utf16_document_without_doctype_is_read() -> None:
    data = document_xml("héhé").replace("UTF-8", "UTF-16").encode("utf-16")
    pkg = OoxmlPackage.from_bytes(minimal_docx(data))
    assert "héhé" in "".join(pkg.read_xml("word/document.xml").itertext())


# -- size limits ------------------------------------------------------------------------


def test_file_above_the_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, minimal_docx())
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_open)
    refused(lambda: open_package(path), IssueCode.TOO_LARGE)


def test_total_declared_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", 500)
    data = minimal_docx(**{"word/styles.xml": "<a>" + "x" * 400 + "</a>"})
    refused(lambda: OoxmlPackage.from_bytes(data), IssueCode.TOO_LARGE)


def test_too_many_entries_are_refused() -> None:
    parts: dict[str, bytes | str] = {f"word/media/p{i}.xml": "<a/>" for i in range(1001)}
    data = minimal_docx(**parts)
    start = time.perf_counter()
    error = refused(lambda: OoxmlPackage.from_bytes(data), IssueCode.TOO_LARGE)
    assert "1004" in error.message
    assert time.perf_counter() - start < 1


def test_exactly_the_entry_limit_is_accepted() -> None:
    parts: dict[str, bytes | str] = {f"word/p{i}.xml": "<a/>" for i in range(997)}
    pkg = OoxmlPackage.from_bytes(minimal_docx(**parts))
    assert len(pkg.names()) == package.MAX_ENTRIES


def test_decompression_bomb_200_mb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    zeros_zip(path, 200 * 1024 * 1024)
    compressed = path.stat().st_size
    elapsed, peak, error = measured(lambda: open_package(path))
    print(
        f"\n200 MB bomb ({compressed / 1024:.0f} KiB on disk): refused in {elapsed * 1000:.1f} ms,"
        f" peak traced memory {peak / 1024:.0f} KiB"
    )
    assert isinstance(error, PackageError) and error.code is IssueCode.TOO_LARGE
    assert "word/document.xml" in error.message
    assert elapsed < 1
    assert peak < 4 * compressed + 1024 * 1024


def test_high_ratio_entry_under_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ratio.docx"
    zeros_zip(path, 50 * 1024 * 1024)  # under MAX_ENTRY_BYTES, ratio ~0.001
    elapsed, peak, error = measured(lambda: open_package(path))
    print(f"\n50 MB ratio bomb: refused in {elapsed * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert isinstance(error, PackageError) and error.code is IssueCode.TOO_LARGE
    assert "anormalement compressé" in error.message
    assert elapsed < 1


def test_lying_declared_size_stops_decompression_early(tmp_path: Path) -> None:
    path = tmp_path / "liar.docx"
    zeros_zip(path, 50 * 1024 * 1024)
    # Declare 60 KB: the ratio check passes (~50 KB compressed), the directory looks fine.
    path.write_bytes(patch_entry(path.read_bytes(), "word/document.xml", file_size=60_000))
    pkg = open_package(path)
    elapsed, peak, error = measured(lambda: pkg.read_bytes("word/document.xml"))
    print(f"\nlying size (50 MB real, 60 KB declared): stopped in {elapsed * 1000:.1f} ms, "
          f"peak {peak / 1024:.0f} KiB")
    assert isinstance(error, PackageError) and error.code is IssueCode.TOO_LARGE
    assert elapsed < 1
    assert peak < 2 * 1024 * 1024


def test_declared_size_larger_than_the_data_is_unreadable() -> None:
    data = minimal_docx()
    pkg_size = len(document_xml())
    data = patch_entry(data, "word/document.xml", file_size=pkg_size + 10)
    pkg = OoxmlPackage.from_bytes(data)
    refused(lambda: pkg.read_bytes("word/document.xml"), IssueCode.UNREADABLE)


def test_limits_are_exposed_as_constants() -> None:
    assert package.MAX_ENTRIES == 1000
    assert package.MIN_COMPRESSION_RATIO == 0.01
    assert package.RATIO_GRACE_BYTES == 100 * 1024
    assert package.MAX_ENTRY_BYTES <= package.MAX_TOTAL_BYTES
    assert package.MAX_FILE_BYTES >= 25 * 1024 * 1024  # the usual e-mail attachment limit


def test_an_oversized_xml_part_is_refused_before_parsing(tmp_path: Path) -> None:
    import random

    from cuf_extract.package import MAX_XML_PART_BYTES, OoxmlPackage, PackageError

    rng = random.Random(1)
    # Text that does not compress much, so the ratio check lets it through.
    words = ["".join(rng.choice("abcdefghij") for _ in range(8)) for _ in range(5000)]
    body = " ".join(rng.choice(words) for _ in range(MAX_XML_PART_BYTES // 8))
    xml = f'<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>{body}</w:t></w:r></w:p></w:body>'
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
    package = OoxmlPackage.from_bytes(data.getvalue(), name="gros.docx")
    with pytest.raises(PackageError) as error:
        package.read_xml("word/document.xml")
    assert error.value.code.value == "too_large"
    assert "gros.docx" in error.value.message
