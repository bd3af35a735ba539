"""The campaign workbook's layout: every sheet and column title, the hidden state sheet's
schema and the questionnaire marker, in one place.

The extraction writes these titles, a rerun reads them back, the publication reads them
as the staff left them and the recipients list writes and reads its own sheet: a rerun
finds each column by its title, never by its position, so staff may reorder or hide
columns, and any title changed here changes for every command at once. A leaf: the
standard library and the models only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cuf_extract.models import QuestionnaireRef

__all__ = [
    "AUTOMATIC_MARK",
    "COLUMN_CHANGE",
    "COLUMN_CORRECTED",
    "COLUMN_DATE",
    "COLUMN_EXTRA",
    "COLUMN_FILE",
    "COLUMN_FOLLOW_UP",
    "COLUMN_ISSUES",
    "COLUMN_NOTES",
    "COLUMN_QUESTION_ID",
    "COLUMN_QUESTION_KIND",
    "COLUMN_QUESTION_TEXT",
    "COLUMN_RECEIVED",
    "COLUMN_RESPONDENT",
    "COLUMN_SENDER",
    "COLUMN_SOURCE",
    "COLUMN_STATUS",
    "RECIPIENT_COLUMNS",
    "SHEET_ANSWERS",
    "SHEET_ISSUES",
    "SHEET_QUESTIONS",
    "SHEET_RECIPIENTS",
    "SHEET_STATE",
    "SHEET_SYNTHESIS",
    "STAFF_COLUMNS",
    "STALE_MARK",
    "STATE_DIGEST",
    "STATE_PATH",
    "STATE_POSITION",
    "STATE_QUESTIONNAIRE",
    "STATE_SHA",
    "STATE_STATUS",
    "STATE_WRITTEN",
    "TRUNCATION_MARKER",
    "UNLISTED_COLUMNS",
    "UNLISTED_TITLE",
    "answer_digest",
    "extracted_columns",
    "position_column",
    "questionnaire_marker",
    "state_header",
]

# --------------------------------------------------------------------------- sheets

SHEET_ANSWERS = "Réponses"
SHEET_QUESTIONS = "Questions"
SHEET_ISSUES = "Problèmes"
SHEET_SYNTHESIS = "Synthèse"
SHEET_RECIPIENTS = "Destinataires"  # written with `--destinataires`, read back on reruns
# A hidden sheet holding what the tool wrote last time (see docs/design.md).
SHEET_STATE = "_cuf-extract"

# --------------------------------------------------------------------------- « Réponses »

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
COLUMN_CORRECTED = "Organisation (corrigée)"  # the reply's organisation, as corrected
COLUMN_FOLLOW_UP = "Statut de suivi"  # « à exclure », « vérifié »…
COLUMN_NOTES = "Notes"
STAFF_COLUMNS = (COLUMN_CORRECTED, COLUMN_FOLLOW_UP, COLUMN_NOTES)

# The staff's confirmation of each answer's position sits next to the answer. The tool
# writes its automatic position with this mark; a value without it was typed by staff.
AUTOMATIC_MARK = " (à confirmer)"
# A staff position whose answer changed since it was typed: shown with this mark, it
# counts nowhere until the staff confirm it again (any edit of the cell).
STALE_MARK = " (à vérifier)"

# The end of a cell cut to Excel's limit.
TRUNCATION_MARKER = "… [texte tronqué : version complète dans le rapport HTML et le JSON]"


def extracted_columns(question_ids: Sequence[str]) -> tuple[str, ...]:
    """The columns the tool regenerates on every run, in sheet order."""
    return (COLUMN_FILE, COLUMN_RESPONDENT, COLUMN_SOURCE, COLUMN_STATUS, *question_ids,
            COLUMN_EXTRA, COLUMN_ISSUES, COLUMN_DATE, COLUMN_SENDER, COLUMN_RECEIVED)


def position_column(question_id: str) -> str:
    """The title of a question's Position column: "Position Q1"."""
    return f"Position {question_id}"


# --------------------------------------------------------------------------- « Questions »

COLUMN_QUESTION_ID = "Question"
COLUMN_QUESTION_TEXT = "Texte"
COLUMN_QUESTION_KIND = "Type"  # « fermée » or « ouverte » (models.QuestionKind)

# --------------------------------------------------------------------------- « Destinataires »

COLUMN_RECIPIENT = "Organisation sollicitée"
COLUMN_ALIASES = "Autres noms"
COLUMN_REPLY_STATE = "Statut"
COLUMN_REPLIES = "Réponse(s)"
COLUMN_CHECK = "À vérifier"
COLUMN_RELANCE = "Relance"
RECIPIENT_COLUMNS = (COLUMN_RECIPIENT, COLUMN_ALIASES, COLUMN_REPLY_STATE, COLUMN_REPLIES,
                     COLUMN_CHECK, COLUMN_RELANCE)
# Below the list: the replies from organisations that are not on it.
UNLISTED_TITLE = "Réponses d’organisations absentes de la liste"
UNLISTED_COLUMNS = ("Organisation (dans la réponse)", COLUMN_FILE, "Rapprochement possible")

# --------------------------------------------------------------------------- the state sheet

# One row per reply: its path, the hash and status read, a digest of each answer, each
# extracted cell as the tool wrote it, the automatic position written in each Position
# column ("" if none); the last title, over no cells, is the questionnaire marker.
STATE_PATH, STATE_SHA, STATE_STATUS = "path", "sha256", "status"
STATE_DIGEST = "digest:"  # + question id
STATE_WRITTEN = "written:"  # + extracted column title
STATE_POSITION = "position:"  # + question id: the automatic position written, "" if none
# The last column's title: "questionnaire:<id>#<digest of its questions>".
STATE_QUESTIONNAIRE = "questionnaire:"


def state_header(ref: QuestionnaireRef) -> list[str]:
    """The state sheet's column titles for a run of questionnaire `ref`."""
    question_ids = [q.id for q in ref.questions]
    return [STATE_PATH, STATE_SHA, STATE_STATUS,
            *(STATE_DIGEST + q for q in question_ids),
            *(STATE_WRITTEN + c for c in extracted_columns(question_ids)),
            *(STATE_POSITION + q for q in question_ids),
            questionnaire_marker(ref)]


def answer_digest(text: str | None) -> str:
    """A short, stable fingerprint of an answer, to tell changed answers apart."""
    return "" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def questionnaire_marker(ref: QuestionnaireRef) -> str:
    """The questionnaire a workbook was made with: its id and a digest of its questions."""
    texts = "\x1f".join(f"{q.id}\x1e{q.text}" for q in ref.questions)
    digest = hashlib.sha256(texts.encode("utf-8")).hexdigest()[:16]
    return f"{STATE_QUESTIONNAIRE}{ref.id}#{digest}"
