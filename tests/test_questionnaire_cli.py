"""`cuf-extract questionnaire` and `--questionnaire FORM.docx`, through the front door:
forms of 3 and 12 questions go through extract, check, template and reruns."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.cli import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from cuf_extract.layout import STATE_QUESTIONNAIRE
from cuf_extract.models import Run
from cuf_extract.questionnaire import load_questionnaire
from tests.conftest import SOFFICE, answers_sheet, run_cli
from tests.fixtures.builder import build_docx, text_p
from tests.fixtures.forms import FORM_D, numbered_form, numbered_reply


def _campaign(folder: Path, count: int) -> Path:
    """A blank form of `count` questions and two replies in `folder`/reponses."""
    (folder / "reponses").mkdir(parents=True)
    form = folder / "formulaire.docx"
    form.write_bytes(numbered_form(count))
    for name in ("parti-a", "parti-b"):
        (folder / "reponses" / f"{name}.docx").write_bytes(numbered_reply(count, name))
    return form


def test_questionnaire_writes_the_toml_beside_the_form_and_prints_the_outline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "municipales.docx").write_bytes(FORM_D.build())
    code, out, err = run_cli("questionnaire", "municipales.docx", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    written = tmp_path / "municipales.toml"
    questionnaire = load_questionnaire(written)
    assert [q.text for q in questionnaire.questions] == list(FORM_D.questions)
    assert questionnaire.questions[1].subpoints == FORM_D.subpoints["Q2"]
    for text in ("Q1", "Q3", "sûre", "Sous-point (Q2)", "Consigne (Q1)", "Clôture",
                 "Écrit : municipales.toml", *FORM_D.questions):
        assert text in out

    # Again, to another file: the first stays; again to the same: it is backed up.
    code, out, _ = run_cli("questionnaire", "municipales.docx", "-o", "autre.toml",
                           cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK and (tmp_path / "autre.toml").is_file()
    code, out, _ = run_cli("questionnaire", "municipales.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK
    assert "Version précédente sauvegardée" in out
    assert list((tmp_path / ".cuf-extract" / "sauvegardes").glob("municipales-*.toml"))


def test_a_form_without_question_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "lettre.docx").write_bytes(build_docx([text_p("Bonjour."), text_p("Merci.")]))
    code, _, err = run_cli("questionnaire", "lettre.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "Aucune question trouvée dans « lettre.docx »" in err
    assert not (tmp_path / "lettre.toml").exists()


def test_unsure_questions_are_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    body = [text_p("Formulaire", style="Title"), text_p("Merci de répondre :")]
    body += [text_p(f"Question numérotée {n} ?", style="ListParagraph", num=(2, 0))
             for n in range(1, 4)]
    body.append(text_p("Une phrase qui finit par un point d'interrogation ?"))
    (tmp_path / "f.docx").write_bytes(build_docx(body))
    code, out, err = run_cli("questionnaire", "f.docx", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED
    assert "vérifiez Q4" in err
    assert "à vérifier" in out or "probable" in out


@pytest.mark.parametrize("count", [3, 12])
def test_extract_check_template_and_rerun_follow_the_form(
    count: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _campaign(tmp_path, count)
    ids = [f"Q{n}" for n in range(1, count + 1)]
    args = ("reponses", "--questionnaire", "formulaire.docx", "--json", "r.json")
    code, _, err = run_cli(*args, cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err

    rows = answers_sheet(tmp_path / "reponses.xlsx")
    assert len(rows) == 2
    for row, who in zip(rows, ("parti-a", "parti-b"), strict=True):
        assert [h for h in row if h in ids or str(h).startswith("Q")] == ids
        assert [row[q] for q in ids] == [f"Réponse {n} de {who}." for n in range(1, count + 1)]
    workbook = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    questions = list(workbook["Questions"].iter_rows(values_only=True))[1:]
    assert [q[0] for q in questions] == ids
    assert questions[-1][1] == f"Question de test numéro {count} sur votre action ?"
    header = [c.value for c in workbook["Réponses"][1]]
    last = workbook["Réponses"].cell(row=1, column=header.index(f"Q{count}") + 1)
    assert last.comment is not None
    assert f"Question de test numéro {count} sur votre action ?" in last.comment.text
    state_header = next(workbook["_cuf-extract"].iter_rows(max_row=1, values_only=True))
    assert any(str(h).startswith(STATE_QUESTIONNAIRE + "formulaire#") for h in state_header)

    run = Run.model_validate_json((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [q.id for q in run.questionnaire.questions] == ids
    assert all(len(f.answers) == count for f in run.files)
    report = (tmp_path / "reponses-rapport.html").read_text(encoding="utf-8")
    assert f"Réponse {count} de parti-b." in report

    # A rerun with the same form reuses the cache, and the outputs made from it.
    code, out, err = run_cli(*args, cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    assert "Rien n’a changé depuis la dernière exécution" in out
    # Saved again by the staff, the workbook is read back: the same rows.
    openpyxl.load_workbook(tmp_path / "reponses.xlsx").save(tmp_path / "reponses.xlsx")
    code, out, err = run_cli(*args, cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    assert "Depuis la dernière fois : 2 inchangés" in out
    assert list((tmp_path / ".cuf-extract" / "questionnaires").glob("*.toml"))

    # Another questionnaire never reuses this workbook…
    code, _, err = run_cli("reponses", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "questionnaire « formulaire », pas avec « cuf-aict-2020 »" in err
    assert "-o" in err
    # …but writes its own under another name.
    code, _, err = run_cli("reponses", "-o", "autre.xlsx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_FLAGGED  # the 2020 questions are not in these replies
    assert (tmp_path / "autre.xlsx").is_file()

    code, out, err = run_cli("check", "reponses/parti-a.docx", "--questionnaire",
                             "formulaire.docx", cwd=tmp_path, monkeypatch=monkeypatch,
                             capsys=capsys)
    assert code == EXIT_OK, err
    assert f"Q{count} Question de test numéro {count}" in out
    assert f"Réponse {count} de parti-a." in out

    code, _, err = run_cli("template", "-o", "vierge.docx", "--questionnaire", "formulaire.docx",
                           cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    code, _, err = run_cli("questionnaire", "vierge.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    again = load_questionnaire(tmp_path / "vierge.toml")
    assert [q.text for q in again.questions] == [
        f"Question de test numéro {n} sur votre action ?" for n in range(1, count + 1)]


def test_a_workbook_of_the_old_format_with_other_questions_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    _campaign(tmp_path, 3)
    workbook = openpyxl.Workbook()
    workbook.active.title = "Réponses"  # type: ignore[union-attr]
    workbook["Réponses"].append(["Fichier", "Organisation", "Q1", "Q2", "Q3", "Q4", "Q5"])
    workbook.save(tmp_path / "reponses.xlsx")
    code, _, err = run_cli("reponses", "--questionnaire", "formulaire.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "(5 questions, pas 3)" in err


def test_the_toml_of_a_form_works_like_the_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    _campaign(tmp_path, 3)
    code, _, _ = run_cli("questionnaire", "formulaire.docx", cwd=tmp_path,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK
    code, _, err = run_cli("reponses", "--questionnaire", "formulaire.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    # Same questionnaire, given as its TOML file: the same workbook is reused (read back
    # once the staff have saved it).
    openpyxl.load_workbook(tmp_path / "reponses.xlsx").save(tmp_path / "reponses.xlsx")
    code, out, err = run_cli("reponses", "--questionnaire", "formulaire.toml", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    assert "2 inchangés" in out


def test_the_bundled_questions_come_back_from_the_template_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, _ = run_cli("template", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK
    code, out, err = run_cli("questionnaire", "questionnaire.docx", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    assert load_questionnaire(tmp_path / "questionnaire.toml").questions == (
        load_questionnaire().questions)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_an_odt_form_is_converted_then_derived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    assert SOFFICE is not None
    source = tmp_path / "src" / "municipales.docx"
    source.parent.mkdir()
    source.write_bytes(FORM_D.build())
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", "--convert-to", "odt", "--outdir", str(tmp_path),
         f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", str(source)],
        check=True, capture_output=True, timeout=120,
    )
    code, _, err = run_cli("questionnaire", "municipales.odt", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_OK, err
    derived = load_questionnaire(tmp_path / "municipales.toml")
    assert [q.text for q in derived.questions] == list(FORM_D.questions)
    assert derived.questions[0].instructions == FORM_D.instructions["Q1"]


def test_a_missing_or_unreadable_form_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli("questionnaire", "absent.docx", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "Le formulaire « absent.docx » n’existe pas" in err
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    code, _, err = run_cli("reponses", "--questionnaire", "notes.pdf", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert err.startswith("Erreur : Formulaire illisible : « notes.pdf »")


def test_a_corrected_toml_beside_the_form_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    _campaign(tmp_path, 3)
    run_cli("questionnaire", "formulaire.docx", cwd=tmp_path, monkeypatch=monkeypatch,
            capsys=capsys)
    toml = tmp_path / "formulaire.toml"
    code, _, err = run_cli("check", "reponses/parti-a.docx", "--questionnaire",
                           "formulaire.docx", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_OK and "Attention" not in err
    toml.write_text(toml.read_text(encoding="utf-8").replace("numéro 2 sur", "numéro deux sur"),
                    encoding="utf-8")
    code, out, err = run_cli("check", "reponses/parti-a.docx", "--questionnaire",
                             "formulaire.docx", cwd=tmp_path, monkeypatch=monkeypatch,
                             capsys=capsys)
    assert "« formulaire.toml » ne correspond pas" in err
    assert "--questionnaire formulaire.toml" in err
    assert "Question de test numéro 2 sur" in out  # the form, not the edited file, was used


def test_the_blank_form_among_the_replies_is_not_read_as_a_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    form = _campaign(tmp_path, 3)
    form.rename(tmp_path / "reponses" / "formulaire.docx")
    code, _, err = run_cli("reponses", "--questionnaire", "reponses/formulaire.docx",
                           "--json", "r.json", cwd=tmp_path, monkeypatch=monkeypatch,
                           capsys=capsys)
    assert code == EXIT_OK, err
    run = Run.model_validate_json((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert sorted(f.name for f in run.files) == ["parti-a.docx", "parti-b.docx"]
