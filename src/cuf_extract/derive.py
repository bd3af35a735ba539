"""A blank form (.docx) -> the `Questionnaire` it asks, with how sure we are of each question.

Staff write each campaign's form in Word; this module reads it the way a person would:
the title first, the introduction, the sentence leading in to the questions, the
questions themselves, what the form prints around them (section headings, sub-points,
notes, instruction lines), then the closing and contact blocks.

A question is what real forms use:
- a list item (Word numbering or bullets: the reader resolves the labels) or a paragraph
  typed with its number ("1.", "1)", "Q1", "Question 1 :", "a)");
- a paragraph ending with "?" (headings included);
- the first cell of a two-column table row whose second cell is empty, or the first
  cell of a row above an empty row.
Items of another numbering kind than the questions' (letters under numbers, bullets
under a numbered question, a deeper list level) that follow a question are its
sub-points. Everything else between the questions is template text: headings open a
section, italic paragraphs and "Note :" are notes, short lines such as "Oui / Non" or
"Précisions :" are instructions the respondent may edit.

`derive_questionnaire` is pure (blocks in, result out); `read_form` and `load_form`
do the I/O (LibreOffice conversion of .odt/.doc, a cache by the form's hash).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cuf_extract.document import Block
from cuf_extract.questionnaire import (
    FORMAT_VERSION,
    MAX_QUESTIONS,
    FormQuestion,
    Questionnaire,
    QuestionnaireError,
)

PartKind = Literal["title", "intro", "field", "lead_in", "section", "question", "subpoint",
                   "note", "instruction", "closing", "contact"]

# How sure we are of a question, from its signals (see `_confidence`).
SURE, LIKELY = 0.8, 0.6

# A number typed before a question: "1.", "1)", "1 -", "Q1", "Q1.", "Question 1 :",
# "Question n°1 :", "a)", "A.", "I." -- group `digit`, `letter` or `roman` says which.
_ENUMERATOR = re.compile(
    r"^\s*(?:"
    r"(?:question|q)\s*(?:n\s*[°o.]?\s*)?(?P<qdigit>\d{1,2})\b\s*[.):\-–—]?"
    r"|(?P<mdigit>\d{1,2}(?:\.\d{1,2})+)\.?(?=\s)"
    r"|(?P<digit>\d{1,2})\s*(?:[.)°](?!\d)|\s[-–—])"
    r"|(?P<roman>[IVX]{1,5})\s*[.)](?=\s)"
    r"|\(?(?P<letter>[a-zA-Z])\s*\)(?=\s)"
    r"|(?P<letterdot>[a-z])\.(?=\s)"
    r")\s*",
    re.IGNORECASE,
)
# Lines the respondent is asked to edit or complete (French and English forms).
_INSTRUCTION = re.compile(
    r"^\s*(?:[☐□■▢]|oui\b|non\b|rayez|barrez|cochez|entourez|pr[ée]cise[zr]|pr[ée]cisions?\b|"
    r"commentaires?\s*:|r[ée]ponses?\s*:|si oui|si non|(?:\.{3,}|…|_{3,})|"
    r"yes\b|no\b|tick\b|please (?:specify|explain)|details?\s*:|comments?\s*:|"
    r"answers?\s*:|if (?:yes|no|so|not)\b)",
    re.IGNORECASE,
)
# A follow-up question printed under a numbered one, without its own number.
_FOLLOW_UP = re.compile(
    r"^\s*(?:si\b|sinon\b|pourquoi\b|lesquel|laquelle|lequel|dans quel|comment\b|"
    r"pr[ée]cisez\b|expliquez\b|et\b|if (?:yes|no|so|not)\b|why\b|which\b|please\b)",
    re.IGNORECASE,
)
# The free last question many forms end with, numbered or not, often without "?"
# ("Autres commentaires", "Remarques libres", "Any other comments (optional)").
_FREE_COMMENT = re.compile(
    r"^\s*(?:autres?\s+(?:commentaires?|remarques?|observations?|suggestions?|pr[ée]cisions?)|"
    r"(?:remarques?|commentaires?|observations?|expression)\s+libres?|"
    r"(?:any\s+)?(?:other|further|additional)\s+(?:comments?|remarks?|observations?)|"
    r"anything\s+else)\b",
    re.IGNORECASE,
)
FREE_COMMENT_LENGTH = 80  # longer, it is a sentence of the closing, not the question
# An identification field at the top of a form: "Organisation : ______", "Date : …",
# "Nom et fonction du signataire :". The label is short; either dots or underscores
# are left to fill in, or the label names what such fields ask.
_FIELD = re.compile(r"^\s*(?P<label>[^:?!.]{1,60}?)\s*:\s*(?P<fill>[_.…\s]*)$")
_FIELD_FILL = re.compile(r"_{3,}|\.{3,}|…")
_FIELD_WORDS = re.compile(
    r"\b(?:organi[sz]ations?|organismes?|structures?|collectivit[ée]s?|partis?|listes?|"
    r"mouvements?|groupes?|associations?|nom|noms|pr[ée]noms?|fonctions?|qualit[ée]|"
    r"signataires?|date|signatures?|adresses?|e-?mails?|courriels?|t[ée]l[ée]phones?|"
    r"t[êe]te de liste|candidat(?:e|s|es)?|names?|party|council|position|signatory|phone)\b",
    re.IGNORECASE,
)
FIELD_MAX_WORDS = 6
# A field may go without its colon in a table row whose other cell is empty ("Nom de la
# liste | "): then its label is a few words, and no question ("Votre collectivité
# est-elle jumelée | ", without its "?").
TABLE_FIELD_MAX_WORDS = 4
_INVERTED_VERB = re.compile(r"-(?:t-)?(?:il|elle|ils|elles|on|vous|nous|je|tu)\b|^(?:do|does|"
                            r"did|is|are|will|would|can|have|has)\b", re.IGNORECASE)
_NOTE = re.compile(r"^\s*(?:n\.?\s?b\.?|note|remarque|\*|\()", re.IGNORECASE)
_SECTION = re.compile(
    r"^\s*(?:partie|section|chapitre|th[èe]me|volet|axe|titre|bloc|part|chapter)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    r"^\s*(?:contacts?\b|pour (?:tout|toute|plus)|renseignements?\b|"
    r"for (?:more|any|further) (?:information|questions))",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"\bquestions?\b|\br[ée]pond(?:re|ez)\b|\bci-(?:dessous|apr[èe]s)\b|\bsuivante?s?\b|"
    r"\bpour chaque\b|\bespace pr[ée]vu|\banswer\b|\bbelow\b|\bfollowing\b",
    re.IGNORECASE,
)
# A lead-in that announces the questions (not "Répondez par oui ou non :").
_LEAD_IN_STRICT = re.compile(
    r"\bquestions\b|\bsuivantes?\b|\bci-(?:dessous|apr[èe]s)\b|\bfollowing\b|\bbelow\b",
    re.IGNORECASE,
)
SHORT_LINE = 60  # an instruction or a heading is short
ANSWER_SPACE = 2  # empty paragraphs left under a line for its answer
SHORT_FIELD = 30  # a table row this short without "?" is rather a field ("Nom :")
TITLE_STYLES = frozenset({"title", "titre", "subtitle", "sous-titre"})


class FormError(QuestionnaireError):
    """The form cannot give a questionnaire; the message says why and what to do (French)."""


@dataclass(frozen=True, slots=True)
class Part:
    """One line of the outline: what a paragraph of the form was taken for."""

    kind: PartKind
    text: str
    question: str | None = None  # the question it belongs to (or opens, for a section)
    confidence: float | None = None  # questions only, 0-1
    reasons: tuple[str, ...] = ()  # questions only, French: why it was taken for one


@dataclass(frozen=True, slots=True)
class Derived:
    questionnaire: Questionnaire
    parts: tuple[Part, ...]

    @property
    def confidence(self) -> dict[str, float]:
        return {p.question: p.confidence for p in self.parts
                if p.kind == "question" and p.question and p.confidence is not None}


# --------------------------------------------------------------------------- items


@dataclass
class _Item:
    """A paragraph of the form, or a table row seen as a question."""

    text: str
    block: Block
    kind: str = ""  # numbering kind: "digit", "letter", "roman", "bullet" or ""
    level: int = 0
    typed: bool = False  # the number is typed in the text (and stripped from `text`)
    table_question: bool = False  # first cell of a row whose answer cell is empty
    answer_cell_empty: bool = False  # (and nothing is printed in that cell)
    label_only: bool = False  # "Question 1" alone on its line
    number: str = ""  # the number printed before it ("4", "1.2"), typed or Word's
    gap_after: int = 0  # empty paragraphs after it: room left for an answer
    role: PartKind | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def ends_with_question_mark(self) -> bool:
        return self.text.rstrip().endswith("?")

    @property
    def is_heading(self) -> bool:
        return self.block.heading_level > 0

    @property
    def is_title_style(self) -> bool:
        return self.block.style.casefold() in TITLE_STYLES


def _label_kind(label: str) -> str:
    core = label.strip().strip(".)(-–—°")
    if label == "-" or not core:
        return "bullet"
    if core.isdigit() or re.fullmatch(r"[\d.]+", core):
        return "digit"
    if re.fullmatch(r"[ivxlcdm]+", core, re.IGNORECASE) and len(core) > 1:
        return "roman"
    if re.fullmatch(r"[a-z]", core, re.IGNORECASE):
        return "letter"
    return "digit"


def _item(text: str, block: Block) -> _Item:
    item = _Item(text=text.strip(), block=block)
    match = _ENUMERATOR.match(item.text)
    if block.list_label:
        item.kind, item.level = _label_kind(block.list_label), block.list_level
        if item.kind == "digit":
            item.number = block.list_label.strip().strip(".)(-–—°").strip()
        if match is not None and (
            match.group("qdigit") or match.group("digit") or match.group("mdigit")
        ) and (
            item.text[match.end():].strip()
        ):
            item.text = item.text[match.end():].strip()  # "Q1 : …" typed in a Word list
        return item
    if match is not None and not _looks_like_prose(item.text, match):
        rest = item.text[match.end():].strip()
        if match.group("qdigit") or match.group("digit") or match.group("mdigit"):
            item.kind = "digit"
            item.number = (match.group("qdigit") or match.group("digit")
                           or match.group("mdigit")).strip(".")
            item.level = (match.group("mdigit") or "").count(".")  # "1.2" is a second level
        elif match.group("roman"):
            item.kind = "roman"
        else:
            item.kind = "letter"
        item.typed = True
        if rest:
            item.text = rest
        else:
            item.label_only = item.kind == "digit"
    return item


def _looks_like_prose(text: str, match: re.Match[str]) -> bool:
    """A single capital letter followed by "." is taken for an initial ("A. Dupont a
    écrit…"), not a number."""
    return bool(match.group("letterdot")) and text[:1].isupper()


def _is_empty(blocks: Sequence[Block]) -> bool:
    return all(not b.text.strip() for b in blocks)


def _items(blocks: Sequence[Block]) -> list[_Item]:
    """The form's non-empty paragraphs in order, table rows turned into question items."""
    items: list[_Item] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.cell is None:
            if block.text.strip():
                items.append(_item(block.text, block))
            elif items and items[-1].block.cell is None:
                items[-1].gap_after += 1
            i += 1
            continue
        serial = block.cell[0]
        j = i
        while j < len(blocks) and _table_of(blocks[j]) == serial:
            j += 1
        items.extend(_table_items(blocks[i:j]))
        i = j
    return items


def _table_of(block: Block) -> int | None:
    return None if block.cell is None else block.cell[0]


def _table_items(blocks: Sequence[Block]) -> list[_Item]:
    rows: dict[int, dict[int, list[Block]]] = {}
    for block in blocks:
        assert block.cell is not None
        rows.setdefault(block.cell[1], {}).setdefault(block.cell[2], []).append(block)
    ordered = [rows[r] for r in sorted(rows)]
    columns = max(len(row) for row in ordered)
    items: list[_Item] = []
    for index, row in enumerate(ordered):
        cells = [row[c] for c in sorted(row)]
        first = [b for b in cells[0] if b.text.strip()]
        others = [b for cell in cells[1:] for b in cell if b.text.strip()]
        below_empty = (
            index + 1 < len(ordered)
            and all(_is_empty(cell) for cell in ordered[index + 1].values())
        )
        answer_cell_free = columns == 2 and len(cells) == 2 and all(
            _INSTRUCTION.match(b.text) for b in others
        )
        if first and (answer_cell_free or below_empty):
            head = _item(first[0].text, first[0])
            head.table_question = True
            head.answer_cell_empty = not others
            head.reasons.append("ligne de tableau à remplir")
            items.append(head)
            # A question cell of several paragraphs ("… avec la commune ?" then "Si oui,
            # laquelle ?"): the others belong to the question, as its sub-points.
            for b in first[1:]:
                rest = _item(b.text, b)
                rest.role = "subpoint"
                items.append(rest)
            items.extend(_instruction(b) for b in others)
        else:
            row_items = [_item(b.text, b) for cell in cells for b in cell if b.text.strip()]
            if index == 0 and len(ordered) > 1 and all(len(i.text) <= SHORT_LINE
                                                       for i in row_items):
                for header in row_items:  # "Question | Réponse": the table's header row
                    header.role = "section"
            items.extend(row_items)
    return items


def _instruction(block: Block) -> _Item:
    item = _Item(text=block.text.strip(), block=block)
    item.role = "instruction"
    return item


# --------------------------------------------------------------------------- roles


def _is_candidate(item: _Item) -> bool:
    """Could this paragraph be a question, on its own signals?"""
    if item.role is not None or item.is_title_style:
        return False
    if item.table_question or item.ends_with_question_mark:
        return True
    if (item.is_heading or item.block.bold) and item.gap_after >= ANSWER_SPACE:
        return True  # a heading or bold line with room left under it for the answer
    return item.kind in ("digit", "letter") and not item.label_only


def _is_section(item: _Item) -> bool:
    text = item.text
    if text.endswith("?"):
        return False
    if item.is_heading or _SECTION.match(text) or (item.kind == "roman" and item.typed):
        return True
    return item.block.bold and len(text) <= SHORT_LINE * 2 and not text.endswith(":") and (
        not item.kind
    )


def _is_free_comment(item: _Item) -> bool:
    return len(item.text) <= FREE_COMMENT_LENGTH and bool(_FREE_COMMENT.match(item.text))


def _is_field(item: _Item) -> bool:
    """An identification field to fill in: "Organisation : ______", "Date :"."""
    if item.kind or item.ends_with_question_mark:
        return False
    if item.table_question and ":" not in item.text:
        return (item.answer_cell_empty and len(item.text.split()) <= TABLE_FIELD_MAX_WORDS
                and bool(_FIELD_WORDS.search(item.text))
                and not _INVERTED_VERB.search(item.text))
    match = _FIELD.match(item.text)
    if match is None or len(match.group("label").split()) > FIELD_MAX_WORDS:
        return False
    return bool(_FIELD_FILL.search(match.group("fill")) or _FIELD_WORDS.search(
        match.group("label")))


def _is_note(item: _Item) -> bool:
    return item.block.italic or bool(_NOTE.match(item.text))


def _is_instruction(item: _Item) -> bool:
    return bool(_INSTRUCTION.match(item.text)) or (
        len(item.text) <= SHORT_LINE and item.text.endswith(":") and not item.kind
    )


def _assign(items: list[_Item]) -> None:
    """Give every item a role; questions get theirs first, then the rest by position."""
    candidates = [i for i, item in enumerate(items) if _is_candidate(item)]
    if not candidates:
        # A form of bulleted statements, with no number and no "?": the bullets.
        candidates = [i for i, item in enumerate(items) if item.kind == "bullet"]
    # The first title-like paragraph (before any question) is the title, never a question.
    title_index = _title_index(items, candidates)
    candidates = _after_lead_in(items, [i for i in candidates if i != title_index])
    if not candidates:
        return
    # Identification fields above the questions ("Organisation : ____"): never questions.
    is_candidate = set(candidates)
    for i, item in enumerate(items):
        if i == title_index or item.role is not None:
            continue
        if _is_field(item):
            item.role = "field"
        elif i in is_candidate:
            break
    candidates = [i for i in candidates if items[i].role is None]
    if not candidates:
        return
    # The free last question ("Autres commentaires", "Any other comments") after the
    # others, numbered or not, "?" or not: a question, not the closing.
    free = next((i for i in range(candidates[-1] + 1, len(items))
                 if _is_free_comment(items[i]) and items[i].role in (None, "instruction")), None)
    if free is not None:
        items[free].role = None
        candidates.append(free)
    # The questions' own numbering (kind, level), if they are numbered or bulleted.
    key = _question_numbering([items[i] for i in candidates])
    if key is not None:
        # Numbered lines above the questions' level ("1. La coopération" over "1.1 …?",
        # or over lettered questions "a) … ?") head sections.
        for i in candidates:
            item = items[i]
            if item.kind and not item.ends_with_question_mark and (
                item.level < key[1] or (key[0] == "letter" and item.kind == "digit")
            ):
                item.role = "section"
        candidates = [i for i in candidates if items[i].role is None]
        # Items of the questions' own list after the first question are questions too,
        # "?" or not ("Décrivez votre projet." in a bulleted list of questions).
        first_of_list = min(i for i in candidates if (items[i].kind, items[i].level) == key)
        more = [i for i, item in enumerate(items) if i > first_of_list
                and (item.kind, item.level) == key and item.role is None
                and not item.label_only]
        candidates = sorted({*candidates, *more})

    current_question: int | None = None
    is_candidate = set(candidates)
    # The free last question is never a sub-point of the one before it.
    free_comment = candidates[-1] if _is_free_comment(items[candidates[-1]]) else None
    for i, item in enumerate(items):
        if i == title_index:
            item.role = "title"
            continue
        if i in is_candidate:
            is_sub = (
                current_question is not None
                and key is not None
                and not item.table_question
                and i != free_comment
                and _follows(items, current_question, i)
                and (
                    (item.kind != "" and (item.kind, item.level) != key)
                    # "Si oui, lesquels ?" under a numbered question: part of it.
                    or (item.kind == "" and bool(_FOLLOW_UP.match(item.text)))
                )
            )
            if is_sub:
                item.role = "subpoint"
                continue
            item.role = "question"
            current_question = i
            continue
        if current_question is None or item.role is not None:
            continue
        # Between or after the questions: what the form prints around them.
        if item.label_only or item.is_heading or _SECTION.match(item.text) or (
            item.kind == "roman" and item.typed
        ):
            item.role = "section"
        elif item.kind and _follows(items, current_question, i):
            item.role = "subpoint"
        elif _is_instruction(item):
            item.role = "instruction"
        elif _is_note(item):
            item.role = "note"
        elif _is_section(item):
            item.role = "section"
        else:
            item.role = "note"


def _question_numbering(candidates: list[_Item]) -> tuple[str, int] | None:
    """The questions' own numbering (kind, level): of the numbered candidates, the list
    with the most lines ending in "?" (the first one on a tie)."""
    counts: dict[tuple[str, int], int] = {}
    for item in candidates:
        if item.kind:
            key = (item.kind, item.level)
            counts[key] = counts.get(key, 0) + item.ends_with_question_mark
    if not counts:
        return None
    # Numbers over letters: "4. Regarding your partnerships:" then "(a) how many…?",
    # "(b) which…?" are one question and its sub-questions, however many of the
    # letters end with "?". The letters are the questions only where nothing is numbered
    # before them.
    first_at: dict[tuple[str, int], int] = {}
    for index, item in enumerate(candidates):
        if item.kind:
            first_at.setdefault((item.kind, item.level), index)
    # Only when numbered lines are questions themselves (one ends with "?"): numbered
    # section titles over lettered questions ("1. La coopération", "a) … ?") stay so.
    digits = [key for key in counts if key[0] == "digit" and counts[key]]
    if digits:
        shallowest = min(digits, key=lambda key: (key[1], first_at[key]))
        if any(key[0] == "letter" and first_at[key] > first_at[shallowest]
               for key in counts) and sum(
                   1 for item in candidates if (item.kind, item.level) == shallowest) >= 2:
            counts = {key: count for key, count in counts.items()
                      if not (key[0] == "letter" and first_at[key] > first_at[shallowest])}
    best = max(counts.values())
    return next(key for key, count in counts.items() if count == best)


def _after_lead_in(items: list[_Item], candidates: list[int]) -> list[int]:
    """Drop the introduction's rhetorical questions ("Comment agir ?" in plain text, no
    number, no room for an answer) when a lead-in ("… aux questions suivantes :") stands
    between them and the questions."""
    for index, item in enumerate(items):
        if index in candidates or not (
            item.text.endswith(":") and _LEAD_IN_STRICT.search(item.text)
        ):
            continue
        before = [i for i in candidates if i < index]
        if len(before) == len(candidates):
            break
        if all(_rhetorical(items[i]) for i in before):
            return [i for i in candidates if i > index]
        break
    return candidates


def _rhetorical(item: _Item) -> bool:
    return not (item.kind or item.table_question or item.block.bold or item.is_heading
                or item.gap_after >= ANSWER_SPACE)


def _follows(items: list[_Item], question: int, index: int) -> bool:
    """Whether only the question's own sub-points, notes and instructions stand between."""
    return all(
        items[k].role in ("subpoint", "note", "instruction") for k in range(question + 1, index)
    )


def _title_index(items: list[_Item], candidates: list[int]) -> int | None:
    first_question = candidates[0] if candidates else len(items)
    for i, item in enumerate(items[:first_question + 1]):
        if item.is_title_style:
            return i
    if items and not items[0].kind and not items[0].table_question and (
        first_question > 0 or items[0].is_heading or items[0].block.bold
    ):
        return 0
    return None


# --------------------------------------------------------------------------- assembly


def _signature(item: _Item) -> tuple[str, bool, bool]:
    """How a question is laid out: its numbering kind, in a table, emphasised."""
    return (item.kind, item.table_question, item.block.bold or item.is_heading)


def _confidence(item: _Item, signatures: list[tuple[str, bool, bool]]) -> float:
    """0-1 from independent signals; a question laid out unlike the others is less sure."""
    score = 0.5
    if item.kind in ("digit", "letter"):
        score += 0.3
        item.reasons.append("numéro tapé" if item.typed else "liste numérotée")
    elif item.kind == "bullet":
        score += 0.2
        item.reasons.append("liste à puces")
    if item.ends_with_question_mark:
        score += 0.3
        item.reasons.append("finit par « ? »")
    if item.table_question:
        score += 0.3
        if not item.ends_with_question_mark and len(item.text) <= SHORT_FIELD:
            score -= 0.3
            item.reasons.append("texte court : un champ à remplir (nom, date…) ?")
    if item.block.bold or item.is_heading:
        score += 0.1
        item.reasons.append("titre" if item.is_heading else "en gras")
    if item.gap_after >= ANSWER_SPACE:
        score += 0.1
        item.reasons.append("lignes vides pour la réponse")
    free = _is_free_comment(item)
    if free:
        score += 0.3
        item.reasons.append("question libre de fin (« Autres commentaires »)")
    if len(signatures) > 1:
        dominant = max(set(signatures), key=signatures.count)
        if _signature(item) == dominant:
            score += 0.1
        elif len(signatures) > 2 and not free:
            score -= 0.2
            item.reasons.append("présentée autrement que les autres questions")
    return round(min(max(score, 0.1), 0.99), 2)


def derive_questionnaire(
    blocks: Sequence[Block], *, name: str, owner: Sequence[str] = ()
) -> Derived:
    """The questionnaire of a blank form, from its blocks. `name` (the file's name) gives
    the questionnaire's id and is used in messages; `owner` are the sender's names (the
    form's page header, its Company property), never to be taken for a respondent's.
    Raises `FormError` (French) when no question, or more than `MAX_QUESTIONS`, is found."""
    items = _items(blocks)
    _assign(items)
    questions_at = [i for i, item in enumerate(items) if item.role == "question"]
    if not questions_at:
        raise FormError(
            f"Aucune question trouvée dans « {name} ». L’outil reconnaît les questions "
            "numérotées (liste Word ou « 1. », « Q1 », « Question 1 : »), celles qui finissent "
            "par « ? » et les lignes d’un tableau à deux colonnes dont la seconde est vide : "
            "mettez le formulaire sous l’une de ces formes, ou écrivez le fichier TOML à la "
            "main (voir docs/questionnaire-format.md)."
        )
    if len(questions_at) > MAX_QUESTIONS:
        raise FormError(
            f"« {name} » semble contenir {len(questions_at)} questions, plus que les "
            f"{MAX_QUESTIONS} que l’outil accepte : vérifiez qu’il s’agit bien du formulaire "
            "vierge, ou écrivez le fichier TOML à la main (voir docs/questionnaire-format.md)."
        )
    first, last = questions_at[0], questions_at[-1]

    # The closing starts at the first paragraph after the last question that is not one
    # of its sub-points, notes or instructions by its form (italic, "Oui / Non", "a)").
    closing_at = len(items)
    for k in range(last + 1, len(items)):
        item = items[k]
        # Only explicit instructions ("Oui / Non", "Précisions :") stay with the last
        # question: "Nom :", "Date :", "Signature :" after it belong to the closing.
        # A note stands right under its question: an italic line after the room left
        # for the last answer is the closing ("Le réseau publiera les réponses…").
        if item.role == "subpoint" or (
            item.role == "instruction"
            and (_INSTRUCTION.match(item.text) or item.block.cell is not None)
        ) or (item.role == "note" and (item.block.italic or _NOTE.match(item.text))
              and items[k - 1].gap_after < ANSWER_SPACE):
            continue
        closing_at = k
        break

    title = ""
    head: list[_Item] = []
    fields: list[str] = []
    for item in items[:first]:
        if item.role == "title" and not title:
            title = item.block.text.strip()
        elif item.role == "field":
            fields.append(item.block.text.strip())
        else:
            head.append(item)
    # Headings just above the first question (and a table's header row) open it.
    first_section: list[str] = []
    while head and (head[-1].role == "section" or _is_section(head[-1])):
        first_section.insert(0, head.pop().block.text.strip())
    intro = [item.block.text.strip() for item in head]
    lead_in = ""
    if intro and (intro[-1].endswith(":") or _LEAD_IN.search(intro[-1])):
        lead_in = intro.pop()
    if not title:
        title = intro.pop(0) if intro else Path(name).stem
    head_parts = [Part("title", title), *(Part("intro", t) for t in intro),
                  *(Part("field", t) for t in fields)]
    if lead_in:
        head_parts.append(Part("lead_in", lead_in))

    signatures = [_signature(items[i]) for i in questions_at]
    from cuf_extract.text import normalise

    wordings = [normalise(items[i].text) for i in questions_at]
    questions: list[FormQuestion] = []
    body_parts: list[Part] = []
    pending_section: list[str] = first_section
    ids = iter(_question_ids([items[i] for i in questions_at]))
    current: dict[str, object] | None = None

    def flush() -> None:
        if current is not None:
            questions.append(FormQuestion.model_validate(current))

    for item in items[first:closing_at]:
        if item.role == "question":
            flush()
            qid = next(ids)
            body_parts.extend(Part("section", text, question=qid) for text in pending_section)
            confidence = _confidence(item, signatures)
            if wordings.count(normalise(item.text)) > 1:
                # Replies are read by wording: two questions worded alike get mixed up.
                confidence = min(confidence, 0.5)
                item.reasons.append("même texte qu’une autre question : à reformuler")
            body_parts.append(Part("question", item.text, question=qid, confidence=confidence,
                                   reasons=tuple(item.reasons)))
            current = {"id": qid, "text": item.text, "section": "\n".join(pending_section),
                       "subpoints": [], "notes": [], "instructions": []}
            pending_section = []
            continue
        assert current is not None
        text = item.block.text.strip() if item.role == "subpoint" else item.text
        if item.role == "section":
            pending_section.append(item.block.text.strip())
            continue
        role: PartKind = item.role if item.role in ("subpoint", "instruction") else "note"
        key = {"subpoint": "subpoints", "instruction": "instructions"}.get(role, "notes")
        list_of = current[key]
        assert isinstance(list_of, list)
        list_of.append(_with_label(item, text) if role == "subpoint" else text)
        body_parts.append(Part(role, list_of[-1], question=str(current["id"])))
    flush()

    closing_items = [item.block.text.strip() for item in items[closing_at:]]
    if pending_section:  # headings after the last question belong to the closing
        closing_items = pending_section + closing_items
    contact_at = next((k for k, text in enumerate(closing_items) if _CONTACT.match(text)),
                      len(closing_items))
    closing, contact = closing_items[:contact_at], closing_items[contact_at:]
    tail_parts = [Part("closing", t) for t in closing] + [Part("contact", t) for t in contact]

    questionnaire = Questionnaire(
        format_version=FORMAT_VERSION,
        id=_identifier(name),
        owner=tuple(dict.fromkeys(o for o in owner if o.strip())),
        title=title,
        intro=tuple(intro),
        lead_in=lead_in,
        fields=tuple(fields),
        questions=tuple(questions),
        closing=tuple(closing),
        contact=tuple(contact),
    )
    return Derived(questionnaire=questionnaire, parts=(*head_parts, *body_parts, *tail_parts))


_EXTRA_SUFFIXES = ("bis", "ter", "quater")


def _question_ids(questions: Sequence[_Item]) -> list[str]:
    """Each question's id: "Q" and the number printed on the form ("Q4" for "4. …",
    "Q1.2" for "1.2 …"), so that a column never holds another question's answers when
    the form skips a number or prints sub-questions; an unnumbered question after
    printed number N (the free last question) is "Q<N+1>", or "Q<N>bis" when that
    number is printed elsewhere. When the printed numbers repeat or go down (a list
    restarting in each section), or nothing is numbered, the questions are counted."""
    numbers = [q.number for q in questions]
    printed = [n for n in numbers if n]

    def order(number: str) -> tuple[int, ...]:
        return tuple(int(part) for part in number.split(".") if part.isdigit())

    keys = [order(n) for n in printed]
    if not printed or len(set(keys)) != len(keys) or keys != sorted(keys):
        return [f"Q{n}" for n in range(1, len(questions) + 1)]
    ids: list[str] = []
    taken = {f"Q{n}" for n in printed}
    previous: str | None = None
    extra = 0
    for number in numbers:
        if number:
            ids.append(f"Q{number}")
            previous, extra = number, 0
            continue
        key = order(previous) if previous else (-1,)  # "Q0" before the first number
        candidate = f"Q{'.'.join(map(str, (*key[:-1], key[-1] + 1)))}"
        if candidate in taken or candidate in ids:
            if extra >= len(_EXTRA_SUFFIXES):
                return [f"Q{n}" for n in range(1, len(questions) + 1)]
            candidate = f"Q{previous or 0}{_EXTRA_SUFFIXES[extra]}"
            extra += 1
        ids.append(candidate)
        taken.add(candidate)
    return ids


def _with_label(item: _Item, text: str) -> str:
    """A sub-point as printed: Word's own label is not in the text, so it is put back
    ("a) la jeunesse") for staff to read; matching ignores such labels anyway."""
    label = item.block.list_label
    if label and label != "-" and not item.typed:
        return f"{label} {text}"
    return text


def _identifier(name: str) -> str:
    stem = Path(name).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.casefold()).strip("-")
    return slug or "questionnaire"


