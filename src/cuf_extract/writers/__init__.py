"""Writers for the three outputs: spreadsheet, HTML validation report, JSON export.

This package module stays light (standard library and the models only): openpyxl is
imported by `cuf_extract.writers.xlsx` alone, so the CLI pays for it only when it
writes a spreadsheet. The French labels shared by the spreadsheet and the report
live here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

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
    "COLUMN_CHANGE",
    "STALE_MARK",
    "STAFF_COLUMNS",
    "STATE_SHEET",
    "extracted_columns",
    "french_date",
    "parse_french_date",
    "INVALID_CHARACTERS",
    "ISSUE_LABELS",
    "REPLACEMENT_CHARACTER",
    "SEVERITY_LABELS",
    "SOURCE_LABELS",
    "STATUS_LABELS",
    "clean_text",
    "issue_line",
    "AUTOMATIC_MARK",
    "automatic_cell",
    "position_column",
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

# The spreadsheet's columns, by title: a rerun finds them by title, not by position,
# so staff may reorder or hide them.
COLUMN_FILE = "Fichier"
COLUMN_RESPONDENT = "Organisation"
COLUMN_SOURCE = "Source de l’organisation"
COLUMN_STATUS = "Statut"
COLUMN_EXTRA = "Texte hors réponses"
COLUMN_ISSUES = "Problèmes"
COLUMN_DATE = "Date du document"
# A reply that came in a saved e-mail: who sent it, and when (see cuf_extract.mail).
# Not « Expéditeur » and « Reçu le » alone: staff already add columns of those names to
# note by hand how a reply came, and a column the tool writes would overwrite them.
COLUMN_SENDER = "Expéditeur du courriel"
COLUMN_RECEIVED = "Courriel reçu le"
COLUMN_CHANGE = "Depuis la dernière fois"
# Columns that belong to the staff: never written by the tool, carried over on rerun.
STAFF_COLUMNS = ("Organisation (corrigée)", "Statut de suivi", "Notes")
NOTES_COLUMN = "Notes"
# A hidden sheet holding what the tool wrote last time (see docs/design.md).
STATE_SHEET = "_cuf-extract"


def extracted_columns(question_ids: Sequence[str]) -> tuple[str, ...]:
    """The columns the tool regenerates on every run, in sheet order."""
    return (COLUMN_FILE, COLUMN_RESPONDENT, COLUMN_SOURCE, COLUMN_STATUS, *question_ids,
            COLUMN_EXTRA, COLUMN_ISSUES, COLUMN_DATE, COLUMN_SENDER, COLUMN_RECEIVED)


# The staff's confirmation of each answer's position sits next to the answer. The tool
# writes its automatic position with this mark; a value without it was typed by staff.
AUTOMATIC_MARK = " (à confirmer)"
# A staff position whose answer changed since it was typed: shown with this mark, it
# counts nowhere until the staff confirm it again (any edit of the cell).
STALE_MARK = " (à vérifier)"


def position_column(question_id: str) -> str:
    """The title of a question's Position column: "Position Q1"."""
    return f"Position {question_id}"


def automatic_cell(position: Position) -> str:
    """An automatic position as the spreadsheet shows it: "oui (à confirmer)"."""
    return position.value + AUTOMATIC_MARK


def sender_cell(name: str | None, address: str | None) -> str:
    """« Parti X <contact@parti-x.fr> », or whichever half is known."""
    if name and address and name.casefold() != address.casefold():
        return f"{name} <{address}>"
    return name or address or ""


def french_date(value: str | None) -> str:
    """An ISO date from the document properties as staff read dates: "09/02/2020 11:30"."""
    if not value:
        return ""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?", value)
    if match is None:
        return value
    year, month, day, hour, minute = match.groups()
    return f"{day}/{month}/{year}" + (f" {hour}:{minute}" if hour else "")


def parse_french_date(text: str) -> datetime | None:
    """`french_date`'s text back to a date (« 09/02/2020 11:30 », « 09/02/2020 »); None
    for anything else. The workbook holds « Date du document » as a date cell since it
    is sorted by date; older workbooks hold this text."""
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})(?: (\d{2}):(\d{2}))?", text.strip())
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None


def issue_line(issue: Issue) -> str:
    """The short French line for an issue: "Q3 : réponse manquante"."""
    label = ISSUE_LABELS.get(issue.code, issue.code.value)
    return f"{issue.question} : {label}" if issue.question else label
