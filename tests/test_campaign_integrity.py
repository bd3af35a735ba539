"""The campaign workbook never lies: runs on part of the folder, files really gone or
renamed, patterns that leave replies out, staff positions on answers that changed, the
counts of the Synthèse sheet against the publication's, lock files, hand edits, Ctrl-C.

Every test goes through the front door: the CLI in a campaign folder, then the workbook
read back with openpyxl and the publication built from it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.publication import build_publication
from tests.fixtures.builder import questionnaire_doc, text_p
from tests.test_cli import run_cli

WORKBOOK = "reponses.xlsx"
PDF = Path(__file__).parent / "fixtures" / "external" / "pdf" / "lo_answers_below.pdf"

ANSWERS = {
    "parti-alpha.docx": {"Q1": "Oui, bien sûr.", "Q2": "Non.", "Q3": "Pas encore.",
                         "Q4": "Nous y sommes favorables.", "Q5": "Nous le proposerons."},
    "mouvement-beta.docx": {"Q1": "Nous y réfléchissons.", "Q2": "Oui.", "Q3": "Oui.",
                            "Q4": "Non.", "Q5": "Non."},
    "union-gamma.docx": {"Q1": "Oui.", "Q2": "Oui.", "Q3": "Non.", "Q4": "Oui.",
                         "Q5": "Nous y sommes favorables."},
}


def reply(answers: dict[str, str]) -> bytes:
    return questionnaire_doc({q: [text_p(text)] for q, text in answers.items()})


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    folder = tmp_path / "reponses"
    folder.mkdir()
    for name, answers in ANSWERS.items():
        (folder / name).write_bytes(reply(answers))
    shutil.copy(PDF, folder / "rassemblement-delta.pdf")
    return tmp_path


def extract(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str, str]:
    return run_cli(*(args or ("reponses",)), cwd=root, monkeypatch=monkeypatch, capsys=capsys)


def rows(root: Path) -> dict[str, dict[str, object]]:
    sheet = openpyxl.load_workbook(root / WORKBOOK)["Réponses"]
    values = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    return {str(r[0]): dict(zip(header, r, strict=True)) for r in values[1:] if r[0]}


def edit(root: Path, file: str, column: str, value: str) -> None:
    """What staff do in Excel: type in a cell of the « Réponses » sheet, then save."""
    workbook = openpyxl.load_workbook(root / WORKBOOK)
    sheet = workbook["Réponses"]
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == file:
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(root / WORKBOOK)


def test_a_run_on_one_file_leaves_every_other_row_as_it_was(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(campaign, monkeypatch, capsys)
    edit(campaign, "reponses/mouvement-beta.docx", "Notes", "Relancé par téléphone")
    edit(campaign, "reponses/mouvement-beta.docx", "Position Q1", "nuancé")
    edit(campaign, "reponses/union-gamma.docx", "Q2", "Oui (corrigé à la main)")
    before = rows(campaign)

    code, out, err = extract(campaign, monkeypatch, capsys, "reponses/parti-alpha.docx")
    assert code in (0, 1), err
    after = rows(campaign)
    assert set(after) == set(before)  # no row lost, none added
    assert "absent" not in " ".join(str(r["Statut"]) for r in after.values())
    assert "3 réponses du classeur non relues (fichiers non demandés)" in out
    assert "absent" not in out
    for file in ("reponses/mouvement-beta.docx", "reponses/union-gamma.docx",
                 "reponses/rassemblement-delta.pdf"):
        assert str(after[file]["Depuis la dernière fois"]).startswith("non relu")
        for column, value in before[file].items():
            if column != "Depuis la dernière fois":
                assert after[file][column] == value, (file, column)

    # The publication still publishes every reply.
    publication = build_publication(campaign / WORKBOOK, today=date(2026, 12, 4))
    assert {e.file for e in publication.entries} == set(before)
    assert not publication.left_out

    # The next full run finds everything as it was: the hand edit is still seen as one,
    # the staff position is still theirs and not flagged.
    code, out, err = extract(campaign, monkeypatch, capsys)
    again = rows(campaign)
    assert "1 cellule modifiée à la main déplacée dans « Notes »" in out
    assert "Oui (corrigé à la main)" in str(again["reponses/union-gamma.docx"]["Notes"])
    beta = again["reponses/mouvement-beta.docx"]
    assert beta["Position Q1"] == "nuancé" and beta["Notes"] == "Relancé par téléphone"
    assert beta["Depuis la dernière fois"] == "inchangé"
    assert "non relues" not in out


def test_a_file_really_gone_is_absent_and_a_renamed_one_keeps_its_row(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(campaign, monkeypatch, capsys)
    edit(campaign, "reponses/union-gamma.docx", "Notes", "à rappeler")
    (campaign / "reponses" / "mouvement-beta.docx").unlink()
    (campaign / "reponses" / "union-gamma.docx").rename(
        campaign / "reponses" / "union-gamma-v2.docx")
    # Even a run on one file tells a file gone from one not asked for, and finds a
    # renamed one by its content without reading it.
    code, out, err = extract(campaign, monkeypatch, capsys, "reponses/parti-alpha.docx")
    found = rows(campaign)
    assert found["reponses/mouvement-beta.docx"]["Statut"] == "absent"
    assert "reponses/union-gamma.docx" not in found
    moved = found["reponses/union-gamma-v2.docx"]
    assert moved["Statut"] == "OK" and moved["Notes"] == "à rappeler"
    assert "renommé (ancien nom : reponses/union-gamma.docx)" in str(
        moved["Depuis la dernière fois"])
    assert str(found["reponses/rassemblement-delta.pdf"]["Depuis la dernière fois"]
               ).startswith("non relu")
    # Read again, the renamed file is found by its content and keeps the staff's note.
    extract(campaign, monkeypatch, capsys)
    found = rows(campaign)
    renamed = found["reponses/union-gamma-v2.docx"]
    assert renamed["Depuis la dernière fois"] == "inchangé"
    assert renamed["Notes"] == "à rappeler"
    assert "reponses/union-gamma.docx" not in found
    assert found["reponses/mouvement-beta.docx"]["Statut"] == "absent"


def test_a_pattern_leaving_out_other_formats_says_so(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (campaign / "reponses" / "~$rti-alpha.docx").write_bytes(b"\x05Alice" + b"\0" * 156)
    code, out, err = extract(campaign, monkeypatch, capsys, "reponses/*.docx")
    assert err.count("1 réponse PDF du dossier « reponses » n’est pas dans la liste donnée") == 1
    assert "cuf-extract reponses" in err
    assert set(rows(campaign)) == {f"reponses/{name}" for name in ANSWERS}  # no lock file
    # The whole folder: no message.
    code, out, err = extract(campaign, monkeypatch, capsys)
    assert "pas dans la liste donnée" not in err
    assert "~$" not in out and "Ignoré" not in out


def test_a_position_typed_on_an_older_answer_is_not_published_as_confirmed(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(campaign, monkeypatch, capsys)
    edit(campaign, "reponses/parti-alpha.docx", "Position Q1", "oui")
    edit(campaign, "reponses/union-gamma.docx", "Position Q1", "oui")
    # Alpha sends a new version: its Q1 now says no.
    changed = {**ANSWERS["parti-alpha.docx"], "Q1": "Non, finalement nous ne le ferons pas."}
    (campaign / "reponses" / "parti-alpha.docx").write_bytes(reply(changed))
    extract(campaign, monkeypatch, capsys)
    alpha = rows(campaign)["reponses/parti-alpha.docx"]
    assert alpha["Position Q1"] == "oui (à vérifier)"

    synthesis = list(openpyxl.load_workbook(campaign / WORKBOOK)["Synthèse"]
                     .iter_rows(values_only=True))
    q1 = dict(zip(synthesis[0], synthesis[1], strict=False))
    assert q1["oui"] - 1 == sum(  # gamma's confirmed oui, plus automatic ones but alpha's
        1 for r in rows(campaign).values()
        if str(r["Position Q1"]).startswith("oui (à confirmer)"))

    code, out, err = run_cli("publication", "--synthese", cwd=campaign,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1
    assert "parti-alpha.docx" in out and "Q1" in out and "réponse précédente" in out
    publication = build_publication(campaign / WORKBOOK, today=date(2026, 12, 4),
                                    synthesis=True)
    line = publication.synthesis[0]
    assert line.confirmed[next(p for p in line.confirmed if p.value == "oui")] == 1  # gamma
    assert line.to_confirm == 3

    # The staff read the new answer and type « non »: confirmed, no flag.
    edit(campaign, "reponses/parti-alpha.docx", "Position Q1", "non")
    extract(campaign, monkeypatch, capsys)
    publication = build_publication(campaign / WORKBOOK, today=date(2026, 12, 4),
                                    synthesis=True)
    assert not [f for f in publication.flags if "réponse précédente" in f.message]
    assert rows(campaign)["reponses/parti-alpha.docx"]["Position Q1"] == "non"


def test_with_no_confirmed_position_the_table_is_not_published(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(campaign, monkeypatch, capsys)
    code, out, err = run_cli("publication", "--synthese", cwd=campaign,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1
    assert "aucune position n’est encore confirmée" in out
    text = (campaign / "reponses-publication.html").read_text(encoding="utf-8")
    assert "Synthèse des positions" not in text
    code, out, err = run_cli("publication", "--forcer-synthese", cwd=campaign,
                             monkeypatch=monkeypatch, capsys=capsys)
    text = (campaign / "reponses-publication.html").read_text(encoding="utf-8")
    assert "Synthèse des positions" in text


def test_the_synthesis_sheet_counts_what_the_publication_publishes(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = campaign / "reponses"
    # An older version of alpha's reply, and a reply the staff exclude.
    older = folder / "parti-alpha-copie.docx"
    older.write_bytes(reply({**ANSWERS["parti-alpha.docx"], "Q1": "Non."}))
    os.utime(older, (time.time() - 86400, time.time() - 86400))
    extract(campaign, monkeypatch, capsys)
    names = {f: r["Organisation"] for f, r in rows(campaign).items()}
    assert names["reponses/parti-alpha-copie.docx"] == names["reponses/parti-alpha.docx"]
    edit(campaign, "reponses/union-gamma.docx", "Statut de suivi", "à exclure")
    extract(campaign, monkeypatch, capsys)

    publication = build_publication(campaign / WORKBOOK, today=date(2026, 12, 4),
                                    synthesis=True, force_synthesis=True)
    published = {e.file for e in publication.entries}
    assert published == {"reponses/parti-alpha.docx", "reponses/mouvement-beta.docx",
                         "reponses/rassemblement-delta.pdf"}
    sheet = list(openpyxl.load_workbook(campaign / WORKBOOK)["Synthèse"]
                 .iter_rows(values_only=True))
    header = sheet[0]
    for line, row in zip(publication.synthesis, sheet[1:], strict=False):
        counted = dict(zip(header, row, strict=False))
        assert counted["Total"] + counted["Sans réponse"] == line.total == len(published)
    apart = header.index("Non comptées (non publiées)")
    excluded = {row[apart] for row in sheet[1:] if row[apart]}
    assert excluded == {"reponses/parti-alpha-copie.docx", "reponses/union-gamma.docx"}
    report = (campaign / "reponses-rapport.html").read_text(encoding="utf-8")
    assert "Non comptées (2)" in report


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_says_what_happened_to_the_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "reponses"
    folder.mkdir()
    for i in range(300):
        (folder / f"parti-{i:03}.docx").write_bytes(
            reply({"Q1": f"Réponse {i}.", "Q2": "Oui."}))
    command = [sys.executable, "-m", "cuf_extract", "reponses", "-j", "2"]
    first = subprocess.run([*command, "--no-cache"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=600, check=False)
    assert first.returncode in (0, 1), first.stderr
    workbook = openpyxl.load_workbook(tmp_path / WORKBOOK)
    workbook["Réponses"].cell(row=2, column=workbook["Réponses"].max_column,
                              value="note de l'équipe")
    workbook.save(tmp_path / WORKBOOK)
    before = (tmp_path / WORKBOOK).read_bytes()

    # Interrupt the rerun while it reads: the cache fills as files are read (the first
    # run did not write it), so wait for its first entry, then press Ctrl-C.
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    cache = tmp_path / ".cuf-extract" / "cache"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if cache.is_dir() and any(pack.stat().st_size for pack in cache.glob("*.jsonl")):
            break
        time.sleep(0.01)
    if process.poll() is not None:
        pytest.skip("the run ended before it could be interrupted")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    if process.returncode in (0, 1) and "Écrit" in out:
        # On a loaded machine the run may end between the check above and the signal.
        pytest.skip("the run ended before the signal arrived")
    assert process.returncode == 130, err
    assert "Interrompu : le classeur n’a pas été modifié" in err
    assert "Traceback" not in err and "Traceback" not in out
    assert (tmp_path / WORKBOOK).read_bytes() == before
    assert "note de l'équipe" in [c.value for c in openpyxl.load_workbook(
        tmp_path / WORKBOOK)["Réponses"][2]]


def test_rows_not_read_still_count_as_replies_and_a_new_workbook_starts_afresh(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    listed = campaign / "destinataires.txt"
    listed.write_text("Parti Alpha\nMouvement Beta\nUnion Gamma\nParti Oublié\n",
                      encoding="utf-8")
    code, out, err = extract(campaign, monkeypatch, capsys, "reponses",
                             "--destinataires", "destinataires.txt")
    assert "Sans réponse à ce jour : 1 organisation" in out, out
    code, out, err = extract(campaign, monkeypatch, capsys, "reponses/parti-alpha.docx")
    assert "Sans réponse à ce jour : 1 organisation" in out, out
    # -o to a workbook that does not exist yet: a campaign of the files given, alone.
    code, out, err = extract(campaign, monkeypatch, capsys, "reponses/parti-alpha.docx",
                             "-o", "essai.xlsx")
    sheet = openpyxl.load_workbook(campaign / "essai.xlsx")["Réponses"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "reponses/parti-alpha.docx"]
    assert "non relue" not in out


def test_a_copy_with_a_row_of_its_own_is_not_taken_for_a_rename() -> None:
    from cuf_extract.campaign import Previous, PreviousRow, compare
    from cuf_extract.models import QuestionnaireRef, Run
    from cuf_extract.questionnaire import load_questionnaire

    rows_before = [PreviousRow(path="r/a.docx", sha256="s", status="ok"),
                   PreviousRow(path="r/b.docx", sha256="s", status="ok"),
                   PreviousRow(path="r/c.docx", sha256="t", status="ok")]
    previous = Previous(rows=rows_before, staff_columns=())
    ref: QuestionnaireRef = load_questionnaire().ref()
    where = {"r/b.docx": "r/b.docx", "r/c.docx": None}

    def present(path: str, sha: str | None) -> str | None:
        # a.docx is gone; the finder would offer its copy b.docx, which has its own row.
        return where.get(path, "r/b.docx")

    campaign = compare(Run(questionnaire=ref, files=()), previous, shown_cells={},
                       today="04/12/2026", present=present)
    assert [k.path for k in campaign.kept] == ["r/b.docx"]
    assert sorted(a.path for a in campaign.absent) == ["r/a.docx", "r/c.docx"]


def test_an_open_question_has_no_line_in_the_published_positions(
    campaign: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from cuf_extract.questionnaire import dump_questionnaire, load_questionnaire

    # The staff say Q1 is open after all: the questionnaire file wins over the wording.
    text = dump_questionnaire(load_questionnaire())
    (campaign / "q.toml").write_text(text.replace('kind = "fermée"', 'kind = "ouverte"', 1),
                                     encoding="utf-8")
    extract(campaign, monkeypatch, capsys, "reponses", "--questionnaire", "q.toml")
    kinds = {r[0]: r[2] for r in openpyxl.load_workbook(campaign / WORKBOOK)["Questions"]
             .iter_rows(min_row=2, values_only=True)}
    assert kinds == {"Q1": "ouverte", "Q2": "fermée", "Q3": "fermée", "Q4": "fermée",
                     "Q5": "fermée"}
    edit(campaign, "reponses/parti-alpha.docx", "Position Q2", "non")
    publication = build_publication(campaign / WORKBOOK, today=date(2026, 12, 4),
                                    synthesis=True)
    assert [line.question.id for line in publication.synthesis] == ["Q2", "Q3", "Q4", "Q5"]
