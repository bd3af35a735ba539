"""Text printed struck through, read as text: where it landed, and the `struck_text` issue.

Neither reader can be sure what a strike means. In Word, a respondent strikes « Non » in
« Oui / Non (rayez la mention inutile) » to answer « Oui »; in a PDF printed with its
tracked changes visible, struck words are words the respondent deleted. Either way the
text is kept (nothing is lost) and not marked in the answer (the answer stays what the
document says, publishable as it is); staff are told which words were struck and under
which question, and decide.
"""

from __future__ import annotations

from collections.abc import Sequence

from cuf_extract.checks import make_issue, question_label
from cuf_extract.document import Block
from cuf_extract.locate import Located, Matcher, Place
from cuf_extract.models import Issue, IssueCode

_CHECK = ("vérifiez la réponse dans le document (mention rayée ? modification suivie "
          "imprimée ?) et corrigez-la dans le tableur si besoin.")


def struck_issues(blocks: Sequence[Block], matcher: Matcher, located: Located) -> list[Issue]:
    """One `struck_text` warning per question whose area holds struck text, and one for
    struck text outside the answers; nothing when no block has struck text. Each block
    is judged where `locate` put it (`Located.placements`, one per block)."""
    if not any(block.struck for block in blocks):
        return []
    question_ids = list(matcher.questionnaire.question_ids)
    # question (or None: outside the answers) -> struck phrases, and form lines struck
    in_answer: dict[str, list[str]] = {}
    in_form: dict[str | None, list[tuple[str, str]]] = {}  # (the line, its struck phrase)
    outside: list[str] = []
    for block, placement in zip(blocks, located.placements, strict=True):
        if not block.struck:
            continue
        current, text = placement.question, _flat(block.text)
        for phrase in block.struck:
            if placement.place is Place.QUESTION and current is not None:
                if located.answers.get(current) and phrase in _flat(placement.trailing):
                    in_answer.setdefault(current, []).append(phrase)
                else:
                    in_form.setdefault(current, []).append((text, phrase))
            elif placement.place is Place.ANSWER and current is not None:
                in_answer.setdefault(current, []).append(phrase)
            elif placement.place is Place.FORM:
                in_form.setdefault(current, []).append((text, phrase))
            else:
                outside.append(phrase)

    issues: list[Issue] = []
    for qid in question_ids:
        label = question_label(question_ids, qid).capitalize()
        if qid in in_answer:
            issues.append(make_issue(
                IssueCode.STRUCK_TEXT,
                f"{label} : du texte barré a été lu comme du texte : {_quoted(in_answer[qid])} ; "
                + _CHECK,
                qid,
            ))
        if qid in in_form:
            issues.append(_form_issue(label, in_form[qid], qid))
    if None in in_form:
        issues.append(_form_issue("Avant les questions", in_form[None], None))
    if outside:
        issues.append(make_issue(
            IssueCode.STRUCK_TEXT,
            f"Du texte barré a été lu comme du texte hors des réponses : {_quoted(outside)} ; "
            "il est dans « Texte hors réponses » : vérifiez dans le document s’il devait être "
            "supprimé (modification suivie imprimée ?).",
        ))
    return issues


def _form_issue(label: str, struck: list[tuple[str, str]], qid: str | None) -> Issue:
    lines = list(dict.fromkeys(line for line, _ in struck))
    return make_issue(
        IssueCode.STRUCK_TEXT,
        f"{label} : du texte barré dans une ligne du formulaire ({_quoted(lines, 80)}), qui "
        f"n’est pas reprise dans la réponse : {_quoted([p for _, p in struck])} ; vérifiez "
        "dans le document (mention rayée ? modification suivie imprimée ?) et, si c’est le "
        "choix du répondant, notez-le dans le tableur.",
        qid,
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _quoted(texts: Sequence[str], length: int = 60) -> str:
    shown = [t if len(t) <= length else t[: length - 1] + "…" for t in dict.fromkeys(texts)]
    return ", ".join(f"« {t} »" for t in shown)
