"""Closed and open questions: the kind read from the wording, kept in the questionnaire
file where staff may change it, and open questions kept out of the automatic positions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.derive import derive_questionnaire
from cuf_extract.docx_reader import read_document
from cuf_extract.locate import Matcher
from cuf_extract.models import (
    Answer,
    FileResult,
    Position,
    Question,
    QuestionKind,
    QuestionnaireRef,
    Run,
    Status,
)
from cuf_extract.package import OoxmlPackage
from cuf_extract.pipeline import InputFile, extract_file
from cuf_extract.positions import synthesis_table
from cuf_extract.questionnaire import (
    QuestionnaireError,
    dump_questionnaire,
    load_questionnaire,
    parse_questionnaire,
    question_kind,
)
from tests.fixtures.builder import questionnaire_doc, text_p
from tests.fixtures.forms import FORM_C, FORMS
from tests.test_cli import run_cli

CLOSED, OPEN = QuestionKind.CLOSED, QuestionKind.OPEN


@pytest.mark.parametrize(("wording", "kind"), [
    # Closed: a yes or a no answers them.
    ("Entendez-vous inciter les candidats à s’engager ?", CLOSED),
    ("Proposerez-vous aux candidats d’inscrire ce point ?", CLOSED),
    ("Votre parti soutient-il la création d’un fonds ?", CLOSED),
    ("Êtes-vous favorable au 1 % solidaire ?", CLOSED),
    ("Votre liste mènera-t-elle une action internationale ?", CLOSED),
    ("L’offre de formation comprend t’elle un module ?", CLOSED),  # as typed in 2020
    ("Est-ce que votre parti soutient le 1 % ?", CLOSED),
    ("Soutenez-vous ce projet, ou non ?", CLOSED),  # « ou », not « où »
    ("Vous engagez-vous à publier vos résultats", CLOSED),  # no « ? » typed
    ("Votre structure a-t-elle signé une convention ? Si oui, laquelle ?", CLOSED),
    ("Avez-vous des partenariats, et si oui, lesquels ?", CLOSED),
    ("Do you support twinning agreements?", CLOSED),
    ("Will you appoint a deputy mayor for international relations?", CLOSED),
    ("Are you in favour of a solidarity fund?", CLOSED),
    # Open: they call for a text.
    ("Quelle place donnez-vous à la solidarité internationale ?", OPEN),
    ("Quel rôle donnez-vous aux jumelages ?", OPEN),
    ("Comment évaluerez-vous vos actions ?", OPEN),
    ("De quelle manière associerez-vous les diasporas ?", OPEN),
    ("Combien de partenariats votre collectivité entretient-elle ?", OPEN),
    ("Avec quelles villes ?", OPEN),
    ("Concernant les jumelages, comment les financerez-vous ?", OPEN),
    ("Décrivez le partenariat le plus actif.", OPEN),
    ("Votre stratégie européenne", OPEN),  # a heading, no « ? »
    ("Autres commentaires", OPEN),
    ("Which partners will you involve?", OPEN),
    ("How will you fund international cooperation?", OPEN),
    ("What role should local governments play?", OPEN),
    ("To what extent do you support it?", OPEN),
    ("Any other comments", OPEN),
    ("Any further comments?", OPEN),
    ("Avez-vous d’autres remarques ?", OPEN),
    ("Regarding your partnerships:\n(a) How many?\n(b) Which one?", OPEN),
    ("Will your party fund decentralised cooperation? If so, how much?", CLOSED),
])
def test_the_kind_is_read_from_the_wording(wording: str, kind: QuestionKind) -> None:
    assert question_kind(wording) is kind


def test_the_bundled_2020_questions_are_all_closed() -> None:
    questionnaire = load_questionnaire()
    assert [q.kind for q in questionnaire.questions] == [CLOSED] * 5
    assert [q.kind for q in questionnaire.ref().questions] == [CLOSED] * 5


def _derived(form_index: int) -> list[QuestionKind]:
    form = FORMS[form_index]
    blocks = read_document(OoxmlPackage.from_bytes(form.build(), name=form.name),
                           formatting=True).blocks
    return [q.kind for q in derive_questionnaire(blocks, name=form.name)
            .questionnaire.questions]


def test_derived_forms_get_the_kind_of_each_question() -> None:
    by_name = {form.name: index for index, form in enumerate(FORMS)}
    assert _derived(by_name["enquete-partenariats.docx"]) == [OPEN, OPEN, OPEN, CLOSED]
    assert _derived(by_name["engagements.docx"]) == [OPEN, OPEN, OPEN]
    assert _derived(by_name["jumelages-europeens.docx"]) == [OPEN, OPEN]


def test_the_kind_is_written_to_the_toml_and_staff_may_change_it(tmp_path: Path) -> None:
    questionnaire = load_questionnaire()
    text = dump_questionnaire(questionnaire)
    assert tomllib.loads(text)["questions"][0]["kind"] == "fermée"
    assert "kind = « fermée »" in text  # the comment that tells staff what it means
    # Staff say Q1 is open after all: the file wins over the wording.
    edited = text.replace('kind = "fermée"', 'kind = "ouverte"', 1)
    path = tmp_path / "q.toml"
    path.write_text(edited, encoding="utf-8")
    loaded = load_questionnaire(path)
    assert [q.kind for q in loaded.questions] == [OPEN, CLOSED, CLOSED, CLOSED, CLOSED]
    assert load_questionnaire(path) == loaded  # and it loads back the same


def test_an_unknown_kind_is_refused_in_french() -> None:
    text = 'id = "x"\ntitle = "T"\n[[questions]]\nid = "Q1"\ntext = "?"\nkind = "oui"\n'
    with pytest.raises(QuestionnaireError,
                       match="ligne 6, « questions.1.kind » : doit valoir « fermée » ou "
                             "« ouverte »"):
        parse_questionnaire(tomllib.loads(text), text, "f.toml")


def test_answers_to_open_questions_get_no_automatic_position(tmp_path: Path) -> None:
    blocks = read_document(OoxmlPackage.from_bytes(FORM_C.build(), name=FORM_C.name),
                           formatting=True).blocks
    matcher = Matcher(derive_questionnaire(blocks, name=FORM_C.name).questionnaire)
    reply = FORM_C.replies[0]
    path = tmp_path / "c.docx"
    path.write_bytes(reply.build())
    result = extract_file(InputFile(path=path, display=path.name), matcher)
    assert [a.text for a in result.answers] == list(reply.answers.values())
    assert [a.position for a in result.answers] == [None, None, None]


def _run(kinds: dict[str, QuestionKind]) -> Run:
    questions = tuple(Question(id=q, text="?", kind=k) for q, k in kinds.items())
    answers = (
        ("a", {"Q1": ("Oui.", Position.YES), "Q2": ("Une place centrale.", None)}),
        ("b", {"Q1": (None, None), "Q2": (None, None)}),
        # A position read before Q2 was said open is not counted either.
        ("c", {"Q1": ("Non.", Position.NO), "Q2": ("Oui, une grande.", Position.YES)}),
    )
    return Run(
        questionnaire=QuestionnaireRef(id="t", questions=questions),
        files=tuple(
            FileResult(path=path, name=path, sha256=None, status=Status.OK, respondent=None,
                       answers=tuple(Answer(question=q, text=t, position=p)
                                     for q, (t, p) in items.items()))
            for path, items in answers
        ),
    )


def test_the_synthesis_counts_open_questions_apart() -> None:
    q1, q2 = synthesis_table(_run({"Q1": CLOSED, "Q2": OPEN}))
    assert not q1.is_open and q1.count(Position.YES) == 1 and q1.count(Position.NO) == 1
    assert q1.no_answer == 1 and q1.open_answers == 0
    assert q2.is_open and q2.total == 0 and q2.open_answers == 2 and q2.no_answer == 1


def test_the_synthesis_sheet_shows_open_questions_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    text = dump_questionnaire(load_questionnaire())
    parts = text.split('kind = "fermée"')
    assert len(parts) == 6
    # Q2 and Q4 said open by staff.
    text = "".join(part + (f'kind = "{k}"' if i < 5 else "")
                   for i, (part, k) in enumerate(zip(parts, [
                       "fermée", "ouverte", "fermée", "ouverte", "fermée", ""], strict=True)))
    (tmp_path / "q.toml").write_text(text, encoding="utf-8")
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "a.docx").write_bytes(questionnaire_doc(
        {"Q1": [text_p("Oui.")], "Q2": [text_p("Oui, sans doute.")],
         "Q3": [text_p("Non.")], "Q5": [text_p("Nous y réfléchissons.")]}))
    code, _, err = run_cli("replies", "--questionnaire", "q.toml", cwd=tmp_path,
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code in (0, 1), err
    rows = list(openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Synthèse"]
                .iter_rows(values_only=True))
    assert [row[0] for row in rows[1:4]] == ["Q1", "Q3", "Q5"]
    assert rows[4] == (None,) * len(rows[4]) or not any(rows[4])
    assert rows[5][0] == "Questions ouvertes : pas de position automatique"
    header = [value for value in rows[7] if value is not None]
    assert header == ["Question", "Réponses à lire", "Positions saisies", "Sans réponse"]
    assert [row[:4] for row in rows[8:]] == [("Q2", 1, 0, 0), ("Q4", 0, 0, 1)]
    answers = openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Réponses"]
    titles = [c.value for c in answers[1]]
    values = [c.value for c in answers[2]]
    assert values[titles.index("Position Q1")] == "oui (à confirmer)"
    assert values[titles.index("Position Q2")] in (None, "")
    report = (tmp_path / "reponses-rapport.html").read_text(encoding="utf-8")
    assert "Questions ouvertes, sans position automatique" in report
    assert "Q2, Q4" in report
