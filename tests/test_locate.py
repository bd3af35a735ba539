"""The answer-finding core on plain block lists: no Word file involved."""

from __future__ import annotations

import pytest

from cuf_extract.document import Block
from cuf_extract.locate import Matcher, locate, normalise
from cuf_extract.questionnaire import Questionnaire, load_questionnaire

Q = load_questionnaire()
TEXTS = {q.id: q.text for q in Q.questions}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Q)


def form(answers: dict[str, list[Block]], *, before: list[Block] | None = None,
         after: list[Block] | None = None, questions: dict[str, str] | None = None,
         ) -> list[Block]:
    """The questionnaire as blocks, with `answers` after each question."""
    blocks = [*(before or []), Block(Q.title)]
    blocks += [Block(text) for text in Q.intro]
    blocks.append(Block(Q.lead_in))
    for qid in Q.question_ids:
        text = (questions or {}).get(qid, TEXTS[qid])
        if text:
            blocks.append(Block(text, list_label="-"))
        blocks += answers.get(qid, [])
        blocks.append(Block(""))
    blocks += [Block(text) for text in (*Q.closing, "", *Q.contact)]
    return blocks + (after or [])


def test_normalise_ignores_typography() -> None:
    curly = "L’offre de formation comprend t’elle\u00a0?"
    straight = "L'OFFRE de formation comprend t'elle ?"
    assert normalise(curly) == normalise(straight) == "l offre de formation comprend t elle"
    assert normalise("Élus, collectivités") == "elus collectivites"
    assert normalise("e\u0301lus") == "elus"  # decomposed accent


def test_untouched_form_has_no_answers(matcher: Matcher) -> None:
    located = locate(form({}), matcher)
    assert located.found == frozenset(Q.question_ids)
    assert located.answers == dict.fromkeys(Q.question_ids)
    assert located.extra_text == ()


def test_answers_below_questions(matcher: Matcher) -> None:
    located = locate(form({
        "Q1": [Block("Oui, bien sûr."), Block(""), Block("Nous le ferons.")],
        "Q3": [Block("Non.")],
    }), matcher)
    assert located.answers["Q1"] == "Oui, bien sûr.\nNous le ferons."
    assert located.answers["Q3"] == "Non."
    assert located.answers["Q2"] is None


def test_answer_on_the_question_line(matcher: Matcher) -> None:
    questions = {"Q2": TEXTS["Q2"] + " Oui : un adjoint dédié."}
    located = locate(form({}, questions=questions), matcher)
    assert located.answers["Q2"] == "Oui : un adjoint dédié."


def test_answer_as_list_items_keeps_them_readable(matcher: Matcher) -> None:
    located = locate(form({"Q4": [
        Block("Oui, de trois façons :", list_label="-"),
        Block("budget participatif", list_label="-", list_level=1),
        Block("conseils de quartier", list_label="1.", list_level=1),
    ]}), matcher)
    assert located.answers["Q4"] == (
        "- Oui, de trois façons :\n  - budget participatif\n  1. conseils de quartier"
    )


@pytest.mark.parametrize(
    "retyped",
    [
        "1) " + TEXTS["Q3"],
        "Question 3 : " + TEXTS["Q3"],
        "En réponse à votre troisième question, " + TEXTS["Q3"],
        "Q3. " + TEXTS["Q3"].upper(),
        TEXTS["Q3"].replace("’", "'").replace(" ?", "\u202f?"),
        "L'offre de formation que vous proposez aux elus comprend-elle un module sur "
        "l'action internationale des collectivites territoriales ?",
        "L’offre de formaton que vous proposer aux élus comprend t’elle un module sur "
        "l’action internationale des collectivités ?",  # typos and a dropped word
    ],
)
def test_retyped_questions_are_found(matcher: Matcher, retyped: str) -> None:
    located = locate(form({"Q3": [Block("Oui.")]}, questions={"Q3": retyped}), matcher)
    assert "Q3" in located.found
    assert located.answers["Q3"] == "Oui."


def test_deleted_question_is_not_found(matcher: Matcher) -> None:
    located = locate(form({"Q2": [Block("Réponse 2")], "Q3": [Block("Réponse 3")]},
                          questions={"Q3": ""}), matcher)
    assert "Q3" not in located.found
    assert located.answers["Q3"] is None
    # Nothing lost: the orphaned answer stays with the question before it.
    assert located.answers["Q2"] == "Réponse 2\nRéponse 3"


