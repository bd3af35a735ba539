"""The single description of every output: pydantic models for a run and its files.

The JSON export (`--json`) is `Run.model_dump_json()`; `cuf-extract schema` prints
`Run.model_json_schema(mode="serialization")`. Fields marked ``exclude=True`` are
kept for the spreadsheet and the report but are not part of the JSON contract.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from cuf_extract.dates import aware

SCHEMA_VERSION: Literal[1] = 1


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"


class IssueCode(StrEnum):
    """Every problem the tool can report. Severities live in `checks.SEVERITY`."""

    QUESTIONS_NOT_FOUND = "questions_not_found"
    QUESTION_MISSING = "question_missing"
    MISSING_ANSWER = "missing_answer"
    UNASSIGNED_TEXT = "unassigned_text"
    ANSWER_TOO_LONG = "answer_too_long"
    DUPLICATE_FILE = "duplicate_file"
    MAIL_PART_UNREAD = "mail_part_unread"
    SAME_RESPONDENT = "same_respondent"
    TRACKED_CHANGES = "tracked_changes"
    COMMENTS = "comments"
    EXTRA_TEXT = "extra_text"
    EMBEDDED_CONTENT = "embedded_content"
    INVALID_CHARACTERS = "invalid_characters"
    CONVERTED = "converted"
    OWNER_FILE = "owner_file"
    UNREADABLE = "unreadable"
    ENCRYPTED = "encrypted"
    UNSUPPORTED_FORMAT = "unsupported_format"
    TOO_LARGE = "too_large"
    ANSWERED_TWICE = "answered_twice"
    UNKNOWN_SYMBOL = "unknown_symbol"
    POSSIBLE_SIGNATURE = "possible_signature"
    SCANNED_PDF = "scanned_pdf"
    FROM_PDF = "from_pdf"
    STRUCK_TEXT = "struck_text"
    NO_BOX_TICKED = "no_box_ticked"
    OCR = "ocr"


class RespondentSource(StrEnum):
    """Where the respondent's name was read: staff must know how far to trust it."""

    HEADER = "header"
    LETTERHEAD = "letterhead"
    PROPERTIES = "properties"
    FILE_NAME = "file_name"
    TABLE_HEADER = "table_header"
    SIGNATURE = "signature"
    FORM_FIELD = "form_field"  # typed in the form's "Organisation : ____" field
    SENDER = "sender"  # the e-mail's sender: display name, or the address's domain


class Position(StrEnum):
    """An answer's position on its question (see `positions.py`)."""

    YES = "oui"
    NO = "non"
    NUANCED = "nuancé"  # conditional, partial, not yet, being studied, another proposal
    UNSPECIFIED = "non précisé"  # no clear position, or the rules are not sure


class QuestionKind(StrEnum):
    """Whether a question can be answered yes or no (see `questionnaire.question_kind`)."""

    CLOSED = "fermée"  # « Entendez-vous… ? », « Do you… ? »: an answer takes a position
    OPEN = "ouverte"  # « Quelle place… ? », « How… ? »: no oui/non to read


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Question(_Frozen):
    id: str
    text: str
    kind: QuestionKind = Field(
        default=QuestionKind.CLOSED,
        description="« fermée »: a yes/no question, whose answers get an automatic "
        "position; « ouverte »: an open question, whose answers get none. Read from the "
        "wording unless the questionnaire file says otherwise.",
    )


class QuestionnaireRef(_Frozen):
    id: str
    questions: tuple[Question, ...]


class Issue(_Frozen):
    code: IssueCode
    severity: Severity
    question: str | None = None
    message: str


class Answer(_Frozen):
    question: str
    text: str | None
    position: Position | None = Field(
        default=None,
        description="The automatic position read from the text (a draft for staff to "
        "confirm); null when there is no answer or the question is open.",
    )


class IdentificationField(_Frozen):
    """What a reply typed in one of the form's identification fields."""

    label: str = Field(description="The field's label as printed (\"Organisation\", \"Date\").")
    value: str


class FileResult(_Frozen):
    path: str = Field(description="The path as given (or as found in a folder).")
    name: str
    sha256: str | None = Field(description="SHA-256 of the bytes; null if they could not be read.")
    status: Status
    respondent: str | None
    answers: tuple[Answer, ...]
    extra_text: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()
    identification: tuple[IdentificationField, ...] = Field(
        default=(), description="What was typed in the form's identification fields "
        "(organisation, signatory, date), in the form's order.")
    # A reply that came in a saved e-mail: the evidence of who replied and when.
    message: str | None = Field(
        default=None, description="The saved e-mail (.eml, .msg) this reply came in, as "
        "given; `path` then names the message and the attachment (« boite/Re.msg › PS.docx »).")
    sender_name: str | None = Field(default=None, description="The e-mail's sender, as shown.")
    sender_address: str | None = Field(default=None, description="The sender's e-mail address.")
    received: str | None = Field(
        default=None, description="When the e-mail was sent (ISO 8601 with its UTC offset).")
    # Kept for the spreadsheet and the report, not part of the JSON contract.
    respondent_source: RespondentSource | None = Field(default=None, exclude=True)
    document_date: Annotated[AwareDatetime | None, BeforeValidator(aware)] = Field(
        default=None, exclude=True,
        description="Last-modified date from the document properties (or the e-mail's), "
        "timezone-aware (see cuf_extract.dates).",
    )
    respondent_candidates: tuple[tuple[str, RespondentSource], ...] = Field(
        default=(), exclude=True,
        description="Every plausible respondent name, most telling first (the batch may "
        "set aside the first one: a Company property inherited from the form).",
    )

    def answer(self, question_id: str) -> str | None:
        for answer in self.answers:
            if answer.question == question_id:
                return answer.text
        return None


