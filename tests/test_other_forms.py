"""Forms written elsewhere (tests/fixtures/forms.py, OTHER_FORMS): the questionnaire
derived question by question, and every reply's exact answers, the usual ways of filling
a form included (below, on the line, tracked changes, a deleted question, saved by
LibreOffice as .docx and .odt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cuf_extract.convert import find_soffice
from cuf_extract.derive import Derived, derive_questionnaire
from cuf_extract.docx_reader import read_document
from cuf_extract.locate import Matcher
from cuf_extract.models import FileResult
from cuf_extract.package import OoxmlPackage
from cuf_extract.pipeline import Converter, InputFile, extract_file
from cuf_extract.questionnaire import dump_questionnaire, load_questionnaire
from tests.fixtures.forms import OTHER_FORMS, OtherForm, OtherReply

EXTERNAL = Path(__file__).parent / "fixtures" / "external"
SOFFICE = find_soffice()


def _derive(form: OtherForm) -> Derived:
    document = read_document(OoxmlPackage.from_bytes(form.build(), name=form.name),
                             formatting=True)
    return derive_questionnaire(document.blocks, name=form.name)


@pytest.mark.parametrize("form", OTHER_FORMS, ids=lambda f: f.name)
def test_the_questionnaire_is_derived_question_by_question(form: OtherForm) -> None:
    questionnaire = _derive(form).questionnaire
    assert questionnaire.question_ids == form.ids
    assert tuple(q.text for q in questionnaire.questions) == form.questions
    for question in questionnaire.questions:
        assert question.subpoints == form.subpoints.get(question.id, ()), question.id
        assert question.instructions == form.instructions.get(question.id, ()), question.id
        assert question.section == form.sections.get(question.id, ""), question.id
        assert question.notes == (), question.id
    assert questionnaire.title == form.title
    assert questionnaire.intro == form.intro
    assert questionnaire.lead_in == form.lead_in
    assert questionnaire.fields == form.fields
    assert questionnaire.closing == form.closing
    assert questionnaire.contact == form.contact


@pytest.mark.parametrize("form", OTHER_FORMS, ids=lambda f: f.name)
def test_every_question_is_sure_and_the_toml_loads_back(form: OtherForm,
                                                         tmp_path: Path) -> None:
    derived = _derive(form)
    assert all(score >= 0.8 for score in derived.confidence.values()), derived.confidence
    path = tmp_path / "form.toml"
    path.write_text(dump_questionnaire(derived.questionnaire), encoding="utf-8")
    assert load_questionnaire(path) == derived.questionnaire


def _check(result: FileResult, reply: OtherReply) -> None:
    assert {a.question: a.text for a in result.answers} == reply.answers
    codes = {issue.code.value for issue in result.issues}
    assert reply.issues <= codes, codes
    # Nothing of the form is taken for typed text, no other warning.
    assert result.extra_text == ()
    unexpected = {"extra_text", "question_missing", "unassigned_text", "answered_twice",
                  "no_box_ticked", "possible_signature"}
    assert not (codes & unexpected) - reply.issues, codes
    if reply.respondent is not None:
        assert result.respondent == reply.respondent
    assert tuple((f.label, f.value) for f in result.identification) == reply.identification


REPLIES = [(form, reply) for form in OTHER_FORMS for reply in form.replies]


@pytest.mark.parametrize(("form", "reply"), REPLIES, ids=[r.name for _, r in REPLIES])
def test_replies_give_their_exact_answers(form: OtherForm, reply: OtherReply,
                                          tmp_path: Path) -> None:
    matcher = Matcher(_derive(form).questionnaire)
    path = tmp_path / f"{reply.name}.docx"
    path.write_bytes(reply.build())
    _check(extract_file(InputFile(path=path, display=path.name), matcher), reply)


SAVED = [(form, file, reply) for form in OTHER_FORMS for file, reply in form.libreoffice]


@pytest.fixture(scope="module")
def converter() -> Iterator[Converter]:
    with Converter() as made:
        yield made


@pytest.mark.parametrize(("form", "file", "reply"), SAVED, ids=[f for _, f, _ in SAVED])
def test_replies_saved_by_libreoffice_give_their_exact_answers(
    form: OtherForm, file: str, reply: OtherReply, converter: Converter
) -> None:
    if file.endswith(".odt") and SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: an .odt is converted by it")
    matcher = Matcher(_derive(form).questionnaire)
    path = EXTERNAL / file
    result = extract_file(InputFile(path=path, display=path.name), matcher, converter)
    if file.endswith(".odt"):
        assert "converted" in {issue.code.value for issue in result.issues}
        result = result.model_copy(update={"issues": tuple(
            i for i in result.issues if i.code.value != "converted")})
    _check(result, reply)


@pytest.mark.parametrize("form", OTHER_FORMS, ids=lambda f: f.name)
def test_the_blank_form_saved_by_libreoffice_gives_the_same_questionnaire(
    form: OtherForm, tmp_path: Path
) -> None:
    from cuf_extract.derive import load_form

    saved = load_form(EXTERNAL / f"lo_form_{form.name}", None)
    built = _derive(form).questionnaire
    assert saved.questions == built.questions
    assert (saved.title, saved.intro, saved.lead_in, saved.fields, saved.closing,
            saved.contact) == (built.title, built.intro, built.lead_in, built.fields,
                               built.closing, built.contact)
    reply = form.replies[0]
    path = tmp_path / f"{reply.name}.docx"
    path.write_bytes(reply.build())
    _check(extract_file(InputFile(path=path, display=path.name), Matcher(saved)), reply)


# --------------------------------------------------------------------------- check boxes


def test_a_word_check_box_reads_from_its_state_whatever_glyph_it_shows() -> None:
    from tests.fixtures.builder import build_docx, p
    from tests.fixtures.forms import checkbox

    def read(*inline: str) -> tuple[str, int]:
        document = read_document(OoxmlPackage.from_bytes(build_docx([p(*inline)]),
                                                         name="r.docx"))
        return document.blocks[0].text, document.revisions

    ticked = checkbox(True).replace("☒", "\uf0fe")  # a Wingdings tick shown
    assert read(ticked, " Oui ", checkbox(False), " Non") == ("☒ Oui ☐ Non", 0)
    # Ticked with Track Changes on: ☐ deleted, ☒ inserted; the revisions still count.
    assert read(checkbox(tracked=True), " Non") == ("☒ Non", 2)


@pytest.mark.parametrize(("printed", "typed", "answer"), [
    ("☐ Oui   ☐ Non", "☒ Oui   ☐ Non", "Oui"),
    ("☐ Oui   ☐ Non", "☐ Oui   ☑ Non, trop coûteux", "Non, trop coûteux"),
    ("☐ Oui   ☐ Non", "X Oui   ☐ Non", "Oui"),
    ("☐ Oui   ☐ Non", "[x] Non", "Non"),
    ("☐ Oui   ☐ Non", "☐ Oui   ☐ Non   Nous verrons.", "Nous verrons."),
    ("Oui ☐   Non ☐", "Oui ☐   Non ☒", "Non"),
    ("Yes ☐ No ☐", "Yes ✓ No ☐", "Yes"),
    # No box ticked, the other option deleted: the one kept is chosen.
    ("☐ Oui   ☐ Non", "☐ Non", "Non"),
    ("Oui ☐   Non ☐", "Oui ☐", "Oui"),
])
def test_the_ticked_box_gives_its_label(printed: str, typed: str, answer: str) -> None:
    from cuf_extract.locate import _box_lines, _ticks

    read = _ticks(typed, _box_lines((printed,)))
    assert read is not None
    assert "\n".join(read[0]) == answer
    assert read[1] is (answer != "Nous verrons.")


def test_a_typed_line_whose_glyphs_are_not_boxes_is_kept_as_typed() -> None:
    from cuf_extract.locate import _box_lines, _ticks

    assert _ticks("■ Développer les jumelages", _box_lines(("☐ Oui   ☐ Non",))) is None
    assert _ticks("Nos priorités ✓", _box_lines(("Oui ☐   Non ☐",))) is None


# --------------------------------------------------------------------------- layouts, one by one


def _form(*body: str) -> Derived:
    from tests.fixtures.builder import build_docx

    document = read_document(OoxmlPackage.from_bytes(build_docx(list(body)), name="f.docx"),
                             formatting=True)
    return derive_questionnaire(document.blocks, name="f.docx")


def _answers(derived: Derived, *body: str) -> dict[str, str | None]:
    from cuf_extract.locate import locate
    from tests.fixtures.builder import build_docx

    document = read_document(OoxmlPackage.from_bytes(build_docx(list(body)), name="r.docx"))
    return locate(document.blocks, Matcher(derived.questionnaire)).answers


def test_ids_follow_the_printed_numbers() -> None:
    from tests.fixtures.builder import text_p

    # Last year's question 3 was dropped: the form goes 1, 2, 4.
    derived = _form(text_p("Enquête", style="Title"), text_p("1. Coopérez-vous ?"),
                    text_p("2. Avec qui ?"), text_p("4. Quel budget ?"),
                    text_p("Autres commentaires :"), text_p("Merci."))
    assert derived.questionnaire.question_ids == ("Q1", "Q2", "Q4", "Q5")
    assert derived.questionnaire.questions[3].text == "Autres commentaires :"
    assert derived.questionnaire.closing == ("Merci.",)


def test_numbers_restarting_in_each_section_are_counted() -> None:
    from tests.fixtures.builder import text_p

    derived = _form(text_p("Enquête", style="Title"), text_p("Partie A", heading=1),
                    text_p("1. Coopérez-vous ?"), text_p("2. Avec qui ?"),
                    text_p("Partie B", heading=1), text_p("1. Quel budget ?"))
    assert derived.questionnaire.question_ids == ("Q1", "Q2", "Q3")


def test_an_unnumbered_question_inside_numbered_ones_keeps_the_others_numbers() -> None:
    from tests.fixtures.builder import p, run, text_p

    derived = _form(text_p("Enquête", style="Title"), text_p("1. Coopérez-vous ?"),
                    p(run("Quelle est votre priorité pour 2027 ?", bold=True)),
                    text_p("2. Avec qui ?"), text_p("3. Quel budget ?"))
    assert derived.questionnaire.question_ids == ("Q1", "Q1bis", "Q2", "Q3")


def test_lettered_sub_questions_under_word_numbered_questions() -> None:
    from tests.fixtures.builder import empty_p, text_p

    def body(a: str = "", b: str = "", five: str = "") -> list[str]:
        return [text_p("Survey", style="Title"),
                text_p("Do you have partners abroad?", style="ListParagraph", num=(2, 0)),
                text_p("Regarding your partnerships:", style="ListParagraph", num=(2, 0)),
                text_p("a) how many are active?"), *([text_p(a)] if a else [empty_p()]),
                text_p("b) which one works best?"), *([text_p(b)] if b else [empty_p()]),
                text_p("c) who runs them?"), empty_p(),
                text_p("Will you hire staff?", style="ListParagraph", num=(2, 0)),
                *([text_p(five)] if five else [])]

    derived = _form(*body())
    questionnaire = derived.questionnaire
    assert questionnaire.question_ids == ("Q1", "Q2", "Q3")
    assert questionnaire.questions[1].subpoints == (
        "a) how many are active?", "b) which one works best?", "c) who runs them?")
    assert _answers(derived, *body("Three.", "Sfax.", "No.")) == {
        "Q1": None, "Q2": "Three.\nSfax.", "Q3": "No."}


def test_sub_questions_printed_on_the_questions_line() -> None:
    from tests.fixtures.builder import text_p

    question = ("4. Regarding your partnerships: (a) how many are active? "
                "(b) which one works best?")
    derived = _form(text_p("Survey", style="Title"), text_p("3. Do you have partners?"),
                    text_p(question), text_p("5. Will you hire staff?"))
    assert derived.questionnaire.question_ids == ("Q3", "Q4", "Q5")
    answers = _answers(derived, text_p("Survey", style="Title"),
                       text_p("3. Do you have partners?"), text_p(f"{question} Two; Sfax."),
                       text_p("5. Will you hire staff?"), text_p("No."))
    assert answers == {"Q3": None, "Q4": "Two; Sfax.", "Q5": "No."}


def test_a_comment_label_under_a_question_is_not_a_question() -> None:
    from tests.fixtures.builder import text_p

    body = [text_p("Enquête", style="Title"), text_p("1. Coopérez-vous ?"),
            text_p("Commentaire :"), text_p("2. Avec qui ?"), text_p("Commentaire :"),
            text_p("Merci de votre participation.")]
    derived = _form(*body)
    assert derived.questionnaire.question_ids == ("Q1", "Q2")
    assert derived.questionnaire.questions[0].instructions == ("Commentaire :",)
    reply = [*body[:2], text_p("Commentaire : Oui, avec Sfax."), *body[3:]]
    assert _answers(derived, *reply) == {"Q1": "Oui, avec Sfax.", "Q2": None}
    # The label's words opening a sentence are not the label.
    reply = [*body[:2], text_p("Commentaire bienvenu : oui."), *body[3:]]
    assert _answers(derived, *reply) == {"Q1": "Commentaire bienvenu : oui.", "Q2": None}


def test_a_label_that_is_not_the_forms_opens_the_answer_as_typed() -> None:
    from tests.fixtures.builder import text_p

    body = [text_p("Enquête", style="Title"), text_p("1. Coopérez-vous ?"),
            text_p("2. Avec qui ?")]
    derived = _form(*body)
    reply = [*body[:2], text_p("Précisions : oui, avec Sfax."), body[2]]
    assert _answers(derived, *reply) == {"Q1": "Précisions : oui, avec Sfax.", "Q2": None}


def test_the_identification_fields_are_shown_in_the_report(tmp_path: Path) -> None:
    from cuf_extract.models import Run
    from cuf_extract.writers.report_html import write_report
    from tests.fixtures.forms import FORM_H, H_FILLED

    questionnaire = _derive(FORM_H).questionnaire
    path = tmp_path / "reponse.docx"
    path.write_bytes(H_FILLED.build())
    result = extract_file(InputFile(path=path, display=path.name), Matcher(questionnaire))
    report = tmp_path / "rapport.html"
    write_report(Run(questionnaire=questionnaire.ref(), files=(result,)), report)
    html = report.read_text(encoding="utf-8")
    assert ("<dt>Nom et fonction du signataire (formulaire)</dt>"
            "<dd>Claire Martin, tête de liste</dd>") in html
    assert "<dt>Date (formulaire)</dt><dd>12 février 2026</dd>" in html


def test_numbered_section_titles_over_lettered_questions() -> None:
    from tests.fixtures.builder import text_p

    derived = _form(text_p("Enquête", style="Title"), text_p("1. La coopération"),
                    text_p("a) Coopérez-vous ?"), text_p("b) Avec qui ?"),
                    text_p("2. Les moyens"), text_p("a) Quel budget ?"),
                    text_p("b) Combien d’agents ?"))
    assert [q.text for q in derived.questionnaire.questions] == [
        "Coopérez-vous ?", "Avec qui ?", "Quel budget ?", "Combien d’agents ?"]
    assert [q.section for q in derived.questionnaire.questions] == [
        "1. La coopération", "", "2. Les moyens", ""]
    assert derived.questionnaire.question_ids == ("Q1", "Q2", "Q3", "Q4")


# --------------------------------------------------------------------------- through the CLI


def test_the_cli_derives_the_form_and_extracts_its_replies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tests.fixtures.forms import FORM_H
    from tests.test_cli import answers_sheet, run_cli

    (tmp_path / "formulaire.docx").write_bytes(FORM_H.build())
    code, out, err = run_cli("questionnaire", "formulaire.docx", cwd=tmp_path,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0, err
    assert "Champ d’identification" in out
    assert load_questionnaire(tmp_path / "formulaire.toml").fields == FORM_H.fields
    replies = tmp_path / "reponses"
    replies.mkdir()
    for reply in FORM_H.replies:
        (replies / f"{reply.name}.docx").write_bytes(reply.build())
    run_cli("reponses", "--questionnaire", "formulaire.toml", "-o", "campagne.xlsx",
            "--json", "campagne.json", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    rows = {row["Fichier"].rsplit("/", 1)[-1]: row
            for row in answers_sheet(tmp_path / "campagne.xlsx")}
    for reply in FORM_H.replies:
        row = rows[f"{reply.name}.docx"]
        assert {qid: row[qid] for qid in reply.answers} == {
            qid: text or None for qid, text in reply.answers.items()}
        if reply.respondent:
            assert row["Organisation"] == reply.respondent
    exported = json.loads((tmp_path / "campagne.json").read_text(encoding="utf-8"))
    filled = next(f for f in exported["files"] if f["name"] == "h-filled.docx")
    assert filled["identification"][1] == {"label": "Nom et fonction du signataire",
                                           "value": "Claire Martin, tête de liste"}


@pytest.mark.parametrize(("label", "field"), [
    ("Nom de la liste", True), ("Tête de liste", True), ("Date", True),
    ("Votre collectivité est-elle jumelée", False), ("Is your council twinned", False),
    ("Décrivez votre partenariat le plus actif", False),
])
def test_a_table_row_without_colon_is_a_field_only_when_it_reads_as_one(
    label: str, field: bool
) -> None:
    from tests.fixtures.builder import table, text_p

    rows = [[[text_p(label)], []], [[text_p("Coopérez-vous avec l’Afrique ?")], []]]
    derived = _form(text_p("Enquête", style="Title"), table(rows), text_p("Merci."))
    assert derived.questionnaire.fields == ((label,) if field else ())
    assert len(derived.questionnaire.questions) == (1 if field else 2)