def test_text_outside_answers_is_extra(matcher: Matcher) -> None:
    located = locate(form(
        {"Q1": [Block("Oui.")]},
        before=[Block("Parti de l’Exemple"), Block("Paris, le 3 février 2020")],
        after=[Block("Le secrétaire national, Jean Dupont")],
    ), matcher)
    assert located.extra_text == (
        "Parti de l’Exemple", "Paris, le 3 février 2020", "Le secrétaire national, Jean Dupont",
    )
    assert located.letterhead == "Parti de l’Exemple"
    assert located.unassigned == ()
    assert located.answers["Q5"] is None  # the signature is after the closing block


def test_text_between_lead_in_and_first_question_is_unassigned(matcher: Matcher) -> None:
    blocks = form({})
    lead = next(i for i, b in enumerate(blocks) if b.text == Q.lead_in)
    blocks.insert(lead + 1, Block("Voici nos réponses."))
    located = locate(blocks, matcher)
    assert located.unassigned == ("Voici nos réponses.",)
    assert "Voici nos réponses." in located.extra_text


def test_free_format_letter(matcher: Matcher) -> None:
    letter = [Block("Madame la Directrice,"),
              Block("Notre parti soutient l’action internationale des collectivités."),
              Block("Veuillez agréer nos salutations.")]
    located = locate(letter, matcher)
    assert located.found == frozenset()
    assert located.extra_text == tuple(b.text for b in letter)


def test_answers_never_contain_template_text(matcher: Matcher) -> None:
    located = locate(form({"Q5": [Block("Oui.")]}), matcher)
    assert located.answers["Q5"] == "Oui."
    for text in located.answers.values():
        assert text is None or "Merci de nous envoyer" not in text


def test_short_answer_identical_to_a_word_of_the_template_is_kept(matcher: Matcher) -> None:
    located = locate(form({"Q1": [Block("Contact")], "Q2": [Block("Oui")]}), matcher)
    assert located.answers["Q1"] == "Contact"
    assert located.answers["Q2"] == "Oui"


def test_question_repeated_collects_both_answers(matcher: Matcher) -> None:
    blocks = form({"Q1": [Block("Première partie.")]})
    closing = next(i for i, b in enumerate(blocks) if b.text == Q.closing[0])
    blocks[closing:closing] = [Block(TEXTS["Q1"]), Block("Complément.")]
    located = locate(blocks, matcher)
    assert located.answers["Q1"] == "Première partie.\nComplément."


def test_another_questionnaire_works_without_code_change() -> None:
    other = Questionnaire.model_validate({
        "id": "test", "title": "Sondage", "closing": ["Merci."],
        "questions": [{"id": "A", "text": "Aimez-vous les pommes de notre verger ?"},
                      {"id": "B", "text": "Combien en mangez-vous chaque semaine ?"}],
    })
    blocks = [Block("Sondage"), Block("Aimez-vous les pommes de notre verger ?"),
              Block("Beaucoup."), Block("Combien en mangez-vous chaque semaine ?"),
              Block("Sept."), Block("Merci.")]
    located = locate(blocks, Matcher(other))
    assert located.answers == {"A": "Beaucoup.", "B": "Sept."}


def test_table_header_labels_are_kept_without_a_warning(matcher: Matcher) -> None:
    blocks = form({"Q1": [Block("Oui.")]})
    lead = next(i for i, b in enumerate(blocks) if b.text == Q.lead_in)
    blocks[lead + 1:lead + 1] = [Block("Questions", cell=(0, 0, 0)),
                                 Block("Réponses", cell=(0, 0, 1))]
    located = locate(blocks, matcher)
    assert located.unassigned == ()
    assert located.extra_text == ("Questions", "Réponses")


def test_a_letter_keeps_lines_that_happen_to_match_the_form(matcher: Matcher) -> None:
    letter = [Block("Madame Geneviève Sevrin"), Block("Directrice générale de Cités Unies France"),
              Block("Nous soutenons l’action internationale des communes.")]
    located = locate(letter, matcher)
    assert located.extra_text == tuple(b.text for b in letter)


def test_short_text_after_a_shortened_question_is_kept(matcher: Matcher) -> None:
    shortened = ("L’offre de formation que vous proposez aux élus comprend t’elle un module "
                 "sur l’action internationale ?")
    located = locate(form({}, questions={"Q3": shortened + " Oui."}), matcher)
    assert located.answers["Q3"] == "Oui."