#: FileResult's fields left out of the JSON contract (kept by the cache and the digests).
EXCLUDED_FIELDS = tuple(name for name, field in FileResult.model_fields.items()
                        if field.exclude)


class Run(_Frozen):
    schema_version: Literal[1] = SCHEMA_VERSION
    questionnaire: QuestionnaireRef
    files: tuple[FileResult, ...]


def status_from(issues: tuple[Issue, ...] | list[Issue]) -> Status:
    """`error` if any error, else `warning` if any warning, else `ok`."""
    severities = {issue.severity for issue in issues}
    if Severity.ERROR in severities:
        return Status.ERROR
    if Severity.WARNING in severities:
        return Status.WARNING
    return Status.OK


# --------------------------------------------------------------------------- reruns
# What a run knows of the previous one (staff notes, changes, absent files). Not part of
# the JSON contract, which describes one run's files only.


# A staff cell as typed: text, a number, a date, a tick box.
StaffValue = str | int | float | bool | datetime


class ChangeKind(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    FIXED = "fixed"  # changed, and no longer flagged
    ABSENT = "absent"  # in the previous run, not in this one


class FileHistory(_Frozen):
    """One reply's row across runs: what changed, and the staff's own cells."""

    change: ChangeKind
    detail: str = ""  # French: "statut : Avertissement → OK ; réponses modifiées : Q3"
    staff: tuple[tuple[str, StaffValue], ...] = ()  # (staff column title, cell value)
    positions: tuple[tuple[str, str], ...] = ()  # (question id, position typed by staff)
    # Questions whose staff position was typed on an earlier answer: the answer changed
    # since, so the position is shown « … (à vérifier) » and counted nowhere until the
    # staff confirm it again (any edit of the cell).
    stale_positions: tuple[str, ...] = ()


class KeptFile(_Frozen):
    """A reply of the previous run that this run was not asked to read and whose file is
    still where it was: its row is written back exactly as it was (a run names the files
    it reads, not the campaign)."""

    path: str  # where the file is now
    sha256: str | None
    renamed_from: str | None = None  # the row's path, when the file was found renamed
    status: Status | None  # as last extracted; None when the row had no state
    cells: tuple[tuple[str, str], ...]  # extracted column title -> text as shown now
    written: tuple[tuple[str, str], ...] = ()  # extracted column title -> text as written
    digests: tuple[tuple[str, str], ...] = ()  # question id -> answer digest
    staff: tuple[tuple[str, StaffValue], ...] = ()
    positions: tuple[tuple[str, str], ...] = ()  # (question id, position typed by staff)
    # (question id, text the tool wrote in the Position cell: « oui (à confirmer) »)
    tool_positions: tuple[tuple[str, str], ...] = ()


class ExcludedReply(_Frozen):
    """A reply that will not be published (and is not counted in the synthesis): the
    staff excluded it, or a newer reply of the same organisation supersedes it."""

    path: str
    organisation: str
    reason: str  # French


class AbsentFile(_Frozen):
    """A reply of the previous run whose file is gone: its row is kept, marked absent."""

    path: str
    sha256: str | None
    cells: tuple[tuple[str, str], ...]  # extracted column title -> text as last shown
    staff: tuple[tuple[str, StaffValue], ...] = ()
    positions: tuple[tuple[str, str], ...] = ()  # (question id, position typed by staff)
    digests: tuple[tuple[str, str], ...] = ()  # kept, so a file put back is unchanged


class Campaign(_Frozen):
    """This run compared with the previous one, for the spreadsheet and the report."""

    staff_columns: tuple[str, ...]
    history: dict[str, FileHistory]  # by FileResult.path
    absent: tuple[AbsentFile, ...] = ()
    kept: tuple[KeptFile, ...] = ()  # rows not read this time, their files still there
    excluded: tuple[ExcludedReply, ...] = ()  # rows that will not be published
    hand_edits: tuple[str, ...] = ()  # French notes on extracted cells edited by hand
    backups: tuple[str, ...] = ()  # where the previous outputs were copied
    previous_found: bool = False
