"""expand_paths, sniff and explain: which files, what they really are, what to tell staff."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from pathlib import Path

import docx
import olefile
import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from cuf_extract.convert import find_soffice
from cuf_extract.inputs import (
    CONVERTIBLE_KINDS,
    FileKind,
    expand_paths,
    explain,
    sniff,
)
from cuf_extract.models import IssueCode

SOFFICE = find_soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")


# -- builders -------------------------------------------------------------------------


def make_docx(path: Path, text: str = "Réponse") -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def docx_bytes(text: str = "Réponse") -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Copy a zip, replacing some entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, replace.get(info.filename, source.read(info)))
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return out.getvalue()


def build_cfb(streams: dict[str, bytes], *, shift: int = 9) -> bytes:
    """A minimal compound file: one FAT sector, then the directory, then the streams.

    Every stream goes in regular sectors (real files put streams under 4096 bytes in the
    mini stream; the sniffer only reads names and the start of large streams).
    """
    size = 1 << shift
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    dir_sectors = -(-128 * (len(names) + 1) // size)
    fat = [fat_sect]
    fat += [*range(2, 2 + dir_sectors - 1), end]
    starts = []
    data_sectors = b""
    next_sector = 1 + dir_sectors
    for name in names:
        content = streams[name]
        count = -(-len(content) // size)
        starts.append(next_sector if count else end)
        fat += [*range(next_sector + 1, next_sector + count), end] if count else []
        data_sectors += content.ljust(count * size, b"\0")
        next_sector += count
    assert len(fat) <= size // 4
    fat_bytes = struct.pack(f"<{size // 4}I", *fat, *[free] * (size // 4 - len(fat)))

    def entry(name: str, kind: int, child: int, right: int, start: int, length: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, length)
        )

    directory = entry("Root Entry", 5, 1 if names else free, free, end, 0)
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else free
        directory += entry(name, 2, free, right, starts[index - 1], len(streams[name]))
    directory = directory.ljust(dir_sectors * size, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0 if shift == 9 else dir_sectors, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *[free] * 108)
    )
    return header.ljust(size, b"\0") + fat_bytes + directory + data_sectors


def fib(encrypted: bool) -> bytes:
    flags = 0x0100 if encrypted else 0
    return (b"\xec\xa5\xc1\x00" + bytes(6) + struct.pack("<H", flags)).ljust(5000, b"\0")


@pytest.fixture
def soffice_files(libreoffice_made: dict[str, Path]) -> dict[str, Path]:
    return libreoffice_made


# -- sniff ----------------------------------------------------------------------------


def kind_of(tmp_path: Path, data: bytes, name: str = "x.docx") -> FileKind:
    path = tmp_path / name
    path.write_bytes(data)
    return sniff(path).kind


def test_docx_and_its_variants(tmp_path: Path) -> None:
    data = docx_bytes()
    assert kind_of(tmp_path, data) is FileKind.DOCX
    assert kind_of(tmp_path, data, "renamed.pdf") is FileKind.DOCX  # bytes, not extension
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    for variant in (
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    ):
        changed = rezip(data, {"[Content_Types].xml": types.replace(main, variant)})
        assert kind_of(tmp_path, changed, "x.docm") is FileKind.DOCX


def test_xlsx_renamed_docx_is_other_office(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    sniffed_kind = kind_of(tmp_path, buffer.getvalue())
    assert sniffed_kind is FileKind.OTHER_OFFICE


def test_odt_and_plain_zip(tmp_path: Path) -> None:
    assert kind_of(tmp_path, odt_bytes(), "x.odt") is FileKind.ODT
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    assert kind_of(tmp_path, out.getvalue(), "x.zip") is FileKind.ZIP_OTHER


@pytest.mark.parametrize("cut", [0.3, 0.8, 0.98])
def test_truncated_zip_is_corrupt(tmp_path: Path, cut: float) -> None:
    data = docx_bytes()
    assert kind_of(tmp_path, data[: int(len(data) * cut)]) is FileKind.CORRUPT


def test_docx_without_package_relationships_is_corrupt(tmp_path: Path) -> None:
    data = docx_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "_rels/.rels":
                target.writestr(info, source.read(info))
    assert kind_of(tmp_path, out.getvalue()) is FileKind.CORRUPT


def test_bomb_in_content_types_is_corrupt_and_fast(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("[Content_Types].xml", "w") as member:
            for _ in range(50):
                member.write(bytes(1024 * 1024))
        archive.writestr("_rels/.rels", "<x/>")
    start = time.perf_counter()
    assert sniff(path).kind is FileKind.CORRUPT
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", FileKind.EMPTY),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", FileKind.PDF),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl}", FileKind.RTF),
        (b"\xef\xbb\xbf  <!DOCTYPE html><html><body>R</body></html>", FileKind.HTML),
        (b"\r\n<HTML xmlns:o='urn:schemas-microsoft-com:office:office'>", FileKind.HTML),
        ("<html><body>Réponse</body></html>".encode("utf-16"), FileKind.HTML),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related;", FileKind.HTML),
        (b'<?xml version="1.0"?>\n<?mso-application progid="Word.Document"?>\n<w:wordDocument',
         FileKind.WORD_XML),
        ("Réponses du parti :\n1. oui\n".encode(), FileKind.TEXT),
        ("Réponses du parti :\n1. oui\n".encode("cp1252"), FileKind.TEXT),
        (bytes(range(256)) * 4, FileKind.UNKNOWN),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", FileKind.IMAGE),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", FileKind.IMAGE),
        (b"II*\0\x08\0\0\0", FileKind.IMAGE),
        (b"MM\0*\0\0\0\x08", FileKind.IMAGE),
        (b"GIF89a\x01\0\x01\0", FileKind.UNKNOWN),
    ],
)
def test_kinds_from_the_first_bytes(tmp_path: Path, data: bytes, kind: FileKind) -> None:
    assert kind_of(tmp_path, data) is kind


def test_encrypted_docx_made_by_msoffcrypto(tmp_path: Path) -> None:
    source = tmp_path / "clear.docx"
    make_docx(source)
    target = tmp_path / "protege.docx"
    with source.open("rb") as clear, target.open("wb") as out:
        OOXMLFile(clear).encrypt("secret", out)
    sniffed = sniff(target)
    assert sniffed.kind is FileKind.ENCRYPTED
    # The CFB reader agrees with olefile on the root streams.
    with olefile.OleFileIO(str(target)) as ole:
        expected = {entry[0] for entry in ole.listdir(streams=True, storages=True)}
    assert {"EncryptionInfo", "EncryptedPackage"} <= expected
    code, message = explain(sniffed.kind, target.name)
    assert code is IssueCode.ENCRYPTED
    assert message.startswith("« protege.docx » est protégé par un mot de passe")


@pytest.mark.parametrize("shift", [9, 12])
def test_handmade_compound_files(tmp_path: Path, shift: int) -> None:
    cases = {
        "enc": ({"EncryptionInfo": b"\4\0\4\0" + bytes(60), "EncryptedPackage": bytes(100)},
                FileKind.ENCRYPTED),
        "doc": ({"WordDocument": fib(False), "1Table": bytes(10)}, FileKind.DOC),
        "docpw": ({"WordDocument": fib(True), "1Table": bytes(10)}, FileKind.ENCRYPTED),
        "small": ({"WordDocument": b"\xec\xa5", "1Table": bytes(10)}, FileKind.DOC),
        "xls": ({"Workbook": bytes(100), "\x05SummaryInformation": bytes(10)},
                FileKind.OLE_OTHER),
    }
    for name, (streams, kind) in cases.items():
        data = build_cfb(streams, shift=shift)
        assert kind_of(tmp_path, data, f"{name}.doc") is kind, name


def test_damaged_compound_files_are_corrupt(tmp_path: Path) -> None:
    data = build_cfb({"WordDocument": fib(False)})
    assert kind_of(tmp_path, data[:600]) is FileKind.CORRUPT  # directory cut off
    looping = bytearray(data)
    struct.pack_into("<I", looping, 512 + 4, 1)  # the directory sector points to itself
    assert kind_of(tmp_path, bytes(looping)) is FileKind.CORRUPT
    bad_shift = bytearray(data)
    struct.pack_into("<H", bad_shift, 0x1E, 30)
    assert kind_of(tmp_path, bytes(bad_shift)) is FileKind.CORRUPT


def test_owner_and_system_files(tmp_path: Path) -> None:
    user = "Jean Dupont"
    owner = (b"\x0a" + user.encode()).ljust(54, b"\0") + user.encode("utf-16-le").ljust(108, b"\0")
    assert len(owner) == 162
    assert kind_of(tmp_path, owner, "~$ponse.docx") is FileKind.OWNER_FILE
    assert kind_of(tmp_path, b"", "~$vide.docx") is FileKind.OWNER_FILE
    assert kind_of(tmp_path, b"x", ".~lock.reponse.docx#") is FileKind.OWNER_FILE
    apple = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ".ljust(4096, b"\0")
    assert kind_of(tmp_path, apple, "._reponse.docx") is FileKind.SYSTEM_FILE
    # A real document that happens to start with "._" is still read as one.
    assert kind_of(tmp_path, docx_bytes(), "._reponse.docx") is FileKind.DOCX
    for kind in (FileKind.OWNER_FILE, FileKind.SYSTEM_FILE):
        assert explain(kind, "x")[0] is IssueCode.OWNER_FILE


def test_missing_and_inaccessible(tmp_path: Path) -> None:
    assert sniff(tmp_path / "absent.docx").kind is FileKind.MISSING
    assert sniff(tmp_path).kind is FileKind.INACCESSIBLE  # a folder is not a file
    locked = tmp_path / "locked.docx"
    locked.write_bytes(docx_bytes())
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions")
        assert sniff(locked).kind is FileKind.INACCESSIBLE
    finally:
        locked.chmod(0o644)


def test_permission_error_is_inaccessible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(docx_bytes())

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert sniff(path).kind is FileKind.INACCESSIBLE


@needs_soffice
def test_doc_and_odt_made_by_libreoffice(soffice_files: dict[str, Path]) -> None:
    doc = sniff(soffice_files["doc"])
    assert doc.kind is FileKind.DOC
    assert sniff(soffice_files["odt"]).kind is FileKind.ODT
    with olefile.OleFileIO(str(soffice_files["doc"])) as ole:
        assert ole.exists("WordDocument")


@needs_soffice
def test_doc_renamed_docx_is_still_doc(tmp_path: Path, soffice_files: dict[str, Path]) -> None:
    assert kind_of(tmp_path, soffice_files["doc"].read_bytes(), "r.docx") is FileKind.DOC


# -- explain --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [k for k in FileKind if k not in (
    FileKind.DOCX, FileKind.PDF, FileKind.EML, FileKind.MSG, FileKind.IMAGE)])
def test_every_other_kind_is_explained_in_one_french_sentence(kind: FileKind) -> None:
    code, message = explain(kind, "réponse PS.docx")
    assert isinstance(code, IssueCode)
    assert "« réponse PS.docx »" in message
    assert message.endswith(".") and message.count(". ") == 0
    assert " : " in message  # what is wrong : what to do


def test_explain_codes_and_key_sentences() -> None:
    with pytest.raises(ValueError):  # PDFs are read (pdf_reader), not refused
        explain(FileKind.PDF, "x.pdf")
    code, message = explain(FileKind.CORRUPT, "x.docx")
    assert code is IssueCode.UNREADABLE
    wanted = "endommagé ou incomplet (téléchargement interrompu ?) : demandez un nouvel envoi"
    assert wanted in message
    for kind in CONVERTIBLE_KINDS:
        code, message = explain(kind, "x.doc")
        assert code is IssueCode.UNSUPPORTED_FORMAT
        assert "Enregistrer sous" in message and "installez LibreOffice" in message
    assert explain(FileKind.EMPTY, "x")[0] is IssueCode.UNREADABLE
    with pytest.raises(ValueError):
        explain(FileKind.DOCX, "x.docx")


# -- expand_paths -----------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("b.docx", "A.docx", "c.DOCX", "notes.txt", ".DS_Store", "Thumbs.db",
                 "desktop.ini", "~$b.docx", "sub/d.docx", "sub/deep/e.docx", "sub/Thumbs.db",
                 "vide/.DS_Store", "[2020] f.docx"):
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    return tmp_path / "in"


def names(paths: tuple[Path, ...], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_folder_is_sorted_case_insensitively_without_junk(tree: Path) -> None:
    result = expand_paths(["in"])
    assert names(result.files, Path("in")) == [
        "[2020] f.docx", "A.docx", "b.docx", "c.DOCX", "notes.txt"
    ]
    assert result.unmatched == ()
    # Word's owner file is skipped silently, like a system file; named explicitly, it
    # is still read, and sniffed as what it is.
    assert expand_paths(["in/~$b.docx"]).files == (Path("in/~$b.docx"),)
    assert sniff(Path("in/~$b.docx")).kind is FileKind.OWNER_FILE


def test_recursive_folder(tree: Path) -> None:
    result = expand_paths(["in"], recursive=True)
    # Sorted by relative path: a sub-folder sits among the files, by its name.
    assert names(result.files, Path("in")) == [
        "[2020] f.docx", "A.docx", "b.docx", "c.DOCX", "notes.txt",
        "sub/d.docx", "sub/deep/e.docx",
    ]


def test_globs_are_expanded_by_the_tool(tree: Path) -> None:
    # Case-insensitive, as on Windows: "*.docx" also finds "c.DOCX".
    assert names(expand_paths(["in/*.docx"]).files, Path("in")) == [
        "[2020] f.docx", "A.docx", "b.docx", "c.DOCX"
    ]
    assert names(expand_paths(["in/**/*.docx"]).files, Path("in")) == [
        "[2020] f.docx", "A.docx", "b.docx", "c.DOCX", "sub/d.docx", "sub/deep/e.docx",
    ]
    assert names(expand_paths(["in/?.docx"]).files, Path("in")) == ["A.docx", "b.docx", "c.DOCX"]
    assert names(expand_paths(["in/[ab].docx"]).files, Path("in")) == ["A.docx", "b.docx"]
    assert names(expand_paths(["in/[!a].DOCX"]).files, Path("in")) == ["b.docx", "c.DOCX"]
    # A folder matched by a pattern is read like a folder argument.
    assert names(expand_paths(["in/s*"]).files, Path("in")) == ["sub/d.docx"]
    assert names(expand_paths(["in/*"]).files, Path("in")) == [
        "[2020] f.docx", "A.docx", "b.docx", "c.DOCX", "notes.txt", "sub/d.docx",
    ]


def test_existing_name_with_glob_characters_is_a_file(tree: Path) -> None:
    result = expand_paths(["in/[2020] f.docx"])
    assert result.files == (Path("in/[2020] f.docx"),)


def test_order_of_arguments_and_dedup(tree: Path) -> None:
    link = tree / "lien.docx"
    link.symlink_to(tree / "b.docx")
    result = expand_paths(
        ["in/b.docx", "in", "in/*.docx", str((tree / "A.docx").resolve()), "in/./b.docx",
         "in/lien.docx"]
    )
    assert names(result.files, Path("in"))[:3] == ["b.docx", "[2020] f.docx", "A.docx"]
    assert len(result.files) == len({p.resolve() for p in result.files}) == 5


def test_unmatched_arguments(tree: Path) -> None:
    result = expand_paths(["absent.docx", "in/*.pdf", "in/vide", "in/A.docx"])
    assert result.files == (Path("in/A.docx"),)
    assert result.unmatched == ("absent.docx", "in/*.pdf", "in/vide")


def test_junk_named_explicitly_is_kept(tree: Path) -> None:
    assert expand_paths(["in/Thumbs.db"]).files == (Path("in/Thumbs.db"),)


def test_outputs_are_excluded(tree: Path) -> None:
    (tree / "out").mkdir()
    (tree / "out" / "reponses.xlsx").write_bytes(b"x")
    (tree / "reponses.json").write_bytes(b"x")
    result = expand_paths(
        ["in"], recursive=True, exclude=[Path("in/reponses.json"), tree / "out", Path("nope")]
    )
    listed = names(result.files, Path("in"))
    assert "reponses.json" not in listed and "out/reponses.xlsx" not in listed
    assert "A.docx" in listed
    # Excluded files still count as matches.
    excluded = expand_paths(["in/reponses.json"], exclude=[tree / "reponses.json"])
    assert excluded.files == () and excluded.unmatched == ()


def test_special_files_are_not_listed(tree: Path) -> None:
    fifo = tree / "pipe.docx"
    os.mkfifo(fifo)
    assert expand_paths(["in/pipe.docx"]).unmatched == ("in/pipe.docx",)
    assert Path("in/pipe.docx") not in expand_paths(["in"]).files
    assert sniff(fifo).kind is FileKind.INACCESSIBLE


def test_recursive_walk_skips_hidden_and_macos_folders(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.docx").write_bytes(b"x")
    for hidden in (".cuf-extract/sauvegardes", ".git", "__MACOSX/sub"):
        (tmp_path / hidden).mkdir(parents=True)
        (tmp_path / hidden / "b.docx").write_bytes(b"x")
    expansion = expand_paths([str(tmp_path)], recursive=True)
    assert [p.relative_to(tmp_path).as_posix() for p in expansion.files] == ["sub/a.docx"]