def test_a_sign_off_ends_the_last_answer_when_the_closing_block_is_gone(
    matcher: Matcher,
) -> None:
    blocks = form({"Q5": [Block("Oui, chaque année.")]})
    closing = next(i for i, b in enumerate(blocks) if b.text == Q.closing[0])
    blocks[closing:] = [Block("Bien cordialement,"), Block("Jean Dupont, secrétaire national")]
    located = locate(blocks, matcher)
    assert located.answers["Q5"] == "Oui, chaque année."
    assert located.extra_text == ("Bien cordialement,", "Jean Dupont, secrétaire national")


def test_a_sign_off_inside_an_answer_is_kept_when_the_closing_block_is_there(
    matcher: Matcher,
) -> None:
    located = locate(form({"Q5": [Block("Oui."), Block("Salutations aux élus engagés.")]}),
                     matcher)
    assert located.answers["Q5"] == "Oui.\nSalutations aux élus engagés."


@pytest.mark.parametrize(
    ("before", "kept"),
    [
        ("Réponse à la question 3 : ", None),
        ("En réponse à votre troisième question, ", None),
        ("Très bonne question, merci de la poser ! ", "Très bonne question, merci de la poser !"),
    ],
)
def test_text_typed_before_a_question_is_kept_unless_it_is_a_label(
    matcher: Matcher, before: str, kept: str | None
) -> None:
    located = locate(form({}, questions={"Q3": before + TEXTS["Q3"] + " Oui."}), matcher)
    assert located.answers["Q3"] == "Oui."
    assert located.extra_text == ((kept,) if kept else ())


def test_a_slightly_edited_form_paragraph_is_kept_visible(matcher: Matcher) -> None:
    blocks = form({"Q5": [Block("Oui.")]})
    closing = next(i for i, b in enumerate(blocks) if b.text == Q.closing[0])
    edited = Q.closing[0] + " Fait."
    blocks[closing] = Block(edited)
    located = locate(blocks, matcher)
    assert located.answers["Q5"] == "Oui."  # the edited closing still ends the answer
    assert located.extra_text == (edited,)


def test_a_question_answered_in_two_places_is_flagged() -> None:
    from cuf_extract.document import Block
    from cuf_extract.locate import Matcher, locate
    from cuf_extract.questionnaire import load_questionnaire

    questionnaire = load_questionnaire()
    q1, q2 = questionnaire.questions[0].text, questionnaire.questions[1].text
    blocks = [Block(q1), Block(""), Block(q2), Block("Première réponse."),
              Block(q1), Block("Oui."), Block(q2), Block("Seconde réponse.")]
    located = locate(blocks, Matcher(questionnaire))
    assert located.answers["Q2"] == "Première réponse.\nSeconde réponse."
    assert located.answers["Q1"] == "Oui."
    assert located.answered_twice == frozenset({"Q2"})


def title_wrapped_reply(title_lines: list[str]) -> list[Block]:
    """A reply whose title came out of a PDF wrapped at other places than the form's."""
    blocks = [Block(line) for line in title_lines]
    blocks += [*(Block(t) for t in Q.intro), Block(Q.lead_in)]
    for n, question in enumerate(Q.questions, start=1):
        blocks += [Block(question.text, list_label="-"), Block(f"Réponse {n}.")]
    return blocks + [Block(t) for t in (*Q.closing, *Q.contact)]


def test_pieces_of_the_form_title_are_not_a_letterhead(matcher: Matcher) -> None:
    pieces = ["ACTION INTERNATIONALE DES COLLECTIVITÉS",
              "TERRITORIALES : QUELLE PRISE EN COMPTE À L’OCCASION",
              "DES ÉLECTIONS MUNICIPALES ?"]
    located = locate(title_wrapped_reply(pieces), matcher)
    assert located.letterhead is None
    assert located.extra_text == ()
    assert located.answers == {f"Q{n}": f"Réponse {n}." for n in range(1, 6)}


def test_a_letterhead_above_the_wrapped_title_is_still_one(matcher: Matcher) -> None:
    pieces = ["Parti des Territoires", "ACTION INTERNATIONALE DES COLLECTIVITÉS",
              "TERRITORIALES : QUELLE PRISE EN COMPTE À L’OCCASION",
              "DES ÉLECTIONS MUNICIPALES ?"]
    located = locate(title_wrapped_reply(pieces), matcher)
    assert located.letterhead == "Parti des Territoires"
    assert located.extra_text == ("Parti des Territoires",)


def test_a_heading_typed_with_some_title_words_is_kept(matcher: Matcher) -> None:
    heading = "Action internationale des collectivités territoriales"
    located = locate(title_wrapped_reply(["Parti des Territoires", heading]), matcher)
    assert located.extra_text == ("Parti des Territoires", heading)


