"""Positions through the front door: the workbook's columns and chart, staff positions
across reruns, the report's bars, the JSON."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.models import Run
from tests.conftest import run_cli
from tests.fixtures.builder import questionnaire_doc, text_p

QIDS = ["Q1", "Q2", "Q3", "Q4", "Q5"]
WORKBOOK = "reponses.xlsx"
REPORT = "reponses-rapport.html"


def reply(answers: dict[str, str]) -> bytes:
    return questionnaire_doc({q: [text_p(text)] for q, text in answers.items()})


ALPHA = {"Q1": "Oui, bien sûr.", "Q2": "Non, nous ne le souhaitons pas.",
         "Q3": "Pas encore.", "Q4": "Nous y sommes favorables.",
         "Q5": "Cette question relève de la libre administration des communes."}
BETA = {"Q1": "Nous y réfléchissons.", "Q2": "Oui, si les moyens le permettent.",
        "Q3": "Oui.", "Q4": "Non.", "Q5": "Nous le proposerons."}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "alpha.docx").write_bytes(reply(ALPHA))
    (replies / "beta.docx").write_bytes(reply(BETA))
    return tmp_path


def extract(folder: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str], *args: str) -> None:
    code, _, err = run_cli("replies", *args, cwd=folder, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == 0, err


def answer_rows(path: Path) -> dict[str, dict[str, openpyxl.cell.cell.Cell]]:
    sheet = openpyxl.load_workbook(path)["Réponses"]
    header = [str(c.value) for c in sheet[1]]
    return {
        str(row[0].value): dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2)
    }


def type_position(path: Path, file: str, column: str, value: str) -> None:
    """What staff do in Excel: type a position in a cell."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Réponses"]
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == file:
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(path)


