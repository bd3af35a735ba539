"""A signature typed after the last answer, when the form's closing block is gone.

A reply retyped in its own document often ends with the last answer, then the
signatory's name, title and organisation on short lines ("Pierre Martin", "Secrétaire
national", "Parti …"), without a sign-off formula. Those lines are the signature, not
the end of the answer. Cutting an answer is worse than leaving a signature in it, so
the block is cut only when it clearly is one (a title, or a name with an organisation
or a place and date); a lone name or organisation stays in the answer and is reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from cuf_extract.organisations import looks_like_organisation
from cuf_extract.text import normalise

# Longest line of a signature block, and most lines in one.
MAX_LINE_LENGTH = 80
MAX_LINE_WORDS = 10
MAX_BLOCK_LINES = 6

# A title under a signatory's name: "Secrétaire nationale", "Le Président", "Directrice".
_TITLE = re.compile(
    r"^(?:(?:le|la|l['’]|son|sa)\s*)?(?:premi(?:er|[eè]re)\s+|vice[- ]|co[- ]|ancien(?:ne)?\s+)?"
    r"(?:pr[ée]sidente?|secr[ée]taire|d[ée]l[ée]gu[ée]e?|directeur|directrice|porte[- ]parole|"
    r"tr[ée]sori(?:er|[eè]re)|responsable|coordinat(?:eur|rice)|charg[ée]e?\s+d|"
    r"conseill(?:er|[eè]re)|maire|d[ée]put[ée]e?|s[ée]nat(?:eur|rice)|chef|adjointe?|"
    r"pr[ée]sidence|secr[ée]tariat|bureau\s+national|direction)\b",
    re.IGNORECASE,
)
# "Pierre Martin", "Jean-Pierre DUPONT", "Mme Claire de La Tour", "M. Paul Bernard".
_NAME_WORD = re.compile(
    r"^(?:[A-ZÀ-Ý][a-zà-ÿ]+(?:[-'’][A-ZÀ-Ý][a-zà-ÿ]+)*|[A-ZÀ-Ý]{2,}(?:-[A-ZÀ-Ý]{2,})*)$"
)
_PARTICLES = frozenset({"de", "du", "des", "d'", "d’", "la", "le", "van", "von", "di", "da"})
_CIVILITY = frozenset({"m.", "mme", "mme.", "mlle", "monsieur", "madame", "dr", "dr."})
# "Fait à Paris, le 7 février 2020", "Paris, le 07/02/2020", "Pour le Parti,".
_PLACE_DATE = re.compile(r"^(?:fait\s+)?(?:[àa]\s+)?[A-ZÀ-Ý][\w'’ -]{0,40},\s*le\s+\d")
_FOR = re.compile(r"^pour\s+(?:le|la|l['’]|les)\b", re.IGNORECASE)
# An organisation's name without its article: "La Fédération progressiste".
_ARTICLE = re.compile(r"^(?:le|la|les|l['’])\s*", re.IGNORECASE)
_SENTENCE_END = tuple(".!?;…")


class LineKind(Enum):
    NAME = "name"
    TITLE = "title"
    ORGANISATION = "organisation"
    PLACE_DATE = "place_date"


@dataclass(frozen=True, slots=True)
class Signature:
    """Where a signature block starts among the trailing lines, and how sure that is."""

    start: int  # index in the lines given
    certain: bool
    organisation: str | None = None  # a line of the block naming the organisation


def line_kind(line: str) -> LineKind | None:
    """What a short signature line is, or None when it is not one."""
    text = " ".join(line.split())
    if not text or len(text) > MAX_LINE_LENGTH or len(text.split()) > MAX_LINE_WORDS:
        return None
    if _PLACE_DATE.match(text):
        return LineKind.PLACE_DATE
    if text.endswith(_SENTENCE_END) and not text.endswith(("M.", "Dr.")):
        return None
    text = text.rstrip(",: ")
    if _TITLE.match(text):
        return LineKind.TITLE
    if _FOR.match(text):
        return LineKind.ORGANISATION
    if looks_like_organisation(text):
        return LineKind.ORGANISATION
    if _is_person(text):
        return LineKind.NAME
    return None


def _is_person(text: str) -> bool:
    words = text.split()
    if words and words[0].casefold() in _CIVILITY:
        words = words[1:]
    if not 2 <= len(words) <= 4:
        return False
    if not (_NAME_WORD.match(words[0]) and _NAME_WORD.match(words[-1])):
        return False
    return all(_NAME_WORD.match(w) or w.casefold() in _PARTICLES for w in words[1:-1])


def _signed_for(line: str) -> bool:
    """"Pour le mouvement, Claire Dumas-Péraud": the organisation and the signatory's
    name on one line."""
    text = " ".join(line.split()).rstrip(",: ")
    return bool(_FOR.match(text)) and "," in text and _is_person(
        text.rsplit(",", 1)[1].strip())


def _named_above(line: str, above: str) -> bool:
    """Whether the organisation on `line` is named in `above` (the reply's text before
    its first question: letterhead, title), by two words or more."""
    name = normalise(_ARTICLE.sub("", " ".join(line.split()).rstrip(",: ")))
    return len(name.split()) >= 2 and f" {name} " in f" {normalise(above)} "


def find_signature(lines: Sequence[str], above: str = "") -> Signature | None:
    """The signature block ending `lines` (the last answer's lines), if any.

    Certain when it has a title, or a name with an organisation or a place and date
    (on one line too: "Pour le mouvement, Claire Dumas"), or when it is the name of an
    organisation the reply names in `above` (its text before the first question);
    unsure (to be reported, not cut) when it is a lone name or organisation. The caller
    also keeps a certain block that would leave the answer empty."""
    kinds: list[LineKind] = []
    start = len(lines)
    while start > 0 and len(kinds) < MAX_BLOCK_LINES:
        kind = line_kind(lines[start - 1])
        if kind is None:
            break
        kinds.append(kind)
        start -= 1
    if not kinds:
        return None
    found = set(kinds)
    certain = (
        LineKind.TITLE in found
        or (LineKind.NAME in found and bool(found & {LineKind.ORGANISATION, LineKind.PLACE_DATE}))
    )
    block = lines[start:]
    certain = certain or any(_signed_for(line) for line in block) or (
        found == {LineKind.ORGANISATION} and bool(above)
        and all(_named_above(line, above) for line in block))
    if not certain and found == {LineKind.PLACE_DATE}:
        return None  # a date alone ends many answers ("d'ici le 15 mars")
    organisation = next(
        (" ".join(lines[i].split()).rstrip(",: ") for i in range(start, len(lines))
         if line_kind(lines[i]) is LineKind.ORGANISATION and not _FOR.match(lines[i].strip())),
        None,
    )
    return Signature(start=start, certain=certain, organisation=organisation)
