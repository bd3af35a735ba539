"""A campaign end to end: reruns keep the staff's notes and say what changed."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.campaign import BACKUP_FOLDER
from cuf_extract.convert import find_soffice
from tests.conftest import answers_sheet, run_cli
from tests.fixtures.builder import questionnaire_doc, text_p

QIDS = ["Q1", "Q2", "Q3", "Q4", "Q5"]


def reply(party: str, *, skip: tuple[str, ...] = ()) -> bytes:
    """A reply whose answers name the party, so no two replies look alike."""
    answers = {q: [text_p(f"Réponse de {party} à {q}.")] for q in QIDS if q not in skip}
    return questionnaire_doc(answers)


def run(folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    return run_cli("replies", cwd=folder, monkeypatch=monkeypatch)[0]


def rows(path: Path) -> dict[str, dict[str, object]]:
    return {str(row["Fichier"]): row for row in answers_sheet(path)}


def test_a_campaign_of_reruns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "alpha.docx").write_bytes(reply("Alpha"))
    (replies / "beta.docx").write_bytes(reply("Beta", skip=("Q3",)))  # flagged
    (replies / "gamma.docx").write_bytes(reply("Gamma"))
    run(tmp_path, monkeypatch)
    workbook_path = tmp_path / "reponses.xlsx"
    first = rows(workbook_path)
    assert {r["Depuis la dernière fois"] for r in first.values()} == {"nouveau"}

    # The staff annotate the workbook, add a column of their own, and edit a cell.
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["Réponses"]
    header = [c.value for c in sheet[1]]
    extra_column = len(header) + 1
    sheet.cell(row=1, column=extra_column, value="Relancé par")
    notes = {
        "replies/alpha.docx": ("Alpha (parti)", "relu", "Réponse définitive.", "Claire"),
        "replies/beta.docx": ("Beta", "à relancer", "Appelé le 3 février.", "Marc"),
        "replies/gamma.docx": ("Gamma", "relu", "Renommé ensuite.", "Claire"),
    }
    for row in range(2, sheet.max_row + 1):
        path = sheet.cell(row=row, column=1).value
        corrected, follow_up, note, who = notes[str(path)]
        sheet.cell(row=row, column=header.index("Organisation (corrigée)") + 1, value=corrected)
        sheet.cell(row=row, column=header.index("Statut de suivi") + 1, value=follow_up)
        sheet.cell(row=row, column=header.index("Notes") + 1, value=note)
        sheet.cell(row=row, column=extra_column, value=who)
        if path == "replies/gamma.docx":  # a hand correction of an extracted cell
            sheet.cell(row=row, column=header.index("Q2") + 1, value="Texte corrigé à la main.")
    workbook.save(workbook_path)

    # Two late replies, a fix, a rename, a deletion.
    (replies / "delta.docx").write_bytes(reply("Delta"))
    (replies / "epsilon.docx").write_bytes(reply("Epsilon"))
    (replies / "beta.docx").write_bytes(reply("Beta"))  # Q3 answered now
    (replies / "gamma.docx").rename(replies / "gamma-v2.docx")
    (replies / "alpha.docx").rename(tmp_path / "alpha-retire.docx")
    capsys.readouterr()
    run(tmp_path, monkeypatch)
    out = capsys.readouterr().out
    second = rows(workbook_path)

    change = {path: str(r["Depuis la dernière fois"]) for path, r in second.items()}
    assert change["replies/delta.docx"] == "nouveau"
    assert change["replies/epsilon.docx"] == "nouveau"
    assert change["replies/beta.docx"].startswith("corrigé")
    assert "Avertissement → OK" in change["replies/beta.docx"]
    assert "Q3" in change["replies/beta.docx"]
    assert change["replies/gamma-v2.docx"].startswith("inchangé")
    assert "replies/gamma.docx" in change["replies/gamma-v2.docx"]
    assert change["replies/alpha.docx"].startswith("absent")
    assert second["replies/alpha.docx"]["Statut"] == "absent"
    assert "Depuis la dernière fois" in out and "1 absent" in out and "2 nouveaux" in out

    # Every note is still on its reply, the renamed one included.
    for old, new in [("replies/alpha.docx", "replies/alpha.docx"),
                     ("replies/beta.docx", "replies/beta.docx"),
                     ("replies/gamma.docx", "replies/gamma-v2.docx")]:
        corrected, follow_up, note, who = notes[old]
        row = second[new]
        assert row["Organisation (corrigée)"] == corrected
        assert row["Statut de suivi"] == follow_up
        assert str(row["Notes"]).startswith(note)
        assert row["Relancé par"] == who
    for new in ("replies/delta.docx", "replies/epsilon.docx"):
        assert second[new]["Notes"] is None and second[new]["Relancé par"] is None

    # The hand edit is not lost: kept in the notes with a marker, and reported.
    gamma = second["replies/gamma-v2.docx"]
    assert gamma["Q2"] == "Réponse de Gamma à Q2."
    assert "[texte modifié à la main dans « Q2 »" in str(gamma["Notes"])
    assert "Texte corrigé à la main." in str(gamma["Notes"])
    report = (tmp_path / "reponses-rapport.html").read_text(encoding="utf-8")
    assert "Cellules modifiées à la main" in report
    assert "Fichiers absents" in report and "Corrigés" in report

    # The previous workbook was backed up before being replaced.
    backups = list((tmp_path / BACKUP_FOLDER).glob("reponses-*.xlsx"))
    assert len(backups) == 1
    assert rows(backups[0])["replies/beta.docx"]["Notes"] == "Appelé le 3 février."

    # A third run changes nothing and loses nothing: the workbook is left as the second
    # run wrote it, so what that run found (a fix, late replies) is still shown.
    run(tmp_path, monkeypatch)
    third = rows(workbook_path)
    assert third == second
    assert str(third["replies/beta.docx"]["Depuis la dernière fois"]).startswith("corrigé")

    # Once the staff have saved the workbook again, the next run compares with it.
    workbook = openpyxl.load_workbook(workbook_path)
    workbook.save(workbook_path)
    run(tmp_path, monkeypatch)
    fourth = rows(workbook_path)
    assert {p: r["Notes"] for p, r in fourth.items()} == {p: r["Notes"] for p, r in second.items()}
    assert str(fourth["replies/beta.docx"]["Depuis la dernière fois"]).startswith("inchangé")
    assert str(fourth["replies/alpha.docx"]["Depuis la dernière fois"]).startswith("absent")


def test_a_row_deleted_by_the_staff_stays_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "a.docx").write_bytes(reply("A"))
    (replies / "b.docx").write_bytes(reply("B"))
    run(tmp_path, monkeypatch)
    (replies / "b.docx").unlink()
    run(tmp_path, monkeypatch)
    assert "replies/b.docx" in rows(tmp_path / "reponses.xlsx")  # kept, marked absent
    workbook = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    sheet = workbook["Réponses"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == "replies/b.docx":
            sheet.delete_rows(row)
            break
    workbook.save(tmp_path / "reponses.xlsx")
    run(tmp_path, monkeypatch)
    assert set(rows(tmp_path / "reponses.xlsx")) == {"replies/a.docx"}


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_the_workbook_opens_in_another_spreadsheet_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "a.docx").write_bytes(reply("A", skip=("Q4",)))
    (replies / "b.docx").write_bytes(questionnaire_doc({"Q1": [text_p("=1+1")]}))
    run(tmp_path, monkeypatch)
    soffice = find_soffice()
    assert soffice is not None
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",  # 76: UTF-8
         "--outdir", str(tmp_path / "csv"), str(tmp_path / "reponses.xlsx")],
        capture_output=True, timeout=120, text=True, check=False,
    )
    if "could not be loaded" in done.stdout + done.stderr:
        pytest.skip("LibreOffice Calc is not installed (Debian: libreoffice-calc-nogui)")
    with (tmp_path / "csv" / "reponses.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    by_path = {line[0]: dict(zip(header, line, strict=False)) for line in table[1:]}
    assert by_path["replies/a.docx"]["Q1"] == "Réponse de A à Q1."
    assert by_path["replies/a.docx"]["Q4"] == ""
    assert by_path["replies/b.docx"]["Q1"] == "=1+1"  # text, not the formula's result


def test_unchanged_files_are_not_parsed_again(tmp_path: Path) -> None:
    from cuf_extract.cache import ResultCache
    from cuf_extract.pipeline import InputFile, extract_files
    from cuf_extract.questionnaire import load_questionnaire

    questionnaire = load_questionnaire()
    for party in ("A", "B", "C"):
        (tmp_path / f"Parti {party}.docx").write_bytes(reply(party, skip=("Q5",)))
    files = [InputFile(path=p, display=p.name) for p in sorted(tmp_path.glob("*.docx"))]

    def cache() -> ResultCache:
        return ResultCache(tmp_path / "cache", questionnaire_digest="test")

    first_cache = cache()
    first = extract_files(files, questionnaire, cache=first_cache)
    assert first_cache.hits == 0
    (tmp_path / "Parti B.docx").write_bytes(reply("B"))  # B changed: must be read again
    second_cache = cache()
    second = extract_files(files, questionnaire, cache=second_cache)
    assert second_cache.hits == 2
    by_name = {f.name: f for f in second.files}
    assert by_name["Parti A.docx"] == {f.name: f for f in first.files}["Parti A.docx"]
    assert by_name["Parti A.docx"].respondent_source is not None  # excluded fields survive
    assert by_name["Parti B.docx"].answer("Q5") == "Réponse de B à Q5."
    # Another questionnaire (or tool version) does not reuse the entries.
    other = ResultCache(tmp_path / "cache", questionnaire_digest="other")
    extract_files(files, questionnaire, cache=other)
    assert other.hits == 0


def test_parallel_and_sequential_runs_give_the_same_results(tmp_path: Path) -> None:
    from cuf_extract.pipeline import PARALLEL_MIN_FILES, InputFile, extract_files
    from cuf_extract.questionnaire import load_questionnaire
    from tests.fixtures.variants import VARIANTS

    docx_variants = [v for v in VARIANTS if v.suffix == ".docx"]
    for i in range(PARALLEL_MIN_FILES + 5):
        variant = docx_variants[i % len(docx_variants)]
        (tmp_path / f"{i:03}-{variant.name}.docx").write_bytes(variant.build())
    (tmp_path / "000-broken.docx").write_bytes(b"PK\x03\x04broken")
    files = [InputFile(path=p, display=p.name) for p in sorted(tmp_path.glob("*.docx"))]
    questionnaire = load_questionnaire()
    sequential = extract_files(files, questionnaire, jobs=1)
    parallel = extract_files(files, questionnaire, jobs=2)
    assert parallel.model_dump_json() == sequential.model_dump_json()
    assert [f.path for f in parallel.files] == [f.display for f in files]


def test_owner_files_and_verdict_changes_on_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "a.docx").write_bytes(reply("A"))
    (replies / "~$a.docx").write_bytes(b"\x05Alice" + b"\0" * 156)
    run(tmp_path, monkeypatch)
    workbook = tmp_path / "reponses.xlsx"
    openpyxl.load_workbook(workbook).save(workbook)  # the staff had a look
    run(tmp_path, monkeypatch)
    second = rows(workbook)
    # Word's lock file is not a reply: no row, counted nowhere.
    assert "replies/~$a.docx" not in second
    assert str(second["replies/a.docx"]["Depuis la dernière fois"]) == "inchangé"
    # Word closed (owner file gone), and a second copy of a.docx arrives.
    (replies / "~$a.docx").unlink()
    (replies / "a-copie.docx").write_bytes((replies / "a.docx").read_bytes())
    run(tmp_path, monkeypatch)
    third = rows(tmp_path / "reponses.xlsx")
    assert "replies/~$a.docx" not in third  # never a reply: no "absent" row
    change = str(third["replies/a.docx"]["Depuis la dernière fois"])
    assert change == "modifié (statut : OK → Avertissement (fichier inchangé))"


def test_parallel_run_works_with_the_spawn_start_method(tmp_path: Path) -> None:
    """Windows and macOS start workers by importing the main module again: `python -m
    cuf_extract` must not start a second run in each worker."""
    from cuf_extract.pipeline import PARALLEL_MIN_FILES

    replies = tmp_path / "replies"
    replies.mkdir()
    for i in range(PARALLEL_MIN_FILES + 2):
        (replies / f"r{i:02}.docx").write_bytes(reply(f"P{i}"))
    code = (
        "import multiprocessing, runpy, sys\n"
        "multiprocessing.set_start_method('spawn')\n"
        "sys.argv = ['cuf-extract', 'replies', '--json', 'spawn.json', '-o', 's.xlsx', "
        "'--no-cache', '-j', '2']\n"
        "runpy.run_module('cuf_extract', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "spawn.json").read_text(encoding="utf-8")
    assert data.count('"status": "ok"') == PARALLEL_MIN_FILES + 2


def test_cache_packs_survive_a_cut_line_and_are_merged_and_pruned(tmp_path: Path) -> None:
    from cuf_extract.cache import MAX_PACKS, ResultCache
    from cuf_extract.pipeline import InputFile, extract_files
    from cuf_extract.questionnaire import load_questionnaire

    questionnaire = load_questionnaire()
    folder = tmp_path / "cache"
    for party in ("A", "B"):
        (tmp_path / f"Parti {party}.docx").write_bytes(reply(party))
    files = [InputFile(path=p, display=p.name) for p in sorted(tmp_path.glob("*.docx"))]
    first = extract_files(files, questionnaire,
                          cache=ResultCache(folder, questionnaire_digest="test"))
    (pack,) = folder.glob("*.jsonl")
    # A run cut short mid-line (a crash, a full disk): the entry cut is a miss, the
    # others still count.
    lines = pack.read_bytes().split(b"\n")
    assert len(lines) == 3 and lines[2] == b""
    pack.write_bytes(lines[0] + b"\n" + lines[1][: len(lines[1]) // 2])
    cache = ResultCache(folder, questionnaire_digest="test")
    second = extract_files(files, questionnaire, cache=cache)
    assert cache.hits == 1
    assert second.model_dump_json() == first.model_dump_json()
    # The cut entry was read again into a new pack, which wins over the old one
    # whatever their names (« 0 » sorts first).
    older, newer = sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime_ns)
    salt = newer.name.split("-", 1)[0]
    newer = newer.rename(folder / f"{salt}-0-first.jsonl")
    os.utime(older, ns=(1_000_000_000, 1_000_000_000))
    cache = ResultCache(folder, questionnaire_digest="test")
    again = extract_files(files, questionnaire, cache=cache)
    assert cache.hits == 2
    assert again.model_dump_json() == first.model_dump_json()
    # Each process that reads adds a pack; past MAX_PACKS they are merged into one.
    (folder / "x-1-cut.tmp").write_bytes(b"a merge cut short")
    for _ in range(MAX_PACKS + 1):
        writer = ResultCache(folder, questionnaire_digest="x")
        for result in first.files:
            writer.put(result)
        writer.close()
    (folder / "ab").mkdir()  # the one-file-per-result layout of earlier versions
    (folder / "ab" / "old.json").write_text("{}", encoding="utf-8")
    assert len(list(folder.glob("*.jsonl"))) == 2 + MAX_PACKS + 1
    cache = ResultCache(folder, questionnaire_digest="x")
    cache.prune()
    assert not (folder / "ab").exists() and not (folder / "x-1-cut.tmp").exists()
    (merged,) = folder.glob("*.jsonl")  # this salt's packs merged, the other salt's gone
    assert len(merged.read_bytes().split(b"\n")) == 3
    cache = ResultCache(folder, questionnaire_digest="x")
    third = extract_files(files, questionnaire, cache=cache)
    assert cache.hits == 2
    assert third.model_dump_json() == first.model_dump_json()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX only")
def test_a_forked_process_writes_a_pack_of_its_own(tmp_path: Path) -> None:
    """Worker processes made by fork inherit the cache as it is: one whose parent
    already writes a pack must not append to the same file."""
    from cuf_extract.cache import ResultCache
    from cuf_extract.pipeline import InputFile, extract_files
    from cuf_extract.questionnaire import load_questionnaire

    folder = tmp_path / "cache"
    (tmp_path / "a.docx").write_bytes(reply("A"))
    (result,) = extract_files([InputFile(tmp_path / "a.docx", "a.docx")],
                              load_questionnaire()).files
    cache = ResultCache(folder, questionnaire_digest="test")
    cache.put(result)
    child = os.fork()
    if child == 0:  # the child: one entry, then leave without running the test's cleanup
        try:
            cache.put(result.model_copy(update={"name": "b.docx"}))
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    cache.put(result.model_copy(update={"name": "c.docx"}))
    cache.close()
    packs = sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime_ns)
    assert len(packs) == 2
    assert sorted(len(p.read_bytes().splitlines()) for p in packs) == [1, 2]
