"""The publication: the campaign workbook, as the staff left it, turned into the answers
to publish, question by question.

`build_publication` reads the workbook (columns by their French title, never by
position; the questions from its « Questions » sheet, so any questionnaire works) and
decides which rows are published, with a French reason for every row left out and a
flag for everything the staff should look at, into a `publication_model.Publication`
(the model and its text rules, re-exported here, live there so that the writers need
not import this module). `publish` also writes the .docx and the HTML (see
`writers/publication_docx.py` and `writers/publication_html.py`). Nothing here prints;
answer text is never rewritten: only whitespace and list markers are normalised, and
list lines become real lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cuf_extract.layout import (
    AUTOMATIC_MARK,
    COLUMN_CHANGE,
    COLUMN_CORRECTED,
    COLUMN_DATE,
    COLUMN_EXTRA,
    COLUMN_FILE,
    COLUMN_FOLLOW_UP,
    COLUMN_ISSUES,
    COLUMN_QUESTION_ID,
    COLUMN_QUESTION_KIND,
    COLUMN_QUESTION_TEXT,
    COLUMN_RESPONDENT,
    COLUMN_SOURCE,
    COLUMN_STATUS,
    SHEET_ANSWERS,
    SHEET_QUESTIONS,
    SHEET_RECIPIENTS,
    STALE_MARK,
    TRUNCATION_MARKER,
    position_column,
)
from cuf_extract.models import (
    ChangeKind,
    IssueCode,
    Position,
    Question,
    QuestionKind,
    RespondentSource,
    Status,
)
from cuf_extract.publication_model import (
    FREE_FORMAT_HEADING,
    FREE_FORMAT_NOTE,
    NO_ANSWER,
    NOT_REPLIED_HEADING,
    SYNTHESIS_HEADING,
    SYNTHESIS_NOTE,
    AnswerBlock,
    Entry,
    Flag,
    LeftOut,
    ListBlock,
    ListItem,
    Paragraph,
    Publication,
    SynthesisLine,
    french_long_date,
    parse_answer,
    sort_key,
    synthesis_cells,
    synthesis_header,
)
from cuf_extract.questionnaire import question_kind
from cuf_extract.selection import (
    Candidate,
    decide,
    file_date,
    is_checked,
    is_exclusion,
    parse_document_date,
)
from cuf_extract.text import fold
from cuf_extract.typography import french, quoted
from cuf_extract.writers import (
    CHANGE_LABELS,
    ISSUE_LABELS,
    REPLACEMENT_CHARACTER,
    SOURCE_LABELS,
    STATUS_LABELS,
)

if TYPE_CHECKING:
    from cuf_extract.recipients import Recipient

__all__ = [
    "DEFAULT_PUBLISHER",
    "DEFAULT_TITLE",
    "FREE_FORMAT_HEADING",
    "FREE_FORMAT_NOTE",
    "NO_ANSWER",
    "NOT_REPLIED_HEADING",
    "AnswerBlock",
    "Entry",
    "Flag",
    "LeftOut",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "Publication",
    "PublicationError",
    "PublicationResult",
    "SYNTHESIS_HEADING",
    "SYNTHESIS_NOTE",
    "SynthesisLine",
    "synthesis_cells",
    "synthesis_header",
    "build_publication",
    "french_long_date",
    "is_checked",
    "is_exclusion",
    "parse_answer",
    "proposed_case",
    "publish",
    "sort_key",
]

DEFAULT_TITLE = "Réponses au questionnaire"
DEFAULT_PUBLISHER = "Cités Unies France"
# openpyxl's own name, written as the author of workbooks that do not set one.
_NO_AUTHOR = {"", "openpyxl"}

class PublicationError(Exception):
    """The workbook cannot be published from; the message says why, in French."""


@dataclass(frozen=True)
class PublicationResult:
    publication: Publication
    written: tuple[tuple[Path, Path], ...]  # (wanted, actually written)


# --------------------------------------------------------------------------- the workbook


@dataclass(frozen=True)
class _Row:
    number: int  # the sheet's row number, for messages
    file: str
    extracted_name: str
    name_source: str  # « Source de l'organisation », as the tool wrote it
    corrected_name: str
    status: str
    follow_up: str
    change: str
    document_date: datetime | None
    issues: str
    answers: dict[str, str]
    extra: str = ""  # « Texte hors réponses »
    positions: dict[str, str] = field(default_factory=dict)  # « Position Qn » cells

    @property
    def shown_name(self) -> str:
        return self.corrected_name or self.extracted_name


def _cell_text(value: object) -> str:
    from openpyxl.utils.escape import unescape

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    text = str(value)
    # Excel stores "_x0041_" typed in a cell as "_x005F_x0041_"; openpyxl reads it raw.
    return unescape(text) if "_x" in text else text


def _what_it_is(path: Path) -> str:
    """Why openpyxl could not open `path`, as staff would say it."""
    from cuf_extract.inputs import FileKind, sniff

    kind = sniff(path).kind
    if kind in (FileKind.DOCX, FileKind.DOC, FileKind.ODT, FileKind.RTF, FileKind.WORD_XML):
        return "c’est un document de traitement de texte, une réponse peut-être"
    if kind is FileKind.PDF:
        return "c’est un PDF"
    return "le fichier est endommagé, ou ce n’est pas un tableur Excel .xlsx"


def _not_a_workbook(path: Path, why: str) -> PublicationError:
    return PublicationError(
        f"« {path} » n’est pas un tableur de cuf-extract ({why}). Indiquez le tableur écrit "
        "par l’extraction (par défaut reponses.xlsx)."
    )


@dataclass(frozen=True)
class _Workbook:
    title: str | None
    publisher: str | None
    questions: tuple[Question, ...]
    rows: tuple[_Row, ...]
    recipients: tuple[Recipient, ...] = ()  # the « Destinataires » sheet's list, if any


def _read_workbook(path: Path) -> _Workbook:
    if not path.is_file():
        raise PublicationError(
            f"le tableur « {path} » n’existe pas. Lancez d’abord l’extraction "
            "(cuf-extract reponses/) ou indiquez le chemin du tableur."
        )
    from cuf_extract.workbook_reader import (
        WorkbookUnreadable,
        read_sheets,
        read_title_and_creator,
    )

    try:
        sheets = read_sheets(path, (SHEET_ANSWERS, SHEET_QUESTIONS, SHEET_RECIPIENTS),
                             data_only=True)
    except WorkbookUnreadable as exc:
        raise _not_a_workbook(path, _what_it_is(path)) from exc
    for sheet in (SHEET_ANSWERS, SHEET_QUESTIONS):
        if sheet not in sheets:
            raise _not_a_workbook(path, f"pas de feuille « {sheet} »")
    questions = _read_questions(path, sheets[SHEET_QUESTIONS])
    rows = _read_rows(path, sheets[SHEET_ANSWERS], questions)
    recipients: tuple[Recipient, ...] = ()
    if SHEET_RECIPIENTS in sheets:
        from cuf_extract.campaign import read_recipients_sheet
        from cuf_extract.recipients import recipients_from_sheet

        recipients = recipients_from_sheet(read_recipients_sheet(sheets[SHEET_RECIPIENTS]))
    title, creator = read_title_and_creator(path)
    publisher = (creator or "").strip()
    return _Workbook(title=(title or "").strip() or None,
                     publisher=None if publisher in _NO_AUTHOR else publisher,
                     questions=questions, rows=rows, recipients=recipients)


def _header(values: Sequence[object]) -> dict[str, int]:
    """Column index by title; the first column of a title wins."""
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        found.setdefault(_cell_text(value).strip(), index)
    return found


def _read_questions(path: Path, rows: Iterable[Sequence[object]]) -> tuple[Question, ...]:
    rows = iter(rows)
    columns = _header(next(rows, ()))
    if COLUMN_QUESTION_ID not in columns or COLUMN_QUESTION_TEXT not in columns:
        raise _not_a_workbook(
            path, f"la feuille « {SHEET_QUESTIONS} » n’a pas les colonnes "
                  f"« {COLUMN_QUESTION_ID} » et « {COLUMN_QUESTION_TEXT} »")
    questions: list[Question] = []
    for values in rows:
        def get(title: str, values: Sequence[object] = values) -> str:
            index = columns[title]
            return _cell_text(values[index]).strip() if index < len(values) else ""

        qid = get(COLUMN_QUESTION_ID)
        if qid:
            text = get(COLUMN_QUESTION_TEXT) or qid
            # The kind the extraction wrote; read from the wording in an older workbook.
            written = get(COLUMN_QUESTION_KIND) if COLUMN_QUESTION_KIND in columns else ""
            kind = next((k for k in QuestionKind if k.value == written.casefold()),
                        None) or question_kind(text)
            questions.append(Question(id=qid, text=text, kind=kind))
    if not questions:
        raise _not_a_workbook(path, f"la feuille « {SHEET_QUESTIONS} » est vide")
    return tuple(questions)


def _read_rows(path: Path, rows: Iterable[Sequence[object]], questions: Sequence[Question]
               ) -> tuple[_Row, ...]:
    rows = iter(rows)
    columns = _header(next(rows, ()))
    for needed in (COLUMN_FILE, COLUMN_STATUS):
        if needed not in columns:
            raise _not_a_workbook(path, f"la feuille « {SHEET_ANSWERS} » n’a pas de colonne "
                                        f"« {needed} »")
    missing = [q.id for q in questions if q.id not in columns]
    if missing:
        raise PublicationError(
            f"la feuille « {SHEET_ANSWERS} » de « {path} » n’a pas de colonne "
            f"{', '.join(f'« {m} »' for m in missing)} : les réponses à ces questions ne "
            "peuvent pas être publiées. Remettez la colonne (ou relancez l’extraction)."
        )
    found: list[_Row] = []
    for number, values in enumerate(rows, start=2):
        def get(title: str, values: Sequence[object] = values) -> object:
            index = columns.get(title)
            return values[index] if index is not None and index < len(values) else None

        file = _cell_text(get(COLUMN_FILE)).strip()
        if not file:
            continue  # a note row, or a row the staff emptied
        found.append(_Row(
            number=number,
            file=file,
            extracted_name=" ".join(_cell_text(get(COLUMN_RESPONDENT)).split()),
            name_source=_cell_text(get(COLUMN_SOURCE)).strip(),
            corrected_name=" ".join(_cell_text(get(COLUMN_CORRECTED)).split()),
            status=_cell_text(get(COLUMN_STATUS)).strip(),
            follow_up=_cell_text(get(COLUMN_FOLLOW_UP)).strip(),
            change=_cell_text(get(COLUMN_CHANGE)).strip(),
            document_date=parse_document_date(get(COLUMN_DATE)),
            issues=_cell_text(get(COLUMN_ISSUES)).strip(),
            extra=_cell_text(get(COLUMN_EXTRA)),
            answers={q.id: _cell_text(get(q.id)) for q in questions},
            positions={q.id: _cell_text(get(position_column(q.id))).strip() for q in questions},
        ))
    return tuple(found)


# --------------------------------------------------------------------------- deciding


_PUBLISHABLE = {STATUS_LABELS[Status.OK], STATUS_LABELS[Status.WARNING]}
_ABSENT = CHANGE_LABELS[ChangeKind.ABSENT]
_STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()}
_FROM_FILE_NAME = SOURCE_LABELS[RespondentSource.FILE_NAME]


def _candidate(row: _Row) -> Candidate | str:
    """The row as `selection` sees it, or why its status cannot be read (French)."""
    if row.status == _ABSENT or row.change.startswith(_ABSENT):
        status: Status | None = None
    elif row.status in _STATUS_BY_LABEL:
        status = _STATUS_BY_LABEL[row.status]
    elif not is_exclusion(row.follow_up):
        return (f"statut « {row.status} » inconnu (attendu : OK ou Avertissement)"
                if row.status else "statut vide")
    else:
        status = Status.OK  # excluded anyway: the reason given is the exclusion
    return Candidate(file=row.file, name=row.shown_name, status=status,
                     follow_up=row.follow_up, document_date=row.document_date,
                     errors=row.issues)


# « Statut de suivi » words saying the staff proofread a reply read by OCR: « relu(e)(s) »,
# « vérifié(e)(s) », « relecture faite », matched accents and case ignored; « non relu »,
# « pas vérifié », « à relire », « à vérifier » are not.
_PROOFREAD = re.compile(
    r"(?<!\bnon )(?<!\bpas )\b(?:relue?s?|verifiee?s?)\b|\brelecture faite\b")


def is_proofread(follow_up: str) -> bool:
    """Whether a « Statut de suivi » says the reply's OCR reading was proofread."""
    return _PROOFREAD.search(" ".join(re.sub(r"[^\w ]+", " ", fold(follow_up)).split())
                             ) is not None


