"""Writers for the three outputs: spreadsheet, HTML validation report, JSON export.

This package module stays light (standard library and the models only): openpyxl is
imported by `cuf_extract.writers.xlsx` alone, so the CLI pays for it only when it
writes a spreadsheet. The French labels shared by the spreadsheet and the report
live here; the workbook's sheet and column titles in `cuf_extract.layout`.
"""

from __future__ import annotations

from cuf_extract.layout import AUTOMATIC_MARK
from cuf_extract.models import (
    ChangeKind,
    Issue,
    IssueCode,
    Position,
    RespondentSource,
    Severity,
    Status,
)
from cuf_extract.text import INVALID_CHARACTERS, REPLACEMENT_CHARACTER, clean_text

__all__ = [
    "CHANGE_LABELS",
    "INVALID_CHARACTERS",
    "ISSUE_LABELS",
    "REPLACEMENT_CHARACTER",
    "SEVERITY_LABELS",
    "SOURCE_LABELS",
    "STATUS_LABELS",
    "clean_text",
    "issue_line",
    "automatic_cell",
    "sender_cell",
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
    RespondentSource.TABLE_HEADER: "en-tête du tableau des réponses",
    RespondentSource.SIGNATURE: "signature",
    RespondentSource.SENDER: "expéditeur du courriel",
    RespondentSource.FORM_FIELD: "champ « Organisation » du formulaire",
}

# Short labels for the one-line-per-issue summary ("Q3 : réponse manquante").
ISSUE_LABELS: dict[IssueCode, str] = {
    IssueCode.QUESTIONS_NOT_FOUND: "questions introuvables",
    IssueCode.QUESTION_MISSING: "question absente du document",
    IssueCode.MISSING_ANSWER: "réponse manquante",
    IssueCode.UNASSIGNED_TEXT: "texte non rattaché à une question",
    IssueCode.ANSWER_TOO_LONG: "réponse très longue",
    IssueCode.DUPLICATE_FILE: "fichier en double",
    IssueCode.MAIL_PART_UNREAD: "partie du courriel non lue",
    IssueCode.SAME_RESPONDENT: "même organisation qu’un autre fichier",
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
    IssueCode.ANSWERED_TWICE: "question répondue deux fois",
    IssueCode.UNKNOWN_SYMBOL: "symbole non reconnu",
    IssueCode.POSSIBLE_SIGNATURE: "signature possible dans une réponse",
    IssueCode.SCANNED_PDF: "PDF scanné, sans texte",
    IssueCode.FROM_PDF: "lu depuis un PDF",
    IssueCode.STRUCK_TEXT: "texte barré lu comme du texte",
    IssueCode.NO_BOX_TICKED: "aucune case cochée",
    IssueCode.OCR: "lu par reconnaissance de caractères",
}

CHANGE_LABELS: dict[ChangeKind, str] = {
    ChangeKind.NEW: "nouveau",
    ChangeKind.UNCHANGED: "inchangé",
    ChangeKind.CHANGED: "modifié",
    ChangeKind.FIXED: "corrigé",
    ChangeKind.ABSENT: "absent",
}

def automatic_cell(position: Position) -> str:
    """An automatic position as the spreadsheet shows it: "oui (à confirmer)"."""
    return position.value + AUTOMATIC_MARK


def sender_cell(name: str | None, address: str | None) -> str:
    """« Parti X <contact@parti-x.fr> », or whichever half is known."""
    if name and address and name.casefold() != address.casefold():
        return f"{name} <{address}>"
    return name or address or ""


def issue_line(issue: Issue) -> str:
    """The short French line for an issue: "Q3 : réponse manquante"."""
    label = ISSUE_LABELS.get(issue.code, issue.code.value)
    return f"{issue.question} : {label}" if issue.question else label