def test_title_words_typed_in_an_answer_stay_in_it(matcher: Matcher) -> None:
    blocks = title_wrapped_reply([Q.title])
    at = next(i for i, b in enumerate(blocks) if b.text == "Réponse 2.")
    blocks.insert(at + 1, Block("Action internationale des collectivités territoriales"))
    located = locate(blocks, matcher)
    assert located.answers["Q2"] == (
        "Réponse 2.\nAction internationale des collectivités territoriales")


def _without_closing(blocks: list[Block]) -> list[Block]:
    closing_and_contact = {*Q.closing, *Q.contact}
    return [b for b in blocks if b.text not in closing_and_contact]


def test_closing_run_into_the_last_answer_ends_it(matcher: Matcher) -> None:
    """The closing typed on in the last answer's paragraph (a PDF without paragraph
    spacing joins them so): the answer ends where the closing starts."""
    closing = " ".join(Q.closing)
    blocks = _without_closing(form({
        "Q4": [Block("Oui.")],
        "Q5": [Block(f"Nous le proposerons. {closing}")],
    }))
    located = locate(blocks, matcher)
    assert located.answers["Q5"] == "Nous le proposerons."
    assert located.answers["Q4"] == "Oui."
    assert located.extra_text == ()


def test_closing_run_into_a_question_left_blank_is_not_its_answer(matcher: Matcher) -> None:
    closing = " ".join(Q.closing)
    blocks = _without_closing(form({"Q4": [Block("Oui.")]},
                                   questions={"Q5": f"{TEXTS['Q5']} {closing}"}))
    located = locate(blocks, matcher)
    assert located.answers["Q5"] is None
    assert located.found == frozenset(Q.question_ids)


def test_closing_run_in_with_more_text_keeps_it_visible(matcher: Matcher) -> None:
    closing = Q.closing[0]
    blocks = _without_closing(form({
        "Q5": [Block(f"Nous le proposerons. {closing} Pierre Martin, secrétaire national.")],
    }))
    located = locate(blocks, matcher)
    assert located.answers["Q5"] == "Nous le proposerons."
    assert any("Pierre Martin" in text for text in located.extra_text)


def test_question_run_into_the_previous_answer_is_found(matcher: Matcher) -> None:
    """A question in the same paragraph as the previous answer's last sentence (a PDF
    without paragraph spacing joins them when that sentence fills its line)."""
    answer = ("Pas encore, mais un module consacré à l’action extérieure des "
              "collectivités sera intégré à notre offre.")
    blocks = form({"Q3": [Block(answer)], "Q4": [Block("Oui.")]}, questions={"Q4": ""})
    at = next(i for i, b in enumerate(blocks) if b.text == answer)
    blocks[at] = Block(f"{answer} {TEXTS['Q4']}")
    located = locate(blocks, matcher)
    assert located.found == frozenset(Q.question_ids)
    assert located.answers["Q3"] == answer
    assert located.answers["Q4"] == "Oui."


def test_question_words_inside_a_sentence_are_not_a_question(matcher: Matcher) -> None:
    # Quoting the question without a sentence end before it: still the answer's text.
    quoted = (f"Nous avons déjà longuement répondu, dans notre programme national, à la "
              f"question {TEXTS['Q4']}")
    blocks = form({"Q3": [Block(quoted)]}, questions={"Q4": ""})
    located = locate(blocks, matcher)
    assert located.answers["Q3"] == quoted
    assert "Q4" not in located.found


def test_dash_glued_to_an_answer_on_the_question_line_is_kept(matcher: Matcher) -> None:
    """« -Oui » typed after the question (or joined to it by a PDF without paragraph
    spacing) keeps its dash; « – » between them with spaces is a separator."""
    located = locate(form({}, questions={
        "Q1": f"{TEXTS['Q1']} -Oui, bien sûr.", "Q2": f"{TEXTS['Q2']} – Non."}), matcher)
    assert located.answers["Q1"] == "-Oui, bien sûr."
    assert located.answers["Q2"] == "Non."


def test_question_number_on_its_own_line_is_not_the_previous_answer(matcher: Matcher) -> None:
    blocks = [Block(Q.title)]
    for n, qid in enumerate(Q.question_ids, start=1):
        blocks += [Block(f"Question {n} :"), Block(""), Block(TEXTS[qid]), Block(f"Réponse {n}.")]
    located = locate(blocks, matcher)
    assert located.answers == {qid: f"Réponse {n}." for n, qid in
                               enumerate(Q.question_ids, start=1)}
    assert located.extra_text == ()
