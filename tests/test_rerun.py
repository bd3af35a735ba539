"""Unchanged reruns: files not hashed again, outputs not rewritten; changes still seen."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cuf_extract.rerun import FileIndex
from tests.conftest import answers_sheet, run_cli
from tests.fixtures.builder import questionnaire_doc, text_p

QIDS = ["Q1", "Q2", "Q3", "Q4", "Q5"]
HOUR_NS = 3600 * 1_000_000_000


def reply(party: str, word: str = "Oui") -> bytes:
    return questionnaire_doc({q: [text_p(f"{word}, dit {party} à {q}.")] for q in QIDS})


def _index(folder: Path) -> FileIndex:
    return FileIndex(folder / "fichiers.json")


def _sha(index: FileIndex, path: Path) -> str | None:
    return index.sha256(path, max_bytes=1 << 30)


def test_unchanged_old_file_is_not_hashed_again(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(b"first content")
    old = time.time_ns() - HOUR_NS
    os.utime(path, ns=(old, old))
    first = _index(tmp_path)
    sha = _sha(first, path)
    first.save()
    again = _index(tmp_path)
    assert _sha(again, path) == sha
    assert again.hashed == 0
    path.write_bytes(b"other content, longer")  # size and mtime change: hashed again
    assert _sha(again, path) != sha
    assert again.hashed == 1


def test_same_size_same_mtime_change_right_after_a_run_is_seen(tmp_path: Path) -> None:
    # A file changed in the same timestamp tick as the run that hashed it, with the same
    # size (a coarse file system, or the mtime put back): its mtime is too recent to
    # trust, so it is hashed again and the change is seen.
    path = tmp_path / "a.docx"
    path.write_bytes(b"Oui.")
    first = _index(tmp_path)
    sha = _sha(first, path)
    first.save()
    stat = path.stat()
    path.write_bytes(b"Non.")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = _index(tmp_path)
    assert _sha(again, path) != sha
    assert again.hashed == 1


def test_same_size_old_mtime_put_back_is_the_documented_blind_spot(tmp_path: Path) -> None:
    # Content changed, same size, and an mtime older than the last run put back on
    # purpose: trusted (the trade-off documented in rerun.py); --no-cache reads it.
    path = tmp_path / "a.docx"
    path.write_bytes(b"Oui.")
    old = time.time_ns() - HOUR_NS
    os.utime(path, ns=(old, old))
    first = _index(tmp_path)
    sha = _sha(first, path)
    first.save()
    path.write_bytes(b"Non.")
    os.utime(path, ns=(old, old))
    assert _sha(_index(tmp_path), path) == sha


def test_a_damaged_index_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "fichiers.json").write_text("{not json", encoding="utf-8")
    path = tmp_path / "a.docx"
    path.write_bytes(b"x")
    index = _index(tmp_path)
    assert _sha(index, path) is not None and index.hashed == 1


def _run(folder: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    return run_cli("replies", "--json", "r.json", *extra, cwd=folder, monkeypatch=monkeypatch)[0]


def _stamps(folder: Path) -> dict[str, int]:
    return {name: (folder / name).stat().st_mtime_ns
            for name in ("reponses.xlsx", "reponses-rapport.html", "r.json")}


def _age(folder: Path) -> None:
    """Make the replies look written long before the runs (as they are in a campaign)."""
    old = time.time_ns() - HOUR_NS
    for path in (folder / "replies").iterdir():
        os.utime(path, ns=(old, old))


def _changes(folder: Path) -> list[str]:
    """The « Depuis la dernière fois » column of the workbook."""
    return [str(row["Depuis la dernière fois"]) for row in answers_sheet(folder / "reponses.xlsx")]


def test_outputs_are_left_alone_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    for party in ("Parti Alpha", "Parti Beta"):
        (replies / f"{party}.docx").write_bytes(reply(party))
    _age(tmp_path)
    _run(tmp_path, monkeypatch)  # first run: every reply is new
    before = _stamps(tmp_path)
    json_before = (tmp_path / "r.json").read_text(encoding="utf-8")
    capsys.readouterr()
    # Right after the first run as much as later: nothing is rewritten, and what the
    # first run found new stays marked « nouveau ».
    for _ in range(2):
        assert _run(tmp_path, monkeypatch) == 0
        out = capsys.readouterr().out
        assert "Rien n’a changé depuis la dernière exécution" in out
        assert "« Depuis la dernière fois » y montre toujours les changements vus le" in out
        assert "Depuis la dernière fois :" not in out  # no count of changes that are not
        assert _stamps(tmp_path) == before
        assert (tmp_path / "r.json").read_text(encoding="utf-8") == json_before
    assert _changes(tmp_path) == ["nouveau", "nouveau"]
    assert not (tmp_path / ".cuf-extract" / "sauvegardes").exists()

    # A reply changed: everything is written again, and the change is shown.
    (replies / "Parti Beta.docx").write_bytes(reply("Parti Beta", word="Non"))
    _run(tmp_path, monkeypatch)
    assert _stamps(tmp_path) != before
    assert "Non, dit Parti Beta" in (tmp_path / "r.json").read_text(encoding="utf-8")
    assert _changes(tmp_path)[0] == "inchangé"
    assert _changes(tmp_path)[1].startswith("modifié")
    assert "Depuis la dernière fois : 1 inchangé, 1 modifié" in capsys.readouterr().out


def test_a_workbook_saved_again_without_changes_is_read_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output touched since it was written is not trusted: the full rerun compares
    with it, and the replies it still holds are now unchanged."""
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "Parti Alpha.docx").write_bytes(reply("Parti Alpha"))
    _age(tmp_path)
    _run(tmp_path, monkeypatch)
    workbook = tmp_path / "reponses.xlsx"
    later = workbook.stat().st_mtime_ns + 5_000_000_000
    os.utime(workbook, ns=(later, later))  # saved again by the staff, same bytes
    capsys.readouterr()
    _run(tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert "Rien n’a changé" not in out
    assert "Depuis la dernière fois : 1 inchangé" in out
    assert _changes(tmp_path) == ["inchangé"]


def test_a_workbook_edited_by_the_staff_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "Parti Alpha.docx").write_bytes(reply("Parti Alpha"))
    _age(tmp_path)
    _run(tmp_path, monkeypatch)
    _run(tmp_path, monkeypatch)
    import openpyxl

    workbook = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    sheet = workbook["Réponses"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Notes") + 1, value="Appelé le 3 février.")
    workbook.save(tmp_path / "reponses.xlsx")
    capsys.readouterr()
    _run(tmp_path, monkeypatch)
    assert "Rien n'a changé" not in capsys.readouterr().out
    sheet = openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Réponses"]
    assert sheet.cell(row=2, column=header.index("Notes") + 1).value == "Appelé le 3 février."
    assert list((tmp_path / ".cuf-extract" / "sauvegardes").glob("reponses-*.xlsx"))


def test_no_cache_rewrites_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "Parti Alpha.docx").write_bytes(reply("Parti Alpha"))
    _age(tmp_path)
    _run(tmp_path, monkeypatch)
    _run(tmp_path, monkeypatch)
    capsys.readouterr()
    _run(tmp_path, monkeypatch, "--no-cache")
    assert "Rien n'a changé" not in capsys.readouterr().out


