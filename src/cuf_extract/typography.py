"""French typography for the text the tool writes itself.

One rule, everywhere (terminal, workbook, report, publication): a no-break space
U+00A0 inside « » and before : ; ? !, and the typographic apostrophe ’. The narrow
no-break space U+202F that the Imprimerie nationale asks for before ; ? ! is not used:
Windows consoles in their legacy code pages (cp850, cp1252) have no U+202F and would show
a « ? » in its place, while U+00A0 is in every one of them, and every font has it.

`french` is for the tool's own sentences, before any respondent's text is put in them
(an answer is published as typed, never retouched): format the sentence with
placeholders, or quote the respondent's text with `quoted`.
"""

from __future__ import annotations

import re

__all__ = ["APOSTROPHE", "NBSP", "french", "plural", "quoted", "violations"]

NBSP = "\u00a0"
APOSTROPHE = "\u2019"

_SPACE_BEFORE = re.compile(r"[ \u202f]+(?=[:;?!»])")  # « mot : » → « mot\u00a0: »
_SPACE_AFTER = re.compile(r"(?<=«)[ \u202f]+")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# What `violations` reports: an ordinary (or narrow) space where a no-break one is due,
# a punctuation mark glued to a word where French wants a space, a straight apostrophe.
_BAD = (
    (re.compile(r"[ \u202f][:;?!»]"), "espace ordinaire avant la ponctuation"),
    (re.compile(r"«[ \u202f]"), "espace ordinaire après «"),
    (re.compile(r"«(?=[^\s\u00a0])|(?<=[^\s\u00a0])»"), "guillemet sans espace"),
    (re.compile(r"(?<=\w)'(?=\w)"), "apostrophe droite"),
)


def french(text: str) -> str:
    """`text` (the tool's own French) with no-break spaces and typographic apostrophes.

    Only spaces already there are made unbreakable: « 08:50 » and « https:// » keep
    their colon as it is.
    """
    text = _SPACE_BEFORE.sub(NBSP, text)
    text = _SPACE_AFTER.sub(NBSP, text)
    return _APOSTROPHE.sub(APOSTROPHE, text)


def quoted(text: str) -> str:
    """« text », its quotes held to it by no-break spaces; `text` itself is kept as is."""
    return f"«{NBSP}{text}{NBSP}»"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 fichier », « 0 fichier », « 3 fichiers » (French: 0 and 1 take the singular).

    `plural_form` for the irregular ones (« 2 nouveaux »); by default an s is added to
    every word of `singular` (« fichier inchangé » → « fichiers inchangés »).
    """
    if abs(count) < 2:
        word = singular
    elif plural_form is not None:
        word = plural_form
    else:
        word = " ".join(w if w.endswith(("s", "x", "z")) else f"{w}s" for w in singular.split())
    return f"{count}{NBSP}{word}" if word[:1].isalpha() else f"{count}{word}"


def violations(text: str) -> list[str]:
    """What in `text` breaks the rule above, in French (empty when it is right)."""
    found = []
    for pattern, what in _BAD:
        for match in pattern.finditer(text):
            start = max(match.start() - 15, 0)
            found.append(f"{what}\u00a0: …{text[start:match.end() + 15]}…")
    return found