def _answer_flags(row: _Row, shown: str) -> list[Flag]:

    flags = []
    if _is_free_format(row):
        flags.append(Flag(row.file, french(
            "{name} a répondu en format libre : sa réponse est publiée en entier dans "
            f"« {FREE_FORMAT_HEADING} », telle que la colonne « {COLUMN_EXTRA} » la donne ; "
            "relisez-la, ou recopiez-la question par question (cuf-extract modele), ou "
            f"écrivez « à exclure » dans « {COLUMN_FOLLOW_UP} ».").format(name=quoted(shown))))
    elif not any(text.strip() for text in row.answers.values()):
        flags.append(Flag(row.file, french(
            "{name} n’a répondu à aucune question dans le tableur, et n’a écrit aucun autre "
            "texte : vérifiez le fichier, ou écrivez « à exclure » dans "
            f"« {COLUMN_FOLLOW_UP} ».").format(name=quoted(shown))))
    if ISSUE_LABELS[IssueCode.OCR] in row.issues and not is_proofread(row.follow_up):
        flags.append(Flag(row.file, french(
            "{name} : réponses lues par reconnaissance de caractères (scan, photo), pas "
            "encore relues : comparez-les au document, corrigez-les dans le tableur, puis "
            f"écrivez « relu » dans « {COLUMN_FOLLOW_UP} ».").format(name=quoted(shown))))
    for qid, text in row.answers.items():
        if text.endswith(TRUNCATION_MARKER):
            flags.append(Flag(row.file, f"« {shown} », {qid} : la réponse a été coupée dans le "
                                        "tableur (trop longue pour Excel) ; la fin manque dans "
                                        "la publication : complétez-la dans le document Word "
                                        "à partir du rapport HTML."))
        if REPLACEMENT_CHARACTER in text:
            flags.append(Flag(row.file, f"« {shown} », {qid} : la réponse contient des "
                                        f"caractères illisibles ({REPLACEMENT_CHARACTER}) ; "
                                        "vérifiez-la dans le fichier Word."))
    return flags


