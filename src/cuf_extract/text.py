"""What "the same text" and "the same organisation" mean, for every command.

A leaf module (it imports nothing of the package): the reader, locate, positions,
checks, recipients, the publication and the writers all compare and clean text here,
so two commands never disagree on whether two names are one.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "ARTICLES",
    "EXCEL_CELL_LIMIT",
    "INVALID_CHARACTERS",
    "REPLACEMENT_CHARACTER",
    "cell_text",
    "clean_text",
    "fits_a_cell",
    "fold",
    "name_words",
    "normalise",
    "organisation_key",
    "utf16_length",
]

# Curly and look-alike apostrophes as "'", and the ligatures French writes both ways
# (« Œuvre », « Oeuvre »). Applied before the accents are stripped.
_FOLDED_PAIRS = (("’", "'"), ("‘", "'"), ("`", "'"), ("ʼ", "'"), ("´", "'"),
                 ("œ", "oe"), ("æ", "ae"))
_FOLDED = str.maketrans(dict(_FOLDED_PAIRS))
_NON_WORD = re.compile(r"[\W_]+")
# The leading article a name may carry or not: « Les Écologistes » is « Écologistes ».
ARTICLES = frozenset({"le", "la", "les", "l"})


# The accents NFKD splits off Latin letters; other combining marks are rare and are
# looked for only when a text still holds characters outside ASCII.
_DIACRITICS = re.compile("[\u0300-\u034e\u0350-\u036f]+")  # U+034F is not one


def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, « œ » as « oe »: the key of French
    comparisons. Keeps every other character (punctuation, spaces) as it is."""
    if text.isascii():  # most text: nothing to decompose (and casefold is lower)
        folded = text.lower()
        return folded.translate(_FOLDED) if "`" in folded else folded
    # str.translate and a filter per character cost ten times the rest on a French
    # paragraph: the few characters to replace are replaced one by one, the accents by
    # one regular expression.
    folded = text.casefold()
    for character, replacement in _FOLDED_PAIRS:
        if character in folded:
            folded = folded.replace(character, replacement)
    decomposed = _DIACRITICS.sub("", unicodedata.normalize("NFKD", folded))
    if decomposed.isascii() or not any(
            unicodedata.combining(c) for c in set(decomposed) if not c.isascii()):
        return decomposed
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Text reduced to lower-case letters and digits separated by single spaces.

    Cached: every reply repeats the form's own paragraphs (title, introduction,
    questions, closing), which the locator normalises in each of them."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def name_words(text: str) -> list[str]:
    """A name's words, folded, punctuation as spaces, « & » as « et »:
    « L'Union & Co » → ["l", "union", "et", "co"]."""
    return _NON_WORD.sub(" ", fold(text).replace("&", " et ")).split()


def organisation_key(name: str) -> str:
    """Two names with the same key are one organisation, for every command (the
    `same_respondent` check, the publication's one reply per organisation, the list of
    recipients): case, accents, punctuation, hyphens, spacing and one leading article
    do not count. « Les Écologistes », « les ecologistes », « Écologistes » are one;
    « PS » and « Parti socialiste » are two (an acronym is only known as a name's when
    someone says so, as the recipients list's aliases do)."""
    words = name_words(name)
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


REPLACEMENT_CHARACTER = "\ufffd"

# Characters XML 1.0 cannot hold (and that UTF-8 cannot encode: lone surrogates).
# Tab, LF and CR are allowed. A Python str never holds a valid surrogate pair, so
# every code point in U+D800..U+DFFF is a lone surrogate.
INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> tuple[str, bool]:
    """Replace characters XML 1.0 cannot hold by U+FFFD; say whether any was replaced."""
    cleaned, count = INVALID_CHARACTERS.subn(REPLACEMENT_CHARACTER, text)
    return cleaned, count > 0


# What one Excel cell holds, counted as Excel counts: UTF-16 code units (an emoji is 2).
# The extraction's `answer_too_long` warning and the workbook's cut use this one rule.
EXCEL_CELL_LIMIT = 32_767

# Excel reads "_xHHHH_" in a string as the character U+HHHH; a literal one is written
# with its underscore escaped as "_x005F_" (ECMA-376 ST_Xstring).
_OOXML_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cell_text(text: str) -> tuple[str, bool]:
    """`text` as a workbook cell stores it: characters XML cannot hold as U+FFFD (and
    whether there were any), a literal "_xHHHH_" escaped. Not cut: see `fits_a_cell`."""
    cleaned, replaced = clean_text(text)
    return _OOXML_ESCAPE.sub("_x005F_", cleaned), replaced


def fits_a_cell(text: str) -> bool:
    """Whether `text` (as `cell_text` returns it) fits in one Excel cell uncut."""
    # A character is at most 2 UTF-16 code units (an escaped "_xHHHH_" grows from 7 to
    # 12): most texts need no encoding to know.
    return 2 * len(text) <= EXCEL_CELL_LIMIT or utf16_length(text) <= EXCEL_CELL_LIMIT
