"""Through the front door: run the command on real files, read the outputs back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cuf_extract import __version__
from cuf_extract.cli import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from cuf_extract.models import Run
from tests.conftest import answers_sheet, run_cli
from tests.fixtures.builder import template_docx
from tests.fixtures.variants import BY_NAME

RESPONSES = "reponses.xlsx"
REPORT = "reponses-rapport.html"


@pytest.fixture
def replies(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "replies"
    folder.mkdir()
    for name in ("answers_below_bullet", "track_changes", "two_column_qa_table",
                 "letterhead_signature_header"):
        (folder / f"{name}.docx").write_bytes(BY_NAME[name].build())
    yield folder


def test_extracts_a_folder_into_spreadsheet_report_and_json(
    replies: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli("replies", "--json", "out.json", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    # two_column_qa_table leaves Q4 blank: a warning, so exit code 1.
    assert code == EXIT_FLAGGED
    assert "Résumé" in out and "Total" in out

    rows = {Path(str(row["Fichier"])).name: row for row in answers_sheet(tmp_path / RESPONSES)}
    assert set(rows) == {p.name for p in replies.iterdir()}
    for name, row in rows.items():
        expected = BY_NAME[name.removesuffix(".docx")].answers
        for qid, text in expected.items():
            assert (row[qid] or None) == text
    assert rows["two_column_qa_table.docx"]["Statut"] == "Avertissement"
    # Two of these replies carry the same answers: each names the other.
    assert "fichier en double" in str(rows["answers_below_bullet.docx"]["Problèmes"])

    run = Run.model_validate_json((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert run.schema_version == 1
    assert [q.id for q in run.questionnaire.questions] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    by_name = {f.name: f for f in run.files}
    assert by_name["track_changes.docx"].answer("Q2") == (
        "Nous proposerons systématiquement la création de ce poste."
    )
    assert "tracked_changes" in {i.code.value for i in by_name["track_changes.docx"].issues}
    raw = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    # `identification` (the form's identification fields) and the e-mail fields are
    # additive changes to the contract: empty or null for a file.
    assert set(raw["files"][0]) == {"path", "name", "sha256", "status", "respondent",
                                    "answers", "extra_text", "issues", "identification",
                                    "message", "sender_name", "sender_address", "received"}
    assert raw["files"][0]["message"] is None
    # Each answer carries its automatic position (an additive change to the contract).
    assert set(raw["files"][0]["answers"][0]) == {"question", "text", "position"}
    positions = {a["position"] for f in raw["files"] for a in f["answers"]}
    assert positions <= {"oui", "non", "nuancé", "non précisé", None}
    assert by_name["track_changes.docx"].answers[1].position == "oui"

    report = (tmp_path / REPORT).read_text(encoding="utf-8")
    assert "two_column_qa_table.docx" in report and "<html" in report


def test_exit_code_zero_when_every_file_is_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "ok.docx").write_bytes(BY_NAME["answers_below_bullet"].build())
    code, _, _ = run_cli("ok.docx", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    rows = answers_sheet(tmp_path / RESPONSES)
    assert rows[0]["Statut"] == "OK"
    assert code == EXIT_OK


def test_glob_patterns_are_expanded_by_the_tool(
    replies: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Quoted, as a Windows shell would pass it: the tool must expand it itself.
    code, _, _ = run_cli("replies/*_table.docx", "-o", "t.xlsx", cwd=tmp_path,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    assert [r["Fichier"] for r in answers_sheet(tmp_path / "t.xlsx")] == [
        "replies/two_column_qa_table.docx"
    ]
    assert (tmp_path / "t-rapport.html").exists()


def test_no_path_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "indiquez les fichiers" in err and "Usage" in err
    assert out == ""


def test_nothing_matched_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli("absent/*.docx", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_USAGE
    assert "aucun fichier" in err
    assert not (tmp_path / RESPONSES).exists()


def test_unwritable_output_folder_fails_before_reading(
    replies: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli("replies", "-o", "missing/out.xlsx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "n’existe pas" in err


def test_unknown_option_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli("x.docx", "--nope", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_USAGE
    assert "option inconnue : --nope" in err


def test_a_broken_file_does_not_stop_the_batch(
    replies: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (replies / "cassé.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (replies / "~$ouvert.docx").write_bytes(b"\x00" * 162)
    code, _, err = run_cli("replies", "--json", "out.json", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    assert "cassé.docx" in err
    run = Run.model_validate_json((tmp_path / "out.json").read_text(encoding="utf-8"))
    status = {f.name: f.status.value for f in run.files}
    assert status["cassé.docx"] == "error"
    assert "~$ouvert.docx" not in status  # Word's lock file: skipped silently
    good = next(f for f in run.files if f.name == "answers_below_bullet.docx")
    assert {a.question: a.text for a in good.answers} == BY_NAME["answers_below_bullet"].answers


def test_template_command_writes_a_form_the_tool_reads_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli("template", "-o", "vierge.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK
    code, _, _ = run_cli("vierge.docx", "--json", "v.json", cwd=tmp_path,
                         monkeypatch=monkeypatch, capsys=capsys)
    run = Run.model_validate_json((tmp_path / "v.json").read_text(encoding="utf-8"))
    codes = [i.code.value for i in run.files[0].issues]
    assert codes.count("missing_answer") == 5  # every question found, none answered
    assert code == EXIT_FLAGGED


def test_schema_command_prints_the_json_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli("schema", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK
    schema = json.loads(out)
    assert set(schema["properties"]) == {"schema_version", "questionnaire", "files"}
    file_schema = schema["$defs"]["FileResult"]
    assert "respondent_source" not in file_schema["properties"]
    assert set(schema["$defs"]["Position"]["enum"]) == {"oui", "non", "nuancé", "non précisé"}


def test_check_command_shows_one_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "a.docx").write_bytes(BY_NAME["question_3_deleted"].build())
    code, out, _ = run_cli("check", "a.docx", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_FLAGGED
    assert "La question 3 est introuvable" in out


def test_installed_entry_points(tmp_path: Path) -> None:
    """`cuf-extract` and `python -m cuf_extract` both work once installed."""
    (tmp_path / "blank.docx").write_bytes(template_docx())
    module = subprocess.run(
        [sys.executable, "-m", "cuf_extract", "--version"],
        capture_output=True, text=True, check=False,
    )
    assert module.returncode == 0 and module.stdout.strip() == f"cuf-extract {__version__}"
    script = Path(sys.executable).with_name("cuf-extract" + (".exe" if os.name == "nt" else ""))
    if not script.exists():
        pytest.skip("the cuf-extract script is not installed next to this Python")
    result = subprocess.run(
        [str(script), "blank.docx"], cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == EXIT_FLAGGED, result.stderr
    assert (tmp_path / RESPONSES).exists()


def test_workbook_open_in_excel_gets_a_dated_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "ok.docx").write_bytes(BY_NAME["answers_below_bullet"].build())
    run_cli("ok.docx", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    before = (tmp_path / RESPONSES).read_bytes()
    (tmp_path / f"~${RESPONSES}").write_bytes(b"\x05Alice" + b"\0" * 156)  # Excel's lock
    # Unchanged: nothing to write, so nothing to say about Excel.
    code, out, err = run_cli("ok.docx", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK and "Rien n’a changé" in out and "ouvert" not in err
    # A late reply: there is something to write.
    (tmp_path / "late.docx").write_bytes(BY_NAME["answer_on_question_line"].build())
    code, _, err = run_cli("ok.docx", "late.docx", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_FLAGGED  # every file is ok, but staff must know where results went
    assert "est ouvert dans un autre programme" in err
    assert (tmp_path / RESPONSES).read_bytes() == before
    dated = list(tmp_path.glob("reponses-2*.xlsx"))
    assert len(dated) == 1
    assert answers_sheet(dated[0])[0]["Statut"] == "OK"


@pytest.mark.parametrize("command", [[], ["extract"], ["template"], ["schema"], ["check"]])
def test_help_pages_are_in_french(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(*command, "--help", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_OK
    assert "Usage :" in out and "Affiche cette aide et quitte." in out
    for english in ("[required]", "[default:", "Commands:", "Show this message", "<bool>",
                    "<path>", "<list[str]>"):
        assert english not in out
    assert re.search(r"\bCOMMAND\b", out) is None