def _is_free_format(row: _Row) -> bool:
    """A reply not read question by question: no answer in any question column (so the
    staff did not type them in either), and text outside the questions."""
    return bool(row.extra.strip()) and not any(text.strip() for text in row.answers.values())


# A letterhead typed in capitals: « FÉDÉRATION PROGRESSISTE ». A word of letters only,
# with a vowel, not a known acronym, four letters at least, is a word shouted (« PCF »,
# « CGT » have no vowel, « (AET) » is in brackets: acronyms, kept).
_WORD = re.compile(r"[^\W\d_]+(?:[’'][^\W\d_]+)*")
_ARTICLES = {"le", "la", "les"}
_PROPER = {"france", "europe", "république"}
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœæ")


def _is_acronym(word: str, in_brackets: bool) -> bool:
    from cuf_extract.organisations import KNOWN_ACRONYMS

    return (word.casefold() in KNOWN_ACRONYMS or in_brackets
            or not _VOWELS.intersection(word.casefold()))


def proposed_case(name: str) -> str | None:
    """A correctly cased name for one read in capitals (« PARTI DES COMMUNES RURALES » →
    « Parti des communes rurales »), or None when `name` is not shouted.

    French usage for an organisation: a capital to the first word, and to the word after
    a leading article (« La France insoumise », « Les Républicains », « L’Union … »);
    acronyms (known ones, words without a vowel, words in brackets) keep their spelling,
    and a few proper nouns keep their capital (`_PROPER`). Other proper nouns
    (« … DE BRETAGNE ») come out in lower case: the proposal is always listed for the
    staff to check.
    """
    letters = [c for c in name if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return None
    from cuf_extract.organisations import KNOWN_ACRONYMS

    shouted = False
    out: list[str] = []
    last = 0
    capital = True  # the next word takes a capital
    for index, match in enumerate(_WORD.finditer(name)):
        word = match.group()
        in_brackets = name[:match.start()].count("(") > name[:match.start()].count(")")
        out.append(name[last:match.start()])
        last = match.end()
        if _is_acronym(word, in_brackets) or len(word) < 2:
            out.append(KNOWN_ACRONYMS.get(word.casefold(), word))
        else:
            if len(word) >= 4:
                shouted = True
            lower = word.lower()
            elided = re.match(r"[ld][’']", lower)  # « L’UNION », « D’EUROPE »
            prefix, rest = (lower[:2], lower[2:]) if elided else ("", lower)
            if capital and prefix:
                prefix = prefix.capitalize()
            if capital or rest in _PROPER or (prefix and index == 0):
                rest = rest[:1].upper() + rest[1:]
            out.append(prefix + rest)
        capital = index == 0 and word.casefold() in _ARTICLES  # after a leading article
    out.append(name[last:])
    return "".join(out) if shouted else None


def build_publication(
    workbook: Path,
    *,
    today: date,
    not_replied: Sequence[str] = (),
    recipients: Sequence[Recipient] | None = None,
    synthesis: bool = False,
    force_synthesis: bool = False,
) -> Publication:
    """What to publish from the campaign workbook at `workbook`.

    Rows whose « Statut » is OK or Avertissement are published, unless their « Statut de
    suivi » excludes them (`is_exclusion`); when several rows name the same organisation
    (accents, case and punctuation ignored), the most recent one is published: latest
    « Date du document », then latest modification date of the file where it is now.
    `not_replied`: organisations that were asked and have not replied, listed at the end.
    `recipients`: the list of solicited organisations (by default, the workbook's
    « Destinataires » sheet when the extraction was given one; `()` for none); those
    that no row of the workbook names (absent and skipped files aside; excluded and
    error rows count: the organisation did reply) are added to `not_replied`, and
    uncertain matches are flagged.
    `synthesis`: count each question's positions among the published replies; when
    none is confirmed yet, the table is left out and flagged unless `force_synthesis`.
    Raises `PublicationError` when the workbook is missing or not a cuf-extract workbook.
    """
    from cuf_extract.writers.atomic import is_locked

    book = _read_workbook(workbook)
    left_out: list[LeftOut] = []
    flags: list[Flag] = []
    if is_locked(workbook):
        # A « à exclure » typed but not saved would be published: say so.
        flags.append(Flag(workbook.name, (
            "le tableur est ouvert dans Excel : ce qui n’y est pas encore enregistré n’est "
            "pas pris en compte ; enregistrez-le, puis relancez la publication si besoin.")))
    rows_by_candidate: dict[int, _Row] = {}
    unreadable: list[tuple[_Row, str]] = []
    candidates: list[Candidate] = []
    for row in book.rows:
        if row.status == STATUS_LABELS[Status.SKIPPED]:
            continue  # Word's owner files and the like: never replies, not listed
        candidate = _candidate(row)
        if isinstance(candidate, str):
            unreadable.append((row, candidate))
            continue
        rows_by_candidate[id(candidate)] = row
        candidates.append(candidate)
    base = workbook.absolute().parent
    decision = decide(candidates, lambda file: file_date(file, base))
    # In the workbook's order, then the older replies of an organisation.
    not_published = [*unreadable, *((rows_by_candidate[id(item.candidate)], item.message)
                                    for item in decision.left_out if not item.superseded)]
    not_published.sort(key=lambda pair: pair[0].number)
    not_published += [(rows_by_candidate[id(item.candidate)], item.message)
                      for item in decision.left_out if item.superseded]
    flagged = {id(rows_by_candidate[id(item.candidate)]) for item in decision.left_out
               if item.flagged} | {id(row) for row, _ in unreadable}
    for row, reason in not_published:
        left_out.append(LeftOut(row.file, row.shown_name, reason))
        if id(row) in flagged:
            flags.append(Flag(row.file, f"non publiée : {reason}"))
    flags.extend(Flag(tie.chosen.file, (
        f"{tie.count} réponses de « {tie.chosen.name} » dont les dates ne disent pas "
        f"laquelle est la plus récente : « {tie.chosen.file} » est publiée ; si ce "
        f"n’est pas la bonne, écrivez « à exclure » dans « {COLUMN_FOLLOW_UP} » "
        "des autres.")) for tie in decision.ties)
    entries: list[Entry] = []
    by_file: dict[str, _Row] = {}
    for published in decision.published:
        chosen = rows_by_candidate[id(published)]
        name = chosen.shown_name
        named_by_file = not name
        if named_by_file:
            name = Path(chosen.file.replace("\\", "/")).name
            flags.append(Flag(chosen.file, (
                f"aucune organisation pour « {chosen.file} » : publiée sous le nom du fichier ; "
                f"écrivez le nom dans « {COLUMN_CORRECTED} » et relancez la publication.")))
        elif not chosen.corrected_name and chosen.name_source == _FROM_FILE_NAME:
            flags.append(Flag(chosen.file, (
                f"« {name} » : nom tiré du nom du fichier ; vérifiez-le et, au besoin, "
                f"corrigez-le dans « {COLUMN_CORRECTED} » (il sera publié tel quel).")))
        read_as = ""
        proposal = None if named_by_file else proposed_case(name)
        if proposal is not None and chosen.corrected_name:
            # The staff's own spelling is published as typed, but still listed.
            flags.append(Flag(chosen.file, french(
                f"{{name}} est écrit en capitales dans « {COLUMN_CORRECTED} » : publié tel "
                "quel ; s’il faut, écrivez-le {proposal}.").format(
                    name=quoted(name), proposal=quoted(proposal))))
        elif proposal is not None:
            read_as, name = name, proposal
            flags.append(Flag(chosen.file, french(
                "{read} est écrit en capitales dans le tableur : publié {name} ; vérifiez "
                "ce nom et, s’il faut, écrivez le nom juste dans "
                f"« {COLUMN_CORRECTED} ».").format(read=quoted(read_as), name=quoted(name))))
        flags.extend(_answer_flags(chosen, name))
        by_file[chosen.file] = chosen
        entries.append(Entry(
            organisation=name, file=chosen.file, named_by_file=named_by_file,
            answers={q.id: parse_answer(chosen.answers.get(q.id)) for q in book.questions},
            free_text=parse_answer(chosen.extra) if _is_free_format(chosen) else (),
            read_as=read_as,
        ))
    entries.sort(key=lambda e: sort_key(e.organisation))
    if recipients is None:
        recipients = book.recipients
    if recipients:
        more, uncertain = _not_replied(recipients, book.rows)
        not_replied = [*not_replied, *more]
        flags.extend(Flag("liste des destinataires", (
            f"« {name} » (liste des destinataires) ne correspond qu’approximativement à une "
            "réponse : elle n’est pas listée parmi les organisations sans réponse ; vérifiez "
            f"la feuille « Destinataires » ou corrigez « {COLUMN_CORRECTED} », puis relancez."))
            for name in uncertain)
    synthesis_lines: tuple[SynthesisLine, ...] = ()
    if synthesis:
        synthesis_lines, stale = _synthesis(book.questions, [by_file[e.file] for e in entries])
        flags.extend(stale)
        if not synthesis_lines:
            flags.append(Flag(workbook.name, (
                "toutes les questions sont ouvertes (sans oui ni non) : il n’y a pas de "
                "tableau des positions à publier.")))
        elif not force_synthesis and not any(sum(line.confirmed.values())
                                             for line in synthesis_lines):
            synthesis_lines = ()
            flags.append(Flag(workbook.name, (
                "aucune position n’est encore confirmée dans le tableur : le tableau des "
                "positions n’est pas publié (il ne montrerait que des « à confirmer »). "
                "Confirmez les positions dans les colonnes « Position Q… » de la feuille "
                f"« {SHEET_ANSWERS} », ou ajoutez --forcer-synthese pour le publier quand "
                "même.")))
    title, publisher = _title_and_publisher(book)
    return Publication(
        title=title, publisher=publisher, date=today, questions=book.questions,
        entries=tuple(entries), left_out=tuple(left_out), flags=tuple(flags),
        not_replied=tuple(sorted(dict.fromkeys(n.strip() for n in not_replied if n.strip()),
                                 key=sort_key)),
        synthesis=synthesis_lines,
    )


def _not_replied(recipients: Sequence[Recipient], rows: Sequence[_Row]
                 ) -> tuple[list[str], list[str]]:
    """(listed organisations no row names, listed organisations only uncertainly named)."""
    from cuf_extract.recipients import not_replied, to_check

    replied = [row.shown_name for row in rows
               if row.status != STATUS_LABELS[Status.SKIPPED]
               and row.status != _ABSENT and not row.change.startswith(_ABSENT)]
    return not_replied(recipients, replied), to_check(recipients, replied)


def _synthesis(questions: Sequence[Question], rows: Sequence[_Row]
               ) -> tuple[tuple[SynthesisLine, ...], list[Flag]]:
    """Each question's positions among the published rows. Only a position the staff
    typed on the answer now in the workbook counts as a position; automatic ones (the
    tool's « … (à confirmer) »), staff positions whose answer changed since (« … (à
    vérifier) », each flagged) and what is not a position are « à confirmer »."""
    from cuf_extract.positions import parse_position

    lines: list[SynthesisLine] = []
    flags: list[Flag] = []
    for question in questions:
        if question.kind is QuestionKind.OPEN:
            continue  # an open question has no oui / non: nothing to count
        confirmed = dict.fromkeys(Position, 0)
        to_confirm = no_position = 0
        for row in rows:
            cell = row.positions.get(question.id, "")
            stale = cell.endswith(STALE_MARK.strip())
            typed = (parse_position(cell) if cell and not cell.endswith(AUTOMATIC_MARK)
                     and not stale else None)
            if stale:
                flags.append(Flag(row.file, (
                    f"« {row.shown_name} », {question.id} : la position « "
                    f"{cell.removesuffix(STALE_MARK.strip()).strip()} » a été saisie sur une "
                    "réponse précédente, la réponse a changé depuis : elle est comptée « à "
                    f"confirmer ». Relisez la réponse et retapez la position dans "
                    f"« {position_column(question.id)} », puis relancez.")))
            if typed is not None:
                confirmed[typed] += 1
            elif cell or row.answers.get(question.id, "").strip() or _is_free_format(row):
                # A reply in free format may well say oui or non: it is to read, not
                # « sans réponse » (it was not read question by question).
                to_confirm += 1
            else:
                no_position += 1
        lines.append(SynthesisLine(question, confirmed, to_confirm, no_position))
    return tuple(lines), flags


def _title_and_publisher(book: _Workbook) -> tuple[str, str]:
    """The workbook's title and author (written by the extraction since it stores them);
    for an older workbook, the bundled questionnaire's when the questions are its own."""
    title, publisher = book.title, book.publisher
    if title is None or publisher is None:
        from cuf_extract.questionnaire import load_questionnaire

        bundled = load_questionnaire()
        if tuple((q.id, q.text) for q in bundled.questions) == tuple(
                (q.id, q.text) for q in book.questions):
            title = title or bundled.title
            publisher = publisher or (bundled.owner[0] if bundled.owner else None)
    return title or DEFAULT_TITLE, publisher or DEFAULT_PUBLISHER


# --------------------------------------------------------------------------- writing


def publish(
    workbook: Path,
    *,
    docx_path: Path | None = None,
    html_path: Path | None = None,
    today: date | None = None,
    not_replied: Sequence[str] = (),
    recipients: Sequence[Recipient] | None = None,
    synthesis: bool = False,
    force_synthesis: bool = False,
) -> PublicationResult:
    """Build the publication from `workbook` and write the .docx and the HTML (by default
    `<stem>-publication.docx` and `<stem>-publication.html` beside the workbook).

    A target open in Word or a browser's editor (its lock file beside it) is not
    replaced: the output goes to a dated name beside it, returned in `written`.
    Raises `PublicationError` (workbook unusable) or `OutputError` (cannot write).
    """
    from cuf_extract.writers.publication_docx import write_publication_docx
    from cuf_extract.writers.publication_html import write_publication_html

    publication = build_publication(workbook, today=today or date.today(),
                                    not_replied=not_replied, recipients=recipients,
                                    synthesis=synthesis, force_synthesis=force_synthesis)
    docx_target = docx_path or workbook.with_name(f"{workbook.stem}-publication.docx")
    html_target = html_path or workbook.with_name(f"{workbook.stem}-publication.html")
    written = [(docx_target, write_publication_docx(publication, docx_target))]
    written.append((html_target, write_publication_html(publication, html_target)))
    return PublicationResult(publication=publication, written=tuple(written))
