"""What an organisation's name looks like, and the acronyms parties go by.

Shared by `respondent` (is this line a name?), `signature` (is this line of a
signature the organisation?) and `recipients` (could this acronym be that name's?).
Pure; imports only `text`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cuf_extract.text import ARTICLES, name_words, normalise, organisation_key

# Small words that do not name anything on their own ("Réponse du PS" -> "PS").
_STOP_WORDS = frozenset(
    {"de", "du", "des", "d", "la", "le", "les", "l", "a", "à", "au", "aux", "et", "pour",
     "par", "en", "notre", "nos", "votre", "vos", "the", "of", "and"}
)
# Words that make a phrase an organisation's name, even written in lower case.
_ORGANISATION_WORDS = frozenset(
    {"parti", "partis", "groupe", "mouvement", "union", "federation", "confederation",
     "rassemblement", "alliance", "front", "association", "collectif", "generation",
     "generations", "comite", "coordination", "ligue", "centre", "ecologistes", "ecologie",
     "republicains", "socialiste", "socialistes", "communiste", "radical", "democrates",
     "insoumise", "citoyens", "citoyen", "territoires", "europe", "europeen", "europeenne"}
)
# The acronyms of French parties, in their usual spelling (matched without case).
KNOWN_ACRONYMS = {
    a.casefold(): a
    for a in ("PS", "LR", "EELV", "PCF", "UDI", "RN", "FN", "LFI", "FI", "MoDem", "PRG", "NPA",
              "LO", "DLF", "UPR", "LREM", "LaREM", "EM", "PG", "MRC", "PP", "UDF", "UMP", "CPNT")
}
# An acronym not in the list: 2 to 6 letters, at least two of them capitals ("MoDem").
_ACRONYM = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Za-z]{1,5}$")
# Words a name may carry or not when matched against a list of recipients.
GENERIC_WORDS = frozenset({"parti", "partis", "groupe", "mouvement"})
PARTICLES = frozenset({"de", "des", "du", "d"})
SMALL_WORDS = ARTICLES | PARTICLES | {"et", "en", "pour", "a", "au", "aux"}


def looks_like_organisation(text: str) -> bool:
    """Whether `text` reads as an organisation's name or acronym (used for signatures)."""
    return organisation_like(text.split(), capitalised_ok=False) is not None


def organisation_like(words: Sequence[str], *, capitalised_ok: bool = True) -> str | None:
    """`words` joined, with dangling small words trimmed, when they look like an
    organisation: a known or capitalised acronym, a name with an organisation word
    ("Parti", "Groupe", "Union"…), or (when `capitalised_ok`) capitalised words."""
    words = list(words)
    # "du PS" -> "PS", but "Les Républicains" and "Parti A" keep their capitals.
    while words and words[0][:1].islower() and words[0].casefold().strip("'’") in _STOP_WORDS:
        words.pop(0)
    while words and words[-1][:1].islower() and words[-1].casefold().strip("'’") in _STOP_WORDS:
        words.pop()
    if not words:
        return None
    significant = [w for w in words if w.casefold() not in _STOP_WORDS]
    if all(w.casefold() in KNOWN_ACRONYMS for w in significant):
        return " ".join(KNOWN_ACRONYMS.get(w.casefold(), w) for w in words)
    if all(_ACRONYM.match(w) for w in significant):
        return " ".join(words)
    if any(normalise(w) in _ORGANISATION_WORDS for w in significant):
        return " ".join(words)
    if capitalised_ok and all(w[:1].isupper() for w in significant) and (
        len(significant) >= 2 or len(significant[0]) >= 4
    ):
        return " ".join(words)
    return None


def acronym(text: str) -> str | None:
    """« EELV », « P.S. » → "eelv", "ps"; None when the text is not one short word."""
    stripped = text.strip()
    letters = re.sub(r"[.\s]", "", stripped)
    if not 2 <= len(letters) <= 8 or not letters.isalpha() or " " in stripped.strip("."):
        return None
    return organisation_key(letters)


def initials(text: str) -> set[str]:
    """The acronyms a name could have: every word, without small words, without the
    leading article. « La France insoumise » → {"lfi", "fi"}."""
    words = name_words(text)
    variants = [words, [w for w in words if w not in SMALL_WORDS],
                words[1:] if words and words[0] in ARTICLES else words]
    return {"".join(w[0] for w in v) for v in variants if len(v) >= 2}