# --------------------------------------------------------------------------- files

FORM_CACHE_FOLDER = Path(".cuf-extract") / "questionnaires"
TOML_SUFFIXES = frozenset({".toml"})


@dataclass(frozen=True, slots=True)
class FormFile:
    blocks: Sequence[Block]
    sha256: str
    owner: tuple[str, ...]  # the form's page header lines and Company: the sender


def read_form(path: Path) -> FormFile:
    """The blocks of the blank form at `path` (.docx, or .odt/.doc/.rtf converted by
    LibreOffice), the SHA-256 of its bytes and its sender's names. Raises `FormError`
    in French."""
    from cuf_extract.convert import Converter
    from cuf_extract.inputs import CONVERTIBLE_KINDS, FileKind
    from cuf_extract.reading import read_document_file

    with Converter() as converter:
        read = read_document_file(path, converter, formatting=True,
                                  kinds={FileKind.DOCX, FileKind.ZIP, *CONVERTIBLE_KINDS})
    if read.kind is FileKind.MISSING:
        raise FormError(f"Le formulaire « {path} » n’existe pas : vérifiez son nom et son dossier.")
    if read.error is not None or read.sha256 is None:
        # The reply catalogue's diagnosis, without its advice (meant for replies).
        what = (read.error.message.split(" : ", 1)[0].rstrip(".") if read.error
                else f"« {path.name} » n’a pas pu être lu")
        raise FormError(
            f"Formulaire illisible : {what}. Donnez le formulaire vierge de la campagne "
            "(.docx, .odt ou .doc, tel qu’il a été envoyé aux destinataires) ou son "
            "questionnaire en .toml (commande « cuf-extract questionnaire »).")
    document = read.documents[0].document
    sha = read.sha256
    owner = [line.strip() for header in document.headers for line in header.split("\n")[:1]
             if 0 < len(line.strip()) <= 120]
    if document.properties.company:
        owner.append(document.properties.company)
    return FormFile(document.blocks, sha, tuple(owner))