def test_position_columns_synthesis_sheet_and_chart(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(folder, monkeypatch, capsys, "--json", "out.json")
    workbook = openpyxl.load_workbook(folder / WORKBOOK)
    header = [c.value for c in workbook["Réponses"][1]]
    for qid in QIDS:  # each Position column right after its answer column
        assert header[header.index(qid) + 1] == f"Position {qid}"
    rows = answer_rows(folder / WORKBOOK)
    alpha = rows["replies/alpha.docx"]
    expected = {"Q1": "oui", "Q2": "non", "Q3": "nuancé", "Q4": "oui", "Q5": "non précisé"}
    for qid, position in expected.items():
        cell = alpha[f"Position {qid}"]
        assert cell.value == f"{position} (à confirmer)"
        assert cell.font.i and cell.font.color.rgb.endswith("808080")  # grey italics
    comment = workbook["Réponses"].cell(row=1, column=header.index("Position Q1") + 1).comment
    assert comment is not None and "oui, non, nuancé ou non précisé" in comment.text

    synthesis = list(workbook["Synthèse"].iter_rows(values_only=True))
    titles = list(synthesis[0])
    assert [row[0] for row in synthesis[1:]] == QIDS
    q1 = dict(zip(titles, synthesis[1], strict=True))
    assert (q1["oui"], q1["non"], q1["nuancé"], q1["non précisé"]) == (1, 0, 1, 0)
    assert q1["Encore automatiques"] == 2 and q1["Part automatique"] == 1

    with zipfile.ZipFile(folder / WORKBOOK) as package:
        chart = package.read("xl/charts/chart1.xml").decode("utf-8")
        drawing_rels = [n for n in package.namelist() if n.startswith("xl/drawings/_rels/")]
    assert '<grouping val="stacked"/>' in chart
    assert chart.count("<ser>") == 4  # one series per position
    assert "'Synthèse'!$B$1" in chart or "'Synthèse'!B1" in chart
    assert drawing_rels  # the chart is placed on a sheet

    run = Run.model_validate_json((folder / "out.json").read_text(encoding="utf-8"))
    by_name = {f.name: f for f in run.files}
    assert [a.position for a in by_name["alpha.docx"].answers] == list(expected.values())


def test_a_staff_position_survives_and_an_automatic_one_follows_the_answer(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(folder, monkeypatch, capsys)
    workbook = folder / WORKBOOK
    type_position(workbook, "replies/alpha.docx", "Position Q5", "Nuancé")
    type_position(workbook, "replies/alpha.docx", "Position Q1", "oui")  # confirmed as is
    type_position(workbook, "replies/beta.docx", "Position Q3", "non")

    # Beta rewrites Q3 (its staff position stays, flagged) and Q4 (recomputed).
    (folder / "replies" / "beta.docx").write_bytes(
        reply({**BETA, "Q3": "Pas encore : un module est à l'étude.", "Q4": "Oui."}))
    extract(folder, monkeypatch, capsys)
    rows = answer_rows(workbook)
    alpha, beta = rows["replies/alpha.docx"], rows["replies/beta.docx"]
    assert alpha["Position Q5"].value == "Nuancé" and not alpha["Position Q5"].font.i
    assert alpha["Position Q1"].value == "oui" and not alpha["Position Q1"].font.i
    assert alpha["Position Q2"].value == "non (à confirmer)" and alpha["Position Q2"].font.i
    # The staff's « non » was typed on the old Q3: kept, but no longer confirmed.
    assert beta["Position Q3"].value == "non (à vérifier)" and beta["Position Q3"].font.i
    assert beta["Position Q4"].value == "oui (à confirmer)"
    assert "réponse Q3 modifiée : position saisie à vérifier" in str(
        beta["Depuis la dernière fois"].value)
    assert "Q4 modifiée" not in str(beta["Depuis la dernière fois"].value)
    # Position columns are neither extracted cells edited by hand nor new staff columns.
    assert alpha["Notes"].value is None and beta["Notes"].value is None
    header = [c.value for c in openpyxl.load_workbook(workbook)["Réponses"][1]]
    assert header.count("Position Q5") == 1

    synthesis = list(openpyxl.load_workbook(workbook)["Synthèse"].iter_rows(values_only=True))
    q5 = dict(zip(synthesis[0], synthesis[5], strict=True))
    assert (q5["oui"], q5["nuancé"], q5["non précisé"]) == (1, 1, 0)  # staff over automatic
    assert q5["Encore automatiques"] == 1

    # A third run, the workbook untouched: nothing is rewritten, the flag stays.
    extract(folder, monkeypatch, capsys)
    assert "position saisie à vérifier" in str(
        answer_rows(workbook)["replies/beta.docx"]["Depuis la dernière fois"].value)
    # Once the staff have saved the workbook without looking at it: their positions are
    # still theirs, and the changed one is still to check.
    openpyxl.load_workbook(workbook).save(workbook)
    extract(folder, monkeypatch, capsys)
    rows = answer_rows(workbook)
    assert rows["replies/alpha.docx"]["Position Q5"].value == "Nuancé"
    assert rows["replies/beta.docx"]["Position Q3"].value == "non (à vérifier)"
    assert "position Q3 toujours à vérifier" in str(
        rows["replies/beta.docx"]["Depuis la dernière fois"].value)
    # The staff confirm it on the new answer: theirs again, no flag.
    type_position(workbook, "replies/beta.docx", "Position Q3", "non")
    extract(folder, monkeypatch, capsys)
    rows = answer_rows(workbook)
    assert rows["replies/beta.docx"]["Position Q3"].value == "non"
    assert not rows["replies/beta.docx"]["Position Q3"].font.i
    assert "à vérifier" not in str(rows["replies/beta.docx"]["Depuis la dernière fois"].value)
    assert "position saisie" not in str(rows["replies/beta.docx"]["Depuis la dernière fois"]
                                        .value)

    # Clearing a staff position gives the automatic one back.
    type_position(workbook, "replies/alpha.docx", "Position Q5", "")
    extract(folder, monkeypatch, capsys)
    assert answer_rows(workbook)["replies/alpha.docx"]["Position Q5"].value == (
        "non précisé (à confirmer)")


def test_the_report_draws_one_bar_group_per_question(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(folder, monkeypatch, capsys)
    type_position(folder / WORKBOOK, "replies/beta.docx", "Position Q1", "non")
    extract(folder, monkeypatch, capsys)
    page = (folder / REPORT).read_text(encoding="utf-8")
    section = page[page.index('<section id="positions">'):]
    section = section[: section.index("</section>")]
    svg = section[section.index("<svg"): section.index("</svg>")]
    groups = re.findall(r'<g class="question" data-question="(Q\d)">(.*?)</g>', svg)
    assert [qid for qid, _ in groups] == QIDS
    q1 = dict(groups)["Q1"]
    # Q1: alpha's automatic oui and beta's staff non (over its automatic nuancé).
    assert "Q1\u00a0: 1 «\u00a0oui\u00a0»" in q1 and "Q1\u00a0: 1 «\u00a0non\u00a0»" in q1
    assert "nuancé" not in q1
    assert "9\u00a0positions sur 10 sont encore automatiques" in section
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_file_gone_keeps_its_staff_positions(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    extract(folder, monkeypatch, capsys)
    type_position(folder / WORKBOOK, "replies/beta.docx", "Position Q2", "oui")
    (folder / "replies" / "beta.docx").unlink()
    for _ in range(2):  # absent, then absent again: still there
        extract(folder, monkeypatch, capsys)
        beta = answer_rows(folder / WORKBOOK)["replies/beta.docx"]
        assert beta["Statut"].value == "absent"
        assert beta["Position Q2"].value == "oui"
        assert beta["Position Q1"].value is None  # no automatic position for a file gone
    synthesis = list(openpyxl.load_workbook(folder / WORKBOOK)["Synthèse"]
                     .iter_rows(values_only=True))
    assert synthesis[2][1:5] == (0, 1, 0, 0)  # Q2: only alpha's non is counted


def test_a_filled_position_without_a_record_is_the_staffs() -> None:
    """With the state sheet lost, the tool cannot tell its own text from the staff's:
    it keeps what is in the cell rather than overwrite what someone may have typed."""
    from cuf_extract.campaign import PreviousRow, typed_positions

    row = PreviousRow(path="a.docx", positions_shown={"Q1": "oui (à confirmer)", "Q2": "non",
                                                      "Q3": "", "Q4": "nuancé"},
                      positions_written={"Q1": "oui (à confirmer)", "Q2": "oui (à confirmer)",
                                         "Q3": "non (à confirmer)"})
    assert typed_positions(row, QIDS) == {"Q2": "non", "Q4": "nuancé"}
