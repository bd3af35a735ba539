"""Tests of the three writers (spreadsheet, HTML report, JSON export) and atomic writing."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from cuf_extract.layout import (
    SHEET_ANSWERS,
    SHEET_ISSUES,
    SHEET_QUESTIONS,
    SHEET_STATE,
    SHEET_SYNTHESIS,
    TRUNCATION_MARKER,
)
from cuf_extract.models import (
    Answer,
    FileResult,
    Issue,
    IssueCode,
    Question,
    QuestionnaireRef,
    RespondentSource,
    Run,
    Severity,
    Status,
)
from cuf_extract.typography import french
from cuf_extract.writers import xlsx as xlsx_module
from cuf_extract.writers.atomic import OutputError, OutputNotWritable, atomic_write, is_locked
from cuf_extract.writers.json_export import dump_json, write_json
from cuf_extract.writers.report_html import french_datetime, render_report, write_report
from cuf_extract.writers.xlsx import (
    EXCEL_MAX_CELL_LENGTH,
    file_link,
    file_links,
    safe_cell_text,
    write_xlsx,
)

QUESTIONS = (
    Question(id="Q1", text="Entendez-vous inciter les candidats à engager leur collectivité ?"),
    Question(id="Q2", text="Entendez-vous proposer un poste d’adjoint au maire ?"),
    Question(id="Q3", text="L’offre de formation comprend-elle un module ?"),
    Question(id="Q4", text="Envisagez-vous d’impliquer davantage les citoyens ?"),
    Question(id="Q5", text="Quelles priorités pour l’action internationale ?"),
)
LONG_ANSWER = ("Nous soutenons la coopération décentralisée. " * 1000)[:40_000]
SCRIPT = "<script>alert('x')</script> & « réponse »"
CONTROL = "avant\x00milieu\x0bfin\uffff."


def _answers(*texts: str | None) -> tuple[Answer, ...]:
    return tuple(Answer(question=q.id, text=t) for q, t in zip(QUESTIONS, texts, strict=True))


def make_run() -> Run:
    ok = FileResult(
        path="replies/Parti A.docx",
        name="Parti A.docx",
        sha256="a" * 64,
        status=Status.OK,
        respondent="Parti A – Écologie",
        answers=_answers("=SUM(A1)", "+33 1 23 45 67 89", "-", "@x", "Oui, évidemment.\nÀ suivre."),
        respondent_source=RespondentSource.HEADER,
        document_date="2020-02-03",
    )
    warning = FileResult(
        path="replies/Parti B.docx",
        name="Parti B.docx",
        sha256="b" * 64,
        status=Status.WARNING,
        respondent="Parti B",
        answers=_answers(LONG_ANSWER, CONTROL, SCRIPT, None, "_x0041_ littéral"),
        extra_text=("Texte libre en fin de document.", "Deuxième bloc."),
        issues=(
            Issue(
                code=IssueCode.MISSING_ANSWER,
                severity=Severity.WARNING,
                question="Q4",
                message="La question Q4 n’a pas de réponse.",
            ),
            Issue(
                code=IssueCode.EXTRA_TEXT,
                severity=Severity.INFO,
                message="Du texte suit la dernière réponse.",
            ),
        ),
        respondent_source=RespondentSource.FILE_NAME,
    )
    error = FileResult(
        path="replies/sous dossier/Parti C #1.docx",
        name="Parti C #1.docx",
        sha256="c" * 64,
        status=Status.ERROR,
        respondent=None,
        answers=_answers(None, None, None, None, None),
        issues=(
            Issue(
                code=IssueCode.QUESTIONS_NOT_FOUND,
                severity=Severity.ERROR,
                message="=HYPERLINK(\"http://x\") Les questions sont introuvables.",
            ),
        ),
    )
    skipped = FileResult(
        path="replies/~$Parti A.docx",
        name="~$Parti A.docx",
        sha256=None,
        status=Status.SKIPPED,
        respondent=None,
        answers=(),
        issues=(
            Issue(
                code=IssueCode.OWNER_FILE,
                severity=Severity.INFO,
                message="Fichier temporaire de Word : ignoré.",
            ),
        ),
    )
    return Run(
        questionnaire=QuestionnaireRef(id="cuf-aict-2020", questions=QUESTIONS),
        files=(ok, warning, error, skipped),
    )


@pytest.fixture
def run() -> Run:
    return make_run()


def _write(run: Run, tmp_path: Path) -> tuple[xlsx_module.XlsxResult, openpyxl.Workbook]:
    out = tmp_path / "sorties"
    out.mkdir()
    result = write_xlsx(run, out / "réponses.xlsx", inputs_base=tmp_path)
    return result, openpyxl.load_workbook(result.path)


def row_cells(ws: Any, row: int) -> dict[str, Any]:
    """The cells of a row of the answers sheet, by column title."""
    return {str(h.value): c for h, c in zip(ws[1], ws[row], strict=True)}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- spreadsheet -----------------------------------------------------------------------


def test_sheets_and_header(run: Run, tmp_path: Path) -> None:
    result, wb = _write(run, tmp_path)
    assert result.path == tmp_path / "sorties" / "réponses.xlsx"
    assert wb.sheetnames == [SHEET_ANSWERS, SHEET_QUESTIONS, SHEET_ISSUES, SHEET_SYNTHESIS,
                             SHEET_STATE]
    assert wb[SHEET_STATE].sheet_state == "hidden"
    ws = wb[SHEET_ANSWERS]
    header = [c.value for c in ws[1]]
    assert header == [
        "Fichier", "Organisation", "Source de l’organisation", "Statut",
        "Depuis la dernière fois", "Organisation (corrigée)", "Statut de suivi", "Notes",
        "Q1", "Position Q1", "Q2", "Position Q2", "Q3", "Position Q3", "Q4", "Position Q4",
        "Q5", "Position Q5", "Texte hors réponses", "Problèmes", "Date du document",
        "Expéditeur du courriel", "Courriel reçu le",
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:W5"
    comment = row_cells(ws, 1)["Q1"].comment
    assert comment is not None and QUESTIONS[0].text in comment.text
    assert ws.max_row == 5
    # No file is left behind but the workbook.
    assert sorted(p.name for p in (tmp_path / "sorties").iterdir()) == ["réponses.xlsx"]


def test_every_text_cell_is_a_plain_string(run: Run, tmp_path: Path) -> None:
    _, wb = _write(run, tmp_path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if ws.title == SHEET_SYNTHESIS and cell.row > 1 and cell.column > 1:
                    assert isinstance(cell.value, int | float)  # the counts
                elif (ws.title == SHEET_ANSWERS and cell.row > 1
                      and ws.cell(row=1, column=cell.column).value == "Date du document"):
                    assert isinstance(cell.value, datetime | None)  # dates, sorted as dates
                elif cell.value is not None:
                    assert isinstance(cell.value, str)
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)


def test_formula_like_answers_stay_text(run: Run, tmp_path: Path) -> None:
    _, wb = _write(run, tmp_path)
    ws = wb[SHEET_ANSWERS]
    row = row_cells(ws, 2)
    assert [row[q].value for q in ("Q1", "Q2", "Q3", "Q4", "Q5")] == [
        "=SUM(A1)", "+33 1 23 45 67 89", "-", "@x", "Oui, évidemment.\nÀ suivre.",
    ]
    assert row["Q1"].quotePrefix
    assert not row["Q5"].quotePrefix
    issues = wb[SHEET_ISSUES]
    messages = [issues.cell(row=r, column=5).value for r in range(2, issues.max_row + 1)]
    assert "=HYPERLINK(\"http://x\") Les questions sont introuvables." in messages


def test_row_values_and_labels(run: Run, tmp_path: Path) -> None:
    _, wb = _write(run, tmp_path)
    ws = wb[SHEET_ANSWERS]
    row2 = {k: c.value for k, c in row_cells(ws, 2).items()}
    assert [row2[k] for k in ("Organisation", "Source de l’organisation", "Statut")] == [
        "Parti A – Écologie", "en-tête du document", "OK"]
    assert row2["Date du document"] == datetime(2020, 2, 3)  # a date cell, shown in French
    assert row_cells(ws, 2)["Date du document"].number_format == "DD/MM/YYYY"
    row3 = {k: c.value for k, c in row_cells(ws, 3).items()}
    assert [row3["Source de l’organisation"], row3["Statut"]] == [
        "nom du fichier", "Avertissement"]
    literal = row3["Q5"]
    assert literal == "_x005F_x0041_ littéral"  # Excel shows "_x0041_ littéral"
    assert isinstance(literal, str) and unescape(literal) == "_x0041_ littéral"
    assert row3["Texte hors réponses"] == "Texte libre en fin de document.\n\nDeuxième bloc."
    assert row3["Problèmes"] == "Q4 : réponse manquante\ntexte hors réponses"
    assert row_cells(ws, 4)["Statut"].value == "Erreur"
    assert row_cells(ws, 5)["Statut"].value == "Ignoré"
    assert row_cells(ws, 2)["Statut"].fill.fgColor.rgb.endswith("C6EFCE")
    assert row_cells(ws, 4)["Statut"].fill.fgColor.rgb.endswith("FFC7CE")
    questions = wb[SHEET_QUESTIONS]
    assert [(r[0].value, r[1].value) for r in questions.iter_rows(min_row=2)] == [
        (q.id, q.text) for q in QUESTIONS
    ]
    issues = wb[SHEET_ISSUES]
    assert [c.value for c in issues[1]] == ["Fichier", "Gravité", "Code", "Question", "Message"]
    assert [c.value for c in issues[2]] == [
        "replies/Parti B.docx", "Avertissement", "missing_answer", "Q4",
        "La question Q4 n’a pas de réponse.",
    ]
    assert issues.max_row == 1 + 4


def test_invalid_characters_replaced_and_reported(run: Run, tmp_path: Path) -> None:
    result, wb = _write(run, tmp_path)
    assert row_cells(wb[SHEET_ANSWERS], 3)["Q2"].value == "avant\ufffdmilieu\ufffdfin\ufffd."
    assert result.replaced_files == ("replies/Parti B.docx",)


def test_long_answer_truncated_with_marker(run: Run, tmp_path: Path) -> None:
    result, wb = _write(run, tmp_path)
    value = row_cells(wb[SHEET_ANSWERS], 3)["Q1"].value
    assert isinstance(value, str)
    assert value.endswith(TRUNCATION_MARKER)
    assert len(value) == EXCEL_MAX_CELL_LENGTH
    assert LONG_ANSWER.startswith(value[: -len(TRUNCATION_MARKER)])


def test_hyperlinks_relative_to_the_workbook(run: Run, tmp_path: Path) -> None:
    _, wb = _write(run, tmp_path)
    ws = wb[SHEET_ANSWERS]
    assert ws["A2"].value == "replies/Parti A.docx"
    assert ws["A2"].hyperlink.target == "../replies/Parti%20A.docx"
    assert ws["A4"].hyperlink.target == "../replies/sous%20dossier/Parti%20C%20%231.docx"


def test_file_link_absolute_and_other_drive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = tmp_path / "réponses" / "P.docx"
    assert file_link(str(absolute), inputs_base=Path("/ailleurs"), workbook_dir=tmp_path) == (
        "réponses/P.docx"
    )

    def other_drive(path: str, start: str | None = None) -> str:
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(os.path, "relpath", other_drive)
    link = file_link("a b.docx", inputs_base=tmp_path, workbook_dir=tmp_path)
    assert link == "file://" + (tmp_path / "a%20b.docx").as_posix()


@pytest.mark.parametrize("base", ["same", "below", "elsewhere"])
def test_file_links_for_many_files_are_those_of_file_link(tmp_path: Path, base: str) -> None:
    workbook_dir = {"same": tmp_path, "below": tmp_path / "sorties",
                    "elsewhere": tmp_path / "a" / "b"}[base]
    paths = ["P.docx", "réponses/a b.docx", "réponses/a b.docx", "réponses/c #1%.pdf",
             "../x/y.docx", "./z.docx", str(tmp_path / "abs" / "Q.docx"),
             str(tmp_path / "abs" / "R.docx"), "sous/dossier/", os.sep + "racine.docx"]
    link = file_links(inputs_base=tmp_path, workbook_dir=workbook_dir)
    for path in paths:
        assert link(path) == file_link(path, inputs_base=tmp_path, workbook_dir=workbook_dir)


def test_rows_cut_at_excel_limit(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_module, "EXCEL_MAX_ROWS", 4)
    result, wb = _write(run, tmp_path)
    issues = wb[SHEET_ISSUES]
    assert issues.max_row == 4
    note = issues["A4"].value
    assert isinstance(note, str) and note.startswith("… 2 problèmes de plus")
    answers = wb[SHEET_ANSWERS]
    assert answers.max_row == 4
    assert result.rows_cut == (SHEET_ANSWERS, SHEET_ISSUES)


@given(st.text())
@example("=SUM(A1)")
@example("_x0041_ _x005F_x0041_ _X00_ _x12345_")
@example("\ud800 lone surrogate \udfff")
@example("\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff ok \t\r\n")
@example("  leading and trailing spaces  ")
@example("😀" * 20_000)
@example("é" * (EXCEL_MAX_CELL_LENGTH + 1))
@example("a" * EXCEL_MAX_CELL_LENGTH)
@settings(deadline=None, max_examples=60)
def test_any_text_round_trips_or_is_visibly_marked(text: str) -> None:
    check_round_trip(text)


@given(st.text(min_size=1, max_size=12), st.integers(min_value=2_000, max_value=12_000))
@settings(deadline=None, max_examples=15)
def test_long_text_round_trips_or_is_visibly_marked(chunk: str, times: int) -> None:
    check_round_trip(chunk * times)


def check_round_trip(text: str) -> None:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    safe = safe_cell_text(text)
    cell = ws["A1"]
    cell.value = safe.value
    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    back = openpyxl.load_workbook(buffer)["Sheet"]["A1"]
    value = back.value if back.value is not None else ""
    assert value == "" or back.data_type == "s"
    assert value == safe.value

    invalid = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
    cleaned = invalid.sub("\ufffd", text)
    escaped = re.sub("_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", cleaned)
    assert safe.replaced == (cleaned != text)
    assert _utf16(value) <= EXCEL_MAX_CELL_LENGTH
    if _utf16(escaped) <= EXCEL_MAX_CELL_LENGTH:
        assert not safe.truncated
        assert unescape(value) == cleaned  # what Excel shows
        if not safe.replaced:
            assert unescape(value) == text
    else:
        assert safe.truncated
        assert value.endswith(TRUNCATION_MARKER)
        assert escaped.startswith(value[: -len(TRUNCATION_MARKER)])
        assert _utf16(value) > EXCEL_MAX_CELL_LENGTH - 2


# --- HTML report -----------------------------------------------------------------------


def test_report_escapes_and_is_self_contained(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    written = write_report(
        run, target, generated_at=datetime(2020, 2, 5, 14, 3), notes=["Note <b>importante</b>"]
    )
    assert written == target
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page and '<meta charset="utf-8">' in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; « réponse »" in page
    assert "<script" not in page.lower()
    assert "src=" not in page.lower()
    assert 'href="http' not in page.lower()
    assert "<link" not in page.lower()
    assert "Note &lt;b&gt;importante&lt;/b&gt;" in page
    assert "5 février 2020 à 14 h 03" in page
    # Full, untruncated answers; the invalid characters are replaced.
    assert LONG_ANSWER in page
    assert TRUNCATION_MARKER not in page
    assert "avant\ufffdmilieu\ufffdfin\ufffd." in page
    assert "\x00" not in page
    assert "=SUM(A1)" in page and "_x0041_ littéral" in page


def test_report_sections(run: Run) -> None:
    page = render_report(run, generated_at=datetime(2020, 2, 5, 9, 0))
    flagged = page[page.index('<section id="a-verifier">') : page.index("Toutes les réponses")]
    assert "Parti B.docx" in flagged and "Parti C #1.docx" in flagged
    assert "Parti A.docx" not in flagged
    assert "La question Q4 n’a pas de réponse." in flagged
    everything = page[page.index("Toutes les réponses") : page.index("Fichiers ignorés")]
    for question in QUESTIONS:
        assert french(question.text) in everything
    assert "Parti A – Écologie" in everything
    assert "source\u00a0: en-tête du document" in everything
    assert "Texte libre en fin de document." in everything
    skipped = page[page.index("Fichiers ignorés") :]
    assert "~$Parti A.docx" in skipped and "Fichier temporaire de Word : ignoré." in skipped
    # Counts by status.
    for label in ("OK", "Avertissement", "Erreur", "Ignoré"):
        assert re.search(label + r'</span></td><td class="n">1</td>', page)
    assert french_datetime(datetime(2021, 12, 1, 0, 7)) == "1 décembre 2021 à 0 h 07"


# --- JSON export -----------------------------------------------------------------------


def test_json_round_trips(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    assert write_json(run, target) == target
    raw = target.read_bytes()
    assert "Écologie".encode() in raw  # non-ASCII kept, not escaped
    back = Run.model_validate_json(raw)
    assert back.model_dump(mode="json") == run.model_dump(mode="json")
    assert back.files[1].answer("Q3") == SCRIPT
    assert back.files[1].answer("Q2") == CONTROL
    data = json.loads(raw)
    assert "respondent_source" not in data["files"][0]  # excluded from the contract


def test_json_with_lone_surrogate_falls_back(run: Run) -> None:
    odd = run.files[0].model_copy(update={"name": "fichier\udce9.docx"})
    text = dump_json(run.model_copy(update={"files": (odd, *run.files[1:])}))
    text.encode("utf-8")
    assert Run.model_validate_json(text).files[0].name == "fichier\ufffd.docx"


# --- atomic writing --------------------------------------------------------------------


def test_atomic_write_keeps_previous_file_when_verify_fails(tmp_path: Path) -> None:
    target = tmp_path / "sortie.xlsx"
    target.write_bytes(b"ancien")

    def verify(path: Path) -> None:
        assert path.parent == tmp_path and path.name.startswith(".")
        assert path.suffix == ".xlsx"
        raise ValueError("relecture impossible")

    with pytest.raises(ValueError, match="relecture"):
        atomic_write(target, lambda p: p.write_bytes(b"nouveau"), verify)
    assert target.read_bytes() == b"ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["sortie.xlsx"]


def test_atomic_write_keeps_previous_file_when_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    target.write_text("ancien", encoding="utf-8")

    def write(path: Path) -> None:
        path.write_text("à moitié", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, write)
    assert target.read_text(encoding="utf-8") == "ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


def test_lock_file_makes_a_dated_copy(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "réponses.xlsx"
    target.write_bytes(b"ouvert dans Excel")
    (tmp_path / "~$réponses.xlsx").write_bytes(b"")
    assert is_locked(target)
    result = write_xlsx(run, target, inputs_base=tmp_path)
    assert result.path != target
    assert re.fullmatch(r"réponses-\d{8}-\d{6}\.xlsx", result.path.name)
    assert target.read_bytes() == b"ouvert dans Excel"
    assert openpyxl.load_workbook(result.path).sheetnames[0] == SHEET_ANSWERS
    # A second write in the same second gets another name.
    fixed = datetime(2020, 2, 5, 14, 3, 9)
    first = atomic_write(target, lambda p: p.write_bytes(b"1"), now=fixed)
    second = atomic_write(target, lambda p: p.write_bytes(b"2"), now=fixed)
    assert first.name == "réponses-20200205-140309.xlsx"
    assert second.name == "réponses-20200205-140309-2.xlsx"


def test_permission_error_on_replace_makes_a_dated_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "réponses.xlsx"
    target.write_bytes(b"ouvert")
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise PermissionError(13, "Accès refusé")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    written = atomic_write(target, lambda p: p.write_bytes(b"nouveau"))
    assert written != target and written.read_bytes() == b"nouveau"
    assert target.read_bytes() == b"ouvert"


def test_missing_folder_is_reported_in_french(tmp_path: Path) -> None:
    with pytest.raises(OutputNotWritable, match="n’existe pas"):
        atomic_write(tmp_path / "absent" / "x.json", lambda p: p.write_bytes(b"{}"))


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions"
)
def test_read_only_folder_is_reported_in_french(tmp_path: Path) -> None:
    folder = tmp_path / "lecture seule"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputNotWritable, match="Impossible d’écrire dans le dossier"):
            atomic_write(folder / "x.json", lambda p: p.write_bytes(b"{}"))
    finally:
        folder.chmod(0o700)


def test_unwritable_folder_is_reported_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission non accordée")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(OutputNotWritable, match="Impossible d’écrire dans le dossier") as info:
        atomic_write(tmp_path / "x.json", lambda p: p.write_bytes(b"{}"))
    assert "Permission non accordée" in str(info.value)


def test_package_import_stays_light() -> None:
    code = (
        "import sys, cuf_extract.writers, cuf_extract.writers.report_html, "
        "cuf_extract.writers.json_export; assert 'openpyxl' not in sys.modules"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_empty_run(tmp_path: Path) -> None:
    empty = Run(questionnaire=QuestionnaireRef(id="vide", questions=QUESTIONS), files=())
    result = write_xlsx(empty, tmp_path / "vide.xlsx", inputs_base=tmp_path)
    wb = openpyxl.load_workbook(result.path)
    assert wb[SHEET_ANSWERS].max_row == 1 and wb[SHEET_ISSUES].max_row == 1
    assert result.replaced_files == ()
    page = write_report(empty, tmp_path / "vide.html").read_text(encoding="utf-8")
    assert "Aucun fichier ne demande de vérification." in page
    assert Run.model_validate_json(write_json(empty, tmp_path / "vide.json").read_bytes()) == empty


def test_verify_rejects_a_damaged_or_short_workbook(run: Run, tmp_path: Path) -> None:
    result, _ = _write(run, tmp_path)
    expected = {SHEET_ANSWERS: 5, SHEET_QUESTIONS: 6, SHEET_ISSUES: 5, SHEET_SYNTHESIS: 6,
                SHEET_STATE: 5}
    xlsx_module.verify_workbook(result.path, expected)  # the true counts pass
    with pytest.raises(OutputError, match="lignes au lieu de"):
        xlsx_module.verify_workbook(result.path, {**expected, SHEET_ANSWERS: 7})
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(result.path.read_bytes()[:2000])
    with pytest.raises(OutputError, match="ne peut pas être relu"):
        xlsx_module.verify_workbook(damaged, expected)


@pytest.mark.parametrize(("spoil", "message"), [
    ("cut", "ne peut pas être relu"),
    ("row dropped", "lignes au lieu de"),
])
def test_a_workbook_saved_short_or_damaged_never_replaces_the_last_one(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: str, message: str,
) -> None:
    """What openpyxl saved is read back before it is put in place: a file cut short (a
    full disk) or a sheet missing a row leaves the previous workbook as it was."""
    import zipfile

    from openpyxl.workbook.workbook import Workbook

    result, _ = _write(run, tmp_path)
    before = result.path.read_bytes()
    save = Workbook.save

    def spoiled_save(workbook: Workbook, filename: str) -> None:
        save(workbook, filename)
        data = Path(filename).read_bytes()
        if spoil == "cut":
            Path(filename).write_bytes(data[: len(data) // 2])
            return
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = {name: package.read(name) for name in package.namelist()}
        sheet = parts["xl/worksheets/sheet1.xml"]
        start = sheet.index(b'<row r="3"')
        parts["xl/worksheets/sheet1.xml"] = sheet[:start] + sheet[sheet.index(
            b"</row>", start) + len(b"</row>"):]
        with zipfile.ZipFile(filename, "w") as package:
            for name, part in parts.items():
                package.writestr(name, part)

    monkeypatch.setattr(Workbook, "save", spoiled_save)
    with pytest.raises(OutputError, match=message):
        write_xlsx(run, result.path, inputs_base=tmp_path)
    assert result.path.read_bytes() == before
    assert sorted(p.name for p in result.path.parent.iterdir()) == [result.path.name]


class _Trickle(io.BytesIO):
    """A part read a few bytes at a time: tags cut across every possible boundary."""

    def __init__(self, data: bytes, step: int) -> None:
        super().__init__(data)
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        return super().read(self.step)


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5, 7, 4096])
def test_rows_are_counted_across_read_boundaries(step: int) -> None:
    sheet = (b'<worksheet xmlns="x"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
             b'&lt;row r="9"&gt; is text</t></is></c></row><row r="2"></row><row>'
             b'</row><row r="4"/><rowBreaks/></sheetData></worksheet>')
    assert xlsx_module.count_sheet_rows(_Trickle(sheet, step)) == 4
    with pytest.raises(ExpatError):
        xlsx_module.count_sheet_rows(_Trickle(sheet.replace(b"</row><row r=\"2\">", b"<row>"),
                                         step))
