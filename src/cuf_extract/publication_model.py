"""The publication as data: what `publication.build_publication` makes of the campaign
workbook and what its two writers (`writers/publication_docx.py`,
`writers/publication_html.py`) lay out, with the text rules they share: an answer cell
parsed into paragraphs and (nested) lists, the French long date, the lines under the
title. Pure: no file is read or written here, and neither writer imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cuf_extract.models import Position, Question
from cuf_extract.text import fold
from cuf_extract.typography import french

__all__ = [
    "FREE_FORMAT_HEADING",
    "FREE_FORMAT_NOTE",
    "NO_ANSWER",
    "NOT_REPLIED_HEADING",
    "SYNTHESIS_HEADING",
    "SYNTHESIS_NOTE",
    "AnswerBlock",
    "Entry",
    "Flag",
    "LeftOut",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "Publication",
    "SynthesisLine",
    "french_long_date",
    "intro_lines",
    "one_line_title",
    "parse_answer",
    "question_heading",
    "sort_key",
    "synthesis_cells",
    "synthesis_header",
]

NO_ANSWER = "Pas de réponse à cette question."
NOT_REPLIED_HEADING = french("Organisations sollicitées n’ayant pas répondu")
FREE_FORMAT_HEADING = "Réponses reçues en format libre"
FREE_FORMAT_NOTE = french("Ces organisations ont répondu par un texte libre (une lettre, "
                          "par exemple) plutôt que question par question : leur réponse "
                          "est publiée en entier, telle qu’elle a été reçue.")
SYNTHESIS_HEADING = "Synthèse des positions"
SYNTHESIS_NOTE = french("Positions confirmées par Cités Unies France à la lecture des "
                        "réponses ; « à confirmer » : pas encore relue.")

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")

# A list line as the extraction writes it ("{indent}{label} {text}", see locate._format)
# or as a respondent typed it: a bullet, or a number or letter followed by "." or ")".
# A capital letter followed by "." is not a list ("M. le maire").
_BULLET = r"[-•–—*◦▪▫·‣⁃]"
_NUMBER = (r"\d{1,3}(?:\.\d{1,3})*[.)]|\(\d{1,3}\)|[a-z][.)]|[A-Z]\)"
           r"|[ivxlc]{1,7}[.)]|[IVXLC]{1,7}\)")
_LIST_LINE = re.compile(rf"^(?P<indent>[ \t]*)(?:(?P<bullet>{_BULLET})|(?P<number>{_NUMBER}))"
                        r"[ \t\u00a0]+(?P<text>\S.*)$")
_SPACES = re.compile(r"[ \t\r\f\v]+")  # not U+00A0: French typography uses it on purpose


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ListItem:
    text: str
    children: tuple[ListBlock, ...] = ()


@dataclass(frozen=True)
class ListBlock:
    """One list as typed: bulleted, or numbered starting at `start`."""

    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


AnswerBlock = Paragraph | ListBlock


@dataclass(frozen=True)
class Entry:
    """One organisation's published reply."""

    organisation: str  # as shown: the corrected name, else the extracted one, else the file
    file: str
    answers: Mapping[str, tuple[AnswerBlock, ...]]  # by question id; () when unanswered
    named_by_file: bool = False
    # A reply in « format libre » (no answer in any question column, text outside them):
    # published whole, in its own section, and under no question.
    free_text: tuple[AnswerBlock, ...] = ()
    read_as: str = ""  # the name as read, when `organisation` is the tool's proposal

    @property
    def free_format(self) -> bool:
        return bool(self.free_text)


@dataclass(frozen=True)
class LeftOut:
    """A row of the workbook that is not published, and why (in French)."""

    file: str
    organisation: str
    reason: str


@dataclass(frozen=True)
class Flag:
    """Something the staff should look at (the command then exits with code 1)."""

    file: str
    message: str


@dataclass(frozen=True)
class SynthesisLine:
    """One question's positions among the published replies: only those the staff
    confirmed are counted by position; automatic ones are « à confirmer »."""

    question: Question
    confirmed: Mapping[Position, int]
    to_confirm: int
    no_position: int  # no answer, and no position typed

    @property
    def total(self) -> int:
        return sum(self.confirmed.values()) + self.to_confirm + self.no_position


def synthesis_header() -> tuple[str, ...]:
    """The synthesis table's column titles."""
    return ("Question", *(p.value.capitalize() for p in Position), "À confirmer",
            "Sans réponse")


def synthesis_cells(line: SynthesisLine) -> tuple[str, ...]:
    """One row of the synthesis table, as text (the question by its id)."""
    return (line.question.id, *(str(line.confirmed[p]) for p in Position),
            str(line.to_confirm), str(line.no_position))


