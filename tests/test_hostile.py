"""Hostile, broken and foreign files through the whole command: every file gets a result,
the batch carries on, inputs stay untouched, outputs hold text as text."""

from __future__ import annotations

import hashlib
import io
import random
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from cuf_extract.cli import EXIT_FLAGGED, main
from cuf_extract.locate import Matcher
from cuf_extract.models import Run
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.builder import questionnaire_doc, text_p
from tests.fixtures.pdf_builder import (
    blank_page_pdf,
    flate_bomb_pdf,
    many_pages_pdf,
    reference_loop_pdf,
    text_pages_pdf,
)
from tests.fixtures.pdf_sources import PDF_DIR
from tests.fixtures.variants import BY_NAME, VARIANTS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _pdf_reply() -> bytes:
    return (PDF_DIR / "lo_qa_table.pdf").read_bytes()  # answers differ from bon.docx


def _replace_part(docx: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = data if info.filename == name else src.read(info.filename)
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _encrypted(docx: bytes) -> bytes | None:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx)).encrypt("secret", out)  # type: ignore[no-untyped-call]
    return out.getvalue()


LONG_ANSWER = ("Une réponse très détaillée. " * 1500)[:40_000]
FORMULAS = ["=HYPERLINK(\"http://exemple.invalid\",\"clic\")", "+33 1 23 45 67 89",
            "-10 % du budget", "@moi", "=1+1"]


