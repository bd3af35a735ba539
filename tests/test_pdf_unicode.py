"""A PDF's text layer may hold anything its fonts map to: lone or paired UTF-16
surrogates, U+FFFD, private-use and control characters, right-to-left letters,
decomposed accents. Every path from such a PDF to the terminal and the files written
(check, extraction, JSON, workbook, report, cache) must finish without a traceback and
write valid UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.cli import EXIT_FLAGGED
from cuf_extract.pdf_access import whole_characters
from cuf_extract.pdf_reader import read_pdf_pages
from cuf_extract.rerun import write_json
from tests.fixtures.builder import FORM
from tests.fixtures.pdf_mapped import Piece, Units, mapped_text_pdf
from tests.test_cli import run_cli

ANSWERS: dict[str, list[Piece]] = {
    # A lone high surrogate, a pair (one emoji over two code units), a lone low one.
    "Q1": ["Oui, ", Units("D83D"), " nous le ferons ", Units("D83DDE00"), " et ",
           Units("DC00"), "."],
    "Q2": ["Caractère de remplacement \ufffd, usage privé \ue000 et symbole \uf0ae."],
    "Q3": ["Contrôles", Units("0007"), Units("001B"), Units("0001"), " retirés."],
    # Right-to-left words drawn in visual order, as producers draw them.
    "Q4": ["Shalom : ", "שלום"[::-1], " ; salam : ", "سلام"[::-1], "."],
    # Accents decomposed in the text layer (LibreOffice's PDF/A export of NFD text).
    "Q5": ["Accents décomposés : de\u0301cide\u0301 et à l’e\u0301te\u0301."],
}
EXPECTED = {
    "Q1": "Oui, \ufffd nous le ferons \U0001f600 et \ufffd.",
    "Q2": "Caractère de remplacement \ufffd, usage privé \ue000 et symbole "
          "[symbole ? F0AE].",
    "Q3": "Contrôles retirés.",
    "Q4": "Shalom : שלום ; salam : سلام.",
    "Q5": "Accents décomposés : décidé et à l’été.",
}
# A title and an author holding lone surrogates (the information dictionary is UTF-16).
INFO = b"<< /Title <FEFFD83D0041> /Author <FEFF0041DC00> >>"


def hostile_reply() -> bytes:
    """The form's title, its five questions and the answers above, one line each on a
    wide page, a blank line between paragraphs."""
    lines: list[tuple[float, float, list[Piece]]] = []
    y = 800.0
    lines.append((40, y, [FORM.title]))
    for qid, question in FORM.questions:
        y -= 24
        lines.append((40, y, [question]))
        y -= 24
        lines.append((40, y, ANSWERS[qid]))
    return mapped_text_pdf([lines], mediabox=(1400, 842), info=INFO)


def _utf8(data: bytes) -> str:
    return data.decode("utf-8")  # strict: a surrogate or a stray byte fails


def test_reader_joins_pairs_and_replaces_lone_surrogates() -> None:
    document = read_pdf_pages(hostile_reply(), name="x.pdf").document
    texts = [block.text for block in document.blocks]
    for text in EXPECTED.values():
        assert text in texts
    for text in texts:
        _utf8(text.encode("utf-8"))
        assert not any(ord(ch) < 0x20 for ch in text)
    assert document.properties.title == "\ufffdA"
    assert document.properties.creator == "A\ufffd"


def test_whole_characters() -> None:
    assert whole_characters("a\ud83d\ude00b") == "a\U0001f600b"
    assert whole_characters("\ud83d-\ude00") == "\ufffd-\ufffd"
    assert whole_characters("déjà") == "déjà"


def test_check_and_extraction_write_valid_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "hostile.pdf").write_bytes(hostile_reply())

    code, out, err = run_cli("check", "replies/hostile.pdf", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 or code == EXIT_FLAGGED, err
    assert "Traceback" not in out + err and "inattendue" not in out + err
    for text in EXPECTED.values():
        assert text in out

    for attempt in ("fresh", "from the cache"):
        code, out, err = run_cli("replies", "--json", "out.json", cwd=tmp_path,
                                 monkeypatch=monkeypatch, capsys=capsys)
        assert code == 0 or code == EXIT_FLAGGED, (attempt, err)
        assert "Traceback" not in out + err and "inattendue" not in out + err, attempt
        run = json.loads(_utf8((tmp_path / "out.json").read_bytes()))
        (result,) = run["files"]
        assert result["status"] in ("ok", "warning"), result["issues"]
        assert {a["question"]: a["text"] for a in result["answers"]} == EXPECTED
        workbook = tmp_path / "reponses.xlsx"
        with zipfile.ZipFile(workbook) as package:
            for member in package.namelist():
                if member.endswith((".xml", ".rels")):
                    _utf8(package.read(member))
        sheet = openpyxl.load_workbook(workbook)["Réponses"]
        cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
        assert set(EXPECTED.values()) <= cells
        report = _utf8((tmp_path / "reponses-rapport.html").read_bytes())
        assert "nous le ferons \U0001f600" in report
        state = tmp_path / ".cuf-extract"
        cached = [p for p in state.rglob("*") if p.is_file()]
        assert not [p for p in cached if p.name.endswith(".tmp")]
        assert any(p.parent.name == "cache" and p.suffix == ".jsonl" for p in cached)
        for path in cached:
            _utf8(path.read_bytes())


def test_check_prints_to_a_terminal_without_the_characters(tmp_path: Path) -> None:
    """A Windows console or a redirected output in cp1252 has no emoji, no U+FFFD: they
    print as "?" rather than end in a traceback."""
    (tmp_path / "hostile.pdf").write_bytes(hostile_reply())
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "cuf_extract", "check", "hostile.pdf"],
                          cwd=tmp_path, env=env, capture_output=True, timeout=120)
    out = done.stdout.decode("cp1252")
    assert done.returncode in (0, EXIT_FLAGGED), done.stderr
    assert b"Traceback" not in done.stderr
    assert "Oui, ? nous le ferons ? et ?." in out
    assert "Contrôles retirés." in out


def test_cache_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "cache" / "entry.json"
    write_json(target, {"text": "\ud83d"})  # UTF-8 cannot hold it: nothing written
    assert not target.parent.exists() or list(target.parent.iterdir()) == []

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_json(target, {"text": "ok"})
    assert list(target.parent.iterdir()) == []
