"""Signature blocks after the last answer, recognised without cutting answers."""

from __future__ import annotations

import pytest

from cuf_extract.document import Block
from cuf_extract.signature import LineKind, find_signature, line_kind


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Pierre Martin", LineKind.NAME),
        ("Jean-Pierre DUPONT", LineKind.NAME),
        ("Mme Claire de La Tour", LineKind.NAME),
        ("Secrétaire national", LineKind.TITLE),
        ("La Présidente", LineKind.TITLE),
        ("Déléguée nationale aux relations internationales", LineKind.TITLE),
        ("Directrice de cabinet", LineKind.TITLE),
        ("Porte-parole", LineKind.TITLE),
        ("Trésorier", LineKind.TITLE),
        ("Parti radical de gauche", LineKind.ORGANISATION),
        ("EELV", LineKind.ORGANISATION),
        ("Pour le bureau national,", LineKind.ORGANISATION),
        ("Fait à Paris, le 7 février 2020", LineKind.PLACE_DATE),
        ("Oui", None),
        ("Nous le ferons le 3 mars.", None),
        ("Les habitants seront consultés.", None),
        ("Non, pas à ce stade", None),
        ("Bien sûr", None),
        ("x" * 90, None),
    ],
)
def test_line_kind(line: str, kind: LineKind | None) -> None:
    assert line_kind(line) is kind


ANSWER = "Les résultats seront publiés chaque année."


@pytest.mark.parametrize(
    ("lines", "start", "certain", "organisation"),
    [
        ([ANSWER, "Pierre Martin", "Secrétaire national", "Parti radical de gauche"], 1, True,
         "Parti radical de gauche"),
        ([ANSWER, "Claire Lefèvre", "Présidente"], 1, True, None),
        ([ANSWER, "Fait à Lyon, le 6 février 2020", "Paul Bernard"], 1, True, None),
        ([ANSWER, "Paul Bernard", "EELV"], 1, True, "EELV"),
        ([ANSWER, "Pierre Martin"], 1, False, None),  # a lone name: reported, not cut
        ([ANSWER, "Parti radical de gauche"], 1, False, "Parti radical de gauche"),
    ],
)
def test_find_signature(lines: list[str], start: int, certain: bool,
                        organisation: str | None) -> None:
    found = find_signature(lines)
    assert found is not None
    assert (found.start, found.certain, found.organisation) == (start, certain, organisation)


@pytest.mark.parametrize(
    "lines",
    [
        [ANSWER],
        ["Oui", "Non pour les petites communes."],
        [ANSWER, "Fait à Paris, le 7 février 2020"],  # a date alone ends many answers
        ["Nous proposerons :", "un adjoint ;", "un conseiller délégué."],
    ],
)
def test_no_signature(lines: list[str]) -> None:
    assert find_signature(lines) is None


def _retyped_reply(last: list[str]) -> list[Block]:
    """Questions retyped without the form's closing block; `last` ends the last answer."""
    from cuf_extract.questionnaire import load_questionnaire

    blocks: list[Block] = []
    questions = load_questionnaire().questions
    for n, question in enumerate(questions, start=1):
        blocks += [Block(question.text), Block(f"Réponse {n}.")]
    return blocks + [Block(text) for text in last]


def test_signature_typed_with_line_breaks_in_one_paragraph_is_cut() -> None:
    # Shift+Enter between the lines: one paragraph, three lines.
    from cuf_extract.locate import Matcher, locate
    from cuf_extract.questionnaire import load_questionnaire

    matcher = Matcher(load_questionnaire())
    located = locate(_retyped_reply(
        ["Pierre Martin\nSecrétaire national\nParti radical de gauche"]), matcher)
    assert located.answers["Q5"] == "Réponse 5."
    assert located.extra_text == ("Pierre Martin\nSecrétaire national\nParti radical de gauche",)
    assert located.signature_organisation == "Parti radical de gauche"


def test_signature_inside_the_answer_paragraph_is_reported_not_cut() -> None:
    from cuf_extract.locate import Matcher, locate
    from cuf_extract.questionnaire import load_questionnaire

    matcher = Matcher(load_questionnaire())
    located = locate(_retyped_reply(
        ["Nous y sommes favorables.\nPierre Martin\nSecrétaire national"]), matcher)
    assert located.answers["Q5"] == (
        "Réponse 5.\nNous y sommes favorables.\nPierre Martin\nSecrétaire national")
    assert located.possible_signature == ("Pierre Martin", "Secrétaire national")


@pytest.mark.parametrize(
    ("lines", "above", "certain"),
    [
        # The organisation and the signatory on one line.
        ([ANSWER, "Pour le mouvement, Claire Dumas-Péraud"], "", True),
        ([ANSWER, "Pour le bureau national,"], "", False),
        # An organisation the reply names above its questions signs it.
        ([ANSWER, "La Fédération progressiste"],
         "Réponses de la Fédération progressiste au questionnaire", True),
        ([ANSWER, "La Fédération progressiste"], "Réponses au questionnaire", False),
        ([ANSWER, "La Fédération progressiste"], "", False),
        # One word shared is not the name: "Fédération" alone proves nothing.
        ([ANSWER, "Fédération progressiste"], "Fédération des élus", False),
    ],
)
def test_signature_certain_from_the_line_or_the_reply_above(
        lines: list[str], above: str, certain: bool) -> None:
    found = find_signature(lines, above)
    assert found is not None
    assert (found.start, found.certain) == (1, certain)


@pytest.mark.parametrize("formula", ["Avec nos salutations solidaires,",
                                     "Avec toutes mes amitiés",
                                     "Avec nos sincères salutations."])
def test_sign_off_formula_ends_the_last_answer(formula: str) -> None:
    from cuf_extract.locate import Matcher, locate
    from cuf_extract.questionnaire import load_questionnaire

    matcher = Matcher(load_questionnaire())
    located = locate(_retyped_reply([formula, "La commission internationale"]), matcher)
    assert located.answers["Q5"] == "Réponse 5."
    assert located.extra_text == (formula, "La commission internationale")


def test_organisation_named_in_the_title_signs_the_reply() -> None:
    from cuf_extract.locate import Matcher, locate
    from cuf_extract.questionnaire import load_questionnaire

    matcher = Matcher(load_questionnaire())
    title = Block("Réponses de la Fédération progressiste au questionnaire")
    located = locate([title, *_retyped_reply(["La Fédération progressiste"])], matcher)
    assert located.answers["Q5"] == "Réponse 5."
    located = locate(_retyped_reply(["La Fédération progressiste"]), matcher)
    assert located.answers["Q5"] == "Réponse 5.\nLa Fédération progressiste"