def test_a_list_of_recipients_is_part_of_what_the_outputs_are_made_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same list and the same replies keep the outputs, and the line on who has not
    replied is printed again; an edited list, or the list now kept in the workbook
    instead of given, rewrites them."""
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "Parti Alpha.docx").write_bytes(reply("Parti Alpha"))
    (tmp_path / "liste.txt").write_text("Parti Alpha\nParti Gamma\n", encoding="utf-8")
    _age(tmp_path)
    _run(tmp_path, monkeypatch, "--destinataires", "liste.txt")
    first = capsys.readouterr().out
    assert "Sans réponse à ce jour : 1 organisation" in first
    before = _stamps(tmp_path)
    _run(tmp_path, monkeypatch, "--destinataires", "liste.txt")
    out = capsys.readouterr().out
    assert "Rien n’a changé" in out and _stamps(tmp_path) == before
    assert "Sans réponse à ce jour : 1 organisation" in out

    (tmp_path / "liste.txt").write_text("Parti Alpha\nParti Gamma\nParti Delta\n",
                                        encoding="utf-8")
    _run(tmp_path, monkeypatch, "--destinataires", "liste.txt")
    out = capsys.readouterr().out
    assert "Rien n’a changé" not in out and "Sans réponse à ce jour : 2 organisations" in out
    report = (tmp_path / "reponses-rapport.html").read_text(encoding="utf-8")
    assert "Parti Delta" in report
    # Kept in the workbook, without the option: rewritten once, then kept.
    _run(tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert "Rien n’a changé" not in out and "Sans réponse à ce jour : 2 organisations" in out
    _run(tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert "Rien n’a changé" in out and "Sans réponse à ce jour : 2 organisations" in out


def test_a_reading_library_upgrade_invalidates_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDFium upgrade may read a PDF differently: cached results must not survive it."""
    import importlib.metadata

    from cuf_extract.cache import code_fingerprint

    before = code_fingerprint()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "999.0" if name == "pypdfium2" else real(name))
    assert code_fingerprint() != before


def test_the_outputs_digest_sees_fields_left_out_of_the_json(tmp_path: Path) -> None:
    """The workbook shows the respondent's source and the document's date, which the
    JSON contract leaves out: a change there must still rewrite the outputs."""
    from datetime import UTC, datetime

    from cuf_extract.models import FileResult, QuestionnaireRef, RespondentSource, Run
    from cuf_extract.rerun import outputs_digest

    file = FileResult(path="a.docx", name="a.docx", sha256="ab" * 32, status="ok",
                      respondent="Parti A", answers=())
    ref = QuestionnaireRef(id="q", questions=())

    def digest(**changes: object) -> str:
        run = Run(questionnaire=ref, files=(file.model_copy(update=changes),))
        return outputs_digest(run, [tmp_path / "r.xlsx"], fingerprint="f")

    plain = digest()
    assert digest() == plain
    assert digest(respondent_source=RespondentSource.FILE_NAME) != plain
    assert digest(document_date=datetime(2026, 3, 1, tzinfo=UTC)) != plain
    assert digest(respondent_candidates=(("Parti A", RespondentSource.FILE_NAME),)) != plain
    assert digest(respondent="Parti B") != plain
    # A file name that was not valid UTF-8 (kept as lone surrogates) has no JSON.
    assert digest(path="r\udce9ponse.docx") != digest(path="r\udce8ponse.docx")
