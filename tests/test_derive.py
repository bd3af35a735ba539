"""Deriving the questionnaire from a blank form, and extracting replies to forms of other
campaigns with the derived questionnaire (exact answers)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuf_extract.derive import Derived, FormError, derive_questionnaire, load_form
from cuf_extract.document import Block
from cuf_extract.docx_reader import read_document
from cuf_extract.locate import Matcher, locate
from cuf_extract.package import OoxmlPackage
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.questionnaire import (
    QuestionnaireError,
    dump_questionnaire,
    load_questionnaire,
    parse_questionnaire,
)
from cuf_extract.template import write_template
from tests.fixtures.builder import build_docx, empty_p, p, run, template_docx, text_p
from tests.fixtures.forms import FORMS, BlankForm, Reply


def _blocks(data: bytes, name: str = "form.docx") -> tuple[Block, ...]:
    return read_document(OoxmlPackage.from_bytes(data, name=name), formatting=True).blocks


def _derive(form: BlankForm) -> Derived:
    return derive_questionnaire(_blocks(form.build(), form.name), name=form.name)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_the_questions_and_form_lines_are_derived(form: BlankForm) -> None:
    questionnaire = _derive(form).questionnaire
    assert tuple(q.text for q in questionnaire.questions) == form.questions
    assert questionnaire.question_ids == tuple(f"Q{n}" for n in range(1, len(form.questions) + 1))
    assert questionnaire.title == form.title
    assert questionnaire.lead_in == form.lead_in
    assert questionnaire.closing == form.closing
    assert questionnaire.contact == form.contact
    for question in questionnaire.questions:
        assert question.section == form.sections.get(question.id, "")
        assert question.subpoints == form.subpoints.get(question.id, ())
        assert question.notes == form.notes.get(question.id, ())
        assert question.instructions == form.instructions.get(question.id, ())


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_every_question_is_sure_on_these_forms(form: BlankForm) -> None:
    derived = _derive(form)
    assert set(derived.confidence) == set(derived.questionnaire.question_ids)
    assert all(score >= 0.8 for score in derived.confidence.values()), derived.confidence


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_the_derived_toml_loads_back_equal(form: BlankForm, tmp_path: Path) -> None:
    questionnaire = _derive(form).questionnaire
    path = tmp_path / "form.toml"
    path.write_text(dump_questionnaire(questionnaire), encoding="utf-8")
    assert load_questionnaire(path) == questionnaire


REPLIES = [(form, reply) for form in FORMS for reply in form.replies]


@pytest.mark.parametrize(("form", "reply"), REPLIES, ids=[r.name for _, r in REPLIES])
def test_replies_give_their_exact_answers(form: BlankForm, reply: Reply, tmp_path: Path) -> None:
    matcher = Matcher(_derive(form).questionnaire)
    path = tmp_path / f"{reply.name}.docx"
    path.write_bytes(reply.build())
    result = extract_file(InputFile(path=path, display=path.name), matcher)
    assert {a.question: a.text for a in result.answers} == reply.answers
    codes = {issue.code.value for issue in result.issues}
    assert reply.issues <= codes
    # The form's own lines are template: no extra text, no other warning.
    assert result.extra_text == ()
    unexpected = {"extra_text", "question_missing", "unassigned_text", "answered_twice"}
    assert not (codes & unexpected) - reply.issues


def test_the_bundled_questionnaire_comes_back_from_its_template(tmp_path: Path) -> None:
    bundled = load_questionnaire()
    target = tmp_path / "questionnaire.docx"
    write_template(bundled, target)
    derived = load_form(target, None)
    assert derived.questions == bundled.questions
    assert (derived.title, derived.intro, derived.lead_in, derived.closing, derived.contact) == (
        bundled.title, bundled.intro, bundled.lead_in, bundled.closing, bundled.contact)


def test_the_word_written_form_gives_the_bundled_questions() -> None:
    derived = derive_questionnaire(_blocks(template_docx()), name="cuf.docx").questionnaire
    assert derived.questions == load_questionnaire().questions


def test_a_form_without_question_is_refused_in_french() -> None:
    data = build_docx([text_p("Lettre d'information", style="Title"),
                       text_p("Nous vous remercions de votre soutien.")])
    with pytest.raises(FormError, match="Aucune question trouvée dans « lettre.docx »"):
        derive_questionnaire(_blocks(data), name="lettre.docx")


def test_typed_numbers_are_questions_and_stripped() -> None:
    body = [text_p("Formulaire", style="Title"),
            text_p("Question 1 : Quel est votre budget"),
            text_p("Q2. Combien d'agents"),
            text_p("3) Quels pays"),
            text_p("Fin du formulaire.")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == [
        "Quel est votre budget", "Combien d'agents", "Quels pays"]
    assert derived.closing == ("Fin du formulaire.",)


def test_lettered_questions_are_questions_when_nothing_is_numbered() -> None:
    body = [text_p("Formulaire", style="Title"),
            text_p("a) Quel est votre budget ?"), text_p("b) Combien d'agents ?")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == ["Quel est votre budget ?",
                                                   "Combien d'agents ?"]
    assert all(not q.subpoints for q in derived.questions)


def test_a_word_sub_list_under_a_question_is_its_sub_points() -> None:
    body = [text_p("Formulaire", style="Title"),
            text_p("Vos priorités :", style="ListParagraph", num=(2, 0)),
            text_p("la jeunesse", style="ListParagraph", num=(2, 1)),
            text_p("le climat", style="ListParagraph", num=(2, 1)),
            text_p("Votre budget ?", style="ListParagraph", num=(2, 0))]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == ["Vos priorités :", "Votre budget ?"]
    assert derived.questions[0].subpoints == ("1. la jeunesse", "2. le climat")
    # In a reply the Word labels are not in the text: the sub-points are still template.
    reply = [*body[:4], text_p("Les deux."), body[4], text_p("Dix mille euros.")]
    located = locate(_blocks(build_docx(reply)), Matcher(derived))
    assert located.answers == {"Q1": "Les deux.", "Q2": "Dix mille euros."}


def test_a_one_column_table_with_empty_rows() -> None:
    from tests.fixtures.builder import table

    rows = [[[text_p("Votre collectivité coopère-t-elle avec l'Afrique")]], [[]],
            [[text_p("Avec quels pays")]], [[]]]
    body = [text_p("Formulaire", style="Title"), text_p("Remplissez le tableau."), table(rows)]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == [
        "Votre collectivité coopère-t-elle avec l'Afrique", "Avec quels pays"]


def test_bold_paragraphs_without_question_mark_are_not_taken_for_questions() -> None:
    body = [p(run("Titre en gras", bold=True)), p(run("Un intertitre", bold=True)),
            text_p("Une phrase ordinaire."), text_p("Votre avis ?")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx")
    assert [q.text for q in derived.questionnaire.questions] == ["Votre avis ?"]
    assert derived.questionnaire.title == "Titre en gras"


def test_a_question_unlike_the_others_is_less_sure() -> None:
    body = [text_p("Formulaire", style="Title"), text_p("Merci de répondre :")]
    body += [text_p(f"Question numérotée {n} ?", style="ListParagraph", num=(2, 0))
             for n in range(1, 5)]
    body.append(text_p("Une phrase qui finit par un point d’interrogation ?"))
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx")
    scores = derived.confidence
    assert scores["Q5"] < 0.8 <= min(scores[q] for q in ("Q1", "Q2", "Q3", "Q4"))


def test_more_than_sixty_questions_are_refused() -> None:
    body = [text_p("Formulaire", style="Title")]
    body += [text_p(f"Question {n} ?") for n in range(1, 62)]
    with pytest.raises(FormError, match="61 questions"):
        derive_questionnaire(_blocks(build_docx(body)), name="f.docx")


# --------------------------------------------------------------------------- the TOML format


def test_the_bundled_toml_loads_as_version_1_with_defaults() -> None:
    bundled = load_questionnaire()
    assert bundled.format_version == 1
    assert all(not (q.section or q.subpoints or q.notes or q.instructions)
               for q in bundled.questions)
    assert bundled.ref().questions[0].text == bundled.questions[0].text


def test_errors_name_the_line_in_french() -> None:
    text = "\n".join([
        'format_version = 2', 'id = "x"', 'title = "T"', '', '[[questions]]', 'id = "Q1"',
        'text = "Une ?"', '', '[[questions]]', 'id = "Q2"', 'texte = "Deux ?"', 'notes = "n"',
    ])
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(tomllib.loads(text), text, "f.toml")
    message = str(caught.value)
    assert "ligne 9, « questions.2.text » : clé obligatoire absente" in message
    assert "ligne 11, « questions.2.texte » : clé inconnue" in message
    assert "ligne 12, « questions.2.notes » : doit être une liste" in message


def test_a_newer_format_version_is_refused() -> None:
    text = 'format_version = 9\nid = "x"\ntitle = "T"\n[[questions]]\nid = "Q1"\ntext = "?"\n'
    with pytest.raises(QuestionnaireError, match="ligne 1, « format_version » : version 9"):
        parse_questionnaire(tomllib.loads(text), text, "f.toml")


def test_sub_points_are_part_of_the_exported_question_text() -> None:
    form = next(f for f in FORMS if f.subpoints)
    ref = _derive(form).questionnaire.ref()
    assert ref.questions[1].text == "\n".join((form.questions[1], *form.subpoints["Q2"]))


# --------------------------------------------------------------------------- the reader


def test_the_reader_records_style_heading_and_emphasis() -> None:
    data = build_docx([text_p("Partie A", heading=1), p(run("Gras ?", bold=True)),
                       p(run("Note", italic=True)), p(run("mi-", bold=True), run("gras")),
                       text_p("Titre", style="Title")])
    blocks = _blocks(data)
    assert (blocks[0].heading_level, blocks[0].style) == (1, "heading 1")
    assert (blocks[1].bold, blocks[1].italic) == (True, False)
    assert (blocks[2].bold, blocks[2].italic) == (False, True)
    assert blocks[3].bold is False
    assert (blocks[4].style, blocks[4].heading_level, blocks[4].bold) == ("Title", 0, True)


def test_roman_numbered_lines_open_sections() -> None:
    body = [text_p("Formulaire", style="Title"), text_p("I. La coopération"),
            text_p("1. Coopérez-vous ?"), text_p("II. Les moyens"), text_p("2. Quel budget ?"),
            text_p("Merci.")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [(q.text, q.section) for q in derived.questions] == [
        ("Coopérez-vous ?", "I. La coopération"), ("Quel budget ?", "II. Les moyens")]
    assert derived.closing == ("Merci.",)


def test_question_labels_alone_on_their_line_open_the_question() -> None:
    body = [text_p("Formulaire", style="Title"), text_p("Question 1", heading=2),
            text_p("Coopérez-vous avec l'Afrique ?"), text_p("Question 2", heading=2),
            text_p("Avec quels pays ?")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [(q.text, q.section) for q in derived.questions] == [
        ("Coopérez-vous avec l'Afrique ?", "Question 1"), ("Avec quels pays ?", "Question 2")]


# --------------------------------------------------------------------------- made by LibreOffice

EXTERNAL = Path(__file__).parent / "fixtures" / "external"


def test_a_form_saved_by_libreoffice_is_derived() -> None:
    from tests.fixtures.forms import LIBREOFFICE_FORM

    form = LIBREOFFICE_FORM.form
    derived = load_form(EXTERNAL / "libreoffice_form.docx", None)
    assert tuple(q.text for q in derived.questions) == form.questions
    assert {q.id: q.section for q in derived.questions if q.section} == form.sections
    assert (derived.title, derived.lead_in, derived.closing, derived.contact) == (
        form.title, form.lead_in, form.closing, form.contact)


@pytest.mark.parametrize("name", ["libreoffice_form_below", "libreoffice_form_numbered"])
def test_replies_saved_by_libreoffice_give_their_exact_answers(name: str) -> None:
    from tests.fixtures.forms import LIBREOFFICE_FORM

    reply = dict(LIBREOFFICE_FORM.replies)[name]
    matcher = Matcher(load_form(EXTERNAL / "libreoffice_form.docx", None))
    path = EXTERNAL / f"{name}.docx"
    result = extract_file(InputFile(path=path, display=path.name), matcher)
    assert {a.question: a.text for a in result.answers} == reply.answers
    assert result.extra_text == ()


def test_a_rhetorical_question_of_the_introduction_is_not_a_question() -> None:
    body = [text_p("Formulaire", style="Title"),
            text_p("Comment les collectivités peuvent-elles agir ensemble ?"),
            text_p("Nous vous proposons de répondre aux questions suivantes :"),
            text_p("Coopérez-vous ?", style="ListParagraph", num=(2, 0)),
            text_p("Avec qui ?", style="ListParagraph", num=(2, 0))]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == ["Coopérez-vous ?", "Avec qui ?"]
    assert derived.intro == ("Comment les collectivités peuvent-elles agir ensemble ?",)
    assert derived.lead_in == "Nous vous proposons de répondre aux questions suivantes :"


def test_name_and_signature_lines_after_the_last_question_are_the_closing() -> None:
    body = [text_p("Formulaire", style="Title"), text_p("1. Coopérez-vous ?"),
            text_p("Oui / Non"), text_p("2. Avec qui ?"), text_p("Nom :"), text_p("Signature :")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert derived.questions[0].instructions == ("Oui / Non",)
    assert derived.questions[1].instructions == ()
    assert derived.closing == ("Nom :", "Signature :")


def test_a_follow_up_question_under_a_numbered_one_is_part_of_it() -> None:
    body = [text_p("Formulaire", style="Title"), text_p("1. Avez-vous des jumelages ?"),
            text_p("Si oui, lesquels ?"), empty_p(), text_p("2. Avez-vous un budget dédié ?")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == ["Avez-vous des jumelages ?",
                                                   "Avez-vous un budget dédié ?"]
    assert derived.questions[0].subpoints == ("Si oui, lesquels ?",)
    reply = [*body[:3], text_p("Oui : Cracovie."), body[4], text_p("Non.")]
    located = locate(_blocks(build_docx(reply)), Matcher(derived))
    assert located.answers == {"Q1": "Oui : Cracovie.", "Q2": "Non."}


def test_two_questions_worded_alike_are_to_be_checked() -> None:
    body = [text_p("Formulaire", style="Title"), text_p("1. Votre budget ?"),
            text_p("2. Commentaires ?"), text_p("3. Vos partenaires ?"),
            text_p("4. Commentaires ?")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx")
    assert derived.confidence["Q2"] == derived.confidence["Q4"] == 0.5
    assert derived.confidence["Q1"] >= 0.8


def test_the_label_of_a_ticked_box_in_an_instruction_line_is_the_answer() -> None:
    from tests.fixtures.builder import table

    def form(first: str) -> list[str]:
        rows = [[[text_p("Votre collectivité est-elle jumelée")], [text_p(first)]],
                [[text_p("Participez-vous à un réseau européen")], [text_p("Oui ☐   Non ☐")]]]
        return [text_p("Enquête", style="Title"), text_p("Cochez les cases."), table(rows),
                text_p("Merci.")]

    derived = derive_questionnaire(_blocks(build_docx(form("Oui ☐   Non ☐"))), name="f.docx")
    assert derived.questionnaire.questions[0].instructions == ("Oui ☐   Non ☐",)
    located = locate(_blocks(build_docx(form("Oui ☒   Non ☐"))), Matcher(derived.questionnaire))
    assert located.answers == {"Q1": "Oui", "Q2": None}
    assert located.unticked == frozenset()
    located = locate(_blocks(build_docx(form("Oui ☐   Non ☐   Pas encore décidé."))),
                     Matcher(derived.questionnaire))
    assert located.answers == {"Q1": "Pas encore décidé.", "Q2": None}
    assert located.unticked == {"Q1"}


def test_identification_fields_in_a_table_are_fields_not_questions() -> None:
    from tests.fixtures.builder import table

    def form(name: str = "", date: str = "") -> list[str]:
        rows = [[[text_p("Nom de la collectivité :")], [text_p(name)] if name else []],
                [[text_p("Date :")], [text_p(date)] if date else []],
                [[text_p("Votre collectivité coopère-t-elle ?")], []]]
        return [text_p("Enquête", style="Title"), table(rows), text_p("Merci.")]

    derived = derive_questionnaire(_blocks(build_docx(form())), name="f.docx")
    assert derived.questionnaire.fields == ("Nom de la collectivité :", "Date :")
    assert [q.text for q in derived.questionnaire.questions] == [
        "Votre collectivité coopère-t-elle ?"]
    assert derived.confidence["Q1"] >= 0.8
    located = locate(_blocks(build_docx(form("Ville de Lens", "2 mai 2026"))),
                     Matcher(derived.questionnaire))
    assert located.identification == (("Nom de la collectivité", "Ville de Lens"),
                                      ("Date", "2 mai 2026"))
    assert located.extra_text == ()


def test_a_number_typed_in_a_word_list_item_is_not_part_of_the_question() -> None:
    body = [text_p("Formulaire", style="Title"),
            text_p("Q1 : Votre budget ?", style="ListParagraph", num=(1, 0)),
            text_p("Q2 : Vos partenaires ?", style="ListParagraph", num=(1, 0))]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == ["Votre budget ?", "Vos partenaires ?"]


def test_the_forms_page_header_is_its_sender_never_a_respondent(tmp_path: Path) -> None:
    header = [text_p("Réseau des villes solidaires")]
    body = [text_p("Enquête", style="Title"), text_p("1. Coopérez-vous ?")]
    form = tmp_path / "enquete.docx"
    form.write_bytes(build_docx(body, header=header, app_company="Réseau VS"))
    questionnaire = load_form(form, None)
    assert questionnaire.owner == ("Réseau des villes solidaires", "Réseau VS")
    reply = tmp_path / "Parti des Communes.docx"
    reply.write_bytes(build_docx([*body, text_p("Oui.")], header=header))
    result = extract_file(InputFile(path=reply, display=reply.name), Matcher(questionnaire))
    assert result.answer("Q1") == "Oui."
    assert result.respondent == "Parti des Communes"


# --------------------------------------------------------------------------- python-docx forms
# Forms as written by another program (python-docx: built-in "List Number", "Heading 2"
# styles, numbering from the style), with the questions derivation must find.


def _python_docx(build: Callable[[Any], None]) -> tuple[Block, ...]:
    import io

    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _blocks(buffer.getvalue())


def _list_number(d: Any) -> None:
    d.add_heading("Enquête 2027", 0)
    d.add_paragraph("Notre réseau agit de plusieurs façons :")
    for text in ("coopération décentralisée", "aide à l'export"):
        d.add_paragraph(text, style="List Bullet")
    d.add_paragraph("Merci de répondre aux questions suivantes :")
    for text in ("Décrivez votre action.", "Quels sont vos partenaires ?"):
        d.add_paragraph(text, style="List Number")
        d.add_paragraph()
    d.add_paragraph("Contact : Jean Martin")


def _letter(d: Any) -> None:
    for text in ("Consultation des candidats", "Madame, Monsieur,",
                 "Dans le cadre des élections, nous vous adressons ces questions.",
                 "Soutiendrez-vous la coopération décentralisée ?", "",
                 "Créerez-vous une délégation à l'international ?", "",
                 "Veuillez agréer, Madame, Monsieur, nos salutations distinguées."):
        d.add_paragraph(text)


def _labelled_headings(d: Any) -> None:
    d.add_heading("Questionnaire présidentielle 2027", 1)
    for n, text in enumerate(("Votre vision de l'action extérieure", "Le rôle de l'État"), 1):
        d.add_heading(f"Question {n} : {text}", 2)
        d.add_paragraph("Réponse :")
    d.add_paragraph("Nous vous remercions.")


PYTHON_DOCX_FORMS = [
    (_list_number, ["Décrivez votre action.", "Quels sont vos partenaires ?"],
     "Merci de répondre aux questions suivantes :", ("Contact : Jean Martin",)),
    (_letter, ["Soutiendrez-vous la coopération décentralisée ?",
               "Créerez-vous une délégation à l'international ?"],
     "Dans le cadre des élections, nous vous adressons ces questions.",
     ("Veuillez agréer, Madame, Monsieur, nos salutations distinguées.",)),
    (_labelled_headings, ["Votre vision de l'action extérieure", "Le rôle de l'État"], "",
     ("Nous vous remercions.",)),
]


@pytest.mark.parametrize(("build", "questions", "lead_in", "tail"), PYTHON_DOCX_FORMS,
                         ids=["list-number", "letter", "labelled-headings"])
def test_forms_written_by_python_docx(
    build: Callable[[Any], None], questions: list[str], lead_in: str, tail: tuple[str, ...]
) -> None:
    derived = derive_questionnaire(_python_docx(build), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == questions
    assert derived.lead_in == lead_in
    assert (*derived.closing, *derived.contact) == tail


def test_sub_points_kept_as_choices_are_the_answer() -> None:
    def form(choices: tuple[str, ...], answer: tuple[str, ...] = ()) -> list[str]:
        return [text_p("Formulaire", style="Title"),
                text_p("1. Votre collectivité est :"), *(text_p(c) for c in choices),
                *(text_p(a) for a in answer), text_p("2. Coopérez-vous ?"), text_p("Merci.")]

    choices = ("a) une commune ;", "b) un département ;", "c) une région.")
    derived = derive_questionnaire(_blocks(build_docx(form(choices))), name="f.docx")
    questionnaire = derived.questionnaire
    assert questionnaire.questions[0].subpoints == choices
    matcher = Matcher(questionnaire)
    kept = locate(_blocks(build_docx(form(choices[1:2]))), matcher)
    assert kept.answers == {"Q1": "b) un département ;", "Q2": None}
    untouched = locate(_blocks(build_docx(form(choices, ("Une commune nouvelle.",)))), matcher)
    assert untouched.answers == {"Q1": "Une commune nouvelle.", "Q2": None}


@pytest.mark.parametrize("word_numbering", [False, True], ids=["typed", "word"])
def test_numbered_sections_over_numbered_questions(word_numbering: bool) -> None:
    def line(label: str, text: str, level: int) -> str:
        if word_numbering:
            return text_p(text, style="ListParagraph", num=(2, level))
        return text_p(f"{label} {text}")

    body = [text_p("Formulaire", style="Title"), text_p("Répondez aux questions suivantes :"),
            line("1.", "La coopération", 0), line("1.1", "Coopérez-vous ?", 1),
            line("1.2", "Avec qui ?", 1), line("2.", "Les moyens", 0),
            line("2.1", "Quel budget ?", 1), text_p("Merci.")]
    derived = derive_questionnaire(_blocks(build_docx(body)), name="f.docx").questionnaire
    assert [q.text for q in derived.questions] == ["Coopérez-vous ?", "Avec qui ?",
                                                   "Quel budget ?"]
    sections = [q.section for q in derived.questions]
    assert [s.rsplit(" ", 1)[-1] for s in sections] == ["coopération", "", "moyens"]
    assert derived.closing == ("Merci.",)
