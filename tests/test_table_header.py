"""A question/answer table's header row is layout, not misplaced text."""

from __future__ import annotations

from cuf_extract.document import Block
from cuf_extract.locate import Matcher, locate
from cuf_extract.questionnaire import load_questionnaire

Q = load_questionnaire()
MATCHER = Matcher(Q)


def table_reply(header: list[Block]) -> list[Block]:
    """The form's head, then a table: `header` in row 0, one question per row after."""
    blocks = [Block(Q.title), *(Block(t) for t in Q.intro), Block(Q.lead_in), *header]
    for row, question in enumerate(Q.questions, start=1):
        blocks.append(Block(question.text, cell=(0, row, 0)))
        blocks.append(Block(f"Réponse {row}.", cell=(0, row, 1)))
    return blocks + [Block(t) for t in (*Q.closing, *Q.contact)]


def test_short_header_row_is_not_unassigned() -> None:
    located = locate(table_reply([Block("Question", cell=(0, 0, 0)),
                                  Block("Réponse du Parti Exemple", cell=(0, 0, 1))]), MATCHER)
    assert located.unassigned == ()
    assert "Réponse du Parti Exemple" in located.extra_text
    assert located.table_header == ("Question", "Réponse du Parti Exemple")
    assert located.answers["Q1"] == "Réponse 1."


def test_long_first_row_is_still_unassigned() -> None:
    long = "Nous souhaitons d’abord rappeler notre attachement à la coopération " * 2
    located = locate(table_reply([Block(long, cell=(0, 0, 0))]), MATCHER)
    assert located.unassigned == (long.strip(),)
    assert located.table_header == ()


def test_long_cell_in_a_row_marked_as_header_is_layout() -> None:
    long = "Réponses du Parti Exemple, adoptées par le bureau national du 4 février 2020, " * 2
    located = locate(table_reply([Block(long, cell=(0, 0, 0), table_header=True)]), MATCHER)
    assert located.unassigned == ()


def test_text_above_the_table_is_still_unassigned() -> None:
    located = locate(table_reply([Block("Une réponse égarée avant le tableau.")]), MATCHER)
    assert located.unassigned == ("Une réponse égarée avant le tableau.",)


def twice_reply(header: list[Block]) -> list[Block]:
    """The form's questions left untouched and unanswered, then a question/answer table
    pasted after them, before the closing: every question appears twice."""
    blocks = [Block(Q.title), *(Block(t) for t in Q.intro), Block(Q.lead_in)]
    for question in Q.questions:
        blocks += [Block(question.text, list_label="-"), Block("")]
    blocks += header
    for row, question in enumerate(Q.questions, start=1):
        blocks.append(Block(question.text, cell=(0, row, 0)))
        blocks.append(Block(f"Réponse {row}.", cell=(0, row, 1)))
    return blocks + [Block(t) for t in (*Q.closing, *Q.contact)]


def test_header_row_of_a_table_after_the_form_questions_is_not_an_answer() -> None:
    located = locate(twice_reply([Block("Question", cell=(0, 0, 0)),
                                  Block("Réponse du Parti Exemple", cell=(0, 0, 1))]), MATCHER)
    assert located.answers == {f"Q{n}": f"Réponse {n}." for n in range(1, 6)}
    assert "Réponse du Parti Exemple" in located.extra_text
    assert located.table_header == ("Question", "Réponse du Parti Exemple")
    assert located.answered_twice == frozenset()


def test_long_first_row_of_a_table_after_the_form_questions_stays_in_the_answer() -> None:
    long = "Nous souhaitons d’abord rappeler notre attachement à la coopération " * 2
    located = locate(twice_reply([Block(long, cell=(0, 0, 0))]), MATCHER)
    assert located.answers["Q5"] == f"{long.strip()}\nRéponse 5."
    assert located.table_header == ()


def test_form_closing_between_the_form_questions_and_a_table_pasted_below_it() -> None:
    # The question/answer table pasted at the very end, after the form's closing and
    # contact block: its short lines ("Contact :") are the form's, not an answer.
    blocks = [Block(Q.title), *(Block(t) for t in Q.intro), Block(Q.lead_in)]
    for question in Q.questions:
        blocks += [Block(question.text, list_label="-"), Block("")]
    blocks += [Block(t) for t in (*Q.closing, "", *Q.contact)]
    blocks += [Block("Question", cell=(0, 0, 0)),
               Block("Réponse du Parti Exemple", cell=(0, 0, 1))]
    for row, question in enumerate(Q.questions, start=1):
        blocks += [Block(question.text, cell=(0, row, 0)),
                   Block(f"Réponse {row}.", cell=(0, row, 1))]
    located = locate(blocks, MATCHER)
    assert located.answers == {f"Q{n}": f"Réponse {n}." for n in range(1, 6)}
    assert located.answered_twice == frozenset()


def test_short_form_line_typed_in_an_answer_stays_in_it() -> None:
    blocks = [Block(Q.title), *(Block(t) for t in Q.intro), Block(Q.lead_in)]
    for n, question in enumerate(Q.questions, start=1):
        blocks += [Block(question.text, list_label="-"), Block(f"Réponse {n}.")]
        if n == 2:
            blocks += [Block("Contact :"),
                       Block("Jean Dupont, délégué aux relations internationales")]
    blocks += [Block(t) for t in (*Q.closing, *Q.contact)]
    located = locate(blocks, MATCHER)
    assert located.answers["Q2"] == (
        "Réponse 2.\nContact :\nJean Dupont, délégué aux relations internationales")
