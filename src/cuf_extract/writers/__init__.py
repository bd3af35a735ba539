"""Writers for the three outputs: spreadsheet, HTML validation report, JSON export.

This package module stays light (standard library and the models only): openpyxl is
imported by `cuf_extract.writers.xlsx` alone, so the CLI pays for it only when it
writes a spreadsheet. The French labels shared by the spreadsheet and the report
live here.
"""

from __future__ import annotations

import re

from cuf_extract.models import Issue, IssueCode, RespondentSource, Severity, Status

__all__ = [
    "INVALID_CHARACTERS",
    "ISSUE_LABELS",
    "REPLACEMENT_CHARACTER",
    "SEVERITY_LABELS",
    "SOURCE_LABELS",
    "STATUS_LABELS",
    "clean_text",
    "issue_line",
]

STATUS_LABELS: dict[Status, str] = {
    Status.OK: "OK",
    Status.WARNING: "Avertissement",
    Status.ERROR: "Erreur",
    Status.SKIPPED: "Ignoré",
}

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.INFO: "Info",
    Severity.WARNING: "Avertissement",
    Severity.ERROR: "Erreur",
}

SOURCE_LABELS: dict[RespondentSource, str] = {
    RespondentSource.HEADER: "en-tête du document",
    RespondentSource.LETTERHEAD: "papier à en-tête",
    RespondentSource.PROPERTIES: "propriétés du document",
    RespondentSource.FILE_NAME: "nom du fichier",
}

# Short labels for the one-line-per-issue summary ("Q3 : réponse manquante").
ISSUE_LABELS: dict[IssueCode, str] = {
    IssueCode.QUESTIONS_NOT_FOUND: "questions introuvables",
    IssueCode.QUESTION_MISSING: "question absente du document",
    IssueCode.MISSING_ANSWER: "réponse manquante",
    IssueCode.UNASSIGNED_TEXT: "texte non rattaché à une question",
    IssueCode.ANSWER_TOO_LONG: "réponse très longue",
    IssueCode.DUPLICATE_FILE: "fichier en double",
    IssueCode.SAME_RESPONDENT: "même organisation qu'un autre fichier",
    IssueCode.TRACKED_CHANGES: "modifications suivies",
    IssueCode.COMMENTS: "commentaires",
    IssueCode.EXTRA_TEXT: "texte hors réponses",
    IssueCode.EMBEDDED_CONTENT: "contenu incorporé",
    IssueCode.INVALID_CHARACTERS: "caractères invalides",
    IssueCode.CONVERTED: "fichier converti",
    IssueCode.OWNER_FILE: "fichier temporaire de Word",
    IssueCode.UNREADABLE: "fichier illisible",
    IssueCode.ENCRYPTED: "protégé par mot de passe",
    IssueCode.UNSUPPORTED_FORMAT: "format non pris en charge",
    IssueCode.TOO_LARGE: "fichier trop volumineux",
}

REPLACEMENT_CHARACTER = "\ufffd"

# Characters XML 1.0 cannot hold (and that UTF-8 cannot encode: lone surrogates).
# Tab, LF and CR are allowed. A Python str never holds a valid surrogate pair, so
# every code point in U+D800..U+DFFF is a lone surrogate.
INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> tuple[str, bool]:
    """Replace characters XML 1.0 cannot hold by U+FFFD; say whether any was replaced."""
    cleaned, count = INVALID_CHARACTERS.subn(REPLACEMENT_CHARACTER, text)
    return cleaned, count > 0


def issue_line(issue: Issue) -> str:
    """The short French line for an issue: "Q3 : réponse manquante"."""
    label = ISSUE_LABELS.get(issue.code, issue.code.value)
    return f"{issue.question} : {label}" if issue.question else label