@dataclass(frozen=True)
class Publication:
    title: str  # may hold line breaks, as the questionnaire's title does
    publisher: str
    date: date
    questions: tuple[Question, ...]
    entries: tuple[Entry, ...]  # in French alphabetical order of the organisation
    left_out: tuple[LeftOut, ...] = ()
    flags: tuple[Flag, ...] = ()
    not_replied: tuple[str, ...] = ()
    synthesis: tuple[SynthesisLine, ...] = ()  # empty unless asked for (--synthese)

    @property
    def organisations(self) -> tuple[str, ...]:
        return tuple(entry.organisation for entry in self.entries)

    @property
    def by_question(self) -> tuple[Entry, ...]:
        """The entries published under each question (free-format replies are not)."""
        return tuple(entry for entry in self.entries if not entry.free_format)

    @property
    def free_format(self) -> tuple[Entry, ...]:
        """The replies published whole in « Réponses reçues en format libre »."""
        return tuple(entry for entry in self.entries if entry.free_format)


# --------------------------------------------------------------------------- text helpers


def sort_key(name: str) -> tuple[str, str]:
    """French alphabetical order without a locale: accents and case ignored (« Écologie »
    sorts with E), articles included; ties broken on the name as written."""
    return _SPACES.sub(" ", fold(name)).strip(), name


def french_long_date(day: date) -> str:
    """« 2 décembre 2026 », « 1er mars 2026 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[day.month - 1]} {day.year}"


def _number_of(label: str) -> int:
    """The number a list label stands for: "3." is 3, "c)" is 3; roman numerals and
    anything else count as 1 ("i." and "x." are more often roman than letters)."""
    digits = re.match(r"\(?(\d+)", label)
    if digits:
        return int(digits.group(1))
    letter = label[0].lower()
    return ord(letter) - ord("a") + 1 if len(label) == 2 and letter not in "ix" else 1


@dataclass
class _OpenList:
    level: int
    ordered: bool
    start: int
    items: list[tuple[str, list[_OpenList]]] = field(default_factory=list)

    def freeze(self) -> ListBlock:
        return ListBlock(
            ordered=self.ordered, start=self.start,
            items=tuple(ListItem(text, tuple(child.freeze() for child in children))
                        for text, children in self.items),
        )


def parse_answer(text: str | None) -> tuple[AnswerBlock, ...]:
    """An answer cell as paragraphs and lists.

    Each line is a paragraph, whitespace collapsed; blank lines are dropped. A run of
    list lines (bullet or number, indented two spaces per level as the extraction
    writes them) becomes one list, nested by indentation; a numbered list starts at
    its first item's number, so a list the respondent interrupted with a paragraph
    goes on where it stopped.
    """
    blocks: list[AnswerBlock] = []
    root: list[_OpenList] = []  # the list being read, if any
    stack: list[_OpenList] = []  # its open (sub)lists, outermost first

    def close() -> None:
        if root:
            blocks.append(root.pop().freeze())
        stack.clear()

    for raw in (text or "").splitlines():
        match = _LIST_LINE.match(raw)
        if match is None:
            line = _SPACES.sub(" ", raw).strip()
            if line:
                close()
                blocks.append(Paragraph(line))
            continue
        level = len(match.group("indent").replace("\t", "  ")) // 2
        ordered = match.group("number") is not None
        item = _SPACES.sub(" ", match.group("text")).strip()
        while stack and stack[-1].level > level:
            stack.pop()
        if stack and stack[-1].level == level and stack[-1].ordered != ordered:
            stack.pop()  # a bulleted list followed by a numbered one: two lists
        if stack and stack[-1].level == level:
            stack[-1].items.append((item, []))
            continue
        new = _OpenList(level=level, ordered=ordered,
                        start=_number_of(match.group("number")) if ordered else 1)
        new.items.append((item, []))
        if stack:
            stack[-1].items[-1][1].append(new)
        else:
            close()
            root.append(new)
        stack.append(new)
    close()
    return tuple(blocks)


# --------------------------------------------------------------------------- the writers' lines


def one_line_title(title: str) -> str:
    """The questionnaire's title as one flowing line: its hard line breaks (« … À\n
    L’OCCASION … ») become spaces, so the heading wraps where the page ends; with French
    typography, as the questionnaire's own text (`question_heading`)."""
    return french(" ".join(title.split()))


def question_heading(text: str) -> str:
    """A question as its heading shows it: the questionnaire's wording, with no-break
    spaces before « ? » and « : » (it is Cités Unies France's text, not a reply)."""
    return french(" ".join(text.split()))


def intro_lines(publication: Publication) -> tuple[str, str]:
    """The line under the title and the sentence before the list of organisations."""
    byline = (f"Réponses publiées par {publication.publisher} "
              f"le {french_long_date(publication.date)}")
    count = len(publication.entries)
    if count == 0:
        replied = french("Aucune organisation n’a répondu.")
    elif count == 1:
        replied = "Une organisation a répondu\u00a0:"
    else:
        replied = f"{count}\u00a0organisations ont répondu\u00a0:"
    return byline, replied