def hostile_files() -> dict[str, tuple[bytes, str, str | None]]:
    """name -> (bytes, expected status, expected issue code or None)."""
    good = BY_NAME["answers_below_bullet"].build()
    doc_xml = zipfile.ZipFile(io.BytesIO(good)).read("word/document.xml")
    xxe = doc_xml.replace(
        b"<w:document",
        b'<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/hostname">]><w:document',
        1,
    ).replace(b"Oui", b"&secret;Oui", 1)
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zipfile.ZipFile(io.BytesIO(good)).infolist():
            z.writestr(info.filename, zipfile.ZipFile(io.BytesIO(good)).read(info.filename))
        z.writestr("word/media/padding.bin", b"\0" * 150_000_000)
    answers = {
        "Q1": [text_p(LONG_ANSWER)],
        **{f"Q{i}": [text_p(text)] for i, text in enumerate(FORMULAS[:4], start=2)},
    }
    files: dict[str, tuple[bytes, str, str | None]] = {
        "bon.docx": (good, "ok", None),
        "vide.docx": (b"", "error", "unreadable"),
        "tronque.docx": (good[: len(good) // 2], "error", "unreadable"),
        "page-web.docx": (b"<!DOCTYPE html><html><body>Oui</body></html>", "error",
                          "unsupported_format"),
        # PDFs are read since PDF replies are supported: these are the broken ones.
        "debut.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "error",
                      "unreadable"),
        "tronque.pdf": (_pdf_reply()[: len(_pdf_reply()) // 2], "error", "unreadable"),
        "boucle.pdf": (reference_loop_pdf(), "error", "unreadable"),
        "cent-mille-pages.pdf": (many_pages_pdf(), "error", "too_large"),
        "bombe.pdf": (flate_bomb_pdf(), "error", "too_large"),
        "scan.pdf": (text_pages_pdf([[]], image_pages=[0]), "error", "scanned_pdf"),
        "blanc.pdf": (blank_page_pdf(), "error", "unreadable"),
        "tableau.pdf": (_pdf_reply(), "warning", "from_pdf"),
        "~$bon.docx": (b"\x05Alice" + b"\0" * 156, "skipped", "owner_file"),
        "xxe.docx": (_replace_part(good, "word/document.xml", xxe), "error", "unreadable"),
        "rires.docx": (_replace_part(good, "word/document.xml", laughs + doc_xml), "error",
                       "unreadable"),
        "bombe.docx": (bomb.getvalue(), "error", "too_large"),
        "long-et-formules.docx": (questionnaire_doc(answers), "warning", "answer_too_long"),
    }
    encrypted = _encrypted(good)
    if encrypted is not None:
        files["protege.docx"] = (encrypted, "error", "encrypted")
    return files


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    for name, (data, _, _) in hostile_files().items():
        (folder / name).write_bytes(data)
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_every_hostile_file_gets_its_own_result(
    hostile_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _digest(hostile_folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["cuf-extract", "replies", "--json", "out.json"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    _, err = capsys.readouterr()
    assert exit_info.value.code == EXIT_FLAGGED

    # Inputs are read-only: same names, same bytes, nothing added beside them.
    assert _digest(hostile_folder) == before

    run = Run.model_validate_json((tmp_path / "out.json").read_text(encoding="utf-8"))
    results = {f.name: f for f in run.files}
    expected = hostile_files()
    # Word's lock file is not offered by the folder (named explicitly, it is "skipped").
    del expected["~$bon.docx"]
    assert set(results) == set(expected)
    for name, (_, status, code) in expected.items():
        result = results[name]
        assert result.status.value == status, (name, result.issues)
        codes = {i.code.value for i in result.issues}
        if code is not None:
            assert code in codes, (name, codes)
        for issue in result.issues:
            assert "inattendue" not in issue.message, (name, issue.message)
            if issue.severity.value == "error":
                assert name in issue.message  # the message names the file
                assert name in err
    # Nothing outside the file is ever read.
    secret = Path("/etc/hostname")
    if secret.exists() and secret.read_text().strip():
        assert secret.read_text().strip() not in (tmp_path / "out.json").read_text()

    # JSON keeps the long answer whole; the cell is cut with a marker, never a formula.
    long_file = results["long-et-formules.docx"]
    assert long_file.answer("Q1") == LONG_ANSWER.strip()
    sheet = openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Réponses"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2)
               if r[0].value == "replies/long-et-formules.docx")
    cells = dict(zip(header, row, strict=True))
    q1 = str(cells["Q1"].value)
    assert len(q1) <= 32_767 and "tronqué" in q1
    for qid, formula in zip(("Q2", "Q3", "Q4", "Q5"), FORMULAS, strict=False):
        assert cells[qid].value == formula
        assert cells[qid].data_type == "s"


def test_a_failed_write_leaves_the_previous_spreadsheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "a.docx").write_bytes(BY_NAME["answers_below_bullet"].build())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["cuf-extract", "a.docx"])
    with pytest.raises(SystemExit):
        main()
    previous = (tmp_path / "reponses.xlsx").read_bytes()

    import openpyxl.workbook.workbook as wb

    def broken_save(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wb.Workbook, "save", broken_save)
    with pytest.raises((SystemExit, OSError)):
        main()
    capsys.readouterr()
    assert (tmp_path / "reponses.xlsx").read_bytes() == previous
    # No temporary file left behind (the backup folder is expected).
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".cuf-extract"]


# --------------------------------------------------------------------------- fuzzing

_TAGS = [f"{{{W}}}{t}" for t in ("p", "r", "t", "tbl", "tr", "tc", "sdt", "sdtContent", "ins",
                                 "del", "fldChar", "numPr", "numId", "ilvl", "hyperlink", "br")]
_GARBAGE = ["", "-1", "x", "99999999999999999999", "0", "%1%2%3", "begin", "end", "separate"]


def _mutate(root: etree._Element, rng: random.Random) -> None:
    """One structural change that keeps the XML well formed (so the reader sees it)."""
    elements = list(root.iter())
    target = rng.choice(elements[1:]) if len(elements) > 1 else root
    action = rng.randrange(6)
    parent = target.getparent()
    if action == 0 and parent is not None:
        parent.remove(target)
    elif action == 1 and parent is not None:
        parent.insert(rng.randrange(len(parent) + 1), etree.fromstring(etree.tostring(target)))
    elif action == 2:
        rng.choice(elements).append(etree.fromstring(etree.tostring(target)))
    elif action == 3:
        for key in list(target.attrib):
            target.set(key, rng.choice(_GARBAGE))
    elif action == 4:
        target.tag = rng.choice(_TAGS)
    else:
        target.text = rng.choice(["", "\t", "Oui", "x" * 1000])


@pytest.mark.parametrize("seed", range(12))
def test_mutated_replies_never_crash_the_tool(seed: int, tmp_path: Path) -> None:
    """In the spirit of OSS-Fuzz's python-docx fuzzer: mutate XML parts of valid replies
    and check that every file gets a result, without an unhandled exception."""
    rng = random.Random(seed)
    matcher = Matcher(load_questionnaire())
    parts = ["word/document.xml", "word/numbering.xml", "word/styles.xml",
             "word/_rels/document.xml.rels", "[Content_Types].xml"]
    for case in range(15):
        variant = rng.choice(VARIANTS)
        docx = variant.build()
        names = zipfile.ZipFile(io.BytesIO(docx)).namelist()
        part = rng.choice([p for p in parts if p in names])
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read(part))
        for _ in range(rng.randint(1, 8)):
            _mutate(root, rng)
        path = tmp_path / f"{seed}-{case}.docx"
        path.write_bytes(_replace_part(docx, part, etree.tostring(root)))
        result = extract_file(InputFile(path=path, display=path.name), matcher)
        assert len(result.answers) == 5
        for issue in result.issues:
            assert "inattendue" not in issue.message, (variant.name, part, issue.message)