def derive_from_file(path: Path) -> Derived:
    form = read_form(path)
    return derive_questionnaire(form.blocks, name=path.name, owner=form.owner)


def load_form(path: Path, cache_folder: Path | None) -> Questionnaire:
    """The questionnaire of `path`: a TOML file as written, or a blank form derived on
    the fly and cached in `cache_folder` by the form's hash (and the tool's code)."""
    from cuf_extract.questionnaire import dump_questionnaire, load_questionnaire

    if path.suffix.casefold() in TOML_SUFFIXES:
        return load_questionnaire(path)
    form = read_form(path)
    entry: Path | None = None
    if cache_folder is not None:
        from cuf_extract.cache import code_fingerprint

        key = hashlib.sha256(
            f"{form.sha256}:{path.name}:{code_fingerprint()}".encode()).hexdigest()
        entry = cache_folder / f"{key[:24]}.toml"
        if entry.is_file():
            try:
                return load_questionnaire(entry)
            except QuestionnaireError:
                pass  # a damaged entry: derive again
    questionnaire = derive_questionnaire(form.blocks, name=path.name,
                                         owner=form.owner).questionnaire
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            temp = entry.with_name(entry.name + ".tmp")
            temp.write_text(dump_questionnaire(questionnaire), encoding="utf-8")
            temp.replace(entry)
        except OSError:
            pass  # the cache is an optimisation only
    return questionnaire


def campaign_questionnaire(path: Path | None, cache_base: Path
                           ) -> tuple[Questionnaire, list[str]]:
    """The questionnaire `--questionnaire` names: the bundled one (None), a TOML file, or
    a blank form's, derived and cached in `cache_base`/.cuf-extract/questionnaires by the
    form's hash. A TOML beside the form that says something else than the form (edited
    by hand?) is not used: the warning (French) says so and how to use it.
    Raises `QuestionnaireError` (French)."""
    from cuf_extract.questionnaire import QuestionnaireError, load_questionnaire

    if path is None or path.suffix.casefold() == ".toml":
        return load_questionnaire(path), []
    derived = load_form(path, cache_base.absolute() / FORM_CACHE_FOLDER)
    beside = path.with_suffix(".toml")
    try:
        corrected = beside.is_file() and load_questionnaire(beside) != derived
    except QuestionnaireError:
        corrected = True
    if not corrected:
        return derived, []
    return derived, [f"« {beside} » ne correspond pas à ce que l’outil lit dans « {path.name} » "
                     "(corrigé à la main ?) ; il n’est pas utilisé. Pour l’utiliser : "
                     f"--questionnaire {beside}"]
